"""handbook.sphinxext.fastnav: the fast sidebar writes exactly what the theme writes.

The stress root ``tests/roots/test-fastnav-stress`` has every toctree feature
at once (see its ``conf.py``).  It is built once with the theme's own sidebar
(``fastnav = "off"``) and then with the fast one in verify mode (every page's
sidebar is also rendered by the theme and compared, and the build stops at the
first difference), serially and with ``-j 2``; the whole output must be
byte-identical too.
"""

from __future__ import annotations

import filecmp
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sphinx.errors import ConfigError, ExtensionError
from sphinx.testing.util import SphinxTestApp

from handbook.sphinxext import fastnav

ROOT_NAME = "test-fastnav-stress"

pytestmark = [
    pytest.mark.sphinx,
    # sphinx-book-theme 1.4 and sphinx-sitemap use APIs Sphinx 11 removes; not ours to fix
    pytest.mark.filterwarnings(
        "ignore::sphinx.deprecation.RemovedInSphinx11Warning:sphinx_book_theme._transforms"
    ),
]


# -- helpers -----------------------------------------------------------------


class Build:
    def __init__(self, app: SphinxTestApp) -> None:
        self.outdir = Path(app.outdir)
        self.status = re.sub(r"\x1b\[[0-9;]*m", "", app.status.getvalue())
        self.warnings = re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())

    def html(self, page: str) -> str:
        return (self.outdir / f"{page}.html").read_text(encoding="utf-8")


def build(
    rootdir: Path,
    dest: Path,
    *,
    builder: str = "html",
    parallel: int = 0,
    **confoverrides: Any,
) -> Build:
    """Build a fresh copy of the stress root in ``dest``."""
    srcdir = dest / "src"
    shutil.copytree(rootdir / ROOT_NAME, srcdir)
    app = SphinxTestApp(
        builder,
        srcdir=srcdir,
        builddir=dest / "_build",
        confoverrides=confoverrides,
        parallel=parallel,
    )
    try:
        app.build()
    finally:
        app.cleanup()
    return Build(app)


def differences(left: Path, right: Path) -> list[str]:
    """Files that differ between two output trees (``.buildinfo`` hashes the source path)."""
    found: list[str] = []

    def walk(comparison: filecmp.dircmp[str], prefix: str) -> None:
        for name in comparison.left_only + comparison.right_only:
            found.append(f"{prefix}{name} (only on one side)")
        for name in comparison.common_files:
            if name == ".buildinfo":
                continue
            if not filecmp.cmp(left / prefix / name, right / prefix / name, shallow=False):
                found.append(f"{prefix}{name}")
        for name, sub in comparison.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right), "")
    return found


@pytest.fixture(autouse=True)
def _no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """``HANDBOOK_FAST_NAV`` from the caller's shell must not steer these tests."""
    monkeypatch.delenv(fastnav.ENV_VAR, raising=False)


