"""``handbook i18n status``: per page, how much is translated, and ``--check``'s findings.

The roots are ``tests/roots/test-i18n-*``: ``complete`` (every listed page
translated), ``behind`` (a fuzzy message in guide.po, an empty one in index.po)
and ``changed`` (the English edited after the catalogues were last refreshed).
Each is copied to ``docs/`` in a temporary folder and built for real (the strict
gettext build), so the paths printed are the repository's.
"""

from __future__ import annotations

import json

import pytest

from handbook import cli
from handbook.findings import Finding, print_github, print_github_warnings
from handbook.i18n.cli import main

EXTENSIONS = ("--extensions", "docs/_ext")

COMPLETE_TABLE = [
    "page    translated  outdated  untranslated",
    "extra       0% 0/2         0             2  no catalogue",
    "guide     100% 3/3         0             0  listed complete",
    "index     100% 2/2         0             0  listed complete",
    "sphinx    100% 3/3         0             0  listed complete",
    "ja: 3 of 4 pages translated; 8 of 10 messages (80%)",
]
BEHIND_TABLE = [
    "page    translated  outdated  untranslated",
    "extra       0% 0/2         0             2  no catalogue",
    "guide      66% 2/3         1             0  listed complete",
    "index      50% 1/2         0             1  listed complete",
    "sphinx    100% 3/3         0             0  listed complete",
    "ja: 1 of 4 pages translated; 6 of 10 messages (60%)",
]
BEHIND_FINDINGS = [
    "docs/locales/ja/LC_MESSAGES/guide.po:29: I18N001 guide: 1 message outdated (fuzzy); "
    'first: "The second paragraph of the guide."',
    "docs/locales/ja/LC_MESSAGES/index.po:25: I18N001 index: 1 message untranslated; "
    'first: "A handbook to test the translations\' tools."',
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["status", "--docs", "docs", *EXTENSIONS, *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_status_prints_every_page_of_the_site(site, capsys):
    site("complete")
    status, out, err = run(capsys)
    assert (status, err) == (0, "")
    assert out.splitlines() == COMPLETE_TABLE


def test_check_passes_when_every_page_listed_complete_is_translated(site, capsys):
    site("complete")
    status, out, err = run(capsys, "--check")
    assert (status, out) == (0, "")
    assert err.splitlines() == COMPLETE_TABLE  # the summary, on standard error


def test_check_fails_on_an_outdated_and_an_untranslated_message(site, capsys):
    site("behind")
    status, out, err = run(capsys, "--check")
    assert status == 1
    assert out.splitlines() == BEHIND_FINDINGS
    assert err.splitlines() == BEHIND_TABLE


def test_a_changed_english_paragraph_counts_before_anyone_runs_update(site, capsys):
    site("changed")
    status, out, _ = run(capsys, "--check")
    assert status == 1
    assert out.splitlines() == [
        # the old text's line: the translation to check is there
        "docs/locales/ja/LC_MESSAGES/guide.po:28: I18N001 guide: 1 message outdated (fuzzy); "
        'first: "The second paragraph of the guide, reworded."',
        # a message the catalogue does not have yet: the catalogue's first line
        "docs/locales/ja/LC_MESSAGES/index.po:1: I18N001 index: 1 message untranslated; "
        'first: "Contributors write in English first."',
    ]


def test_catalogues_only_reads_the_catalogues_as_they_are(site, capsys):
    docs = site("changed")
    status, out, err = run(capsys, "--check", "--catalogues-only")
    assert (status, out) == (0, "")
    assert err.splitlines() == [
        "page    translated  outdated  untranslated",
        "guide     100% 3/3         0             0  listed complete",
        "index     100% 2/2         0             0  listed complete",
        "sphinx    100% 3/3         0             0  listed complete",
        "ja: 3 of 3 pages translated; 8 of 8 messages (100%)",
    ]
    assert not (docs / "_build").exists()  # no build


def test_warn_prints_the_findings_as_github_warnings_and_exits_0(site, capsys):
    site("behind")
    status, out, _ = run(capsys, "--warn", "--format", "github")
    assert status == 0
    assert out.splitlines() == [
        "::warning file=docs/locales/ja/LC_MESSAGES/guide.po,line=29::I18N001 guide: "
        '1 message outdated (fuzzy); first: "The second paragraph of the guide."',
        "::warning file=docs/locales/ja/LC_MESSAGES/index.po,line=25::I18N001 index: "
        '1 message untranslated; first: "A handbook to test the translations\' tools."',
    ]


def test_check_in_github_format_prints_errors(site, capsys):
    site("behind")
    status, out, _ = run(capsys, "--check", "--format", "github")
    assert status == 1
    assert [line.split("::")[1] for line in out.splitlines()] == [
        "error file=docs/locales/ja/LC_MESSAGES/guide.po,line=29",
        "error file=docs/locales/ja/LC_MESSAGES/index.po,line=25",
    ]


def test_warn_in_text_prints_the_findings_and_exits_0(site, capsys):
    site("behind")
    status, out, _ = run(capsys, "--warn")
    assert status == 0
    assert out.splitlines() == BEHIND_FINDINGS


def test_a_page_listed_complete_without_a_catalogue_or_gone(site, capsys, tmp_path):
    site("complete")
    listing = tmp_path / "listed.yaml"
    listing.write_text("ja:\n  complete:\n    - index\n    - extra\n    - gone\n", "utf-8")
    status, out, _ = run(capsys, "--check", "--complete", str(listing))
    assert status == 1
    assert out.splitlines() == [
        "listed.yaml:4: I18N002 extra is listed complete for ja, but has no catalogue "
        "docs/locales/ja/LC_MESSAGES/extra.po",
        "listed.yaml:5: I18N003 gone is listed complete for ja, but there is no such page in docs",
    ]


def test_json_carries_the_pages_and_the_findings(site, capsys):
    site("behind")
    status, out, _ = run(capsys, "--check", "--format", "json")
    assert status == 1
    report = json.loads(out)
    assert report["language"] == "ja"
    assert report["pages"][1] == {
        "page": "guide",
        "catalogue": "docs/locales/ja/LC_MESSAGES/guide.po",
        "listed_complete": True,
        "messages": 3,
        "translated": 2,
        "outdated": 1,
        "untranslated": 0,
        "percent": 66,
    }
    assert report["pages"][0]["catalogue"] is None
    assert [str(Finding(**finding)) for finding in report["findings"]] == BEHIND_FINDINGS


def test_markdown_is_the_translators_issue(site, capsys):
    site("behind")
    status, out, _ = run(capsys, "--format", "markdown")
    assert status == 0
    assert out == "\n".join(
        [
            "## Japanese translation status",
            "",
            "Pages listed complete in `docs/_data/translations.yaml` that are behind the English:",
            "",
            *(
                f"- `{line.split(': ', 1)[0]}`: {line.split(': ', 1)[1]}"
                for line in BEHIND_FINDINGS
            ),
            "",
            "Refresh the catalogues with `handbook i18n update`, translate the outdated (fuzzy) "
            "and untranslated messages, and check the page as a whole "
            '(CONTRIBUTING.md, "Translating").',
            "",
            "| page | translated | messages | outdated | untranslated | |",
            "| --- | ---: | ---: | ---: | ---: | --- |",
            "| `extra` | 0% | 0/2 | 0 | 2 | no catalogue |",
            "| `guide` | 66% | 2/3 | 1 | 0 | listed complete |",
            "| `index` | 50% | 1/2 | 0 | 1 | listed complete |",
            "| `sphinx` | 100% | 3/3 | 0 | 0 | listed complete |",
            "",
            "ja: 1 of 4 pages translated; 6 of 10 messages (60%)",
            "",
        ]
    )


def test_a_catalogue_of_a_page_that_is_gone_is_named(site, capsys):
    docs = site("complete")
    (docs / "extra.md").unlink()
    index = docs / "index.md"
    index.write_text(index.read_text("utf-8").replace("extra\n", ""), "utf-8")
    (docs / "guide.md").rename(docs / "handbook.md")
    index.write_text(index.read_text("utf-8").replace("guide\n", "handbook\n"), "utf-8")
    status, out, _ = run(capsys, "--check")
    assert status == 1
    lines = out.splitlines()
    assert lines == [
        "docs/_data/translations.yaml:5: I18N003 guide is listed complete for ja, "
        "but there is no such page in docs"
    ]
    status, out, _ = run(capsys)
    orphan = "docs/locales/ja/LC_MESSAGES/guide.po: a catalogue of no page (delete it, or restore "
    assert f"{orphan}the page)" in out.splitlines()


# -- Input that cannot be used ------------------------------------------------------------


def test_a_catalogue_that_is_not_one_is_exit_2_at_its_line(site, capsys):
    docs = site("complete")
    po = docs / "locales" / "ja" / "LC_MESSAGES" / "guide.po"
    po.write_text(po.read_text("utf-8") + 'msgid "Dangling"\n', "utf-8")
    status, out, err = run(capsys, "--catalogues-only")
    assert (status, out) == (2, "")
    assert err == (
        "docs/locales/ja/LC_MESSAGES/guide.po:31: INPUT not a gettext catalogue: "
        "missing msgstr for msgid 'Dangling'\n"
    )


def test_a_catalogue_that_is_not_utf8_is_exit_2(site, capsys):
    docs = site("complete")
    po = docs / "locales" / "ja" / "LC_MESSAGES" / "index.po"
    po.write_bytes(po.read_bytes().replace("フィクスチャ".encode(), b"\xff"))
    status, _, err = run(capsys, "--catalogues-only")
    assert status == 2
    assert err == "docs/locales/ja/LC_MESSAGES/index.po:23: INPUT not UTF-8 (invalid byte 0xff)\n"


def test_a_build_that_fails_is_exit_2_with_its_warnings(site, capsys):
    docs = site("complete")
    (docs / "guide.md").write_text("# Guide\n\nSee {doc}`missing`.\n", "utf-8")
    status, out, err = run(capsys)
    assert (status, out) == (2, "")
    assert "guide.md:3: WARNING: unknown document: 'missing'" in err
    assert err.endswith(
        "handbook i18n status: the gettext build of docs failed (exit 1); "
        "fix the warnings above (make html shows them too)\n"
    )


def test_a_listing_the_schema_refuses_is_exit_2(site, capsys):
    docs = site("complete")
    (docs / "_data" / "translations.yaml").write_text("ja:\n  complete: index\n", "utf-8")
    status, out, err = run(capsys, "--catalogues-only")
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        "docs/_data/translations.yaml:2: DATA002 ja.complete: must be a list",
        "handbook i18n status: docs/_data/translations.yaml does not follow its schema; "
        "run handbook check-data",
    ]


def test_a_listing_given_that_is_not_there_is_exit_2(site, capsys):
    site("complete")
    status, _, err = run(capsys, "--catalogues-only", "--complete", "nowhere.yaml")
    assert status == 2
    assert err == "nowhere.yaml:1: INPUT no such file\n"


@pytest.mark.parametrize("language", ["en", "japanese"])
def test_the_source_language_or_a_word_is_no_language(site, capsys, language):
    site("complete")
    status, _, err = run(capsys, "--language", language)
    assert status == 2
    assert err == (
        f"handbook i18n status: --language {language}: must be the code of a language other "
        "than en (the source), like ja\n"
    )


def test_a_usage_error_is_exit_2(capsys):
    assert main(["status", "--check", "--warn"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_i18n_is_a_handbook_command(capsys):
    assert cli.main(["i18n", "--help"]) == 0
    assert "{update,status}" in capsys.readouterr().out


# -- The printers ---------------------------------------------------------------------


def test_the_warning_printer_is_the_error_printers_twin(capsys):
    finding = Finding("a,b:c.po", 3, "I18N001", "50% done\nand more")
    print_github([finding])
    print_github_warnings([finding])
    error, warning = capsys.readouterr().out.splitlines()
    assert error == "::error file=a%2Cb%3Ac.po,line=3::I18N001 50%25 done%0Aand more"
    assert warning == "::warning" + error.removeprefix("::error")


def test_the_real_catalogues_read(capsys, monkeypatch):
    """The committed catalogues are catalogues (the build is the site tests')."""
    from handbook.paths import ROOT

    monkeypatch.chdir(ROOT)
    status, out, err = (
        main(["status", "--catalogues-only"]),
        *capsys.readouterr(),
    )
    assert (status, err) == (0, "")
    assert out.splitlines()[0].split() == ["page", "translated", "outdated", "untranslated"]
    assert "index" in {line.split()[0] for line in out.splitlines()}


TERMINOLOGY = """terms:
  - en: "Guide"
    ja: "手引き"
    reading: "てびき"
  - en: "Paragraph"
    ja: "段落"
    reading: "だんらく"
"""


def test_check_holds_complete_pages_to_the_terminology_list(site, capsys):
    docs = site("complete")
    (docs / "_data" / "terminology.yaml").write_text(TERMINOLOGY, encoding="utf-8")
    status, out, _err = run(capsys, "--check")
    # "Guide" is ガイド in guide.po and index.po, not the listed 手引き; 段落 is right
    assert status == 1
    assert out.splitlines() == [
        "docs/locales/ja/LC_MESSAGES/guide.po:22: I18N004 'Guide' is translated as "
        "「手引き」 (docs/_data/terminology.yaml)",
        "docs/locales/ja/LC_MESSAGES/guide.po:25: I18N004 'Guide' is translated as "
        "「手引き」 (docs/_data/terminology.yaml)",
        "docs/locales/ja/LC_MESSAGES/guide.po:28: I18N004 'Guide' is translated as "
        "「手引き」 (docs/_data/terminology.yaml)",
    ]


def test_a_terminology_list_the_schema_refuses_is_exit_2(site, capsys):
    docs = site("complete")
    (docs / "_data" / "terminology.yaml").write_text("terms: []\n", encoding="utf-8")
    status, out, err = run(capsys, "--check")
    assert (status, out) == (2, "")
    assert err.splitlines()[0] == "docs/_data/terminology.yaml:1: DATA002 terms: give at least one"
    assert err.splitlines()[-1] == (
        "handbook i18n status: docs/_data/terminology.yaml does not follow its schema; "
        "run handbook check-data"
    )
