"""The bilingual site as built by ``make html``: English at the root, Japanese
under ``ja/``, every page linked to itself in the other language."""

from __future__ import annotations

import ast
import posixpath
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from handbook.build import LANGUAGES
from handbook.data import terminology, translations
from handbook.data.source import load
from handbook.paths import DOCS

BASEURL = "https://mle-handbook.github.io/handbook/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def _soup(built_site, path: str) -> BeautifulSoup:
    return BeautifulSoup((built_site.out / path).read_text(encoding="utf-8"), "html.parser")


def _pages(built_site) -> list[str]:
    """Every page of the English site, as a path under the site's root."""
    return sorted(
        p.relative_to(built_site.out).as_posix()
        for p in built_site.out.rglob("*.html")
        if p.relative_to(built_site.out).parts[0] not in {"ja", "_static", "_downloads"}
        and '<meta http-equiv="refresh"' not in p.read_text(encoding="utf-8")[:600]
    )


def test_the_build_languages_agree_with_conf_py():
    tree = ast.parse((DOCS / "conf.py").read_text(encoding="utf-8"))
    assigned = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == "handbook_languages"
    }
    assert assigned["handbook_languages"] == LANGUAGES


def test_every_page_exists_in_both_languages_with_its_lang(built_site):
    pages = _pages(built_site)
    assert "index.html" in pages and "swe/index.html" in pages
    for page in pages:
        assert _soup(built_site, page).html["lang"] == "en", page
        assert _soup(built_site, f"ja/{page}").html["lang"] == "ja", page


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_switcher_leads_to_the_same_page_in_the_other_language(built_site, language):
    prefix = LANGUAGES[language]
    for page in _pages(built_site):
        if page == "404.html":
            continue
        here = prefix + page
        soup = _soup(built_site, here)
        navs = soup.select("nav.handbook-language")
        # In the header bar on wide screens and in the mobile header.
        assert [nav.parent.get("class") for nav in navs] == [
            ["navbar-item", "navbar-persistent--container"],
            ["navbar-persistent--mobile"],
        ], here
        links = navs[0].select("a")
        assert [(a.get_text(), a["lang"], a.get("aria-current")) for a in links] == [
            ("English", "en", "true" if language == "en" else None),
            ("日本語", "ja", "true" if language == "ja" else None),
        ], here
        for a, lang in zip(links, LANGUAGES, strict=True):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(here), a["href"]))
            assert target == LANGUAGES[lang] + page, (here, a["href"])
            assert (built_site.out / target).is_file()


def test_the_header_bar_holds_the_switcher_not_a_second_search(built_site):
    soup = _soup(built_site, "start/index.html")
    header = soup.select_one("header#pst-header")
    assert header.select(".search-button-field, .search-button") == []
    assert header.select("nav.handbook-language")
    # The sidebar and the article header keep their search.
    assert soup.select("#pst-primary-sidebar .search-button-field")
    assert soup.select(".bd-header-article .search-button")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_canonical_hreflang_and_og_locale_per_language(built_site, language):
    prefix = LANGUAGES[language]
    for page in ["index.html", "swe/index.html", "skills/self-assessment.html"]:
        soup = _soup(built_site, prefix + page)
        assert soup.find("link", rel="canonical")["href"] == f"{BASEURL}{prefix}{page}"
        alternates = {
            link["hreflang"]: link["href"] for link in soup.find_all("link", rel="alternate")
        }
        assert alternates == {
            "en": f"{BASEURL}{page}",
            "ja": f"{BASEURL}ja/{page}",
            "x-default": f"{BASEURL}{page}",
        }
        og = {m["property"]: m["content"] for m in soup.find_all("meta", property=True)}
        assert og["og:url"] == f"{BASEURL}{prefix}{page}"
        assert og["og:locale"] == ("en_US" if language == "en" else "ja_JP")
        assert og["og:locale:alternate"] == ("ja_JP" if language == "en" else "en_US")


