"""handbook.sphinxext.assets in a Sphinx build of the small root ``tests/roots/test-assets``.

The root (see its ``conf.py``) has the theme's icons and one of ours, a
stylesheet with an ``@import``, and a script that adds classes.  It is
built once into a temporary folder; the rebuilds and the other builders
(EPUB, light pages off) build copies of their own.
"""

from __future__ import annotations

import filecmp
import gzip
import json
import re
import shutil
import zlib
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp

from handbook.sphinxext.assets import CACHE_FILE, COMPRESS_MIN_BYTES, COMPRESSIBLE

ROOT_NAME = "test-assets"
PAGES = ["index", "part/other", "genindex", "search"]

pytestmark = [
    pytest.mark.sphinx,
    # sphinx-book-theme 1.4 and sphinx-sitemap use APIs Sphinx 11 removes; not ours to fix
    pytest.mark.filterwarnings(
        "ignore::sphinx.deprecation.RemovedInSphinx11Warning:sphinx_book_theme._transforms"
    ),
]


class Build:
    def __init__(self, app: SphinxTestApp) -> None:
        self.srcdir = Path(app.srcdir)
        self.outdir = Path(app.outdir)
        self.doctreedir = Path(app.doctreedir)
        self.warnings = re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())

    def soup(self, page: str) -> BeautifulSoup:
        return BeautifulSoup((self.outdir / f"{page}.html").read_text("utf-8"), "html.parser")

    def bundle(self) -> Path:
        [bundle] = self.outdir.glob("_static/handbook-*.css")
        return bundle


def build(srcdir: Path, builddir: Path, builder: str = "html", **confoverrides: Any) -> Build:
    app = SphinxTestApp(builder, srcdir=srcdir, builddir=builddir, confoverrides=confoverrides)
    try:
        app.build()
    finally:
        app.cleanup()
    return Build(app)


