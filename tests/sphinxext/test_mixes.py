"""handbook.sphinxext.mixes: the gallery of readers' skill mixes, its chart and its table,
and a build that fails at the YAML line.

The root ``tests/roots/test-mixes`` is built once as it is; the other tests build a
copy with a file added, broken or removed.  Where a dot should be is computed here
from the triangle the SVG draws, not with the extension's own arithmetic.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from sphinx.testing.util import SphinxTestApp
from sphinxext_support import BuildRoot, Built, build_root, plain

from handbook.paths import ROOT

pytestmark = [pytest.mark.sphinx]

ROOTS = ROOT / "tests" / "roots"
ESSAY, ADA, ANONYMOUS = "ueta2020skills.yaml", "ada-example.yaml", "anonymous-example.yaml"


@pytest.fixture(scope="module")
def site(build: BuildRoot) -> Built:
    return build("test-mixes")


def gallery(html: str) -> Tag:
    found = BeautifulSoup(html, "html.parser").select_one("div.handbook-mixes")
    assert found is not None
    return found


def numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?[0-9.]+", text)]


def corners(svg: Tag) -> list[tuple[float, float]]:
    """The triangle's corners as drawn: software engineer, product manager, data scientist."""
    values = numbers(svg.select_one("polygon.handbook-mixes-frame")["points"])
    return list(zip(values[::2], values[1::2], strict=True))


def dots(svg: Tag) -> list[tuple[str, float, float]]:
    return [
        (dot.title.get_text(), float(dot["cx"]), float(dot["cy"]))
        for dot in svg.select("circle.handbook-mixes-dot")
    ]


def rows(page: Tag) -> list[list[str]]:
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        for row in page.select("table.handbook-mixes-table tbody tr")
    ]


# -- the chart -------------------------------------------------------------------------


def test_build_has_no_warnings(site: Built):
    assert site.warnings == ""


def test_the_triangle_is_equilateral_with_a_role_at_each_corner(site: Built):
    svg = gallery(site.html("index")).svg
    top, left, right = corners(svg)
    sides = [math.dist(top, left), math.dist(left, right), math.dist(right, top)]
    assert max(sides) - min(sides) < 0.02
    assert top[1] < left[1] == right[1] and left[0] < top[0] < right[0]
    labels = [t.get_text() for t in svg.select(".handbook-mixes-corners text")]
    assert labels == ["Software engineer", "Product manager", "Data scientist"]


def test_each_mix_is_a_dot_where_its_weights_put_it(site: Built):
    svg = gallery(site.html("index")).svg
    top, left, right = corners(svg)
    found = dots(svg)
    assert [title for title, _, _ in found] == [
        "Shunya Ueta, ML engineer: 40/30/30",
        "Ada Example, Senior ML engineer: 50/20/30",
        "anonymous, Data scientist: 20/60/20",
    ]
    for title, x, y in found:
        swe, pm, ds = (int(n) / 100 for n in title.rsplit(": ", 1)[1].split("/"))
        expected = (
            swe * top[0] + pm * left[0] + ds * right[0],
            swe * top[1] + pm * left[1] + ds * right[1],
        )
        assert (x, y) == pytest.approx(expected, abs=0.01), title
    # 50/20/30 on this triangle (top 240,56; side 320), worked out by hand
    assert found[1][1:] == pytest.approx((256, 56 + 0.5 * 320 * math.sqrt(3) / 2), abs=0.01)


def test_the_essays_point_is_ringed_and_labelled(site: Built):
    svg = gallery(site.html("index")).svg
    essay = svg.select("g.handbook-mixes-essay")
    assert len(essay) == 1
    ring = essay[0].circle
    _title, x, y = dots(svg)[0]
    assert (float(ring["cx"]), float(ring["cy"])) == (x, y)
    assert float(ring["r"]) > float(svg.select_one("circle.handbook-mixes-dot")["r"])
    assert ring["fill"] == "none"
    assert essay[0].find("text").get_text() == "The essay (40/30/30)"


def test_gridlines_mark_every_20_percent(site: Built):
    svg = gallery(site.html("index")).svg
    top, left, _right = corners(svg)
    lines = svg.select("g.handbook-mixes-grid line")
    assert len(lines) == 12  # 4 per role
    flat = sorted(float(line["y1"]) for line in lines if line["y1"] == line["y2"])
    height = left[1] - top[1]
    assert flat == pytest.approx([top[1] + height * k for k in (0.2, 0.4, 0.6, 0.8)], abs=0.01)


def test_the_chart_is_an_image_labelled_by_its_title_and_description(site: Built):
    svg = gallery(site.html("index")).svg
    assert svg["role"] == "img"
    title_id, desc_id = svg["aria-labelledby"].split()
    assert svg.find("title", id=title_id).get_text() == "Readers’ skill mixes on a three-role chart"
    assert svg.find("desc", id=desc_id).get_text().endswith("The table below gives the same data.")