def test_each_sitemap_lists_its_language_with_alternates(built_site):
    for language, prefix in LANGUAGES.items():
        root = ET.parse(built_site.out / prefix / "sitemap.xml").getroot()
        entries = {
            url.find(f"{SITEMAP}loc").text: {
                link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")
            }
            for url in root.findall(f"{SITEMAP}url")
        }
        assert f"{BASEURL}{prefix}swe/index.html" in entries, language
        assert all(loc.startswith(BASEURL + prefix) for loc in entries), language
        assert f"{BASEURL}{prefix}404.html" not in entries
        assert entries[f"{BASEURL}{prefix}about.html"] == {
            "en": f"{BASEURL}about.html",
            "ja": f"{BASEURL}ja/about.html",
            "x-default": f"{BASEURL}about.html",
        }
    english = ET.parse(built_site.out / "sitemap.xml").getroot()
    japanese = ET.parse(built_site.out / "ja" / "sitemap.xml").getroot()
    assert len(english) == len(japanese)


def test_the_japanese_404_page_is_in_japanese_and_links_under_ja(built_site):
    soup = _soup(built_site, "ja/404.html")
    assert soup.html["lang"] == "ja"
    assert soup.select_one("article h1").get_text(strip=True) == "ページが見つかりません"
    stylesheets = [link["href"] for link in soup.select('link[rel="stylesheet"]')]
    assert stylesheets and all(href.startswith("/handbook/ja/_static/") for href in stylesheets)
    links = [(a.get_text(), a["href"]) for a in soup.select("nav.handbook-language a")][:2]
    assert links == [("English", "/handbook/index.html"), ("日本語", "/handbook/ja/index.html")]


def test_the_landing_page_is_translated_in_full(built_site):
    soup = _soup(built_site, "ja/index.html")
    assert soup.select_one("aside.handbook-translation-notice") is None
    assert soup.select_one("article h1").contents[0] == "MLエンジニアのためのハンドブック"
    headings = [h.contents[0] for h in soup.select("article h2")]
    assert headings == ["想定する読者", "3つの役割", "読み進め方"]
    description = soup.find("meta", attrs={"name": "description"})["content"]
    assert description.startswith("機械学習エンジニアに求められるスキルを")
    assert soup.find("meta", property="og:description")["content"] == description


def test_an_untranslated_page_says_so_in_japanese_with_links(built_site):
    soup = _soup(built_site, "ja/swe/index.html")
    aside = soup.select_one("article aside.handbook-translation-notice")
    assert aside["data-state"] == "untranslated"
    assert aside["aria-label"] == "翻訳の状況"
    assert aside.p.get_text() == "このページはまだ翻訳されていません。英語の原文を表示しています。"
    links = [(a.get_text(), a["href"]) for a in aside.select("a")]
    assert links == [
        ("英語版を読む", "../../swe/index.html"),
        ("翻訳に協力する", "../contributing.html#translating"),
    ]
    contributing = _soup(built_site, "ja/contributing.html")
    assert contributing.find(id="translating") is not None
    # The notice is for the screen: paper gets the page.
    assert "d-print-none" in aside["class"]


def test_japanese_type_uses_system_fonts_and_strict_line_breaking(built_site):
    static = built_site.out / "ja" / "_static"
    css = "".join(p.read_text(encoding="utf-8") for p in static.rglob("*.css"))
    assert "Noto Sans CJK JP" in css and "Hiragino Sans" in css
    assert "line-break:strict" in css.replace(" ", "")
    assert "fonts.googleapis" not in css


def test_the_site_is_assembled_from_separate_outputs(built_site):
    """Each language was built on its own; nothing of one sits in the other's folder."""
    assert not (built_site.out / "ja" / "ja").exists()
    assert (built_site.out / "ja" / "searchindex.js").is_file()
    assert (
        isinstance(built_site.doctrees, Path) and (built_site.doctrees / "index.doctree").is_file()
    )


def test_every_internal_link_of_the_japanese_edition_stays_in_it(built_site):
    """Relative links from a Japanese page resolve under ja/, except the switcher's."""
    out = built_site.out
    for page in _pages(built_site):
        soup = _soup(built_site, f"ja/{page}")
        for link in soup.select("article a[href], nav.bd-docs-nav a[href]"):
            href = link["href"]
            if "://" in href or href.startswith(("#", "mailto:", "/")) or link.get("hreflang"):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(f"ja/{page}"), href))
            assert target.startswith("ja/"), (page, href)
            assert (out / target.split("#")[0]).is_file(), (page, href)


