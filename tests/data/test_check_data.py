"""``handbook check-data``: the skills matrix's schema and checks, on fixtures and on the real file.

Each bad fixture under ``fixtures/bad`` states, in ``# expect: LINE: CODE message``
comments at its end, exactly what check-data must report; ``fixtures/docs`` is
the docs tree their chapter links point into and ``fixtures/refs.bib`` the
reading list.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from handbook.data import checks, mixes, relist, skills, terminology, translations, worksheets
from handbook.data.cli import main
from handbook.data.source import parse
from handbook.paths import DOCS
from handbook.vocabulary import ROLES

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = sorted((FIXTURES / "bad").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+): (DATA\d{3}) (.*)$", re.M)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_each_bad_fixture_reports_exactly_what_it_states(in_fixtures, capsys, path: Path):
    rel = path.relative_to(FIXTURES).as_posix()
    expected = [
        f"{rel}:{line}: {code} {message}"
        for line, code, message in EXPECT.findall(path.read_text(encoding="utf-8"))
    ]
    assert expected, f"{rel} states no expected findings"
    status, out, err = run(capsys, "--docs", "docs", "--references", "refs.bib", rel)
    assert (status, err) == (1, "")
    assert out.splitlines() == expected


def test_every_check_has_a_fixture_that_triggers_it():
    codes = {
        code for path in BAD for _, code, _ in EXPECT.findall(path.read_text(encoding="utf-8"))
    }
    assert codes == {skills.SYNTAX_CODE, skills.SCHEMA_CODE, *skills.CHECKS}


def test_a_clean_file_exits_0_silently(in_fixtures, capsys):
    assert run(capsys, "--docs", "docs", "--references", "refs.bib", "good/skills.yaml") == (
        0,
        "",
        "",
    )


def test_pages_that_link_a_vanished_or_retired_skill_are_named(in_fixtures, capsys):
    """The file holds every id ever given, so a page's link to a missing one is a deletion
    or a typo, told apart without git history."""
    status, out, err = run(
        capsys, "--docs", "docs-links", "--references", "refs.bib", "good/skills.yaml"
    )
    assert (status, err) == (1, "")
    assert out.splitlines() == [
        "docs-links/part/links.md:5: DATA009 no skill `swe-vanished` in the matrix: "
        "a skill is retired, never deleted",
        "docs-links/part/links.md:5: DATA010 the skill `swe-canary` is retired; link `swe-rollout`",
    ]


def test_json_and_github_formats(in_fixtures, capsys):
    args = ("--docs", "docs", "--references", "refs.bib", "bad/reading.skills.yaml")
    status, out, _ = run(capsys, *args, "--format", "json")
    assert status == 1
    assert json.loads(out) == [
        {
            "path": "bad/reading.skills.yaml",
            "line": 30,
            "code": "DATA008",
            "message": "skills[0].reading[1]: no entry `kohavi2020trustworthi` in references.bib",
        }
    ]
    status, out, _ = run(capsys, *args, "--format", "github")
    assert out.startswith("::error file=bad/reading.skills.yaml,line=30::DATA008 ")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "notes.yaml",
            b"a: 1\n",
            "notes.yaml:1: INPUT no schema for this file "
            "(known: skills.yaml, mixes/*.yaml, worksheets/*.yaml, checks.yaml, relist.yaml, "
            "translations.yaml, terminology.yaml)",
        ),
        ("gone.skills.yaml", None, "gone.skills.yaml:1: INPUT no such file"),
        (
            "latin1.skills.yaml",
            b"levels:\n  - name: \xe9\n",
            "latin1.skills.yaml:2: INPUT not UTF-8 (invalid byte 0xe9)",
        ),
    ],
)
def test_unusable_files_exit_2(in_fixtures, capsys, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    status, out, err = run(capsys, "--docs", "docs", "--references", "refs.bib", str(path))
    assert (status, out) == (2, "")
    assert err == message.replace(name, str(path), 1) + "\n"


def test_list_checks_names_every_code(capsys):
    status, out, _ = run(capsys, "--list-checks")
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()] == sorted(
        [
            skills.SYNTAX_CODE,
            skills.SCHEMA_CODE,
            *skills.CHECKS,
            *mixes.CHECKS,
            *worksheets.CHECKS,
            *checks.CHECKS,
            *relist.CHECKS,
            *translations.CHECKS,
            *terminology.CHECKS,
        ]
    )


def test_the_registry_codes_are_consecutive_and_documented():
    codes = sorted([skills.SYNTAX_CODE, skills.SCHEMA_CODE, *skills.CHECKS])
    assert codes == [f"DATA{n:03d}" for n in range(1, len(codes) + 1)]
    for entry in skills.CHECKS.values():
        assert "Bad:" in (entry.func.__doc__ or "") and "Good:" in (entry.func.__doc__ or "")


# -- the real file -----------------------------------------------------------------------


def test_the_handbooks_matrix_is_clean(capsys):
    assert run(capsys) == (0, "", "")


def test_the_handbooks_matrix_is_complete():
    source = parse((DOCS / "_data" / "skills.yaml").read_text(encoding="utf-8"), "skills.yaml")
    model, problems = skills.validate(source)
    assert model is not None and problems == []
    assert [level.name for level in model.levels] == ["Entry", "Independent", "Senior", "Lead"]
    per_role = {role: [s for s in model.active if s.role == role] for role in ROLES}
    assert len(model.active) >= 36
    assert {role: len(found) >= 12 for role, found in per_role.items()} == dict.fromkeys(
        ROLES, True
    )
    for skill in model.active:
        assert len(skill.statements) == 4 and skill.chapters and skill.reading, skill.id


# -- never a traceback -------------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=12)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
shaped = st.fixed_dictionaries(
    {},
    optional={
        "levels": st.lists(
            st.dictionaries(st.sampled_from(["name", "meaning", "x"]), values), max_size=5
        ),
        "areas": st.lists(
            st.dictionaries(st.sampled_from(["id", "role", "name"]), values), max_size=3
        ),
        "skills": st.lists(
            st.dictionaries(
                st.sampled_from(
                    [
                        "id",
                        "role",
                        "area",
                        "name",
                        "statements",
                        "chapters",
                        "reading",
                        "retired",
                        "replaced_by",
                    ]
                ),
                values,
            ),
            max_size=4,
        ),
    },
)


@settings(max_examples=200)
@given(st.one_of(values, shaped))
def test_any_yaml_gives_findings_not_exceptions(data):
    source = parse(yaml.safe_dump(data), "x.skills.yaml")
    context = skills.Context(labels={}, docnames=frozenset(), bib_keys=frozenset())
    _model, problems = skills.validate(source, context)
    for problem in problems:
        assert problem.code.startswith("DATA") and problem.line >= 1 and problem.message