@pytest.fixture(scope="module")
def stock(rootdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    """The stress root built with the theme's own sidebar."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(fastnav.ENV_VAR, raising=False)
        yield build(rootdir, tmp_path_factory.mktemp("stock"), fastnav="off")


# -- byte-identity -------------------------------------------------------------


def pages_with_sidebars(result: Build) -> int:
    return sum(1 for _ in result.outdir.rglob("*.html"))


def test_verify_serial_is_identical_to_the_theme(stock: Build, rootdir: Path, tmp_path: Path):
    fast = build(rootdir, tmp_path, fastnav="verify")
    assert differences(stock.outdir, fast.outdir) == []
    verified = re.search(r"fastnav: (\d+) sidebars verified byte-identical", fast.status)
    assert verified is not None, fast.status
    # two sidebars on every page (the book's and the section's, where it has one)
    assert int(verified.group(1)) > pages_with_sidebars(fast)
    assert "fastnav" not in fast.warnings


def test_verify_parallel_is_identical_to_the_theme(stock: Build, rootdir: Path, tmp_path: Path):
    fast = build(rootdir, tmp_path, fastnav="verify", parallel=2)
    assert differences(stock.outdir, fast.outdir) == []
    assert "fastnav" not in fast.warnings


def test_default_parallel_is_identical_to_the_theme(stock: Build, rootdir: Path, tmp_path: Path):
    fast = build(rootdir, tmp_path, parallel=2)
    assert differences(stock.outdir, fast.outdir) == []


def test_dirhtml_verify(rootdir: Path, tmp_path: Path):
    """Directory URLs (``page/``) are filled in per output directory too."""
    fast = build(rootdir, tmp_path, builder="dirhtml", fastnav="verify")
    assert "sidebars verified byte-identical" in fast.status
    assert "fastnav" not in fast.warnings


def test_the_sidebar_is_what_a_reader_needs(stock: Build):
    """Sanity checks on the reference output itself, so that "identical" means "right"."""
    leaf = stock.html("level1/level2/level3/level4/level5/level6/leaf")
    # deeper than the sidebar shows (4 levels), yet its branch is open and marked
    assert '<li class="toctree-l1 current active has-children">' in leaf
    sidebar = leaf.split('<nav class="bd-links bd-docs-nav"')[1].split("</nav>")[0]
    assert "Level 4 <code" in sidebar
    assert "Level 5 <code" not in sidebar
    # a11y named the disclosure widgets of the fast sidebar's source
    assert 'aria-label="Show or hide the pages of' in leaf
    cafe = stock.html("notes/café")
    assert 'href="50%25%20off.html"' in cafe
    assert 'href="%E6%97%A5%E6%9C%AC%E8%AA%9E.html"' in cafe
    shared = stock.html("shared").split('<nav class="bd-links bd-docs-nav"')[1].split("</nav>")[0]
    assert shared.count('class="current reference internal" href="#"') == 3  # listed three times


# -- fallbacks, modes and the verify check ---------------------------------------


def test_unsupported_setting_warns_once_and_matches_the_theme(rootdir: Path, tmp_path: Path):
    options = {"home_page_in_toc": True, "collapse_navbar": True, "sidebar_includehidden": False}
    theme = build(rootdir, tmp_path / "theme", fastnav="off", html_theme_options=options)
    fast = build(rootdir, tmp_path / "fast", html_theme_options=options)
    assert differences(theme.outdir, fast.outdir) == []
    warnings = [line for line in fast.warnings.splitlines() if "fastnav" in line]
    assert len(warnings) == 1, fast.warnings
    assert "collapse=True" in warnings[0]
    assert "[fastnav.fallback]" in warnings[0]


def test_verify_stops_the_build_on_a_difference(
    rootdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    render = fastnav.NavTemplate.render

    def off_by_one(self: fastnav.NavTemplate, *args: Any) -> str:
        return render(self, *args).replace("toctree-l2", "toctree-l3", 1)

    monkeypatch.setattr(fastnav.NavTemplate, "render", off_by_one)
    with pytest.raises(ExtensionError, match=r"fastnav verify: the sidebar of .* differs"):
        build(rootdir, tmp_path, fastnav="verify")


def test_off_leaves_the_theme_alone(rootdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from pydata_sphinx_theme.toctree import add_toctree_functions

    seen: list[Any] = []

    def spy(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any):
        seen.append(context["generate_toctree_html"])

    srcdir = tmp_path / "src"
    shutil.copytree(rootdir / ROOT_NAME, srcdir)
    monkeypatch.setenv(fastnav.ENV_VAR, "0")
    app = SphinxTestApp("html", srcdir=srcdir, builddir=tmp_path / "_build")
    try:
        app.connect("html-page-context", spy, priority=599)
        app.build()
        handlers = [listener.handler for listener in app.events.listeners["html-page-context"]]
    finally:
        app.cleanup()
    assert add_toctree_functions in handlers
    assert seen
    assert all(function.__module__ == "pydata_sphinx_theme.toctree" for function in seen)


@pytest.mark.parametrize(
    ("env", "config", "mode"),
    [
        (None, "on", "on"),
        (None, "verify", "verify"),
        ("0", "on", "off"),
        ("off", "verify", "off"),
        ("verify", "off", "verify"),
        ("1", "off", "on"),
        ("", "off", "off"),
    ],
)
def test_mode(env: str | None, config: str, mode: str, monkeypatch: pytest.MonkeyPatch):
    if env is not None:
        monkeypatch.setenv(fastnav.ENV_VAR, env)
    assert fastnav.resolve_mode(SimpleNamespace(fastnav=config)) == mode  # type: ignore[arg-type]


def test_mode_rejects_nonsense(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(fastnav.ENV_VAR, "fast")
    with pytest.raises(ConfigError, match="HANDBOOK_FAST_NAV='fast'"):
        fastnav.resolve_mode(SimpleNamespace(fastnav="on"))  # type: ignore[arg-type]


# -- pieces ----------------------------------------------------------------------


def test_nav_options_follow_the_theme_and_sphinx():
    assert fastnav.nav_options(0, {}) == fastnav.NavOptions(True, False, 0, False)
    assert fastnav.nav_options(0, {"maxdepth": ""}).maxdepth == 0
    assert fastnav.nav_options(1, {"maxdepth": None}).maxdepth == 0
    assert fastnav.nav_options(
        0, {"maxdepth": "4", "collapse": False, "includehidden": True, "titles_only": True}
    ) == fastnav.NavOptions(False, True, 4, True)


@pytest.mark.parametrize(
    ("uri", "attribute"),
    [
        ("../a/b.html", ' href="../a/b.html"'),
        ("50%25%20off.html", ' href="50%25%20off.html"'),
        ("a&b/", ' href="a&amp;b/"'),
        ("mail@host/", ' href="mail@host/"'),
        ('say"hi"/', " href='say\"hi\"/'"),
        ("a<b>/", ' href="a&lt;b&gt;/"'),
    ],
)
def test_href_attribute_escapes_like_docutils_then_beautifulsoup(uri: str, attribute: str):
    assert fastnav.href_attribute(uri) == attribute
