"""The worksheets as readers print them: each page printed to PDF in Chromium.

Every worksheet under ``docs/_data/worksheets/`` is opened on the built site and
printed with ``page.pdf`` (A4 and Letter, 10 mm margins, about what a browser's
print dialog uses).  The PDF must have at most two pages, hold every field's
name, and none of the navigation: the sidebar's link texts (read from the page
itself), the page's table of contents, the header's buttons, the download link
and the feedback links.  The worksheet pages are also checked with axe on a
375 px phone, in light and dark mode.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata

import pytest
import yaml
from browser import AXE, axe, set_scheme
from playwright.sync_api import Page
from pypdf import PdfReader

from handbook.paths import DOCS

pytestmark = pytest.mark.browser

WORKSHEETS = sorted((DOCS / "_data" / "worksheets").glob("*.yaml"))
IDS = [path.stem for path in WORKSHEETS]
MARGINS = {side: "10mm" for side in ("top", "right", "bottom", "left")}
#: What the printed form must never show, whatever the sidebar says.
NEVER_PRINTED = (
    "Download the blank worksheet",
    "Suggest an edit",
    "Report a problem",
    "Skip to main content",
    "Back to top",
)


def words(text: str) -> str:
    """Text with its white space evened out (a PDF breaks lines where it likes) and its
    ligatures undone (Chromium's PDF writes "ﬁ" for "fi")."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def fields(ident: str) -> list[str]:
    data = yaml.safe_load((DOCS / "_data" / "worksheets" / f"{ident}.yaml").read_text("utf-8"))
    return [field["name"] for section in data["sections"] for field in section["fields"]]


def printed(page: Page, paper: str) -> tuple[int, str]:
    """The page printed on ``paper``: its number of pages and its text."""
    reader = PdfReader(io.BytesIO(page.pdf(format=paper, margin=MARGINS)))
    return len(reader.pages), words(" ".join(p.extract_text() or "" for p in reader.pages))


def test_there_is_a_worksheet_page_for_every_worksheet():
    assert len(IDS) >= 8
    for ident in IDS:
        assert (DOCS / "worksheets" / f"{ident}.md").is_file(), ident


@pytest.mark.parametrize("ident", IDS)
def test_a_worksheet_prints_as_a_clean_form_on_two_pages(visit, ident: str):
    page = visit().open(f"worksheets/{ident}.html")
    article = words(page.locator("article.bd-article").inner_text())
    navigation = {
        words(text)
        for text in page.locator("nav.bd-docs-nav a, nav.page-toc a").all_inner_texts()
        if words(text)
    }
    assert len(navigation) > 10, "the sidebar's links were not found"
    absent = sorted(text for text in navigation if text not in article)
    assert "Reading list" in absent or any(t.startswith("Part I") for t in absent)
    title = words(page.locator("article.bd-article h1").first.inner_text()).rstrip("#").strip()
    for paper in ("A4", "Letter"):
        pages, text = printed(page, paper)
        assert 1 <= pages <= 2, f"{ident} prints on {pages} {paper} pages"
        assert text.startswith(title), text[:80]
        for name in fields(ident):
            assert words(name) in text, (paper, name)
        shown = [t for t in absent if re.search(rf"(?<!\w){re.escape(t)}(?!\w)", text)]
        assert shown == [], f"{ident} on {paper} prints the sidebar's {shown}"
        assert not re.search(r"(?<!\w)Contents(?!\w)", text)
        assert [t for t in NEVER_PRINTED if t in text] == []


def test_in_print_each_field_keeps_with_its_box_and_the_navigation_is_gone(visit):
    page = visit().open(f"worksheets/{IDS[0]}.html")
    page.emulate_media(media="print")
    style = page.evaluate(
        """() => {
          const css = (selector, property) =>
            getComputedStyle(document.querySelector(selector)).getPropertyValue(property);
          return {
            field: css(".handbook-worksheet-field", "break-inside"),
            box: css(".handbook-worksheet-box", "border-top-style"),
            boxHeight: document.querySelector(".handbook-worksheet-box").offsetHeight,
            download: css(".handbook-worksheet-download", "display"),
            sidebar: css(".bd-sidebar-primary", "display"),
            header: css(".bd-header", "display"),
            toc: document.querySelector("#jb-print-toc").innerText.trim(),
          };
        }"""
    )
    assert style["field"] == "avoid"
    assert style["box"] == "solid" and style["boxHeight"] > 15
    assert [style[k] for k in ("download", "sidebar", "header")] == ["none"] * 3
    assert style["toc"] == ""  # the worksheet's sections stay out of the printed contents


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_worksheet_pages_on_a_phone_are_axe_clean(visit, scheme):
    """Read on phones too: 375 px, both schemes, no horizontal scroll."""
    assert AXE.is_file(), "axe-core is missing: run 'npm ci' (make test does it)"
    v = visit(width=375, color_scheme=scheme)
    violations, scrolling = {}, []
    for path in ["worksheets/index.html", *(f"worksheets/{ident}.html" for ident in IDS)]:
        page = v.open(path)
        set_scheme(page, scheme)
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll > client:
            scrolling.append(path)
        found = axe(page)
        if found:
            violations[path] = found
    assert violations == {}, json.dumps(violations, indent=1)
    assert scrolling == []
