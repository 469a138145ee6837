"""The site as readers get it: pages driven in a real Chromium on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser import AXE, axe, set_scheme

from handbook.paths import DOCS, ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"


def _pages() -> list[str]:
    pages = [
        p.relative_to(DOCS).with_suffix(".html").as_posix()
        for p in sorted(DOCS.rglob("*.md"))
        if not p.relative_to(DOCS).parts[0].startswith("_")
    ]
    return [*pages, "genindex.html", "search.html", "404.html"]


def test_every_page_loads_cleanly_and_only_from_the_local_host(visit):
    v = visit()
    problems = {}
    for path in _pages():
        v.errors.clear(), v.failed.clear(), v.outside.clear()
        response = v.page.goto(v.base + path, wait_until="load")
        v.page.wait_for_load_state("networkidle")
        status = response.status if response else None
        expected = 404 if path == "404.html" else 200
        if status != 200 and not (path == "404.html" and status in (200, expected)):
            problems[path] = f"status {status}"
        if v.errors or v.failed or v.outside:
            problems[path] = {
                "console": v.errors[:],
                "failed": v.failed[:],
                "outside": v.outside[:],
            }
    assert problems == {}


def test_sidebar_and_next_previous_links_navigate(visit):
    page = visit().open("index.html")
    page.locator("nav.bd-docs-nav a", has_text="Part I").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/swe/index.html")
    next_link = page.locator("a.right-next")
    expected = next_link.get_attribute("href")
    next_link.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(expected.split("/")[-1])
    page.locator("a.left-prev").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/swe/index.html")


def test_in_page_table_of_contents_jumps_to_the_section(visit):
    page = visit().open("about.html")
    link = page.locator("nav.page-toc a.nav-link").first
    target = link.get_attribute("href")
    link.click()
    assert page.evaluate("location.hash") == target
    assert page.locator(target).is_visible()


def test_glossary_term_link_lands_on_its_definition(visit):
    v = visit()
    for path in _pages():
        page = v.open(path)
        term_links = page.locator("article a.reference:has(span.xref.std-term)")
        if term_links.count():
            break
    assert term_links.count() > 0, "no page links a glossary term"
    link = term_links.first
    text = link.inner_text().strip().lower()
    link.click()
    page.wait_for_load_state("load")
    assert "/glossary.html#" in page.url
    anchor = page.evaluate("decodeURIComponent(location.hash.slice(1))")
    assert page.locator(f"dt[id='{anchor}']").inner_text().strip().lower() == text


def test_citation_link_lands_on_its_reading_list_entry(visit):
    page = visit().open("about.html")
    cite = page.locator("article a[href*='reading-list/index.html#cite-ueta2020skills']").first
    cite.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("reading-list/index.html#cite-ueta2020skills")
    assert page.locator("#cite-ueta2020skills").is_visible()


def test_search_finds_a_known_chapter(visit):
    page = visit().open("index.html")
    page.locator("button.search-button__button, .search-button-field").first.click()
    box = page.locator("input[name='q']:visible").first
    box.fill("essay")
    box.press("Enter")
    page.wait_for_url("**/search.html?q=essay*")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    texts = " ".join(results.all_inner_texts())
    assert "About this handbook" in texts


def test_light_dark_toggle_switches_the_theme(visit):
    page = visit().open("index.html")
    for mode in ("dark", "light", "dark"):
        page.locator("button.theme-switch-button:visible").first.click()
        page.locator(f"button.theme-change-button[data-mode='{mode}']:visible").first.click()
        assert page.evaluate("document.documentElement.dataset.theme") == mode
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark", "choice not kept"


def test_missing_page_gets_the_404_page_with_working_links(visit):
    v = visit()
    response = v.page.goto(v.base + "no/such/page.html", wait_until="load")
    assert response.status == 404
    assert v.page.locator("article h1").inner_text().strip() == "Page not found"
    assert v.failed == [] and v.outside == []
    v.page.locator("a.navbar-brand").first.click()
    v.page.wait_for_load_state("load")
    assert v.page.url.endswith("/handbook/index.html")


@pytest.mark.parametrize(
    "path", ["index.html", "swe/index.html", "about.html", "skills/index.html", "skills/swe.html"]
)
def test_phone_viewport_has_no_horizontal_scroll(visit, path):
    page = visit(width=375).open(path)
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_landing_page_and_a_chapter(visit, scheme):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    v = visit(color_scheme=scheme)
    for path, name in [("index.html", "landing"), ("about.html", "chapter")]:
        page = v.open(path)
        page.evaluate(f"document.documentElement.dataset.theme = '{scheme}'")
        shot = ARTIFACTS / f"{name}-{scheme}.png"
        page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_has_zero_axe_violations(visit, scheme):
    assert AXE.is_file(), "axe-core is missing: run 'npm ci' (make test does it)"
    v = visit(color_scheme=scheme)
    violations = {}
    for path in _pages():
        page = v.open(path)
        set_scheme(page, scheme)
        found = axe(page)
        if found:
            violations[path] = found
    assert violations == {}, json.dumps(violations, indent=1)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_skills_matrix_on_a_phone_is_axe_clean(visit, scheme):
    """The matrix pages are read on phones: checked at 375 px too, in both schemes."""
    v = visit(width=375, color_scheme=scheme)
    violations = {}
    for path in ("skills/index.html", "skills/swe.html", "skills/pm.html", "skills/ds.html"):
        page = v.open(path)
        set_scheme(page, scheme)
        found = axe(page)
        if found:
            violations[path] = found
    assert violations == {}, json.dumps(violations, indent=1)


def test_a_chapter_and_the_matrix_link_each_other(visit):
    v = visit()
    page = v.open("swe/shipping.html")
    built = page.locator("p.handbook-skills-built a").first
    name = built.inner_text()
    built.click()
    page.wait_for_load_state("load")
    assert "/skills/swe.html#" in page.url
    skill = page.locator(f"section#{page.url.rsplit('#', 1)[1]}")
    assert skill.locator("h3").first.inner_text().startswith(name)
    skill.locator("p.handbook-skill-taught a").first.click()
    page.wait_for_load_state("load")
    assert "/swe/" in page.url
    assert v.failed == [] and v.outside == []


def test_site_root_is_served_under_the_pages_prefix(site):
    assert urlsplit(site).path == "/handbook/"
    assert Path(urlsplit(site).path).name == "handbook"
