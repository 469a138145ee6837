"""What readers' browsers get: light pages, working features, print, discovery, feedback.

HTML checks read the built site; browser checks drive it in Chromium on
127.0.0.1 (see ``browser.py``).  The speed itself is measured by
``benchmarks/reader.py`` (Lighthouse), which is not part of the suite.
"""

from __future__ import annotations

import gzip
import re
import runpy
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, expect

from handbook.paths import DOCS, ROOT
from handbook.sphinxext import seo
from handbook.sphinxext.assets import COMPRESS_MIN_BYTES, COMPRESSIBLE

CONF = runpy.run_path(str(DOCS / "conf.py"))
BASEURL = CONF["html_baseurl"]
REPO = CONF["html_theme_options"]["repository_url"]
FORMS = ROOT / ".github" / "ISSUE_TEMPLATE"
GENERATED = ["genindex", "search", "404"]


def _source_pages() -> list[str]:
    return [
        p.relative_to(DOCS).with_suffix("").as_posix()
        for p in sorted(DOCS.rglob("*.md"))
        if not p.relative_to(DOCS).parts[0].startswith("_")
    ]


def _soup(site, page: str) -> BeautifulSoup:
    return BeautifulSoup(site.html(page), "html.parser")


def _meta(soup: BeautifulSoup, attribute: str, key: str) -> list[str]:
    return [m["content"] for m in soup.find_all("meta", attrs={attribute: key})]


def _front_matter(page: str) -> dict:
    text = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---", 2)[1])


def _page_with(site, selector: str) -> str:
    """The first page (docname) whose HTML has an element matching ``selector``."""
    for page in _source_pages():
        if _soup(site, page).select_one(selector) is not None:
            return page
    pytest.fail(f"no page has {selector!r}")


# --------------------------------------------------------------------------
# Light pages (HTML)
# --------------------------------------------------------------------------


def test_no_page_loads_the_icon_script_or_icon_fonts(built_site):
    out = built_site.out
    assert not (out / "_static/scripts/fontawesome.js").exists()
    assert not list(out.rglob("*.woff2")), "icon fonts are still shipped"
    for page in [*_source_pages(), *GENERATED]:
        soup = _soup(built_site, page)
        sources = [s.get("src", "") for s in soup.find_all("script")]
        assert not [s for s in sources if "fontawesome" in s], page
        assert soup.select('link[rel="preload"]') == [], page
    bundle = next(out.glob("_static/handbook-*.css")).read_text(encoding="utf-8")
    assert "@font-face" not in bundle or "Font Awesome" not in bundle
    assert "woff2" not in bundle


def test_every_page_links_one_stylesheet_whose_checksum_matches(built_site):
    for page in [*_source_pages(), *GENERATED]:
        links = _soup(built_site, page).select('link[rel="stylesheet"]')
        assert len(links) == 1, (page, [link["href"] for link in links])
        url = urlsplit(links[0]["href"])
        assert re.search(r"_static/handbook-[0-9a-f]{12}\.css$", url.path), url.path
        bundle = built_site.out / "_static" / Path(url.path).name
        assert url.query == f"v={zlib.crc32(bundle.read_bytes()):08x}", page


def test_the_stylesheet_holds_the_theme_and_our_rules(built_site):
    bundle = next(built_site.out.glob("_static/handbook-*.css")).read_text(encoding="utf-8")
    ours = (DOCS / "_static" / "handbook.css").read_text(encoding="utf-8")
    for selector in (".bd-sidebar-primary", ".sd-card", ".handbook-feedback", ".svg-inline--fa"):
        assert selector in bundle
    assert "@media print" in ours and "@media print" in bundle
    assert "@import" not in bundle


def test_the_stylesheet_keeps_what_scripts_need_and_drops_what_no_page_uses(built_site):
    bundle = next(built_site.out.glob("_static/handbook-*.css")).read_text(encoding="utf-8")
    # classes that only scripts put on pages (Bootstrap builds "bs-tooltip-auto")
    for needed in (
        ".dropdown-menu.show{",
        ".pst-sidebar-hidden",
        ".bs-tooltip-auto",
        ".tooltip-inner",
        "button.copybtn",
        "span.highlighted",
    ):
        assert needed in bundle, needed
    # Bootstrap components that no page and no script uses
    for unused in (".accordion-button", ".form-floating"):
        assert unused not in bundle, unused


