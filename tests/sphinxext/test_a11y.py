"""handbook.sphinxext.a11y: named sidebar toggles and valid ARIA roles for citations.

The root ``tests/roots/test-a11y`` is built once with sphinx-book-theme's own
sidebar (without fastnav, whose tests cover the fast sidebar with a11y).
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sphinxext_support import BuildRoot, Built

from handbook.sphinxext.a11y import name_summaries

pytestmark = [
    pytest.mark.sphinx,
    # sphinx-book-theme 1.4 uses APIs Sphinx 11 removes; not ours to fix
    pytest.mark.filterwarnings(
        "ignore::sphinx.deprecation.RemovedInSphinx11Warning:sphinx_book_theme._transforms"
    ),
]

#: The theme's chevron, the only content of a sidebar ``<summary>``.
CHEVRON = (
    '<span class="toctree-toggle" role="presentation">'
    '<i class="fa-solid fa-chevron-down"></i></span>'
)


@pytest.fixture(scope="module")
def site(build: BuildRoot) -> Built:
    return build("test-a11y")


def test_build_has_no_warnings(site: Built):
    assert site.warnings == ""


def test_sidebar_toggles_are_named_after_their_section(site: Built):
    for page in ("index", "part/index", "part/chapter", "citations"):
        html = site.html(page)
        assert (
            f'<summary aria-label="Show or hide the pages of Part one">{CHEVRON}</summary>' in html
        ), page
        assert html.count("<summary") == html.count("<summary aria-label="), page


def test_citations_are_list_items_of_a_list(site: Built):
    html = site.html("citations")
    assert 'role="doc-biblioentry"' not in html  # deprecated in ARIA 1.3
    lists = html.split('<div role="list" class="citation-list">\n')[1:]
    assert len(lists) == 2  # a paragraph splits the citations into two lists
    first, second = lists
    assert first.startswith('<div class="citation" id="alpha2020" role="listitem">\n')
    assert '<div class="citation" id="beta2021" role="listitem">\n' in first
    # the list closes after its last entry, before the paragraph
    assert "<p>The second work.</p>\n</div>\n</div>\n<p>A paragraph between" in first
    assert second.startswith('<div class="citation" id="gamma2022" role="listitem">\n')
    assert "<p>A work in a list of its own.</p>\n</div>\n</div>\n</section>" in second


# -- name_summaries on its own ---------------------------------------------------


def sidebar(items: str) -> BeautifulSoup:
    return BeautifulSoup(f"<ul>{items}</ul>", "html.parser")


def test_a_summary_with_text_keeps_its_name():
    soup = sidebar("<li><p>Caption</p><details><summary>Parts</summary></details></li>")
    assert str(name_summaries(soup)) == (
        "<ul><li><p>Caption</p><details><summary>Parts</summary></details></li></ul>"
    )


def test_a_summary_without_a_link_gets_a_generic_name():
    soup = sidebar(f"<li><span>Part</span><details><summary>{CHEVRON}</summary></details></li>")
    summary = name_summaries(soup).find("summary")
    assert summary["aria-label"] == "Show or hide pages"


def test_an_empty_sidebar_string_is_returned_unchanged():
    assert name_summaries("") == ""
