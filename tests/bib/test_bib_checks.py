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

from handbook import vocabulary
from handbook.bib import checks
from handbook.bib.cli import main
from handbook.bib.parse import parse_text
from handbook.paths import ROOT

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


def test_contributing_lists_every_check() -> None:
    """CONTRIBUTING.md's table of codes: one row a check, its code and name."""
    text = (Path(ROOT) / "CONTRIBUTING.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(BIB\d{3})` \| ([a-z0-9-]+) \|", text, re.MULTILINE)
    assert rows == [(code, chk.name) for code, chk in checks.CHECKS.items()]


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
    assert set(vocabulary.FORMATS) == {
        *("book", "paper", "article", "course", "talk", "post"),
        *("law", "standard", "docs"),
    }
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


# -- key suggestions come from the fields -------------------------------------

NOT_PATTERN = (
    "is not authorYYYYword (lower-case letters, the year or 'nd', then a word of letters"
    " and digits that starts with a letter)"
)


def check_text(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], select: str
) -> tuple[int, str]:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    status = main(["check", "--select", select, str(path)])
    out, err = capsys.readouterr()
    assert err == ""
    return status, out.replace(f"{path}:", "refs.bib:")


@pytest.mark.parametrize(
    ("key", "fields", "message"),
    [
        (
            "vand95",
            "author = {van Dyke, Jan}, title = {The Art of Keys}, year = {1995}",
            f"key 'vand95' {NOT_PATTERN}: use 'vandyke1995art'",
        ),
        (
            "ries:2011",
            "author = {Ries, Eric and Other, Anne}, title = {The Lean Startup}, year = 2011",
            f"key 'ries:2011' {NOT_PATTERN}: use 'ries2011lean'",
        ),
        (
            "Muller2019",
            'author = {M{\\"u}ller, Hans}, title = {{\\"U}ber {ML}: a study}, year = {2019}',
            f"key 'Muller2019' {NOT_PATTERN}: use 'muller2019uber'",
        ),
        (
            "Beyer-SRE",
            "editor = {Beyer, Betsy}, title = {Site Reliability Engineering}, date = {2016-04}",
            f"key 'Beyer-SRE' {NOT_PATTERN}: use 'beyer2016site'",
        ),
        (
            "Zinkevich-rules",
            "author = {Zinkevich, Martin}, title = {Rules of Machine Learning}",
            f"key 'Zinkevich-rules' {NOT_PATTERN}: use 'zinkevichndrules'",
        ),
        (
            "ariga-2018",
            "author = {{有賀康顕}}, title = {仕事ではじめる機械学習}, year = {2018}",
            f"key 'ariga-2018' {NOT_PATTERN}",
        ),
        (
            "Anon-2020",
            "title = {Anonymous}, year = {2020}",
            f"key 'Anon-2020' {NOT_PATTERN}",
        ),
    ],
)
def test_key_not_in_the_pattern_gets_a_suggestion_from_the_fields(
    key: str, fields: str, message: str, tmp_path: Path, capsys
) -> None:
    status, out = check_text(f"@misc{{{key}, {fields}}}\n", tmp_path, capsys, "BIB007,BIB008")
    assert (status, out) == (1, f"refs.bib:1: BIB007 {message}\n")


def test_nd_key_with_a_year_suggests_only_what_the_fields_support(tmp_path: Path, capsys) -> None:
    text = (
        "@misc{zinkevichndrules,\n  author = {Zinkevich, Martin},\n  year = {2017},\n}\n"
        "@misc{smithndrules,\n  author = {Zinkevich, Martin},\n  year = {2017},\n}\n"
        "@misc{grandeur,\n  author = {Grandeur, Ann},\n  year = {2017},\n}\n"
    )
    status, out = check_text(text, tmp_path, capsys, "BIB008")
    assert (status, out) == (
        1,
        "refs.bib:3: BIB008 key 'zinkevichndrules' says no year but year = 2017:"
        " use 'zinkevich2017rules'\n"
        "refs.bib:7: BIB008 key 'smithndrules' says no year but year = 2017\n"
        "refs.bib:11: BIB008 key 'grandeur' says no year but year = 2017\n",
    )