@pytest.mark.parametrize("page", ["index", "about", "swe/testing", "genindex", "404"])
def test_no_script_blocks_the_first_paint(built_site, page):
    soup = _soup(built_site, page)
    for script in soup.find_all("script", src=True):
        assert script.has_attr("defer") or script.has_attr("async"), (page, script["src"])
    inline = [s.string or "" for s in soup.find_all("script", src=False)]
    defined = next(i for i, s in enumerate(inline) if "const DOCUMENTATION_OPTIONS" in s)
    used = [i for i, s in enumerate(inline) if "DOCUMENTATION_OPTIONS." in s]
    assert all(i > defined for i in used)
    assert not soup.find("script", src=re.compile(r"searchindex\.js"))


def test_the_search_page_still_loads_the_search_index(built_site):
    soup = _soup(built_site, "search")
    sources = [s["src"] for s in soup.find_all("script", src=True)]
    assert any("searchindex.js" in s for s in sources)
    assert any("searchtools.js" in s for s in sources)


def test_icons_are_inline_svg_with_the_glyphs(built_site):
    soup = _soup(built_site, "about")
    leftovers = [
        tag
        for tag in soup.find_all(["i", "span"], class_=re.compile(r"^fa"))
        if not tag.get_text(strip=True)
    ]
    assert leftovers == []
    icons = soup.select("svg.svg-inline--fa")
    assert len(icons) > 10
    names = {svg["data-icon"] for svg in icons}
    assert {"bars", "github", "sun", "moon", "magnifying-glass", "chevron-down"} <= names
    for svg in icons:
        assert re.fullmatch(r"0 0 \d+ \d+", svg["viewbox"])  # html.parser lowers names
        assert len(svg.path["d"]) > 20
        assert svg.has_attr("aria-hidden") or svg.has_attr("title")


def test_text_files_have_identical_gzip_siblings(built_site):
    checked = 0
    for path in built_site.out.rglob("*"):
        if path.suffix not in COMPRESSIBLE or not path.is_file():
            continue
        archive = path.with_name(path.name + ".gz")
        if path.stat().st_size < COMPRESS_MIN_BYTES:
            assert not archive.exists(), path
            continue
        assert gzip.decompress(archive.read_bytes()) == path.read_bytes(), path
        checked += 1
    assert checked > 50


# --------------------------------------------------------------------------
# Discovery: descriptions, social cards, robots.txt, canonical URLs
# --------------------------------------------------------------------------


@pytest.mark.parametrize("page", _source_pages())
def test_every_page_has_its_own_description_and_social_cards(built_site, page):
    soup = _soup(built_site, page)
    matter = _front_matter(page)
    description = " ".join(str(matter["description"]).split())
    assert _meta(soup, "name", "description") == [description]
    assert _meta(soup, "property", "og:description") == [description]
    assert _meta(soup, "name", "twitter:card") == ["summary"]
    assert _meta(soup, "name", "twitter:description") == [description]
    title = soup.title.get_text().split(" \u2014 ")[0]
    assert _meta(soup, "name", "twitter:title") == [title]
    assert _meta(soup, "property", "og:title") == [title]
    assert soup.find("link", rel="canonical")["href"] == f"{BASEURL}{page}.html"
    assert _meta(soup, "name", "robots") == []


@pytest.mark.parametrize("page", GENERATED)
def test_generated_pages_are_described_too(built_site, page):
    soup = _soup(built_site, page)
    [description] = _meta(soup, "name", "description")
    assert description == seo.default_descriptions(CONF["project"])[page]
    assert _meta(soup, "property", "og:description") == [description]
    assert _meta(soup, "name", "twitter:description") == [description]
    assert _meta(soup, "name", "twitter:card") == ["summary"]
    assert len(_meta(soup, "name", "twitter:title")) == 1
    noindex = _meta(soup, "name", "robots")
    canonical = soup.find("link", rel="canonical")
    if page == "genindex":
        assert noindex == []
        assert canonical["href"] == f"{BASEURL}genindex.html"
    else:
        assert noindex == ["noindex"]
    if page == "404":
        assert canonical is None, "the 404 page answers every missing address"
        assert _meta(soup, "property", "og:url") == []
    printed = soup.select_one("#jb-print-docs-body h1")  # the search page has none
    if page != "search":
        assert printed.get_text(strip=True) == _meta(soup, "name", "twitter:title")[0]


