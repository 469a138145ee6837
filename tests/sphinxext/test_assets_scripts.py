"""handbook.sphinxext.assets.scripts: no script blocks the first paint."""

from __future__ import annotations

from pathlib import Path

from sphinx.builders.html._assets import _JavaScript

from handbook.sphinxext.assets.scripts import defer_scripts, read_options

OPTIONS = "const DOCUMENTATION_OPTIONS = {};"


def test_scripts_are_deferred_and_the_options_inlined():
    scripts = [
        _JavaScript("_static/documentation_options.js", priority=200),
        _JavaScript("_static/doctools.js"),
        _JavaScript("_static/tracker.js", priority=800, **{"async": "async"}),
        _JavaScript("_static/already.js", defer=""),
        _JavaScript("_static/module.js", type="module"),
        _JavaScript("", body="inline();"),
        "_static/old-style.js",
    ]
    assert defer_scripts(scripts, OPTIONS) == [
        _JavaScript("", priority=200, body=OPTIONS),
        _JavaScript("_static/doctools.js", defer="defer"),
        scripts[2],
        scripts[3],
        scripts[4],
        scripts[5],
        "_static/old-style.js",
    ]


def test_without_options_the_options_script_is_deferred_like_the_others():
    [script] = defer_scripts([_JavaScript("_static/documentation_options.js")], None)
    assert script == _JavaScript("_static/documentation_options.js", defer="defer")


def test_read_options(tmp_path: Path):
    assert read_options(tmp_path) == ""
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "documentation_options.js").write_text(f"\n{OPTIONS}\n")
    assert read_options(tmp_path) == OPTIONS
