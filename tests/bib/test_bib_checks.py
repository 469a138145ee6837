"""``handbook bib check`` against fixtures that state their own findings.

Every ``tests/bib/fixtures/bad/*.bib`` lists, in ``% expect: LINE: CODE text``
comment lines, exactly the findings it must produce (``text``, if given,
must occur in the message). The good fixtures must produce none.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from handbook.bib import checks, vocabulary
from handbook.bib.cli import main
from handbook.bib.parse import parse_text

from .helpers import BAD, GOOD, expectations

BAD_FIXTURES = sorted(BAD.glob("*.bib"))
GOOD_FIXTURES = sorted(GOOD.glob("*.bib"))
LINE_RE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<code>[A-Z]+\d{3}) (?P<message>.+)$")


def run_check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    status = main(["check", str(path)])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


@pytest.mark.parametrize("fixture", BAD_FIXTURES, ids=[p.name for p in BAD_FIXTURES])
def test_bad_fixture_gives_exactly_its_expected_findings(fixture: Path, capsys) -> None:
    expected = expectations(fixture)
    assert expected, f"{fixture.name} states no '% expect:' lines"
    status, lines, err = run_check(fixture, capsys)
    assert err == ""
    assert status == 1
    got = []
    for line in lines:
        match = LINE_RE.match(line)
        assert match, f"not 'path:line: CODE message': {line!r}"
        assert match["path"] == str(fixture)
        got.append((int(match["line"]), match["code"], match["message"]))
    assert Counter((line, code) for line, code, _ in got) == Counter(
        (e.line, e.code) for e in expected
    ), "\n".join(["got:", *lines])
    for exp in expected:
        messages = [m for line, code, m in got if (line, code) == (exp.line, exp.code)]
        assert any(exp.text in m for m in messages), f"{exp} not in {messages}"


@pytest.mark.parametrize("fixture", GOOD_FIXTURES, ids=[p.name for p in GOOD_FIXTURES])
def test_good_fixture_is_clean(fixture: Path, capsys) -> None:
    status, lines, err = run_check(fixture, capsys)
    assert (status, lines, err) == (0, [], "")


def test_every_check_has_a_bad_fixture() -> None:
    covered = {e.code for fixture in BAD_FIXTURES for e in expectations(fixture)}
    assert set(checks.CHECKS) <= covered, sorted(set(checks.CHECKS) - covered)


def test_registry_codes_names_and_docstrings() -> None:
    codes = list(checks.CHECKS)
    assert codes == sorted(codes)
    assert codes == [f"BIB{n:03d}" for n in range(1, len(codes) + 1)]
    for chk in checks.CHECKS.values():
        assert "Bad:" in chk.doc and "Good:" in chk.doc, chk.code
        assert chk.scope in {"file", "entry"}
    assert len({chk.name for chk in checks.CHECKS.values()}) == len(codes)


def test_registering_a_badly_named_check_fails() -> None:
    with pytest.raises(ValueError, match="check_"):

        @checks.check("BIB999")
        def no_prefix(ref: checks.Ref) -> checks.Problems:
            """Bad: x Good: y"""
            yield from ()

    assert "BIB999" not in checks.CHECKS


def test_vocabulary_groups() -> None:
    groups = [vocabulary.ROLES, vocabulary.LEVELS, vocabulary.FORMATS]
    assert vocabulary.ROLES == ("swe", "pm", "ds")
    assert vocabulary.LEVELS == ("intro", "practitioner", "advanced")
    assert set(vocabulary.FORMATS) == {"book", "paper", "article", "course", "talk", "post"}
    assert vocabulary.LANGUAGES == ("en", "ja")
    assert sum(len(g) for g in groups) == len(vocabulary.KEYWORDS)  # disjoint
    assert vocabulary.WEB_FORMATS.issubset(vocabulary.FORMATS)


def test_select_runs_only_the_chosen_checks(capsys) -> None:
    fixture = BAD / "entry-types.bib"
    status = main(["check", "--select", "bib005", str(fixture)])
    out = capsys.readouterr().out.splitlines()
    assert status == 1
    assert [line.split(": ")[1].split()[0] for line in out] == ["BIB005"]


def test_list_prints_every_check(capsys) -> None:
    assert main(["check", "--list"]) == 0
    out = capsys.readouterr().out
    for code, chk in checks.CHECKS.items():
        assert f"{code} {chk.name}" in out


def test_entry_lines_and_field_lines_are_real() -> None:
    text = "% c\n\n@book{a2020b,\n  title = {T},\n\n  year =\n    2020,\n}\n"
    bib = parse_text(text)
    (entry,) = bib.entries
    assert entry.line == 3
    assert [(f.name, f.line) for f in entry.fields] == [("title", 4), ("year", 6)]


def test_unverified_phrases_are_not_field_names() -> None:
    text = "@misc{a2020b, unverified = {exact listing title, year, author real name}}\n"
    (entry,) = parse_text(text).entries
    assert checks.make_ref(entry).unverified == frozenset({"year"})