def _complete_pages() -> list[str]:
    source = load(DOCS / "_data" / "translations.yaml", "translations.yaml")
    model, _problems = translations.validate(source)
    assert model is not None
    listed = translations.complete_pages(source, model, "ja")
    return [entry.page for entry in listed if entry.page != translations.SPHINX_DOMAIN]


def test_start_here_and_the_reference_pages_are_listed_complete():
    complete = set(_complete_pages())
    start = {p.relative_to(DOCS).with_suffix("").as_posix() for p in DOCS.glob("start/*.md")}
    reading = {
        p.relative_to(DOCS).with_suffix("").as_posix() for p in DOCS.glob("reading-list/*.md")
    }
    assert start | reading | {"index", "glossary", "about", "skills/self-assessment"} <= complete


def test_every_complete_page_reads_in_japanese_without_a_notice(built_site):
    for page in _complete_pages():
        soup = _soup(built_site, f"ja/{page}.html")
        assert soup.select_one("aside.handbook-translation-notice") is None, page
        title = soup.select_one("article h1").get_text()
        assert any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in title), (
            page,
            title,
        )
        description = soup.find("meta", attrs={"name": "description"})["content"]
        assert description == soup.find("meta", property="og:description")["content"]
        assert any("\u3040" <= c <= "\u9fff" for c in description), (page, description)


def test_the_japanese_glossary_is_in_reading_order_with_the_lists_terms(built_site):
    source = load(DOCS / "_data" / "terminology.yaml", "terminology.yaml")
    model, _problems = terminology.validate(source)
    assert model is not None
    listed = {f"{t.ja}（{t.en}）" if t.ja != t.en else t.ja: t for t in model.terms if t.glossary}
    soup = _soup(built_site, "ja/glossary.html")
    (glossary,) = soup.select("article dl.glossary")
    shown = [dt.get_text().rstrip("¶#") for dt in glossary.select("dt")]
    assert set(shown) == set(listed)
    # each entry sorts by its first term; a second term of the same entry follows it
    firsts = [
        dt.get_text().rstrip("¶#")
        for dt in glossary.select("dt")
        if dt.find_previous_sibling() is None or dt.find_previous_sibling().name != "dt"
    ]
    readings = [terminology.reading_key(listed[term].reading) for term in firsts]
    assert readings == sorted(readings)


def test_the_running_examples_units_are_japanese_words(built_site):
    text = _soup(built_site, "ja/start/running-example.html").select_one("article").get_text()
    assert "900万" in text and "1800万" in text  # 9 and 18 million, as Japanese writes them
    assert " million" not in text and "percentage point" not in text


def test_what_comes_from_data_is_marked_english(built_site):
    soup = _soup(built_site, "ja/skills/self-assessment.html")
    legend = soup.select_one("fieldset.sa-skill legend")
    assert legend["lang"] == "en"
    assert soup.select_one("fieldset.sa-skill .sa-statement")["lang"] == "en"
    assert soup.select_one("article h1").get_text().rstrip("#¶") != "Rate your skill mix"
    notes = _soup(built_site, "ja/reading-list/index.html").select("p.readinglist-annotation")
    assert notes and all(p["lang"] == "en" for p in notes)
    english = _soup(built_site, "reading-list/index.html").select("p.readinglist-annotation")
    assert english and all(not p.has_attr("lang") for p in english)


def test_each_reference_is_marked_with_its_works_language(built_site):
    """A Japanese page's English references carry lang="en"; an English page's Japanese
    books carry lang="ja"; a work in the page's own language carries nothing."""
    for prefix, other in (("", "ja"), ("ja/", "en")):
        soup = _soup(built_site, f"{prefix}reading-list/index.html")
        by_key = {c["id"]: c.find("p") for c in soup.select("div.citation")}
        japanese = by_key["cite-ariga2018shigoto"]
        english = by_key["cite-kohavi2020trustworthy"]
        assert "仕事ではじめる機械学習" in japanese.get_text()
        if other == "ja":
            assert japanese["lang"] == "ja" and not english.has_attr("lang")
        else:
            assert english["lang"] == "en" and not japanese.has_attr("lang")
