"""The All checks page and the checks in the chapters, as readers get them."""

from __future__ import annotations

import re

import pytest
import yaml
from browser import AXE, axe, set_scheme
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from handbook.paths import DOCS

ITEM = re.compile(r"^- \[ \] ([A-Z]+-[A-Z0-9]+-[0-9]+): ", re.M)
RECORD = yaml.safe_load((DOCS / "_data" / "checks.yaml").read_text(encoding="utf-8"))


def source_ids() -> dict[str, list[str]]:
    """docname -> the IDs its checklist gives, read from the Markdown sources."""
    found = {}
    for path in sorted(DOCS.glob("*/*.md")):
        text = path.read_text(encoding="utf-8")
        if "\n## Checklist\n" in text:
            checklist = text.split("\n## Checklist\n", 1)[1].split("\n## ", 1)[0]
            found[path.relative_to(DOCS).with_suffix("").as_posix()] = ITEM.findall(checklist)
    return found


def test_the_page_lists_exactly_the_chapters_ids_and_the_retired_ones(built_site):
    page = BeautifulSoup((built_site.out / "all-checks.html").read_text("utf-8"), "html.parser")
    listed = [li["id"] for li in page.select("li.handbook-check")]
    expected = [i.lower() for ids in source_ids().values() for i in ids]
    assert sorted(listed) == sorted(expected)
    assert len(listed) == len(set(listed)) >= 230
    retired = [li["id"] for li in page.select(".handbook-checks-retired li")]
    assert retired == [entry["id"].lower() for entry in RECORD["retired"]]
    # each check links to its place in its chapter, and the place exists
    for li in page.select("li.handbook-check"):
        href = li.a["href"]
        chapter, anchor = href.split("#")
        target = BeautifulSoup((built_site.out / chapter).read_text("utf-8"), "html.parser")
        assert target.select_one(f"li#{anchor} a.handbook-check-id")["href"] == (
            "../all-checks.html#" + anchor
        )


def test_each_role_gets_a_markdown_file_of_its_checks(built_site):
    folder = built_site.out / "_downloads" / "checks"
    ids = source_ids()
    for role in ("swe", "pm", "ds"):
        text = (folder / f"checks-{role}.md").read_text(encoding="utf-8")
        given = re.findall(r"^- \[ \] \[([A-Z0-9-]+)\]\(", text, re.M)
        meta = {}
        for docname in ids:
            front = (DOCS / f"{docname}.md").read_text(encoding="utf-8").split("---")[1]
            meta[docname] = yaml.safe_load(front)["roles"]
        wanted = [
            i
            for docname, chapter in ids.items()
            if docname.startswith("start/") or role in meta[docname]
            for i in chapter
        ]
        assert sorted(given) == sorted(wanted), role
        assert text.startswith("# Checks for the ")


@pytest.mark.browser
def test_the_filter_narrows_the_list_as_the_reader_types(visit):
    v = visit()
    page = v.open("all-checks.html")
    total = page.locator("li.handbook-check").count()
    status = page.locator("#handbook-checks-status")
    expect(status).to_have_text(f"{total} of {total} checks shown.")
    box = page.get_by_label("Show only the checks that contain")
    box.fill("swe-ship-9")
    expect(status).to_have_text(f"1 of {total} checks shown.")
    expect(page.locator("li.handbook-check:visible")).to_have_count(1)
    expect(page.locator("section.handbook-checks-chapter:visible")).to_have_count(1)
    box.fill("rollback")
    shown = page.locator("li.handbook-check:visible")
    assert 1 < shown.count() < total
    for text in shown.all_inner_texts():
        assert "rollback" in text.lower()
    box.fill("")
    expect(status).to_have_text(f"{total} of {total} checks shown.")
    assert v.errors == [] and v.outside == []


@pytest.mark.browser
def test_without_javascript_the_page_is_the_plain_list(browser, site):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + "all-checks.html")
        expect(page.locator(".handbook-checks-filter")).to_be_hidden()
        assert page.locator("li.handbook-check:visible").count() >= 230
    finally:
        context.close()


@pytest.mark.browser
def test_a_checks_id_in_its_chapter_leads_to_its_lasting_place(visit):
    page = visit().open("swe/shipping.html")
    page.locator("li#swe-ship-9 a.handbook-check-id").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/all-checks.html#swe-ship-9")
    expect(page.locator("li#swe-ship-9")).to_be_visible()
    page.locator("li#swe-ship-9 a.handbook-check-id").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/swe/shipping.html#swe-ship-9")


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_is_axe_clean_on_a_phone_after_filtering(visit, scheme):
    assert AXE.is_file(), "axe-core is missing: run 'npm ci' (make test does it)"
    v = visit(width=375, color_scheme=scheme)
    for path in ("all-checks.html", "swe/shipping.html"):
        page = v.open(path)
        set_scheme(page, scheme)
        if path == "all-checks.html":
            page.get_by_label("Show only the checks that contain").fill("model")
        assert axe(page) == [], path
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, path
