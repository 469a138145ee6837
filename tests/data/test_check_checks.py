"""``handbook check-data`` on the record of check IDs, ``docs/_data/checks.yaml``.

Each fixture under ``fixtures/bad/checks`` states, in ``# expect: LINE: CODE
message`` comments at its end, exactly what check-data must report; their
pages are ``fixtures/docs-checks``.  (What the pages' checklists must satisfy
is ``check-pages``': tests/pages/test_pages_checkids.py.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handbook.data import checks
from handbook.data.cli import default_files, main
from handbook.data.schema import SCHEMA_CODE, SYNTAX_CODE
from handbook.paths import DOCS

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = sorted((FIXTURES / "bad" / "checks").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+): (DATA\d{3}) (.*)$", re.M)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_each_bad_record_reports_exactly_what_it_states(in_fixtures, capsys, path: Path):
    rel = path.relative_to(FIXTURES).as_posix()
    expected = [
        f"{rel}:{line}: {code} {message}"
        for line, code, message in EXPECT.findall(path.read_text(encoding="utf-8"))
    ]
    assert expected, f"{rel} states no expected findings"
    status, out, err = run(capsys, "--docs", "docs-checks", "--references", "refs.bib", rel)
    assert (status, err) == (1, "")
    assert out.splitlines() == expected


def test_every_check_of_the_record_has_a_fixture_that_triggers_it():
    codes = {code for path in BAD for _, code, _ in EXPECT.findall(path.read_text("utf-8"))}
    assert codes == {SYNTAX_CODE, SCHEMA_CODE, *checks.CHECKS}


def test_a_good_record_is_clean(in_fixtures, capsys):
    argv = ("--docs", "docs-checks", "--references", "refs.bib", "good/checks/checks.yaml")
    assert run(capsys, *argv) == (0, "", "")


def test_the_real_record_is_checked_by_default_and_is_clean(capsys):
    assert DOCS / "_data" / "checks.yaml" in default_files(DOCS)
    assert run(capsys) == (0, "", "")
