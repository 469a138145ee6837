"""Reading aids as readers get them: one alphabetical glossary, and in-text citations
whose year says which work of an author's year is meant, as the reading list does."""

from __future__ import annotations

import re
import unicodedata

from bs4 import BeautifulSoup

YEAR = re.compile(r"(\d{4}[a-z]?|n\.d\.[a-z]?)\]?\s*$")


def test_the_glossary_is_one_list_in_alphabetical_order(built_site):
    page = BeautifulSoup((built_site.out / "glossary.html").read_text("utf-8"), "html.parser")
    (listing,) = page.select("article dl.glossary")
    # an entry's first term decides its place (a dt right after a dt shares the entry)
    firsts = [
        dt.get_text().rstrip("#¶")
        for dt in listing.find_all("dt", recursive=False)
        if dt.find_previous_sibling() is None or dt.find_previous_sibling().name == "dd"
    ]
    assert len(firsts) > 60
    assert firsts[0] == "Active learning"
    key = [unicodedata.normalize("NFD", term.lower()) for term in firsts]
    assert key == sorted(key)


def test_every_in_text_citation_carries_the_label_year_of_its_entry(built_site):
    out = built_site.out
    listing = BeautifulSoup((out / "reading-list" / "index.html").read_text("utf-8"), "html.parser")
    labels = {
        div["id"]: div.select_one("span.label").get_text().strip("[]")
        for div in listing.select("div.citation[id^=cite-]")
    }
    assert labels["cite-ueta2020coursera"] == "Ueta, 2020a"
    assert labels["cite-ueta2020skills"] == "Ueta, 2020b"
    checked = 0
    for html in sorted(out.rglob("*.html")):
        page = BeautifulSoup(html.read_text("utf-8"), "html.parser")
        for link in page.select("article a[href*='reading-list/index.html#cite-']"):
            target = link["href"].rsplit("#", 1)[1]
            text = link.get_text().strip()
            if target not in labels or not YEAR.search(text):
                continue  # a "cited in" back-link, not a citation
            assert YEAR.search(text).group(1) == YEAR.search(labels[target]).group(1), (
                html.relative_to(out),
                text,
                labels[target],
            )
            checked += 1
    assert checked > 200
