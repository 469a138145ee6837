"""The real handbook, built with the strict command: what readers get."""

from __future__ import annotations

import pickle
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from handbook.paths import DOCS

BASEURL = "https://mle-handbook.github.io/handbook/"
REPO = "https://github.com/mle-handbook/handbook"
PUBLISHED = Path(__file__).with_name("published_pages.txt")


def _soup(site, page: str) -> BeautifulSoup:
    return BeautifulSoup(site.html(page), "html.parser")


def _source_pages() -> list[str]:
    """Every page's docname, from the Markdown sources (fragments excluded)."""
    pages = []
    for path in sorted(DOCS.rglob("*.md")):
        rel = path.relative_to(DOCS)
        if rel.parts[0].startswith("_"):
            continue
        pages.append(rel.with_suffix("").as_posix())
    return pages


def test_build_has_zero_warnings(built_site):
    assert built_site.returncode == 0, built_site.stderr
    assert "WARNING" not in built_site.stderr, built_site.stderr
    assert "ERROR" not in built_site.stderr, built_site.stderr


def test_every_source_page_is_reachable_from_the_root_toctree(built_site):
    with (built_site.doctrees / "environment.pickle").open("rb") as f:
        env = pickle.load(f)
    reachable, todo = set(), ["index"]
    while todo:
        doc = todo.pop()
        if doc in reachable:
            continue
        reachable.add(doc)
        todo.extend(env.toctree_includes.get(doc, []))
    assert sorted(set(_source_pages()) - reachable) == []


def test_landing_page_links_the_three_parts(built_site):
    main = _soup(built_site, "index").select_one("main")
    hrefs = {a["href"] for a in main.select("article a[href]")}
    assert {"swe/index.html", "pm/index.html", "ds/index.html"} <= hrefs
    cards = [c.get_text(" ", strip=True) for c in main.select(".sd-card-title")]
    assert cards == [
        "Software engineer (about 40%)",
        "Product manager (about 30%)",
        "Data scientist (about 30%)",
    ]


def test_404_page_uses_absolute_links_under_the_site_prefix(built_site):
    soup = _soup(built_site, "404")
    assert soup.select_one("article h1").get_text(strip=True) == "Page not found"
    stylesheets = [link["href"] for link in soup.select('link[rel="stylesheet"]')]
    assert stylesheets
    assert all(href.startswith("/handbook/_static/") for href in stylesheets), stylesheets


def test_sitemap_lists_every_page_at_its_canonical_url(built_site):
    tree = ET.parse(built_site.out / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {loc.text for loc in tree.getroot().findall("s:url/s:loc", ns)}
    expected = {f"{BASEURL}{page}.html" for page in _source_pages()}
    assert expected <= locs
    assert f"{BASEURL}404.html" not in locs
    assert f"{BASEURL}search.html" not in locs


@pytest.mark.parametrize("page", ["index", "about", "swe/index"])
def test_social_tags_and_meta_description_come_from_front_matter(built_site, page):
    source = (DOCS / f"{page}.md").read_text(encoding="utf-8")
    description = re.search(r"^description: (.+)$", source, re.M).group(1)
    soup = _soup(built_site, page)

    def meta(attr: str, name: str) -> list[str]:
        return [m["content"] for m in soup.find_all("meta", attrs={attr: name})]

    assert meta("name", "description") == [description]
    assert meta("property", "og:description") == [description]
    assert meta("property", "og:url") == [f"{BASEURL}{page}.html"]
    assert meta("property", "og:site_name") == ["The ML Engineer's Handbook"]
    canonical = soup.find("link", rel="canonical")
    assert canonical["href"] == f"{BASEURL}{page}.html"


def test_edit_and_repository_buttons_point_at_the_source(built_site):
    soup = _soup(built_site, "about")
    hrefs = {a.get("href") for a in soup.select("a[href]")}
    assert f"{REPO}/edit/main/docs/about.md" in hrefs
    assert REPO in hrefs


def test_logo_and_favicon_are_our_own_svgs(built_site):
    soup = _soup(built_site, "index")
    logo = soup.select_one("img.logo__image")
    assert logo["src"].endswith("_static/logo.svg")
    assert logo["alt"]
    assert soup.find("link", rel="icon")["href"].endswith("_static/favicon.svg")


def test_glossary_terms_are_defined(built_site):
    soup = _soup(built_site, "glossary")
    for permalink in soup.select("dl.glossary dt a.headerlink"):
        permalink.decompose()
    terms = [dt.get_text(" ", strip=True) for dt in soup.select("dl.glossary dt")]
    assert len(terms) >= 60
    assert len(set(terms)) == len(terms)
    for term in ("Baseline", "Training/serving skew", "Sample-ratio mismatch", "Human in the loop"):
        assert term in terms


def test_every_published_page_still_resolves(built_site):
    """Pages once published keep working: each path is a page or a redirect."""
    published = [
        line.strip()
        for line in PUBLISHED.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    missing = [p for p in published if not (built_site.out / p).is_file()]
    assert missing == []
    for path in published:
        text = (built_site.out / path).read_text(encoding="utf-8")
        refresh = re.search(r'http-equiv="refresh" content="0; url=([^"#]+)', text)
        if refresh:  # a redirect written by sphinx-reredirects: its target must exist
            target = (built_site.out / path).parent / refresh.group(1)
            assert target.resolve().is_file(), f"{path} redirects to a missing page"


def test_every_built_page_is_recorded_as_published(built_site):
    """New pages join tests/site/published_pages.txt, so that moving them later needs a redirect."""
    published = set(PUBLISHED.read_text(encoding="utf-8").split())
    built = {f"{page}.html" for page in _source_pages()}
    unrecorded = sorted(built - published)
    assert unrecorded == [], f"add these lines to {PUBLISHED.name}: {unrecorded}"
