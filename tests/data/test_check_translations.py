"""``handbook check-data`` on the complete translations, ``docs/_data/translations.yaml``.

Each fixture under ``fixtures/bad/translations`` states, in ``# expect: LINE: CODE
message`` comments at its end, exactly what check-data must report; their pages
and catalogues are ``fixtures/docs-i18n``.  (What ``handbook i18n status --check``
makes of the file is tests/i18n/test_i18n_status.py.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handbook.data import translations
from handbook.data.cli import default_files, main
from handbook.data.schema import SCHEMA_CODE, SYNTAX_CODE
from handbook.data.source import parse
from handbook.paths import DOCS, ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = sorted((FIXTURES / "bad" / "translations").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+): (DATA\d{3}) (.*)$", re.M)
ARGS = ("--docs", "docs-i18n", "--references", "refs.bib")


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
    status, out, err = run(capsys, *ARGS, rel)
    assert (status, err) == (1, "")
    assert out.splitlines() == expected


def test_every_check_has_a_fixture_that_triggers_it():
    codes = {code for path in BAD for _, code, _ in EXPECT.findall(path.read_text("utf-8"))}
    assert codes == {SYNTAX_CODE, SCHEMA_CODE, *translations.CHECKS}


def test_a_good_file_is_clean(in_fixtures, capsys):
    assert run(capsys, *ARGS, "good/translations/translations.yaml") == (0, "", "")


def test_an_empty_file_lists_nothing_and_is_clean(in_fixtures, capsys, tmp_path):
    empty = tmp_path / "translations.yaml"
    empty.write_text("# Nothing is complete yet.\n", encoding="utf-8")
    assert run(capsys, *ARGS, str(empty)) == (0, "", "")


def test_the_pages_listed_complete_come_with_their_lines():
    source = parse("ja:\n  complete:\n    - index\n\n    - sphinx\n", "translations.yaml")
    model, problems = translations.validate(source)
    assert model is not None and problems == []
    assert [
        (entry.page, entry.line) for entry in translations.complete_pages(source, model, "ja")
    ] == [
        ("index", 3),
        ("sphinx", 5),
    ]
    assert translations.complete_pages(source, model, "fr") == []


def test_the_catalogue_of_a_page_is_one_file_per_page():
    assert translations.catalogue_path(Path("docs"), "ja", "start/index") == Path(
        "docs/locales/ja/LC_MESSAGES/start/index.po"
    )


def test_the_real_file_is_checked_by_default_and_is_clean(capsys):
    assert DOCS / "_data" / "translations.yaml" in default_files(DOCS)
    assert run(capsys, str(DOCS / "_data" / "translations.yaml")) == (0, "", "")


def test_the_codes_follow_the_relist_checks_and_are_documented():
    assert sorted(translations.CHECKS) == ["DATA028", "DATA029", "DATA030"]
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = contributing.split("\n## Translating\n", 1)[1].split("\n## ", 1)[0]
    for entry in translations.CHECKS.values():
        assert f"| `{entry.code}` | {entry.name} |" in section, entry.code
    for code in ("I18N001", "I18N002", "I18N003"):
        assert f"| `{code}` |" in section, code