def test_the_chart_runs_nothing_and_loads_nothing(site: Built):
    svg = gallery(site.html("index")).svg
    names = {element.name for element in svg.find_all(True)}
    assert names == {"title", "desc", "g", "line", "polygon", "text", "circle"}
    attributes = {name for element in svg.find_all(True) for name in element.attrs}
    assert not [name for name in attributes if name.startswith("on") or "href" in name]
    assert re.findall(r"https?://[^\"' ]+", str(svg)) == ["http://www.w3.org/2000/svg"]


def test_the_chart_draws_in_the_pages_colours(site: Built):
    """Light and dark mode: every stroke and fill is currentColor or none, so the
    stylesheet's classes decide the colours."""
    svg = str(gallery(site.html("index")).svg)
    assert set(re.findall(r'(?:fill|stroke)="([^"]*)"', svg)) == {"currentColor", "none"}


# -- the table -------------------------------------------------------------------------


def test_the_table_lists_every_mix_the_essay_first_then_by_file_name(site: Built):
    page = gallery(site.html("index"))
    table = page.select_one("table.handbook-mixes-table")
    assert table.caption.get_text(strip=True).rstrip("¶") == "Every shared mix"
    assert [th.get_text(" ", strip=True) for th in table.select("thead th")] == [
        "Name",
        "Job title",
        "Context",
        "Years in ML",
        "SWE %",
        "PM %",
        "DS %",
        "Why",
        "Source",
    ]
    assert [abbr["title"] for abbr in table.select("thead abbr")] == [
        "Software engineer",
        "Product manager",
        "Data scientist",
    ]
    assert rows(page) == [
        [
            "Shunya Ueta The essay",
            "ML engineer",
            "Company : Not named Employees : not stated Team : Not stated",
            "2",
            "40",
            "30",
            "30",
            "The essay’s own weights.",
            "shunyaueta.com",
        ],
        [
            "Ada Example",
            "Senior ML engineer",
            "Company : Online marketplace Employees : 1001-5000 Team : Search ranking, 6 people",
            "7",
            "50",
            "20",
            "30",
            "# Ranking & its freshness: most of my week. 1. Not a list.",
            "example.com",
        ],
        [
            "anonymous",
            "Data scientist",
            "Company : Start-up Employees : 1-50 Team : Everything, 2 people",
            "1",
            "20",
            "60",
            "20",
            "Small team, so finding the problem is most of the job.",
            "",
        ],
    ]
    body = table.select("tbody tr")
    assert body[0]["class"][0] == "handbook-mixes-essay-row"
    assert "handbook-mixes-essay-row" not in body[1]["class"]
    assert [a["href"] for a in table.select("tbody a")] == [
        "https://shunyaueta.com/posts/2020-09-21/",
        "https://example.com/ada",
    ]


def test_the_data_are_text_never_markup(site: Built):
    """A value that would be a heading and a list in MyST stays one line of text,
    and its ``&`` is escaped."""
    html = site.html("index")
    assert "<p># Ranking &amp; its freshness: most of my week. 1. Not a list.</p>" in html
    assert "<h1>" not in str(gallery(html)) and "<ol" not in str(gallery(html))


def test_the_words_and_the_data_come_out_for_translation(tmp_path: Path):
    """gettext extracts the chart's and the table's words with the page as their place,
    and the readers' text with the YAML file and line; names and numbers stay as they are."""
    built = build_root(ROOTS, "test-mixes", tmp_path, builder="gettext")
    catalogue = (built.outdir / "index.pot").read_text(encoding="utf-8")
    for word in ("Every shared mix", "The essay", "Software engineer", "Employees", "Why"):
        assert f'msgid "{word}"' in catalogue, word
    assert re.search(
        r'#: [^\n]*_data/mixes/anonymous-example\.yaml:12\nmsgid "Small team', catalogue
    )
    assert 'msgid "Ada Example"' not in catalogue
    assert 'msgid "50"' not in catalogue


def test_other_builders_leave_the_chart_out(tmp_path: Path):
    built = build_root(ROOTS, "test-mixes", tmp_path, builder="text")
    text = built.text("index.txt")
    assert "Every shared mix" in text and "Ada Example" in text
    assert "Readers" not in text  # the chart's title: the chart is not drawn
    assert built.warnings == ""


# -- building again --------------------------------------------------------------------


def rebuild(built: Built) -> Built:
    """Build ``built``'s sources again, incrementally, into the same place."""
    app = SphinxTestApp("html", srcdir=built.srcdir, builddir=built.outdir.parent)
    try:
        app.build()
    finally:
        app.cleanup()
    return Built(
        built.srcdir, Path(app.outdir), plain(app.status.getvalue()), plain(app.warning.getvalue())
    )


