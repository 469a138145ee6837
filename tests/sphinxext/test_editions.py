"""handbook.sphinxext.editions and .cite on a tiny book: the Editions page from its
CHANGELOG.md, the citation from its CITATION.cff, a missing file, and the BibTeX
and text of a citation.  ("Cite this page" on the built site: tests/site/test_cite_*.)"""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from pybtex.database import parse_string
from sphinxext_support import BuildRoot, Built

from handbook.sphinxext.cite import bibtex_escape, cite_key, page_citation

pytestmark = [pytest.mark.sphinx]


@pytest.fixture(scope="module")
def site(build: BuildRoot) -> Built:
    return build("test-editions")


def test_each_release_is_a_section_with_its_date_and_epub(site: Built):
    assert site.warnings == ""
    page = BeautifulSoup(site.html("index"), "html.parser")
    sections = page.select("section#edition-2030-1, section#edition-2029-12")
    assert [s.h2.get_text().rstrip("#¶") for s in sections] == ["2030.1", "2029.12"]
    facts = sections[0].select_one("p.handbook-edition-facts")
    assert facts.get_text() == "Released 2030-01-15 · EPUB"
    assert facts.a["href"] == "https://example.org/releases/v2030.1/book-2030.1.epub"
    # "### Added" is a bold line, not a heading; the items keep their Markdown
    assert not sections[0].find("h3")
    assert sections[0].find("strong").get_text() == "Added"
    assert "Not yet released." not in page.get_text()


def test_the_citation_comes_from_citation_cff(site: Built):
    page = BeautifulSoup(site.html("index"), "html.parser")
    text = page.select_one("p.handbook-cite-handbook").get_text()
    assert text == (
        "The Editions authors (2030, January 15). The Editions Book (Version 2030.1). "
        "https://example.org/book/"
    )
    bib = parse_string(page.select_one("div.highlight-bibtex pre").get_text(), "bibtex")
    ((key, entry),) = bib.entries.items()
    assert key == "mlehandbook2030handbook"
    assert (entry.fields["version"], entry.fields["urldate"]) == ("2030.1", "2030-01-15")


def test_a_missing_changelog_fails_the_build_at_the_file(build: BuildRoot):
    built = build("test-editions", handbook_changelog="GONE.md")
    assert built.warnings.count("WARNING") == 1
    assert "GONE.md:1: WARNING: {editions}: no such file" in built.warnings, built.warnings


def test_the_bibtex_escapes_what_bibtex_reads_as_markup():
    assert bibtex_escape("R&D {x} 50% #1 a_b $") == r"R\&D \{x\} 50\% \#1 a\_b \$"
    assert cite_key("start/skill-mix", 2026) == "mlehandbook2026startskillmix"
    assert cite_key("2024/notes", 2026) == "mlehandbook2026page2024notes"
    cited = page_citation(
        title="Tests & {braces}",
        pagename="swe/testing",
        url="https://example.org/swe/testing.html",
        reviewed=dt.date(2026, 11, 27),
        project="The Book",
        author="The Authors",
        version="2026.12",
        language="en",
    )
    entry = parse_string(cited["bibtex"], "bibtex").entries["mlehandbook2026swetesting"]
    assert entry.fields["title"] == r"Tests \& \{braces\}"
    assert entry.fields["booktitle"] == "The Book"
    assert cited["text"] == (
        "The Authors (2026, November 27). Tests & {braces}. In The Book (Version 2026.12). "
        "https://example.org/swe/testing.html"
    )
