"""The reading list of the real handbook, as built by the strict command.

The logic is tested on a tiny root in tests/sphinxext/test_readinglist.py;
these tests check that the real pages hold what references.bib says.  Nothing
here is skipped: if the strict build fails, every test fails with its stderr.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup, Tag
from pybtex.database import Entry, parse_file

from handbook.paths import DOCS, ROOT
from handbook.sphinxext._bibstyle import latex_text

GLOBAL = "reading-list/index"
ROLES = ("swe", "pm", "ds")
LEVELS = {"intro": "Introductory", "practitioner": "Practitioner", "advanced": "Advanced"}


@pytest.fixture(scope="module")
def site(built_site):
    """The built site, or a failure carrying the build's own error output."""
    if built_site.returncode != 0:
        pytest.fail(
            f"the strict build failed (exit {built_site.returncode}):\n{built_site.stderr}",
            pytrace=False,
        )
    return built_site


@pytest.fixture(scope="module")
def entries() -> dict[str, Entry]:
    return dict(parse_file(str(ROOT / "references.bib")).entries.items())


def keywords(entry: Entry) -> set[str]:
    return {word.strip() for word in entry.fields.get("keywords", "").split(",") if word.strip()}


def soup(site, page: str) -> BeautifulSoup:
    return BeautifulSoup(site.html(page), "html.parser")


def resolve(page: str, href: str) -> tuple[str, str]:
    """``(page, fragment)`` that ``href`` on ``page`` points to."""
    path, _, fragment = href.partition("#")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
    return target.removesuffix(".html"), fragment


def entry_element(page_soup: BeautifulSoup, key: str) -> Tag:
    found = page_soup.find_all(id=f"cite-{key}")
    assert len(found) == 1, f"cite-{key}: {len(found)} elements"
    return found[0]


def heading_of(element: Tag) -> str:
    section = element.find_parent("section")
    assert isinstance(section, Tag)
    heading = section.find("h2")
    assert isinstance(heading, Tag)
    return heading.get_text().rstrip("#¶").strip()


def listed(page_soup: BeautifulSoup) -> set[str]:
    """Keys of the entries a reading-list page shows."""
    article = page_soup.select_one("article")
    assert article is not None
    return {
        str(element["id"]).removeprefix("cite-")
        for element in article.select('[id^="cite-"]')
        if element.name in {"div", "li"}
    }


def pages(site) -> Iterator[str]:
    """The English pages (the Japanese edition's links stay under ja/: test_languages_site)."""
    for path in sorted(site.out.rglob("*.html")):
        rel = path.relative_to(site.out).as_posix()
        if not rel.startswith(("_", "genindex", "search", "404", "ja/")):
            yield rel.removesuffix(".html")


@pytest.fixture(scope="module")
def citations(site) -> dict[str, dict[str, set[str]]]:
    """key -> citing page -> ids of its in-text citations, from every page's HTML."""
    found: dict[str, dict[str, set[str]]] = {}
    for page in pages(site):
        for span in soup(site, page).select("span.bibtex-citation"):
            for link in span.select("a[href]"):
                target, fragment = resolve(page, str(link["href"]))
                assert target == GLOBAL, (page, link["href"])  # the one global target
                key = fragment.removeprefix("cite-")
                found.setdefault(key, {}).setdefault(page, set()).add(str(span.get("id")))
    return found


def test_global_list_has_every_entry_once_under_its_level(site, entries):
    page_soup = soup(site, GLOBAL)
    assert listed(page_soup) == set(entries)
    for key, entry in entries.items():
        element = entry_element(page_soup, key)
        assert "citation" in element.get("class", []), key
        (level,) = keywords(entry) & LEVELS.keys()
        assert heading_of(element) == LEVELS[level], key


@pytest.mark.parametrize("role", ROLES)
def test_role_page_lists_exactly_the_entries_with_its_role(site, entries, role):
    page = f"reading-list/{role}"
    page_soup = soup(site, page)
    assert listed(page_soup) == {key for key, e in entries.items() if role in keywords(e)}
    for key in listed(page_soup):
        label = entry_element(page_soup, key).find("a")
        assert isinstance(label, Tag)
        assert resolve(page, str(label["href"])) == (GLOBAL, f"cite-{key}")


def test_every_citation_links_to_an_entry_on_the_global_list(site, citations):
    targets = {f"cite-{key}" for key in listed(soup(site, GLOBAL))}
    assert citations, "no page cites anything"
    assert {f"cite-{key}" for key in citations} <= targets


@pytest.mark.parametrize("page", [GLOBAL, *(f"reading-list/{role}" for role in ROLES)])
def test_entries_show_annotation_and_exactly_the_citing_pages(site, entries, citations, page):
    page_soup = soup(site, page)
    for key in listed(page_soup):
        element = entry_element(page_soup, key)
        annotation = entries[key].fields.get("annotation", "").strip()
        if annotation:
            note = element.select_one("p.readinglist-annotation")
            assert note is not None, key
            expected = latex_text(annotation).render_as("text")
            assert " ".join(note.get_text().split()) == " ".join(expected.split()), key
        cited_in = element.select_one("p.readinglist-cited-in")
        links = [resolve(page, str(a["href"])) for a in cited_in.select("a")] if cited_in else []
        assert {target for target, _ in links} == set(citations.get(key, {})), key
        for target, citation_id in links:
            assert citation_id in citations[key][target], (key, target, citation_id)


def test_entries_link_dois_and_show_isbns_and_english_titles(site, entries):
    page_soup = soup(site, GLOBAL)
    for key, entry in entries.items():
        element = entry_element(page_soup, key)
        text = " ".join(element.get_text(" ").split())
        hrefs = {str(a["href"]) for a in element.select("a.external")}
        if "doi" in entry.fields:
            assert f"https://doi.org/{entry.fields['doi']}" in hrefs, key
        elif "url" in entry.fields:
            assert entry.fields["url"] in hrefs, key
        if "isbn" in entry.fields:
            assert "ISBN " in text, key
        if "titleaddon" in entry.fields:
            addon = " ".join(entry.fields["titleaddon"].replace("{", "").replace("}", "").split())
            assert f"[{addon}]" in text, key


def test_reading_list_pages_are_generated_not_hand_written():
    for role in ("index", *ROLES):
        source = (DOCS / "reading-list" / f"{role}.md").read_text(encoding="utf-8")
        assert "```{readinglist}" in source, role
        assert "{cite" not in source, role
