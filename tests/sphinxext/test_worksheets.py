"""handbook.sphinxext.worksheets: a worksheet's page, its Markdown blank, the EPUB without
downloads, and a build that fails at the YAML line.

The root ``tests/roots/test-worksheets`` is built once as it is; the failure tests
build a copy with one thing broken in ``_data/worksheets/rollout-plan.yaml``.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from sphinx.testing.util import SphinxTestApp
from sphinxext_support import BuildRoot, Built, build_root, plain

from handbook.paths import ROOT

pytestmark = [pytest.mark.sphinx]

ROOTS = ROOT / "tests" / "roots"
PAGE = "sheets/rollout-plan"

#: The blank the build must write, exactly: the YAML of the root, as Markdown.
BLANK = """\
# Rollout plan

*A blank worksheet from Worksheets.*

**What it is for:** Say how a model version reaches users in stages, and how it goes back.

**When to use it:** Before a model version receives any live traffic.

**Who fills it in:** The engineer who owns the service, with the product manager.

**Follows:** Kohavi et al. (2020), Trustworthy Online Controlled Experiments.

## Stages

### Canary

*Good answer: The share of users, the duration and the automatic rollback triggers.*

*Common mistake: Using the canary to measure improvement.*

>
>
>

### Full rollout

*Good answer: The go criteria, and how long the previous version stays deployed.*

*Common mistake: Retiring the previous version on the day of full rollout.*

>

## Going back

### How to roll back

*Good answer: The one configuration change that restores the previous version, \
and when it was last rehearsed.*

*Common mistake: A rollback written on a wiki page and never tried.*

