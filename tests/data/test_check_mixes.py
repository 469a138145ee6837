"""``handbook check-data`` on readers' skill mixes: the schema and checks, on fixtures and on
the real files.

Each fixture under ``fixtures/bad/**/mixes`` states, in ``# expect: LINE: CODE message``
comments at its end, exactly what check-data must report (``# expect: clean`` for a
file that is only there for another one to repeat); ``fixtures/good/mixes`` holds
files that must pass.  A file is a mix because its folder is named ``mixes``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from handbook.bib.parse import parse_text
from handbook.data import mixes, skills
from handbook.data.cli import default_files, main, schema_of
from handbook.data.schema import SCHEMA_CODE, SYNTAX_CODE, yaml_files
from handbook.data.source import parse
from handbook.paths import DOCS, REFERENCES, ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = sorted(path for path in (FIXTURES / "bad").rglob("*.yaml") if path.parent.name == "mixes")
GOOD = sorted((FIXTURES / "good" / "mixes").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+): (DATA\d{3}) (.*)$", re.M)
CLEAN = "# expect: clean"
MIXES = DOCS / "_data" / "mixes"
ESSAY = MIXES / "ueta2020skills.yaml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def expectations(path: Path) -> list[tuple[str, str, str]]:
    return EXPECT.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.relative_to(FIXTURES / "bad").as_posix())
def test_each_bad_mix_reports_exactly_what_it_states(in_fixtures, capsys, path: Path):
    rel = path.relative_to(FIXTURES).as_posix()
    expected = [f"{rel}:{line}: {code} {message}" for line, code, message in expectations(path)]
    clean = CLEAN in path.read_text(encoding="utf-8")
    assert bool(expected) != clean, f"{rel} states neither findings nor `{CLEAN}`"
    status, out, err = run(capsys, "--docs", "docs", "--references", "refs.bib", rel)
    assert (status, err) == ((0, "") if clean else (1, ""))
    assert out.splitlines() == expected


def test_every_mix_check_has_a_fixture_that_triggers_it():
    codes = {code for path in BAD for _, code, _ in expectations(path)}
    assert codes == {SYNTAX_CODE, SCHEMA_CODE, *mixes.CHECKS}


def test_the_sum_markup_and_http_fixtures_are_there():
    """The three rejections the issue names, each in a fixture of its own."""
    stated = {path.name: [code for _, code, _ in expectations(path)] for path in BAD}
    assert stated["sum.yaml"] == ["DATA011"]
    assert stated["markup-why.yaml"] == ["DATA012"]
    assert stated["http-source.yaml"] == ["DATA013"]


def test_good_mixes_exit_0_silently(in_fixtures, capsys):
    files = [path.relative_to(FIXTURES).as_posix() for path in GOOD]
    assert len(files) == 2
    assert run(capsys, "--docs", "docs", "--references", "refs.bib", *files) == (0, "", "")


def test_the_codes_follow_the_matrixs_and_are_documented():
    codes = sorted([SYNTAX_CODE, SCHEMA_CODE, *skills.CHECKS, *mixes.CHECKS])
    assert codes == [f"DATA{n:03d}" for n in range(1, len(codes) + 1)]
    assert sorted(mixes.CHECKS) == [f"DATA{n:03d}" for n in range(11, 17)]
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for entry in mixes.CHECKS.values():
        assert f"| `{entry.code}` | {entry.name} |" in contributing, entry.code
        doc = entry.func.__doc__ or ""
        assert "Bad:" in doc and "Good:" in doc


def test_list_checks_names_the_mix_checks(capsys):
    status, out, _ = run(capsys, "--list-checks")
    assert status == 0
    assert "DATA011  mix-sum: The three weights add up to 100." in out.splitlines()
    assert (
        "DATA016  cite: ``cite``, where given, is a key of references.bib: the mix is that work's."
        in out.splitlines()
    )


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        ("docs/_data/skills.yaml", "skills"),
        ("x/matrix.skills.yaml", "skills"),
        ("docs/_data/mixes/jane-doe.yaml", "mixes"),
        ("docs/_data/mixes/Jane.YML", "mixes"),
        ("mixes/a.yaml", "mixes"),
        ("docs/_data/mixes/notes.md", None),
        ("docs/_data/jane-doe.yaml", None),
        ("docs/_data/mixes/old/jane-doe.yaml", None),
    ],
)
def test_the_schema_is_chosen_by_name_and_folder(path: str, schema: str | None):
    assert schema_of(Path(path)) == schema


# -- messages ------------------------------------------------------------------------


def mix_text(**changes: str) -> str:
    """A valid mix file with some values replaced (each ``key: value`` line as written)."""
    lines = {
        "name": "name: Ada Example",
        "title": "title: ML engineer",
        "context": "context:",
        "company": "  company: Online marketplace",
        "size": "  size: 1001-5000",
        "team": "  team: Search ranking",
        "years": "years: 3",
        "mix": "mix:",
        "swe": "  swe: 40",
        "pm": "  pm: 30",
        "ds": "  ds: 30",
        "why": "why: Plain words.",
    }
    for key, value in changes.items():
        lines[key] = value
    return "\n".join(line for line in lines.values() if line) + "\n"


def problems(text: str, **context: object) -> list[str]:
    _model, found = mixes.validate(parse(text, "x.yaml"), mixes.Context(**context))  # type: ignore[arg-type]
    return [f"{p.line}: {p.code} {p.message}" for p in found]


@pytest.mark.parametrize(
    ("why", "message"),
    [
        ("Use <script>alert(1)</script> here", "`<script>` is HTML"),
        ("Profit > cost", "`>` is HTML"),
        ("Tom &amp; Jerry", "`&amp;` is an HTML entity"),
        ("Read [this](x) first", "`[this](` is a Markdown link"),
        ("A {cite}`key` role", "`{cite}` is MyST syntax"),
        ("A } brace", "`}` is MyST syntax"),
        ("An *emphasised* word", "`*` is Markdown emphasis"),
        ("An _emphasised_ word", "`_` is Markdown emphasis"),
        ("A __strong__ word", "`__` is Markdown emphasis"),
        (
            "See HTTPS://example.com.",
            "`HTTPS://example.com` is a web address (a link goes in `source`)",
        ),
        ('"A\\ttab"', "a character that does not print (U+0009, a control character)"),
        ('"A\\u202Ereversal"', "a character that does not print (U+202E, right-to-left override)"),
        ("Words <b> then `code`", "`<b>` is HTML"),  # the first thing found
    ],
)
def test_markup_is_named_with_what_it_is(why: str, message: str):
    assert problems(mix_text(why=f"why: {why}")) == [
        f"12: DATA012 why: {message}; write plain text"
    ]


@pytest.mark.parametrize(
    "why", ["snake_case and 5 - 3 = 2, 100% sure; (really) & so on", "Ça va, 日本語も"]
)
def test_plain_text_passes(why: str):
    assert problems(mix_text(why=f"why: {why}")) == []


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("https://example.com/a?b=c#d", None),
        ("https://example.com:8443/a", None),
        ("http://example.com/", "is not https; give the https address"),
        ("HTTP://example.com/", "is not https; give the https address"),
        ("example.com/post", "is not an absolute https address, like https://example.com/my-post"),
        ("/posts/mine", "is not an absolute https address, like https://example.com/my-post"),
        (
            "javascript:alert(1)",
            "is not an absolute https address, like https://example.com/my-post",
        ),
        ("https://user@example.com/", "has a user name or password in it"),
        ("https:///path", "has no host name"),
        ('"https://exa mple.com/"', "has white space in it"),
        ("https://example.com/<x>", "has a character a web address cannot have (`<`)"),
    ],
)
def test_source_must_be_an_https_address(source: str, message: str | None):
    found = problems(mix_text() + f"source: {source}\n")
    shown = yaml.safe_load(f"s: {source}")["s"]
    assert found == ([] if message is None else [f"13: DATA013 source: `{shown}` {message}"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"years": "years:"}, "7: DATA002 years: empty"),
        ({"years": "years: yes"}, "7: DATA002 years: `true` is not a whole number"),
        ({"name": "name: 2024"}, "1: DATA002 name: must be text, not `2024`"),
        ({"why": 'why: ""'}, "12: DATA002 why: empty"),
        ({"why": "why: " + "w" * 401}, "12: DATA002 why: 401 characters; at most 400"),
        ({"title": "title: " + "t" * 81}, "2: DATA002 title: 81 characters; at most 80"),
        ({"team": "  team: " + "t" * 81}, "6: DATA002 context.team: 81 characters; at most 80"),
        (
            {"mix": "mix: 100", "swe": "", "pm": "", "ds": ""},
            "8: DATA002 mix: must be a mapping of swe, pm, ds",
        ),
        ({"pm": ""}, "8: DATA002 mix.pm: required"),
        ({"name": "name: A\nname: B"}, "1: DATA002 name: given twice; YAML keeps only the last"),
    ],
)
def test_the_schema_names_the_key_and_the_value(changes: dict[str, str], message: str):
    assert problems(mix_text(**changes)) == [message]


def test_the_limits_are_inclusive():
    text = mix_text(
        name="name: " + "n" * 60,
        why="why: " + "w" * 400,
        years="years: 50",
        swe="  swe: 100",
        pm="  pm: 0",
        ds="  ds: 0",
    )
    assert problems(text) == []


def test_cite_is_checked_against_the_reading_list():
    text = mix_text() + "cite: ueta2020skills\n"
    assert problems(text, bib_keys=frozenset({"ueta2020skills"})) == []
    assert problems(text, bib_keys=frozenset()) == [
        "13: DATA016 cite: no entry `ueta2020skills` in references.bib"
    ]
    assert problems(text) == []  # no reading list given: not judged


def _model(text: str) -> mixes.MixFile:
    model, found = mixes.validate(parse(text, "x.yaml"))
    assert model is not None and found == []
    return model


def test_two_anonymous_files_are_the_same_person_only_with_the_same_context_and_years():
    anonymous = mix_text(name="name: anonymous")
    other_team = mix_text(name="name: Anonymous", team="  team: Ads")
    assert problems(anonymous, earlier=[("a.yaml", _model(other_team))]) == []
    assert problems(anonymous, earlier=[("a.yaml", _model(anonymous))]) == [
        "1: DATA015 the same name, title, context, years and mix as `a.yaml`: one file per person"
    ]


def test_a_named_person_is_the_same_whatever_the_context():
    text = mix_text()
    moved = mix_text(company="  company: Bank", years="years: 9")
    assert problems(text, earlier=[("ada.yaml", _model(moved))]) == [
        "1: DATA015 the same name, title and mix as `ada.yaml`: one file per person"
    ]
    changed = mix_text(swe="  swe: 50", pm="  pm: 20")
    assert problems(text, earlier=[("ada.yaml", _model(changed))]) == []


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("Jane_Doe.yaml", "jane-doe.yaml"), ("jane.yml", "jane.yaml"), ("-x-.yaml", "x.yaml")],
)
def test_a_file_name_must_be_lower_case_words_and_hyphens(name: str, suggestion: str):
    assert problems(mix_text(), file_name=name) == [
        f"1: DATA014 file name `{name}`: must be lower-case letters, digits and hyphens, "
        f"ending .yaml, like `{suggestion}`"
    ]
    assert problems(mix_text(), file_name="jane-doe-2.yaml") == []


# -- the real files ------------------------------------------------------------------


def test_check_data_without_arguments_covers_every_mix(capsys):
    files = default_files(DOCS)
    assert files[0] == DOCS / "_data" / "skills.yaml"
    mixes_given = [p for p in files[1:] if p.parent == MIXES]
    assert mixes_given == sorted(p for p in MIXES.iterdir() if p.suffix in (".yaml", ".yml"))
    assert ESSAY in files
    assert run(capsys) == (0, "", "")


def test_check_data_without_arguments_finds_a_bad_mix(capsys, tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES / "docs", docs)
    (docs / "_data" / "mixes").mkdir(parents=True)
    shutil.copy(FIXTURES / "good" / "skills.yaml", docs / "_data" / "skills.yaml")
    shutil.copy(FIXTURES / "bad" / "mixes" / "sum.yaml", docs / "_data" / "mixes" / "sum.yaml")
    status, out, err = run(capsys, "--docs", str(docs), "--references", str(FIXTURES / "refs.bib"))
    assert (status, err) == (1, "")
    assert out == f"{docs}/_data/mixes/sum.yaml:8: DATA011 mix adds up to 90, not 100\n"


def test_the_essays_entry_is_the_only_one_the_authors_wrote():
    """The gallery's one entry of our own is the essay's 40/30/30, with its source;
    every other file comes from a reader, so none other cites the reading list."""
    model = _model(ESSAY.read_text(encoding="utf-8"))
    assert (model.name, model.title, model.mix.weights()) == (
        "Shunya Ueta",
        "ML engineer",
        (40, 30, 30),
    )
    assert (model.context.size, model.years, model.cite) == ("not stated", 2, "ueta2020skills")
    bib = parse_text(REFERENCES.read_text(encoding="utf-8"), "references.bib")
    entry = next(entry for entry in bib.entries if entry.key == "ueta2020skills")
    assert model.source == entry.value("url")
    cited = [
        path.name
        for path in yaml_files(MIXES)
        if _model(path.read_text(encoding="utf-8")).cite is not None
    ]
    assert cited == ["ueta2020skills.yaml"]


# -- never a traceback ---------------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
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
        "name": values,
        "title": values,
        "context": st.dictionaries(st.sampled_from(["company", "size", "team", "x"]), values),
        "years": values,
        "mix": st.dictionaries(st.sampled_from(["swe", "pm", "ds", "x"]), values),
        "why": values,
        "source": values,
        "cite": values,
    },
)


@settings(max_examples=200)
@given(st.one_of(values, shaped), st.text(max_size=12))
def test_any_yaml_gives_findings_not_exceptions(data, name):
    source = parse(yaml.safe_dump(data), "x.yaml")
    context = mixes.Context(file_name=name, bib_keys=frozenset())
    _model, found = mixes.validate(source, context)
    for problem in found:
        assert problem.code.startswith("DATA") and problem.line >= 1 and problem.message