@pytest.fixture(scope="module")
def site(rootdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    base = tmp_path_factory.mktemp("assets")
    shutil.copytree(rootdir / ROOT_NAME, base / "src")
    return build(base / "src", base / "_build")


def test_the_build_is_clean(site: Build):
    assert site.warnings == ""


def test_scripts_are_deferred_and_the_options_inlined(site: Build):
    for page in PAGES[:-1]:
        soup = site.soup(page)
        for script in soup.find_all("script", src=True):
            assert script.has_attr("defer") or script.has_attr("async"), (page, script["src"])
        inline = "".join(s.get_text() for s in soup.find_all("script", src=False))
        assert "const DOCUMENTATION_OPTIONS" in inline
    # the search page's scripts run in order before it is usable: as the theme writes them
    sources = [s for s in site.soup("search").find_all("script", src=True)]
    assert any("documentation_options.js" in s["src"] and not s.has_attr("defer") for s in sources)


def test_icons_are_inline_svg_and_fontawesome_is_gone(site: Build):
    soup = site.soup("index")
    assert not soup.find_all(["i", "span"], class_=re.compile(r"^fa"))
    github = soup.select_one('svg.svg-inline--fa[data-icon="github"]')
    assert github is not None and github["title"] == "GitHub"
    assert not github.has_attr("aria-hidden")
    assert len(soup.select("svg.svg-inline--fa[aria-hidden]")) >= 3  # the theme's buttons
    assert not (site.outdir / "_static" / "scripts" / "fontawesome.js").exists()
    assert not (site.outdir / "_static" / "vendor").exists()
    assert "svg-inline--fa{" in site.bundle().read_text("utf-8")


def test_every_page_links_one_versioned_bundle(site: Build):
    bundle = site.bundle()
    checksum = f"{zlib.crc32(bundle.read_bytes()):08x}"
    for page in PAGES:
        [link] = site.soup(page).select('link[rel="stylesheet"]')
        prefix = "../" if "/" in page else ""
        assert link["href"] == f"{prefix}_static/{bundle.name}?v={checksum}", page


def test_the_bundle_is_the_pruned_css_as_written(site: Build):
    text = site.bundle().read_text("utf-8")
    assert text.startswith(
        "/* handbook.sphinxext.assets bundle of: _static/styles/theme.css"
        " _static/styles/pydata-sphinx-theme.css _static/pygments.css"
        " _static/styles/sphinx-book-theme.css _static/extra.css */\n/*! Icons: Font Awesome"
    )
    ours = text[text.index('@font-face{ font-family: "Test"') :]
    assert ours == (
        '@font-face{ font-family: "Test"; src: url("fonts/test.woff2") format("woff2") }\n'
        "\n/*! Extra styles, for the test root. */\n\n"
        ".used-on-page{ content: 'a \"quoted\" string' ; }\n"
        ".added-by-script{ color : blue !important }\n"
        ".dyn-built > p{ margin: 0 }\n"
        "li:nth-child(2n+1):not(.never-used){ color: green }\n"
        '@media (min-width: 10em){.used-on-page::before{ content: "\\2192" }}\n'
    )
    assert "@import" not in text and "@charset" not in text
    assert ".accordion-button" not in text  # Bootstrap's, which no page uses


def test_text_files_have_gzip_siblings(site: Build):
    checked = 0
    for path in site.outdir.rglob("*"):
        if path.suffix not in COMPRESSIBLE or not path.is_file():
            continue
        archive = path.with_name(path.name + ".gz")
        if path.stat().st_size < COMPRESS_MIN_BYTES:
            assert not archive.exists(), path
            continue
        assert gzip.decompress(archive.read_bytes()) == path.read_bytes(), path
        checked += 1
    assert checked >= 10
    assert not (site.outdir / "_static" / "extra.js.gz").exists()  # too small to gain


def different(left: Path, right: Path) -> list[str]:
    found = []
    for path in sorted(left.rglob("*")):
        rel = path.relative_to(left)
        if path.is_file() and rel.name != ".buildinfo":
            other = right / rel
            if not other.is_file() or not filecmp.cmp(path, other, shallow=False):
                found.append(rel.as_posix())
    return found


def test_a_rebuild_writes_what_a_clean_build_writes(site: Build, tmp_path: Path):
    shutil.copytree(site.srcdir, tmp_path / "src")
    first = build(tmp_path / "src", tmp_path / "_build")
    again = build(tmp_path / "src", tmp_path / "_build")
    assert again.warnings == ""
    assert different(site.outdir, again.outdir) == []
    cache = json.loads((again.doctreedir / CACHE_FILE).read_text("utf-8"))
    assert list(cache["bundles"]) == [first.bundle().stem.removeprefix("handbook-")]

    # an edited stylesheet: the bundle and every page's link to it change
    extra = tmp_path / "src" / "_static" / "extra.css"
    extra.write_text(extra.read_text("utf-8") + ".used-on-page{color:teal}\n", "utf-8")
    edited = build(tmp_path / "src", tmp_path / "_build")
    assert edited.bundle().read_text("utf-8").endswith("\n.used-on-page{color:teal}\n")
    assert set(different(site.outdir, edited.outdir)) >= {
        f"_static/{edited.bundle().name}",
        f"_static/{edited.bundle().name}.gz",
        "index.html",
        "part/other.html",
    }


@pytest.mark.sphinx("epub", testroot="assets")
def test_the_epub_keeps_sphinx_output(app: SphinxTestApp):
    app.build()
    assert app.warning.getvalue() == ""
    assert not list(Path(app.outdir).rglob("handbook-*.css"))
    assert not list(Path(app.outdir).rglob("*.gz"))


@pytest.mark.sphinx(
    "html",
    testroot="assets",
    srcdir="assets-off",
    confoverrides={"handbook_light_pages": False},
)
def test_light_pages_off_leaves_the_theme_alone(app: SphinxTestApp):
    app.build()
    outdir = Path(app.outdir)
    assert (outdir / "_static" / "scripts" / "fontawesome.js").exists()
    assert not list(outdir.rglob("handbook-*.css"))
    assert not list(outdir.rglob("*.gz"))
    index = (outdir / "index.html").read_text("utf-8")
    assert '<i class="fa-brands fa-github" title="GitHub"></i>' in index