>
>
"""


@pytest.fixture(scope="module")
def site(build: BuildRoot) -> Built:
    return build("test-worksheets")


def page(site: Built) -> BeautifulSoup:
    return BeautifulSoup(site.html(PAGE), "html.parser")


def text(tag: Tag | None) -> str:
    assert tag is not None
    return " ".join(tag.get_text(" ", strip=True).split())


def test_build_has_no_warnings(site: Built):
    assert site.warnings == ""


def test_the_page_says_what_when_and_who(site: Built):
    about = page(site).select_one("div.handbook-worksheet dl.handbook-worksheet-about")
    assert about is not None
    pairs = [
        (dt.get_text(), dd.get_text(strip=True))
        for dt, dd in zip(about.select("dt"), about.select("dd"), strict=True)
    ]
    assert pairs == [
        (
            "What it is for",
            "Say how a model version reaches users in stages, and how it goes back.",
        ),
        ("When to use it", "Before a model version receives any live traffic."),
        ("Who fills it in", "The engineer who owns the service, with the product manager."),
    ]


def test_the_template_it_follows_is_cited(site: Built):
    follows = page(site).select_one("p.handbook-worksheet-follows")
    assert text(follows) == "Follows: Kohavi et al. [ 2020 ] ."
    assert [a["href"] for a in follows.select("a")] == ["../index.html#id2"]


def test_the_example_and_the_explaining_sections_are_linked(site: Built):
    soup = page(site)
    example = soup.select_one("p.handbook-worksheet-example")
    assert text(example) == "Filled-in example: Shipping models , Worked example: shipping v2 ."
    assert [a["href"] for a in example.select("a")] == [
        "../chapter.html",
        "../chapter.html#swe-shipping-v2",
    ]
    taught = soup.select_one("p.handbook-worksheet-taught")
    assert text(taught) == "Explained in: Shipping models ( Rollout strategies , Rolling back )."
    assert [a["href"] for a in taught.select("a")] == [
        "../chapter.html",
        "../chapter.html#swe-shipping-rollout",
        "../chapter.html#swe-shipping-rollback",
    ]


def test_each_field_has_its_name_guidance_mistake_and_a_box_of_its_lines(site: Built):
    soup = page(site)
    sections = soup.select("section.handbook-worksheet-section")
    assert [(s["id"], text(s.h2).rstrip(" ¶")) for s in sections] == [
        ("rollout-plan-stages", "Stages"),
        ("rollout-plan-going-back", "Going back"),
    ]
    fields = [
        (
            text(field.select_one("p.handbook-worksheet-name")),
            text(field.select_one("p.handbook-worksheet-guidance")),
            text(field.select_one("p.handbook-worksheet-mistake")),
            field.select_one("div.handbook-worksheet-box")["class"][:2],
            field.select_one("div.handbook-worksheet-box").get_text(strip=True),
        )
        for field in soup.select("div.handbook-worksheet-field")
    ]
    assert fields == [
        (
            "Canary",
            "Good answer: The share of users, the duration and the automatic rollback triggers.",
            "Common mistake: Using the canary to measure improvement.",
            ["handbook-worksheet-box", "handbook-worksheet-lines-3"],
            "",
        ),
        (
            "Full rollout",
            "Good answer: The go criteria, and how long the previous version stays deployed.",
            "Common mistake: Retiring the previous version on the day of full rollout.",
            ["handbook-worksheet-box", "handbook-worksheet-lines-1"],
            "",
        ),
        (
            "How to roll back",
            "Good answer: The one configuration change that restores the previous version, "
            "and when it was last rehearsed.",
            "Common mistake: A rollback written on a wiki page and never tried.",
            ["handbook-worksheet-box", "handbook-worksheet-lines-2"],
            "",
        ),
    ]
    # each field is one block: its name, guidance, mistake and box, in that order
    first = soup.select_one("div.handbook-worksheet-field")
    assert [child.name for child in first.find_all(recursive=False)] == ["p", "p", "p", "div"]


def test_the_download_is_the_blank_as_markdown(site: Built):
    link = page(site).select_one("p.handbook-worksheet-download a.download")
    assert link is not None and link.has_attr("download")
    assert link.get_text() == "Download the blank worksheet as Markdown"
    assert re.fullmatch(r"\.\./_downloads/[0-9a-f]{32}/rollout-plan\.md", link["href"])
    downloaded = (site.outdir / "sheets" / link["href"]).resolve()
    assert downloaded.read_text(encoding="utf-8") == BLANK


def test_the_blank_is_written_under_the_doctrees_and_only_when_it_changes(site: Built):
    written = site.outdir.parent / "doctrees" / "worksheets" / "rollout-plan.md"
    assert written.read_text(encoding="utf-8") == BLANK
    before = written.stat().st_mtime_ns
    again = SphinxTestApp("html", srcdir=site.srcdir, builddir=site.outdir.parent)
    try:
        again.build()
    finally:
        again.cleanup()
    assert plain(again.warning.getvalue()) == ""
    assert written.stat().st_mtime_ns == before


def test_the_yaml_text_is_translatable_from_its_line(tmp_path: Path):
    built = build_root(ROOTS, "test-worksheets", tmp_path, builder="gettext")
    catalogue = (built.outdir / "sheets.pot").read_text(encoding="utf-8")
    assert re.search(
        r'#: [^\n]*_data/worksheets/rollout-plan\.yaml:16\nmsgid "Good answer: The share of users',
        catalogue,
    )
    assert re.search(r'#: [^\n]*sheets/rollout-plan\.md:\d+\nmsgid "What it is for"', catalogue)


def test_the_epub_shows_the_worksheet_without_a_download(tmp_path: Path):
    built = build_root(
        ROOTS, "test-worksheets", tmp_path, builder="epub", version="1", copyright="2026"
    )
    assert built.warnings == ""
    [book] = built.outdir.glob("*.epub")
    with zipfile.ZipFile(book) as epub:
        names = epub.namelist()
        xhtml = epub.read("sheets/rollout-plan.xhtml").decode("utf-8")
    soup = BeautifulSoup(xhtml, "html.parser")
    assert soup.select_one(".handbook-worksheet-download") is None
    assert "Download" not in soup.get_text()
    assert [text(p) for p in soup.select("p.handbook-worksheet-name")] == [
        "Canary",
        "Full rollout",
        "How to roll back",
    ]
    assert not [name for name in names if name.endswith(".md")]


# -- failures ----------------------------------------------------------------------------


def broken(tmp_path: Path, old: str, new: str) -> tuple[Built, Path]:
    """A build of a copy of the root with ``old`` replaced by ``new`` in the YAML file."""
    roots = tmp_path / "roots"
    shutil.copytree(ROOTS / "test-worksheets", roots / "test-worksheets")
    data = roots / "test-worksheets" / "_data" / "worksheets" / "rollout-plan.yaml"
    content = data.read_text(encoding="utf-8")
    assert old in content
    data.write_text(content.replace(old, new), encoding="utf-8")
    built = build_root(roots, "test-worksheets", tmp_path / "out")
    return built, built.srcdir / "_data" / "worksheets" / "rollout-plan.yaml"


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "example: chapter#swe-shipping-v2",
            "example: chapter#swe-shipping-v3",
            8,
            "DATA018 example: no label `swe-shipping-v3` "
            "(write `(swe-shipping-v3)=` above a heading)",
        ),
        (
            "  - chapter#swe-shipping-rollback",
            "  - index#swe-shipping-rollback",
            11,
            "DATA018 taught[1]: the label `swe-shipping-rollback` is in `chapter`, not `index`",
        ),
        (
            "  - kohavi2020trustworthy",
            "  - kohavi2020trustworthi",
            7,
            "DATA019 follows[0]: no entry `kohavi2020trustworthi` in references.bib",
        ),
        (
            "        lines: 1\n",
            "        lines: 12\n",
            22,
            "DATA002 sections[0].fields[1].lines: 12 is more than 8",
        ),
    ],
)
def test_a_broken_link_or_key_fails_the_build_at_its_yaml_line(
    tmp_path: Path, old: str, new: str, line: int, message: str
):
    built, data = broken(tmp_path, old, new)
    expected = f"{data}:{line}: WARNING: {message} [handbook.worksheets]"
    assert expected in built.warnings.splitlines()
    assert "undefined label" not in built.warnings


def test_a_page_naming_no_worksheet_fails_the_build(tmp_path: Path):
    roots = tmp_path / "roots"
    shutil.copytree(ROOTS / "test-worksheets", roots / "test-worksheets")
    sheet = roots / "test-worksheets" / "sheets" / "rollout-plan.md"
    sheet.write_text(
        sheet.read_text(encoding="utf-8").replace("{worksheet} rollout-plan", "{worksheet} plan"),
        encoding="utf-8",
    )
    built = build_root(roots, "test-worksheets", tmp_path / "out")
    assert "{worksheet}: no worksheet `plan`" in built.warnings
    assert "(known: rollout-plan)" in built.warnings
