"""handbook.sphinxext.i18n on a tiny bilingual book (``tests/roots/test-languages``):
where each language lives, the switcher, the alternates, the sitemap and the
translation notice, decided at build time from the catalogue.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp
from sphinxext_support import Built, build_root, plain

from handbook.paths import ROOT

pytestmark = [pytest.mark.sphinx]
ROOTS = ROOT / "tests" / "roots"
BASE = "https://example.org/book/"


def build(srcdir: Path, out: Path, language: str) -> Built:
    app = SphinxTestApp("html", srcdir=srcdir, builddir=out, confoverrides={"language": language})
    try:
        app.build()
    finally:
        app.cleanup()
    return Built(
        srcdir, Path(app.outdir), plain(app.status.getvalue()), plain(app.warning.getvalue())
    )


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_root(ROOTS, "test-languages", tmp_path_factory.mktemp("en"), language="en")


@pytest.fixture(scope="module")
def japanese(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_root(ROOTS, "test-languages", tmp_path_factory.mktemp("ja"), language="ja")


def soup(site: Built, page: str) -> BeautifulSoup:
    return BeautifulSoup(site.html(page), "html.parser")


def switcher(site: Built, page: str) -> list[tuple[str, str, str | None]]:
    nav = soup(site, page).select_one("nav.handbook-language")
    return [(a.get_text(), a["href"], a.get("aria-current")) for a in nav.select("a")]


def test_both_builds_are_clean(english: Built, japanese: Built):
    assert english.warnings == ""
    assert japanese.warnings == ""


def test_the_switcher_leads_to_the_same_page_in_each_language(english: Built, japanese: Built):
    assert switcher(english, "guide/other") == [
        ("English", "other.html", "true"),
        ("日本語", "../ja/guide/other.html", None),
    ]
    assert switcher(japanese, "guide/other") == [
        ("English", "../../guide/other.html", None),
        ("日本語", "other.html", "true"),
    ]
    assert switcher(japanese, "index") == [
        ("English", "../index.html", None),
        ("日本語", "index.html", "true"),
    ]
    nav = soup(japanese, "index").select_one("nav.handbook-language")
    assert nav["aria-label"] == "Language"
    assert [a["lang"] for a in nav.select("a")] == ["en", "ja"]


def test_each_language_has_its_canonical_url_and_alternates(english: Built, japanese: Built):
    for site, own, locale, other in [
        (english, BASE, "en_US", "ja_JP"),
        (japanese, f"{BASE}ja/", "ja_JP", "en_US"),
    ]:
        page = soup(site, "guide/other")
        assert page.find("link", rel="canonical")["href"] == f"{own}guide/other.html"
        alternates = {
            link["hreflang"]: link["href"] for link in page.find_all("link", rel="alternate")
        }
        assert alternates == {
            "en": f"{BASE}guide/other.html",
            "ja": f"{BASE}ja/guide/other.html",
            "x-default": f"{BASE}guide/other.html",
        }
        assert page.find("meta", property="og:locale")["content"] == locale
        assert page.find("meta", property="og:locale:alternate")["content"] == other
    assert soup(japanese, "index").html["lang"] == "ja"


def test_each_language_has_a_sitemap_with_alternates(japanese: Built):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ET.fromstring((japanese.outdir / "sitemap.xml").read_bytes())
    entries = {
        url.find("s:loc", ns).text: {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)
        }
        for url in root.findall("s:url", ns)
    }
    assert sorted(entries) == [
        f"{BASE}ja/guide/other.html",
        f"{BASE}ja/index.html",
        f"{BASE}ja/page.html",
    ]
    assert entries[f"{BASE}ja/page.html"] == {
        "en": f"{BASE}page.html",
        "ja": f"{BASE}ja/page.html",
        "x-default": f"{BASE}page.html",
    }


def notice(site: Built, page: str):
    return soup(site, page).select_one("aside.handbook-translation-notice")


def test_a_fully_translated_page_has_no_notice(english: Built, japanese: Built):
    assert notice(japanese, "page") is None
    assert soup(japanese, "page").select_one("h1").contents[0] == "翻訳済みのページ"
    # "Relist" is translated as itself and the chart's alt text is translated: Sphinx
    # marks neither node translated, and neither makes the page partial
    assert soup(japanese, "page").find("img")["alt"] == "モデルのバージョン別の正解率を示す棒グラフ"
    assert notice(english, "guide/other") is None  # English is the source: never a notice


def test_a_page_without_a_catalogue_says_it_is_not_translated(japanese: Built):
    aside = notice(japanese, "guide/other")
    assert aside["data-state"] == "untranslated"
    assert aside["aria-label"] == "Translation status"
    assert aside.p.get_text() == (
        "This page has not been translated yet: you are reading the English original."
    )
    links = [(a.get_text(), a["href"]) for a in aside.select("a")]
    assert links == [("Read the English page", "../../guide/other.html")]
    # The English original is marked as English for screen readers; the notice is not.
    english = aside.find_next_sibling("div")
    assert english["lang"] == "en" and "No catalogue holds this page." in english.get_text()


def test_editing_an_english_paragraph_shows_the_notice_on_the_next_build(tmp_path: Path):
    srcdir = tmp_path / "src"
    shutil.copytree(ROOTS / "test-languages", srcdir)
    first = build(srcdir, tmp_path / "_build", "ja")
    assert notice(first, "page") is None
    page = srcdir / "page.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("Decide from data.", "Decide from the data."),
        encoding="utf-8",
    )
    second = build(srcdir, tmp_path / "_build", "ja")  # incremental, catalogue untouched
    assert second.warnings == ""
    aside = notice(second, "page")
    assert aside is not None and aside["data-state"] == "partial"
    assert aside.p.get_text().startswith("Parts of this page are not translated yet")
    body = soup(second, "page").get_text()
    assert "効果の測定" in body and "Decide from the data." in body
