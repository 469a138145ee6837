"""handbook.sphinxext.checks: checks with anchors, ``{check}``, the All checks page and the
per-role downloads, and each mistake as a warning at its line.

The root ``tests/roots/test-checks`` is built once as it is; the mistakes are
copies with one file changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinxext_support import BuildRoot, Built, build_root

from handbook.paths import ROOT

pytestmark = [pytest.mark.sphinx]


@pytest.fixture(scope="module")
def site(build: BuildRoot) -> Built:
    return build("test-checks")


def soup(site: Built, page: str) -> BeautifulSoup:
    return BeautifulSoup(site.html(page), "html.parser")


def test_build_has_no_warnings(site: Built):
    assert site.warnings == ""


def test_a_check_has_a_box_its_id_linking_to_its_lasting_place_and_an_anchor(site: Built):
    items = soup(site, "swe/ship").select("section#checklist li")
    first = items[0]
    assert first["id"] == "swe-ship-1" and "handbook-check" in first["class"]
    assert first.select_one("span.handbook-check-box")["aria-hidden"] == "true"
    link = first.select_one("a.handbook-check-id")
    assert (link.get_text(), link["href"]) == ("SWE-SHIP-1", "../all-checks.html#swe-ship-1")
    assert (
        first.p.get_text() == "SWE-SHIP-1 Each stage has written criteria, agreed before it starts."
    )
    assert first.select_one("em").get_text() == "before"  # the item's own markup stays
    # an item without a box is not a check
    assert (
        items[2].get("id") is None and items[2].get_text().strip() == "A plain bullet, not a check."
    )


def test_the_check_role_links_the_item_titled_with_its_id(site: Built):
    link = soup(site, "links").select_one("a.reference.internal")
    assert (link.get_text(), link["href"]) == ("SWE-SHIP-3", "swe/ship.html#swe-ship-3")


def test_the_all_checks_page_lists_every_check_by_part_and_chapter(site: Built):
    page = soup(site, "all-checks")
    chapters = [
        (s["id"], s.h3.a.get_text(), s.h3.a["href"])
        for s in page.select("section.handbook-checks-chapter")
    ]
    assert chapters == [
        ("checks-start-role", "The role", "start/role.html"),
        ("checks-swe-ship", "Shipping models", "swe/ship.html"),
    ]
    checks = [
        (li["id"], li.a.get_text(), li.a["href"], li.p.get_text())
        for li in page.select("li.handbook-check")
    ]
    assert checks == [
        (
            "start-role-1",
            "START-ROLE-1",
            "start/role.html#start-role-1",
            "START-ROLE-1 I know who is paged when predictions go wrong.",
        ),
        (
            "swe-ship-1",
            "SWE-SHIP-1",
            "swe/ship.html#swe-ship-1",
            "SWE-SHIP-1 Each stage has written criteria, agreed before it starts.",
        ),
        (
            "swe-ship-3",
            "SWE-SHIP-3",
            "swe/ship.html#swe-ship-3",
            "SWE-SHIP-3 Rollback is a configuration change.",
        ),
    ]


def test_a_retired_id_keeps_its_anchor_and_says_where_it_went(site: Built):
    retired = soup(site, "all-checks").select_one("li#swe-ship-2")
    assert (
        retired.get_text() == "SWE-SHIP-2 was merged into SWE-SHIP-1. Said the same as SWE-SHIP-1."
    )
    assert retired.a["href"] == "#swe-ship-1"


def test_the_filter_is_hidden_without_its_script_and_the_script_is_on_that_page_only(
    site: Built,
):
    page = soup(site, "all-checks")
    box = page.select_one("div.handbook-checks-filter")
    assert box["hidden"] == "hidden"
    assert box.label["for"] == "handbook-checks-filter" == box.input["id"]
    assert (
        box.select_one("#handbook-checks-status").get_text() == "{shown} of {total} checks shown."
    )
    assert page.select_one("script[src^='_static/allchecks.js']").has_attr("defer")
    assert "allchecks.js" not in site.html("swe/ship")


def test_one_markdown_file_per_role_with_start_here_in_each(site: Built):
    links = [
        (a.get_text(), a["href"])
        for a in soup(site, "all-checks").select(".handbook-checks-downloads a")
    ]
    assert links == [
        ("Software engineer (Markdown)", "_downloads/checks/checks-swe.md"),
        ("Product manager (Markdown)", "_downloads/checks/checks-pm.md"),
        ("Data scientist (Markdown)", "_downloads/checks/checks-ds.md"),
    ]
    base = "https://example.org/book/all-checks.html"
    assert site.text("_downloads/checks/checks-pm.md") == (
        "# Checks for the product manager\n"
        "\n"
        f"From *Checks*, {base}.\n"
        "Each ID links to the check on the All checks page, where it stays when chapters change.\n"
        "\n"
        "## Start here\n"
        "\n"
        "### The role\n"
        "\n"
        f"- [ ] [START-ROLE-1]({base}#start-role-1): I know who is paged when predictions go "
        f"wrong.\n"
        "\n"
        "## Part I: software engineer\n"
        "\n"
        "### Shipping models\n"
        "\n"
        f"- [ ] [SWE-SHIP-1]({base}#swe-ship-1): Each stage has written criteria, agreed before "
        f"it starts.\n"
        f"- [ ] [SWE-SHIP-3]({base}#swe-ship-3): Rollback is a configuration change.\n"
    )
    # data scientists get Start here only
    assert "SWE-SHIP" not in site.text("_downloads/checks/checks-ds.md")


def broken(tmp_path: Path, path: str, old: str, new: str) -> Built:
    roots = tmp_path / "roots"
    shutil.copytree(ROOT / "tests" / "roots" / "test-checks", roots / "test-checks")
    target = roots / "test-checks" / path
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return build_root(roots, "test-checks", tmp_path / "out")


@pytest.mark.parametrize(
    ("path", "old", "new", "warning"),
    [
        (
            "links.md",
            "{check}`SWE-SHIP-3`",
            "{check}`SWE-SHIP-9`",
            "links.md:5: WARNING: {check} names `SWE-SHIP-9`, which was never issued",
        ),
        (
            "links.md",
            "{check}`SWE-SHIP-3`",
            "{check}`SWE-SHIP-2`",
            "links.md:5: WARNING: {check} names `SWE-SHIP-2`, which is retired; link `SWE-SHIP-1`",
        ),
        (
            "links.md",
            "{check}`SWE-SHIP-3`",
            "{check}`ship-3`",
            "links.md:5: WARNING: {check} needs a check ID, like SWE-SHIP-4, not `ship-3`",
        ),
        (
            "_data/checks.yaml",
            "merged_into: SWE-SHIP-1",
            "merged_into: SWE-SHIP-7",
            "checks.yaml:11: WARNING: DATA025 `SWE-SHIP-7` was never issued",
        ),
        (
            "_data/checks.yaml",
            "code: SWE-SHIP",
            "code: PM-SHIP",
            "checks.yaml:6: WARNING: DATA024 `PM-SHIP` is a code of the PM part, but swe/ship "
            "is in SWE: start it with SWE-",
        ),
    ],
    ids=["unknown", "retired", "malformed", "merged-into", "code"],
)
def test_a_mistake_is_a_warning_at_its_line(tmp_path, path, old, new, warning):
    site = broken(tmp_path, path, old, new)
    assert warning in site.warnings, site.warnings