def test_the_page_is_the_same_on_every_build(site: Built, tmp_path: Path):
    again = build_root(ROOTS, "test-mixes", tmp_path)
    assert again.html("index") == site.html("index")
    assert rebuild(again).html("index") == site.html("index")


def test_a_file_added_changed_or_removed_rewrites_the_gallery(tmp_path: Path):
    built = build_root(ROOTS, "test-mixes", tmp_path)
    mixes = built.srcdir / "_data" / "mixes"
    text = (mixes / ANONYMOUS).read_text(encoding="utf-8")
    (mixes / "zoe-example.yaml").write_text(
        text.replace("name: anonymous", "name: Zoe Example"), encoding="utf-8"
    )
    added = rebuild(built)
    assert [row[0] for row in rows(gallery(added.html("index")))] == [
        "Shunya Ueta The essay",
        "Ada Example",
        "anonymous",
        "Zoe Example",
    ]
    (mixes / ADA).write_text(
        (mixes / ADA).read_text(encoding="utf-8").replace("name: Ada Example", "name: Ada Changed"),
        encoding="utf-8",
    )
    changed = rebuild(added)
    assert [row[0] for row in rows(gallery(changed.html("index")))][1] == "Ada Changed"
    (mixes / ANONYMOUS).unlink()
    removed = rebuild(changed)
    assert [row[0] for row in rows(gallery(removed.html("index")))] == [
        "Shunya Ueta The essay",
        "Ada Changed",
        "Zoe Example",
    ]
    assert (added.warnings, changed.warnings, removed.warnings) == ("", "", "")


# -- failures ----------------------------------------------------------------------------


def broken(tmp_path: Path, name: str, old: str, new: str, rename: str = "") -> tuple[Built, Path]:
    """A build of a copy of the root with ``old`` replaced by ``new`` in one file
    (and the file renamed to ``rename``)."""
    roots = tmp_path / "roots"
    shutil.copytree(ROOTS / "test-mixes", roots / "test-mixes")
    data = roots / "test-mixes" / "_data" / "mixes" / name
    text = data.read_text(encoding="utf-8")
    assert old in text
    data.write_text(text.replace(old, new), encoding="utf-8")
    if rename:
        data.rename(data.with_name(rename))
    built = build_root(roots, "test-mixes", tmp_path / "out")
    return built, built.srcdir / "_data" / "mixes" / (rename or name)


@pytest.mark.parametrize(
    ("old", "new", "rename", "line", "message"),
    [
        ("  ds: 30\n", "  ds: 20\n", "", 8, "DATA011 mix adds up to 90, not 100"),
        (
            'why: "# Ranking',
            'why: "<b>Ranking</b>',
            "",
            12,
            "DATA012 why: `<b>` is HTML; write plain text",
        ),
        (
            "https://example.com/ada",
            "http://example.com/ada",
            "",
            13,
            "DATA013 source: `http://example.com/ada` is not https; give the https address",
        ),
        ("years: 7", "years: seven", "", 7, "DATA002 years: `seven` is not a whole number"),
        (
            "  swe: 50\n",
            "  swe: [50\n",
            "",
            10,
            "DATA001 not valid YAML: expected ',' or ']', but got ':'",
        ),
        (
            "name: Ada",
            "name: Ada",
            "Ada.yaml",
            1,
            "DATA014 file name `Ada.yaml`: must be lower-case letters, digits and hyphens, "
            "ending .yaml, like `ada.yaml`",
        ),
    ],
)
def test_a_bad_file_fails_the_build_at_its_yaml_line_and_is_left_out(
    tmp_path: Path, old: str, new: str, rename: str, line: int, message: str
):
    built, data = broken(tmp_path, ADA, old, new, rename)
    assert built.warnings.splitlines() == [f"{data}:{line}: WARNING: {message} [handbook.mixes]"]
    assert [row[0] for row in rows(gallery(built.html("index")))] == [
        "Shunya Ueta The essay",
        "anonymous",
    ]
    assert len(gallery(built.html("index")).select("circle.handbook-mixes-dot")) == 2


def test_a_cite_outside_the_bibliography_is_named(tmp_path: Path):
    built, data = broken(tmp_path, ESSAY, "cite: ueta2020skills", "cite: ueta2020skill")
    assert built.warnings.splitlines() == [
        f"{data}:14: WARNING: DATA016 cite: no entry `ueta2020skill` in references.bib "
        "[handbook.mixes]"
    ]


def test_without_the_folder_the_directive_says_so(tmp_path: Path):
    built = build_root(ROOTS, "test-mixes", tmp_path, mixes_data="_data/nowhere")
    assert "{mixgallery}: there is no folder" in built.warnings
    assert "(`mixes_data`)" in built.warnings
