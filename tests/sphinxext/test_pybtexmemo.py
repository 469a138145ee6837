"""handbook.sphinxext.pybtexmemo: pybtex's plugin look-up memoised for one build, then restored.

The memo on its own (a repeated query is answered from the cache, a plugin
registered at run time is still found first), and on the reading-list root,
which loads it: in place while pages are written, gone after the build, and
left out with ``pybtexmemo = False``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pybtex.plugin
import pytest
from sphinx.testing.util import SphinxTestApp

from handbook.sphinxext import pybtexmemo

pytestmark = pytest.mark.sphinx


def test_memo_caches_entry_points_but_not_runtime_plugins(monkeypatch: pytest.MonkeyPatch):
    calls: list[dict[str, Any]] = []
    lookup = pybtex.plugin.entry_points

    def counting(**params: Any) -> Any:
        calls.append(params)
        return lookup(**params)

    monkeypatch.setattr(pybtex.plugin, "entry_points", counting)
    pybtexmemo.install()
    try:
        first = pybtex.plugin.find_plugin("pybtex.backends", "plaintext")
        assert pybtex.plugin.find_plugin("pybtex.backends", "plaintext") is first
        assert len(calls) == 1

        class Custom(pybtex.plugin.Plugin):
            pass

        # registered at run time: found first, as without the memo
        monkeypatch.setitem(
            pybtex.plugin._RUNTIME_PLUGINS, "pybtex.backends", {"plaintext": Custom}
        )
        assert pybtex.plugin.find_plugin("pybtex.backends", "plaintext") is Custom
    finally:
        pybtexmemo.remove()
    assert pybtex.plugin.entry_points is counting


def memo_while_writing(rootdir: Path, tmp_path: Path, **confoverrides: Any) -> list[bool]:
    """Build the reading-list root; whether the memo was in place as each page was resolved."""
    srcdir = tmp_path / "src"
    shutil.copytree(rootdir / "test-readinglist", srcdir)
    seen: list[bool] = []

    def spy(app: Any, doctree: Any, docname: str) -> None:
        seen.append(isinstance(pybtex.plugin.entry_points, pybtexmemo.PluginLookupMemo))

    app = SphinxTestApp(
        "html", srcdir=srcdir, builddir=tmp_path / "_build", confoverrides=confoverrides
    )
    try:
        app.connect("doctree-resolved", spy)
        app.build()
    finally:
        app.cleanup()
    assert not isinstance(pybtex.plugin.entry_points, pybtexmemo.PluginLookupMemo)
    assert seen
    return seen


def test_the_reading_list_build_uses_the_memo_and_restores_pybtex(rootdir: Path, tmp_path: Path):
    assert all(memo_while_writing(rootdir, tmp_path))


def test_the_memo_can_be_turned_off(rootdir: Path, tmp_path: Path):
    assert not any(memo_while_writing(rootdir, tmp_path, pybtexmemo=False))
