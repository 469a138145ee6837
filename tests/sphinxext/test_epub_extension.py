"""handbook.sphinxext.epub: the EPUB's table of contents in reading order, one identifier,
and the book theme's ``{margin}``.

The root ``tests/roots/test-epub`` is built once with the ``epub`` builder;
the tests read the files the builder writes beside the ``.epub`` (the same
files it zips).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sphinxext_support import BuildRoot, Built

from handbook.sphinxext.epub import in_reading_order

pytestmark = pytest.mark.sphinx


@pytest.fixture(scope="module")
def book(build: BuildRoot) -> Built:
    return build("test-epub", builder="epub")


def test_build_has_no_warnings(book: Built):
    # without the extension, {margin} is an unknown directive here
    assert book.warnings == ""
    assert (book.outdir / "EPUB.epub").is_file()


def test_nav_lists_the_parents_sections_before_its_child_pages(book: Built):
    nav = book.text("nav.xhtml")
    links = re.findall(r'<a href="([^"]*)">([^<]*)</a>', nav)
    assert links == [
        ("index.xhtml", "The book"),
        ("guide/index.xhtml", "The guide"),
        ("guide/index.xhtml#before-you-start", "Before you start"),
        ("guide/chapter.xhtml", "The chapter"),
    ]
    # the section and the chapter are both children of the guide
    guide = nav.split('<a href="guide/index.xhtml">The guide</a>')[1]
    assert guide.lstrip().startswith("<ol>")


def test_ncx_is_in_reading_order_too(book: Built):
    ncx = book.text("toc.ncx")
    sources = re.findall(r'<content src="([^"]*)" />', ncx)
    assert sources.index("guide/index.xhtml#before-you-start") < sources.index(
        "guide/chapter.xhtml"
    )


def test_ncx_uid_is_the_identifier_itself(book: Built):
    identifier = "https://example.org/book/?edition=1&amp;format=epub"
    assert f'<meta name="dtb:uid" content="{identifier}"/>' in book.text("toc.ncx")
    # the same identifier the package document declares (EPUBCheck NCX-001)
    assert f'<dc:identifier id="book-id">{identifier}</dc:identifier>' in book.text("content.opf")


def test_margin_is_the_book_themes_sidebar(book: Built):
    chapter = book.text("guide/chapter.xhtml")
    assert (
        '<aside class="margin sidebar">\n<p class="sidebar-title"></p>\n'
        "<p>A note in the margin.</p>\n</aside>"
    ) in chapter


# -- in_reading_order on its own ----------------------------------------------


def entry(level: int, refuri: str) -> dict[str, Any]:
    return {"level": level, "refuri": refuri, "text": refuri}


def test_sphinxs_order_for_the_root_is_reordered_by_the_spine():
    # what Sphinx collects for tests/roots/test-epub: the chapter before the
    # guide's own section, because the guide's toctree comes first
    raw = [
        entry(1, "index.xhtml"),
        entry(1, "guide/index.xhtml"),
        entry(2, "guide/chapter.xhtml"),
        entry(2, "guide/index.xhtml#before-you-start"),
    ]
    assert [node["refuri"] for node in in_reading_order(raw)] == [
        "index.xhtml",
        "guide/index.xhtml",
        "guide/index.xhtml#before-you-start",
        "guide/chapter.xhtml",
    ]


def test_reordering_keeps_each_entrys_children_with_it():
    raw = [
        entry(1, "a.xhtml"),
        entry(2, "b.xhtml"),
        entry(3, "b.xhtml#one"),
        entry(2, "a.xhtml#late"),
        entry(1, "c.xhtml"),
    ]
    assert [node["refuri"] for node in in_reading_order(raw)] == [
        "a.xhtml",
        "a.xhtml#late",
        "b.xhtml",
        "b.xhtml#one",
        "c.xhtml",
    ]
