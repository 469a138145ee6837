"""The Japanese edition as readers get it, in Chromium: the switcher by keyboard
on a wide screen and a phone, one search per layout, Japanese search, axe."""

from __future__ import annotations

import contextlib
import json

import pytest
from browser import AXE, axe, set_scheme
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser

#: Pages of the Japanese edition checked with axe: every translated page, a
#: page with the translation notice (swe/index), the interactive pages and the
#: pages Sphinx generates.
JAPANESE_PAGES = [
    "ja/index.html",
    "ja/about.html",
    "ja/start/index.html",
    "ja/start/what-is-an-ml-engineer.html",
    "ja/start/skill-mix.html",
    "ja/start/how-to-use.html",
    "ja/start/running-example.html",
    "ja/start/essay.html",
    "ja/glossary.html",
    "ja/reading-list/index.html",
    "ja/reading-list/swe.html",
    "ja/reading-list/pm.html",
    "ja/reading-list/ds.html",
    "ja/swe/index.html",
    "ja/skills/self-assessment.html",
    "ja/all-checks.html",
    "ja/search.html",
    "ja/genindex.html",
    "ja/404.html",
]

_VISIBLE_SEARCH = """() => [...document.querySelectorAll(
    '.search-button-field, .search-button, input[type=search]')]
  .filter(e => e.getClientRects().length > 0).length"""


@pytest.mark.parametrize("width", [1280, 375])
def test_the_switcher_takes_the_keyboard_to_the_same_page(visit, width):
    v = visit(width=width)
    page = v.open("start/index.html")
    link = page.locator("nav.handbook-language a[lang='ja']:visible")
    assert link.count() == 1
    assert page.locator("nav.handbook-language a[aria-current='true']:visible").inner_text() == (
        "English"
    )
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/handbook/ja/start/index.html")
    assert page.evaluate("document.documentElement.lang") == "ja"
    page.locator("nav.handbook-language a[lang='en']:visible").click()
    page.wait_for_url("**/handbook/start/index.html")
    assert v.errors == [] and v.failed == [] and v.outside == []


@pytest.mark.parametrize("width", [1280, 375])
def test_each_layout_offers_one_search(visit, width):
    page = visit(width=width).open("ja/start/index.html")
    assert page.evaluate(_VISIBLE_SEARCH) == 1
    header_search = page.locator("#pst-header .search-button-field, #pst-header .search-button")
    assert header_search.count() == 0


#: True once a result's path starts with ``prefix`` (Sphinx lists results one by one,
#: each after fetching its page for a summary: waiting for all of them is slow).
_LISTED = """prefix => [...document.querySelectorAll('#search-results ul.search li a')]
  .some(a => new URL(a.href).pathname.startsWith(prefix))"""


def _search(visit, query: str, prefix: str) -> list[str]:
    """The paths of the results of ``query`` once one starts with ``prefix`` (a timeout,
    and the results so far, if none does)."""
    v = visit()
    page = v.open(f"ja/search.html?q={query}")
    with contextlib.suppress(PlaywrightTimeout):  # the assertion shows what was found
        page.wait_for_function(_LISTED, arg=prefix, timeout=30_000)
    results = page.locator("#search-results ul.search li a")
    hrefs = results.evaluate_all("links => links.map(a => new URL(a.href).pathname)")
    assert v.errors == [] and v.outside == []
    return hrefs


@pytest.mark.parametrize("query", ["機械学習", "実験"])
def test_japanese_search_finds_the_landing_page_for_a_multi_character_word(visit, query):
    hrefs = _search(visit, query, "/handbook/ja/index.html")
    assert "/handbook/ja/index.html" in hrefs, hrefs


@pytest.mark.parametrize("query", ["機械学習", "実験", "品質"])
def test_japanese_search_finds_start_here_pages(visit, query):
    hrefs = _search(visit, query, "/handbook/ja/start/")
    assert any(h.startswith("/handbook/ja/start/") for h in hrefs), hrefs


def test_japanese_search_still_finds_english_words(visit):
    # Relist, the running example's name, stays in Latin letters in Japanese too
    hrefs = _search(visit, "Relist", "/handbook/ja/start/running-example.html")
    assert "/handbook/ja/start/running-example.html" in hrefs, hrefs


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_japanese_pages_have_zero_axe_violations(visit, scheme):
    assert AXE.is_file(), "axe-core is missing: run 'npm ci' (make test does it)"
    violations = {}
    for width in (1280, 375):
        v = visit(color_scheme=scheme, width=width)
        for path in JAPANESE_PAGES:
            page = v.open(path)
            set_scheme(page, scheme)
            found = axe(page)
            if found:
                violations[f"{path} @ {width}px"] = found
    assert violations == {}, json.dumps(violations, indent=1, ensure_ascii=False)


def test_japanese_text_is_set_in_a_japanese_system_font(visit):
    page = visit().open("ja/index.html")
    heading = page.locator("article h1")
    family = heading.evaluate("h => getComputedStyle(h).fontFamily")
    assert "Noto Sans CJK JP" in family
    assert heading.evaluate("h => getComputedStyle(h).wordBreak") == "auto-phrase"
    assert page.evaluate("getComputedStyle(document.body).lineBreak") == "strict"