def test_the_word_after_the_year_starts_with_a_letter() -> None:
    for key in ("ries2011lean", "zinkevichndrules", "ries2011", "lakshmanan2020mldp"):
        assert checks.KEY_RE.match(key), key
    for key in ("vand95", "ries20112", "ries2011-lean", "Ries2011lean", "riesnd2"):
        assert not checks.KEY_RE.match(key), key


# -- crossref: inherited fields ------------------------------------------------


def test_required_fields_are_inherited_through_crossref(tmp_path: Path, capsys) -> None:
    text = (
        "@inproceedings{sculley2015hidden, author = {Sculley, D.}, title = {Hidden},"
        " crossref = {NIPS2015}}\n"
        "@inproceedings{sculley2014high, author = {Sculley, D.}, title = {High},"
        " crossref = {nips2015}, year = {2014}}\n"
        "@book{nips2015, editor = {Cortes, Corinna}, title = {NIPS 28}, year = {2015},"
        " publisher = {Curran}}\n"
        "@inproceedings{breck2017ml, author = {Breck, Eric}, title = {ML}, crossref = {nope}}\n"
    )
    status, out = check_text(text, tmp_path, capsys, "BIB006,BIB008")
    assert (status, out) == (
        1,
        "refs.bib:4: BIB006 @inproceedings 'breck2017ml' has no booktitle\n"
        "refs.bib:4: BIB006 @inproceedings 'breck2017ml' has no year\n",
    )


def test_key_year_is_compared_with_an_inherited_year(tmp_path: Path, capsys) -> None:
    text = (
        "@misc{sculley2014hidden, author = {Sculley, D.}, title = {Hidden}, crossref = {nips}}\n"
        "@misc{sculleyndhigh, author = {Sculley, D.}, title = {High}, crossref = {nips}}\n"
        "@misc{nips, title = {NIPS 28}, year = {2015}}\n"
    )
    status, out = check_text(text, tmp_path, capsys, "BIB008")
    assert (status, out) == (
        1,
        "refs.bib:1: BIB008 key 'sculley2014hidden' has year 2014 but year = 2015"
        " (from crossref 'nips')\n"
        "refs.bib:2: BIB008 key 'sculleyndhigh' says no year but year = 2015"
        " (from crossref 'nips'): use 'sculley2015high'\n",
    )


# -- @comment ------------------------------------------------------------------


def test_comment_commands_are_parsed_as_pybtex_does() -> None:
    """pybtex reads an entry inside a @comment body (so the site shows it): the comment
    ends there, and the brace left after the entry is text outside any entry."""
    text = (
        "@comment{jabref-meta: x;}\n"
        "@comment{ @misc{a2020b, title = {T}} }\n"
        "@comment(\n  paren body { with ) inside braces }\n)\n"
        "stray\n"
    )
    bib = parse_text(text)
    assert [entry.key for entry in bib.entries] == ["a2020b"]
    assert not bib.errors
    findings = checks.run_checks(bib, {"BIB002"})
    assert [(f.line, f.message) for f in findings] == [
        (2, "text outside an entry: '}' (start comment lines with %)"),
        (6, "text outside an entry: 'stray' (start comment lines with %)"),
    ]


def test_a_law_a_standard_and_a_docs_page_each_pass_with_their_format(capsys) -> None:
    fixture = GOOD / "formats.bib"
    status, lines, err = run_check(fixture, capsys)
    assert (status, lines, err) == (0, [], "")
    formats = [
        ref.split("keywords = {")[1].split("}")[0].split(", ")[-1]
        for ref in fixture.read_text("utf-8").split("\n@")[1:]
    ]
    assert sorted(formats) == ["docs", "law", "standard"]
