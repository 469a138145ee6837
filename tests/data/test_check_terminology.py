"""``handbook check-data`` on the terminology list, ``docs/_data/terminology.yaml``, and
the gojūon order its readings give.

Each fixture under ``fixtures/bad/terminology`` states, in ``# expect: LINE: CODE
message`` comments at its end, exactly what check-data must report.  (What the
list means for the translations is tests/i18n/test_terminology.py.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handbook.data import terminology
from handbook.data.cli import default_files, main
from handbook.data.schema import SCHEMA_CODE, SYNTAX_CODE
from handbook.data.terminology import reading_key
from handbook.paths import DOCS, ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = sorted((FIXTURES / "bad" / "terminology").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+): (DATA\d{3}) (.*)$", re.M)
ARGS = ("--docs", "docs-i18n", "--references", "refs.bib")


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_each_bad_file_reports_exactly_what_it_states(in_fixtures, capsys, path: Path):
    rel = path.relative_to(FIXTURES).as_posix()
    expected = [
        f"{rel}:{line}: {code} {message}"
        for line, code, message in EXPECT.findall(path.read_text(encoding="utf-8"))
    ]
    assert expected, f"{rel} states no expected findings"
    status = main([*ARGS, rel])
    out, err = capsys.readouterr()
    assert (status, err) == (1, "")
    assert out.splitlines() == expected


def test_every_check_has_a_fixture_that_triggers_it():
    codes = {code for path in BAD for _, code, _ in EXPECT.findall(path.read_text("utf-8"))}
    assert codes == {SYNTAX_CODE, SCHEMA_CODE, *terminology.CHECKS}


def test_the_handbooks_list_is_checked_by_default_and_clean(capsys):
    listed = DOCS / "_data" / "terminology.yaml"
    assert listed in default_files(DOCS)
    assert main([str(listed.relative_to(ROOT))]) == 0
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("expected", "why"),
    [
        (["がいねん", "かなりあ", "きかい"], "が sorts as か (code points: か, が, き)"),
        (["かき", "かぎ", "がき"], "among equals, unvoiced before voiced, kana by kana"),
        (["はは", "ばば", "ぱぱ"], "は, then ば, then ぱ"),
        (["きやく", "きゃく", "きゅう"], "ゃ as や; among equals large before small"),
        (["べえす", "べーす", "べつ"], "ー as the vowel it lengthens (べー as べえ), after it"),
        (["てーる", "てすと"], "ー as え, before す"),
        (["こうちく・あ", "こうちくい"], "・ does not count"),
        (["あ", "ゔ", "ん"], "ゔ as う"),
    ],
)
def test_readings_sort_in_gojuon_order(expected: list[str], why: str):
    assert sorted(reversed(expected), key=reading_key) == expected, why
    assert sorted(expected, key=reading_key) == expected, why
