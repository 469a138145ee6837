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


def test_the_japanese_glossary_is_in_reading_order(build: BuildRoot):
    site = build("test-glossary", language="ja")
    assert site.warnings == ""
    page = BeautifulSoup(site.html("index"), "html.parser")
    (listing,) = page.select("dl.glossary")
    terms = [dt.get_text().rstrip("¶#") for dt in listing.select("dt")]
    # か, ぜ (in せ's place: voicing counts only between equals), て (an entry sorts by
    # its first term: 再現率 stays with 適合率), の; then the term the list does not
    # know, in the English order
    assert terms == [
        "カナリアリリース（Canary release）",
        "ゼブラゾーン（Zebra crossing）",
        "適合率（Precision）",
        "再現率（Recall）",
        "能動学習（Active learning）",
        "élan",
    ]


def test_english_term_links_still_land_on_the_japanese_terms(build: BuildRoot):
    site = build("test-glossary", language="ja")
    uses = BeautifulSoup(site.html("uses"), "html.parser")
    index = BeautifulSoup(site.html("index"), "html.parser")
    links = uses.select("a.reference.internal")
    assert len(links) == 3
    for link in links:
        target = index.find(id=link["href"].split("#", 1)[1])
        assert target is not None and target.name == "dt", link["href"]


def test_a_broken_terminology_list_fails_the_build_at_its_line(build: BuildRoot, tmp_path):
    site = build("test-glossary", language="ja", handbook_terminology="_data/missing-reading.yaml")
    assert "missing-reading.yaml:1: WARNING: INPUT" in site.warnings
