"""``handbook check-data`` on the running example's facts, ``docs/_data/relist.yaml``.

Each fixture under ``fixtures/bad/relist`` states, in ``# expect: LINE: CODE
message`` comments at its end, exactly what check-data must report; the pages
of ``fixtures/docs-relist`` use ``{relist}`` with a typo and an unknown key.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handbook.data import relist
from handbook.data.cli import default_files, main
from handbook.data.schema import SCHEMA_CODE, SYNTAX_CODE
from handbook.data.source import load, parse
from handbook.paths import DOCS

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = sorted((FIXTURES / "bad" / "relist").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+): (DATA\d{3}) (.*)$", re.M)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_each_bad_file_reports_exactly_what_it_states(in_fixtures, capsys, path: Path):
    rel = path.relative_to(FIXTURES).as_posix()
    expected = [
        f"{rel}:{line}: {code} {message}"
        for line, code, message in EXPECT.findall(path.read_text(encoding="utf-8"))
    ]
    assert expected, f"{rel} states no expected findings"
    status, out, err = run(capsys, "--docs", "docs-checks", "--references", "refs.bib", rel)
    assert (status, err) == (1, "")
    assert out.splitlines() == expected


def test_a_page_naming_a_fact_that_is_not_there_is_named_at_its_line(in_fixtures, capsys):
    argv = ("--docs", "docs-relist", "--references", "refs.bib", "good/relist/facts.relist.yaml")
    status, out, err = run(capsys, *argv)
    assert (status, err) == (1, "")
    assert out.splitlines() == [
        "docs-relist/swe/page.md:6: DATA027 {relist} names `listing_per_day`, which is not a "
        "fact; did you mean `listings_per_day`?",
        "docs-relist/swe/page.md:6: DATA027 {relist} names `profit`, which is not a fact",
    ]


def test_every_check_has_a_fixture_that_triggers_it():
    codes = {code for path in BAD for _, code, _ in EXPECT.findall(path.read_text("utf-8"))}
    assert codes | {"DATA027"} == {SYNTAX_CODE, SCHEMA_CODE, *relist.CHECKS}


def test_facts_are_shown_as_the_file_says_them():
    model, problems = relist.validate(load(FIXTURES / "good" / "relist" / "facts.relist.yaml"))
    assert model is not None and problems == []
    computed = relist.values(model)
    shown = {key: relist.render(model, key, computed) for key in model.facts}
    assert shown == {
        "listings_per_day": "120,000",
        "share": "14%",
        "per_day": "16,800",
        "threshold": "0.9",
        "since": "2021",
    }


@pytest.mark.parametrize(
    ("fact", "shown"),
    [
        ("value: 150\n    unit: ms", "150 ms"),
        ("value: 9\n    unit: million", "9 million"),
        ("expr: 2 / 3 * 100\n    round: 1\n    unit: '%'", "66.7%"),
        ("expr: 16800 * 35 / 3600", "163"),
        ("value: 0.15\n    unit: percentage point", "0.15 percentage point"),
        ("value: 0.40\n    round: 2\n    unit: $", "$0.40"),
        ("expr: 72000 * 0.0376 / 100\n    round: 0\n    unit: $", "$27"),
    ],
)
def test_units_rounding_and_separators(fact, shown):
    text = f"facts:\n  x:\n    {fact}\n    about: X.\n"
    model, problems = relist.validate(parse(text, "x.relist.yaml"))
    assert problems == [] and model is not None
    assert relist.render(model, "x", relist.values(model)) == shown


def test_the_real_file_is_checked_by_default_and_is_clean(capsys):
    assert DOCS / "_data" / "relist.yaml" in default_files(DOCS)
    assert run(capsys) == (0, "", "")
