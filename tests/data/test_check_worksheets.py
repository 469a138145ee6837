"""``handbook check-data`` on the worksheets: the schema and checks, on fixtures and on the
real files.

Each fixture under ``fixtures/bad/worksheets`` states, in ``# expect: LINE: CODE message``
comments at its end, exactly what check-data must report; ``fixtures/good/worksheets``
holds files that must pass.  A file is a worksheet because its folder is named
``worksheets``; its links point into ``fixtures/docs`` and its keys into ``fixtures/refs.bib``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from handbook.data import mixes, skills, worksheets
from handbook.data.cli import default_files, main, schema_of
from handbook.data.schema import SCHEMA_CODE, SYNTAX_CODE
from handbook.data.source import parse
from handbook.paths import DOCS, ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = sorted((FIXTURES / "bad" / "worksheets").iterdir())
GOOD = sorted((FIXTURES / "good" / "worksheets").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+): (DATA\d{3}) (.*)$", re.M)
WORKSHEETS = DOCS / "_data" / "worksheets"
#: The worksheets the issue asks for, at least eight, each taught by a chapter.
REAL = sorted(WORKSHEETS.glob("*.yaml"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def expectations(path: Path) -> list[tuple[str, str, str]]:
    return EXPECT.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_each_bad_worksheet_reports_exactly_what_it_states(in_fixtures, capsys, path: Path):
    rel = path.relative_to(FIXTURES).as_posix()
    expected = [f"{rel}:{line}: {code} {message}" for line, code, message in expectations(path)]
    assert expected, f"{rel} states no expected findings"
    status, out, err = run(capsys, "--docs", "docs", "--references", "refs.bib", rel)
    assert (status, err) == (1, "")
    assert out.splitlines() == expected


def test_every_worksheet_check_has_a_fixture_that_triggers_it():
    codes = {code for path in BAD for _, code, _ in expectations(path)}
    assert codes == {SYNTAX_CODE, SCHEMA_CODE, *worksheets.CHECKS}


def test_good_worksheets_exit_0_silently(in_fixtures, capsys):
    files = [path.relative_to(FIXTURES).as_posix() for path in GOOD]
    assert files == ["good/worksheets/minimal.yaml", "good/worksheets/rollout-plan.yaml"]
    assert run(capsys, "--docs", "docs", "--references", "refs.bib", *files) == (0, "", "")


def test_the_codes_follow_the_mixes_and_are_documented():
    codes = sorted([SYNTAX_CODE, SCHEMA_CODE, *skills.CHECKS, *mixes.CHECKS, *worksheets.CHECKS])
    assert codes == [f"DATA{n:03d}" for n in range(1, len(codes) + 1)]
    assert sorted(worksheets.CHECKS) == [f"DATA{n:03d}" for n in range(17, 23)]
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = contributing.split("\n## Worksheets\n", 1)[1].split("\n## ", 1)[0]
    for entry in worksheets.CHECKS.values():
        assert f"| `{entry.code}` | {entry.name} |" in section, entry.code
        doc = entry.func.__doc__ or ""
        assert "Bad:" in doc and "Good:" in doc


def test_list_checks_names_the_worksheet_checks(capsys):
    status, out, _ = run(capsys, "--list-checks")
    assert status == 0
    lines = out.splitlines()
    assert (
        "DATA017  unique-names: Each section title and each field name is given once "
        "in the worksheet." in lines
    )
    assert (
        "DATA022  print-length: The worksheet prints on two A4 or Letter pages: "
        "at most 13 fields and 30 lines of box." in lines
    )


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        ("docs/_data/worksheets/experiment-plan.yaml", "worksheets"),
        ("docs/_data/worksheets/Plan.YML", "worksheets"),
        ("worksheets/a.yaml", "worksheets"),
        ("docs/_data/worksheets/notes.md", None),
        ("docs/_data/worksheets/old/a.yaml", None),
        ("docs/_data/experiment-plan.yaml", None),
    ],
)
def test_a_worksheet_is_chosen_by_its_folder(path: str, schema: str | None):
    assert schema_of(Path(path)) == schema


# -- messages ------------------------------------------------------------------------


def worksheet_text(**changes: str) -> str:
    """A valid worksheet with some lines replaced (each ``key: value`` line as written)."""
    lines = {
        "title": "title: Plan",
        "purpose": "purpose: What it is for.",
        "when": "when: When to use it.",
        "who": "who: Who fills it in.",
        "example": "example: part/chapter#part-rollout",
        "taught": "taught: [part/chapter#part-rollback]",
        "sections": "sections:",
        "section": "  - title: Stages",
        "fields": "    fields:",
        "name": "      - name: Canary",
        "guidance": "        guidance: A good answer.",
        "mistake": "        mistake: A common mistake.",
        "lines": "        lines: 2",
    }
    lines.update(changes)
    return "\n".join(line for line in lines.values() if line) + "\n"


def problems(text: str, **context: object) -> list[str]:
    source = parse(text, "x.yaml")
    _model, found = worksheets.validate(source, worksheets.Context(**context))  # type: ignore[arg-type]
    return [f"{p.line}: {p.code} {p.message}" for p in found]


def test_a_valid_worksheet_has_no_problems():
    assert problems(worksheet_text()) == []


FIELD = "sections[0].fields[0]"
NOT_A_MAPPING = {"section": "  - Stages", "fields": "", "name": ""}
NOT_A_MAPPING |= {"guidance": "", "mistake": "", "lines": ""}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "title:"}, "1: DATA002 title: empty"),
        ({"title": "title: " + "t" * 61}, "1: DATA002 title: 61 characters; at most 60"),
        (
            {"purpose": "purpose: No full stop"},
            "2: DATA002 purpose: must be one or more sentences, ending with a full stop",
        ),
        ({"lines": "        lines: 0"}, f"13: DATA002 {FIELD}.lines: 0 is less than 1"),
        ({"lines": "        lines: 9"}, f"13: DATA002 {FIELD}.lines: 9 is more than 8"),
        ({"lines": ""}, f"10: DATA002 {FIELD}.lines: required"),
        ({"taught": "taught: []"}, "6: DATA002 taught: give at least one"),
        (
            {"example": "example: part/chapter"},
            "5: DATA002 example: must be a page and a label, like ds/experiments#ds-sample-size",
        ),
        (NOT_A_MAPPING, "8: DATA002 sections[0]: must be a mapping of title, fields"),
        ({"name": "      - name: 12"}, f"10: DATA002 {FIELD}.name: must be text, not `12`"),
    ],
)
def test_the_schema_names_the_key_and_the_value(changes: dict[str, str], message: str):
    assert problems(worksheet_text(**changes)) == [message]


def test_the_limits_are_inclusive():
    text = worksheet_text(
        title="title: " + "t" * 60,
        guidance="        guidance: " + "g" * 239 + ".",
        mistake="        mistake: " + "m" * 199 + ".",
        lines="        lines: 8",
    )
    assert problems(text) == []


def test_links_and_keys_are_judged_only_against_what_is_known():
    text = worksheet_text() + "follows: [kohavi2020trustworthy]\n"
    assert problems(text) == []  # no pages or reading list given: not judged
    labels = {"part-rollout": "part/chapter", "part-rollback": "part/chapter"}
    known = {"docnames": frozenset({"part/chapter"}), "labels": labels}
    assert problems(text, bib_keys=frozenset({"kohavi2020trustworthy"}), **known) == []
    assert problems(text, bib_keys=frozenset(), labels={}, docnames=frozenset()) == [
        "5: DATA018 example: no page `part/chapter`",
        "6: DATA018 taught[0]: no page `part/chapter`",
        "14: DATA019 follows[0]: no entry `kohavi2020trustworthy` in references.bib",
    ]


def test_the_print_budget_counts_fields_and_lines():
    def text(*lines: int) -> str:
        one = "      - {name: F%d, guidance: G., mistake: M., lines: %d}"
        fields = "\n".join(one % (n, count) for n, count in enumerate(lines))
        return worksheet_text(name=fields, guidance="", mistake="", lines="")

    assert problems(text(*[2] * 13)) == []  # 13 fields, 26 lines
    assert problems(text(*[3] * 10)) == []  # 10 fields, 30 lines
    budget = "at most 13 fields and 30 lines print on two pages"
    assert problems(text(*[1] * 14)) == [
        f"7: DATA022 sections: 14 fields and 14 lines of box; {budget}"
    ]
    assert problems(text(*[3] * 10, 1)) == [
        f"7: DATA022 sections: 11 fields and 31 lines of box; {budget}"
    ]


# -- the real files ------------------------------------------------------------------


def test_check_data_without_arguments_covers_every_worksheet(capsys):
    files = default_files(DOCS)
    assert [path for path in files if path.parent == WORKSHEETS] == REAL
    assert run(capsys) == (0, "", "")


def test_check_data_without_arguments_finds_a_bad_worksheet(capsys, tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES / "docs", docs)
    (docs / "_data" / "worksheets").mkdir(parents=True)
    shutil.copy(FIXTURES / "good" / "skills.yaml", docs / "_data" / "skills.yaml")
    bad = FIXTURES / "bad" / "worksheets" / "follows.yaml"
    shutil.copy(bad, docs / "_data" / "worksheets" / "follows.yaml")
    status, out, err = run(capsys, "--docs", str(docs), "--references", str(FIXTURES / "refs.bib"))
    assert (status, err) == (1, "")
    assert out == (
        f"{docs}/_data/worksheets/follows.yaml:10: DATA019 follows[1]: "
        "no entry `mitchell2019modelcard` in references.bib\n"
    )


def _model(path: Path) -> worksheets.WorksheetFile:
    model, found = worksheets.validate(parse(path.read_text(encoding="utf-8"), path.name))
    assert model is not None and found == [], path.name
    return model


def test_the_handbook_has_at_least_eight_worksheets_each_taught_by_a_chapter():
    assert len(REAL) >= 8
    ids = {worksheets.worksheet_id(path) for path in REAL}
    assert {"ml-canvas", "data-audit", "experiment-plan", "model-card", "rollout-plan"} <= ids
    for path in REAL:
        model = _model(path)
        chapters = {link.split("#", 1)[0] for _loc, link in model.links()}
        assert chapters and all(c.split("/")[0] in {"start", "swe", "pm", "ds"} for c in chapters)
        for chapter in chapters:
            text = (DOCS / f"{chapter}.md").read_text(encoding="utf-8")
            assert f"/worksheets/{worksheets.worksheet_id(path)}" in text, (path.name, chapter)


def test_each_worksheet_has_a_page_that_renders_it():
    for path in REAL:
        ident = worksheets.worksheet_id(path)
        page = (DOCS / "worksheets" / f"{ident}.md").read_text(encoding="utf-8")
        assert f"```{{worksheet}} {ident}\n```" in page


# -- never a traceback ---------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
field_maps = st.dictionaries(
    st.sampled_from(["name", "guidance", "mistake", "lines", "x"]), values, max_size=5
)
shaped = st.fixed_dictionaries(
    {},
    optional={
        "title": values,
        "purpose": values,
        "when": values,
        "who": values,
        "follows": values,
        "example": values,
        "taught": values,
        "sections": st.lists(
            st.fixed_dictionaries(
                {}, optional={"title": values, "fields": st.lists(field_maps, max_size=3)}
            ),
            max_size=3,
        ),
    },
)


@settings(max_examples=200)
@given(st.one_of(values, shaped), st.text(max_size=12))
def test_any_yaml_gives_findings_not_exceptions(data, name):
    source = parse(yaml.safe_dump(data), "x.yaml")
    context = worksheets.Context(name, {}, frozenset(), frozenset())
    _model, found = worksheets.validate(source, context)
    for problem in found:
        assert problem.code.startswith("DATA") and problem.line >= 1 and problem.message