def test_robots_txt_points_at_the_sitemap_at_the_canonical_url(built_site):
    robots = (built_site.out / "robots.txt").read_text(encoding="utf-8")
    lines = [ln for ln in robots.splitlines() if ln and not ln.startswith("#")]
    assert lines == [
        "User-agent: *",
        "Disallow:",
        f"Sitemap: {BASEURL}sitemap.xml",
        f"Sitemap: {BASEURL}ja/sitemap.xml",
    ]
    assert (built_site.out / "sitemap.xml").is_file()
    assert (built_site.out / "ja" / "sitemap.xml").is_file()


@pytest.mark.filterwarnings("ignore::sphinx.deprecation.RemovedInSphinx11Warning")
def test_robots_txt_follows_html_baseurl(tmp_path):
    """No host is written into the extension: a fork's robots.txt names its own sitemap."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        'project = "Fork"\nhtml_baseurl = "https://example.org/docs/ml/"\n'
        'extensions = ["handbook.sphinxext.i18n", "handbook.sphinxext.seo"]\n',
        encoding="utf-8",
    )
    (src / "index.rst").write_text("Fork\n====\n\nText.\n", encoding="utf-8")
    # In its own docutils namespace, as sphinx.testing builds: the nodes and roles
    # the build registers do not leak into the next in-process build.
    with docutils_namespace():
        app = Sphinx(src, src, tmp_path / "out", tmp_path / "doctrees", "html", status=None)
        app.build()
    robots = (tmp_path / "out" / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://example.org/docs/ml/sitemap.xml" in robots.splitlines()


# --------------------------------------------------------------------------
# Feedback links
# --------------------------------------------------------------------------


def test_the_correction_form_has_the_field_the_links_fill_in():
    form = yaml.safe_load((FORMS / seo.CORRECTION_FORM).read_text(encoding="utf-8"))
    assert "page" in [field.get("id") for field in form["body"]]
    broken = yaml.safe_load((FORMS / seo.BROKEN_LINK_FORM).read_text(encoding="utf-8"))
    assert "page" in [field.get("id") for field in broken["body"]]


@pytest.mark.parametrize(
    "page", ["index", "about", "swe/testing", "pm/index", "reading-list/index", "glossary"]
)
def test_feedback_links_open_the_editor_and_the_form_for_this_page(built_site, page):
    soup = _soup(built_site, page)
    links = {a.get_text(strip=True): a["href"] for a in soup.select(".handbook-feedback a")}
    source = f"docs/{page}.md"
    title = soup.title.get_text().split(" \u2014 ")[0]
    assert links == {
        "Suggest an edit": f"{REPO}/edit/main/{source}",
        "Report a problem": (
            f"{REPO}/issues/new?template=content-correction.yml&page={source}"
            f"&title={quote('Correction: ' + title, safe='')}"
        ),
    }
    query = parse_qs(urlsplit(links["Report a problem"]).query)
    assert query == {
        "template": ["content-correction.yml"],
        "page": [source],
        "title": [f"Correction: {title}"],
    }


def test_every_page_has_a_way_to_report_a_problem(built_site):
    for page in [*_source_pages(), *GENERATED]:
        hrefs = [a["href"] for a in _soup(built_site, page).select(".handbook-feedback a")]
        assert any(h.startswith(f"{REPO}/issues/new?template=") for h in hrefs), page
    [broken] = [a["href"] for a in _soup(built_site, "404").select(".handbook-feedback a")]
    assert broken.startswith(f"{REPO}/issues/new?template=broken-link.yml&")


def test_feedback_links_follow_the_configured_repository():
    """A fork's pages link the fork: nothing in the extension names the repository."""
    fork = "https://github.com/someone/fork"
    app = SimpleNamespace(
        config=SimpleNamespace(
            html_theme_options={
                "repository_url": fork + "/",
                "repository_branch": "draft",
                "path_to_docs": "book",
            },
            html_baseurl="https://someone.github.io/fork/",
        ),
        env=SimpleNamespace(found_docs={"ch/one"}, doc2path=lambda name, base: f"{name}.md"),
        builder=SimpleNamespace(get_target_uri=lambda name: f"{name}.html"),
    )
    edit, report = seo.feedback_links(app, "ch/one", "One & two")  # type: ignore[arg-type]
    assert edit["url"] == f"{fork}/edit/draft/book/ch/one.md"
    assert report["url"] == (
        f"{fork}/issues/new?template=content-correction.yml&page=book/ch/one.md"
        "&title=Correction%3A%20One%20%26%20two"
    )


# --------------------------------------------------------------------------
# In the browser
# --------------------------------------------------------------------------


