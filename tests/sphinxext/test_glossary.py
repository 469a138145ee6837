"""handbook.sphinxext.glossary: a page's sorted glossaries become one alphabetical list."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sphinxext_support import BuildRoot, Built

pytestmark = [pytest.mark.sphinx]


@pytest.fixture(scope="module")
def site(build: BuildRoot) -> Built:
    return build("test-glossary")


def test_the_fragments_are_one_list_in_alphabetical_order(site: Built):
    assert site.warnings == ""
    page = BeautifulSoup(site.html("index"), "html.parser")
    (listing,) = page.select("dl.glossary")
    terms = [dt.get_text().rstrip("¶#") for dt in listing.select("dt")]
    assert terms == [
        "Active learning",
        "Canary release",
        "élan",
        "Precision",
        "Recall",
        "Zebra crossing",
    ]
    # "Precision" and "Recall" share one definition, as written
    recall = listing.select("dt")[terms.index("Recall")]
    assert recall.find_previous_sibling().name == "dt"


def test_links_to_terms_still_land_on_them(site: Built):
    page = BeautifulSoup(site.html("uses"), "html.parser")
    for link in page.select("a.reference.internal"):
        anchor = link["href"].split("#", 1)[1]
        target = BeautifulSoup(site.html("index"), "html.parser").find(id=anchor)
        assert target is not None and target.name == "dt", link["href"]