@pytest.fixture
def open_page(browser: Browser, site: str) -> Iterator:
    contexts = []

    def _open(path: str, *, width: int = 1280, scheme: str = "light", **options) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme=scheme, **options
        )
        contexts.append(context)
        page = context.new_page()
        page.requests = []  # type: ignore[attr-defined]
        page.on("request", lambda r: page.requests.append(r))  # type: ignore[attr-defined]
        page.goto(site + path, wait_until="networkidle")
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.mark.browser
def test_a_page_makes_few_requests_and_none_for_fonts(open_page):
    page = open_page("swe/testing.html")
    kinds = [r.resource_type for r in page.requests]
    assert "font" not in kinds
    assert kinds.count("stylesheet") == 1
    assert len(page.requests) <= 15, [r.url for r in page.requests]


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_icons_are_visible(open_page, width, scheme):
    page = open_page("index.html", width=width, scheme=scheme)
    visible = page.locator("svg.svg-inline--fa:visible")
    assert visible.count() >= 4
    for icon in visible.all():
        box = icon.bounding_box()
        assert box and box["width"] >= 8 and box["height"] >= 8
    # every visible header button shows an icon
    for button in page.locator(".bd-header-article button:visible").all():
        assert button.locator("svg.svg-inline--fa:visible").count() >= 1
    search = page.locator(".search-button__button:visible").first
    assert search.locator("svg.svg-inline--fa[data-icon='magnifying-glass']").is_visible()


@pytest.mark.browser
def test_icons_drawn_by_the_stylesheet_are_masks(open_page, built_site):
    page = open_page(_page_with(built_site, ".admonition-title") + ".html")
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.querySelector('.admonition-title'),"
        " '::after'); return [s.maskImage || s.webkitMaskImage, s.width, s.height,"
        " s.backgroundColor, s.content]; }"
    )
    mask, width, height, colour, content = style
    assert mask.startswith('url("data:image/svg+xml'), mask
    assert float(width.rstrip("px")) > 8 and float(height.rstrip("px")) > 8
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    assert content == '""'


@pytest.mark.browser
def test_copy_button_copies_the_code(open_page, built_site):
    path = _page_with(built_site, "div.highlight pre") + ".html"
    page = open_page(path, permissions=["clipboard-read", "clipboard-write"])
    block = page.locator("div.highlight").first
    block.hover()
    button = block.locator("button.copybtn")
    button.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    expected = page.evaluate("document.querySelector('div.highlight pre').innerText")
    assert copied.strip() and copied.strip() in expected.strip()


@pytest.mark.browser
def test_sidebar_toggles_open_and_fold_the_sidebars(open_page):
    page = open_page("swe/testing.html", width=375)
    page.locator(".bd-header-article button.primary-toggle").click()
    page.wait_for_function("document.querySelector('#pst-primary-sidebar-modal').open")
    assert page.locator("#pst-primary-sidebar-modal nav.bd-docs-nav").is_visible()
    page.keyboard.press("Escape")
    page.wait_for_function("!document.querySelector('#pst-primary-sidebar-modal').open")
    page.locator(".bd-header-article button.secondary-toggle").click()
    page.wait_for_function("document.querySelector('#pst-secondary-sidebar-modal').open")
    assert page.locator("#pst-secondary-sidebar-modal a.nav-link").first.is_visible()

    page = open_page("swe/testing.html", width=1280)
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    page.locator(".bd-header-article button.primary-toggle").click()
    page.wait_for_function(
        "document.querySelector('#pst-primary-sidebar').classList.contains('pst-sidebar-hidden')"
    )
    page.locator(".bd-header-article button.primary-toggle").click()
    page.wait_for_function(
        "!document.querySelector('#pst-primary-sidebar').classList.contains('pst-sidebar-hidden')"
    )
    expect(sidebar).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_chapter_prints_alone_at_full_width(open_page, scheme):
    page = open_page("swe/testing.html", scheme=scheme)
    page.emulate_media(media="print")
    hidden = [
        "#pst-header",
        "#pst-primary-sidebar",
        "#pst-secondary-sidebar",
        ".bd-header-article",
        ".prev-next-footer",
        ".bd-footer-content",
        ".handbook-feedback",
        "#pst-back-to-top",
    ]
    for selector in hidden:
        assert (
            page.evaluate("s => getComputedStyle(document.querySelector(s)).display", selector)
            == "none"
        ), selector
    article, body = page.evaluate(
        "[document.querySelector('article.bd-article').getBoundingClientRect().width,"
        " document.body.getBoundingClientRect().width]"
    )
    assert article >= 0.95 * body
    assert page.locator("article.bd-article h2").first.is_visible()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(255, 255, 255)"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
