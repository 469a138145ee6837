"""``handbook changelog --base REF`` on small repositories made here, and the changelog's parser."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from handbook import cli
from handbook.changelog import main, parse, releases, unreleased

CHANGELOG = """# Changelog

All notable changes to the handbook are documented here.

## [Unreleased]

### Added

- A chapter on rollouts.

## [2026.12] - 2026-12-04

### Added

- The Japanese edition of Start here.
- Citation metadata.

```markdown
## [Not a release] - inside a code block
```

## [2026.11] - 2026-11-27

### Fixed

- A broken link.
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def write(repo: Path, path: str, text: str) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with a changelog and a page on ``main``, and a branch ``work``
    checked out; the working folder is the repository."""
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "CHANGELOG.md", CHANGELOG)
    write(tmp_path, "docs/index.md", "# Home\n")
    write(tmp_path, "tools/x.py", "x = 1\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "start")
    git(tmp_path, "checkout", "-q", "-b", "work")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def commit(repo: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        write(repo, path, text)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "change")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(["changelog", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_a_page_changed_with_a_changelog_line_passes(repo, capsys):
    added = CHANGELOG.replace(
        "- A chapter on rollouts.\n", "- A chapter on rollouts.\n- The glossary in Japanese.\n"
    )
    commit(repo, {"docs/index.md": "# Home, edited\n", "CHANGELOG.md": added})
    assert run(capsys, "--base", "main") == (0, "", "")


def test_a_page_changed_without_a_changelog_line_fails_at_unreleased(repo, capsys):
    commit(repo, {"docs/index.md": "# Home, edited\n", "docs/new.md": "# New\n"})
    status, out, err = run(capsys, "--base", "main")
    assert (status, err) == (1, "")
    assert out == (
        "CHANGELOG.md:5: CHG001 docs/index.md and 1 more changed since main, but no line was "
        'added under "Unreleased": say what changed for readers (or label the pull request '
        "no-changelog for a typo fix)\n"
    )


def test_the_reading_list_counts_and_a_line_under_a_release_does_not(repo, capsys):
    late = CHANGELOG.replace("- A broken link.\n", "- A broken link.\n- Another fix.\n")
    commit(repo, {"references.bib": "@book{x, title={X}}\n", "CHANGELOG.md": late})
    status, out, _err = run(capsys, "--base", "main")
    assert status == 1 and out.startswith("CHANGELOG.md:5: CHG001 references.bib changed")


def test_a_change_to_the_tools_alone_needs_no_line(repo, capsys):
    commit(repo, {"tools/x.py": "x = 2\n"})
    assert run(capsys, "--base", "main") == (0, "", "")


def test_the_base_is_the_merge_base_not_the_branch_tip(repo, capsys):
    # main moves on with its own changelog line; work changes a page without one
    git(repo, "checkout", "-q", "main")
    moved = CHANGELOG.replace("- A chapter on rollouts.\n", "- A chapter on rollouts.\n- Z.\n")
    commit(repo, {"CHANGELOG.md": moved})
    git(repo, "checkout", "-q", "work")
    commit(repo, {"docs/index.md": "# Edited\n"})
    assert run(capsys, "--base", "main")[0] == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--base", "nope"], "handbook changelog: --base nope: not a commit of this repository"),
        ([], "handbook changelog: error: one of the arguments --base --notes is required"),
    ],
)
def test_unusable_input_is_exit_2_with_one_line(repo, capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.splitlines()[-1].startswith(message)


def test_a_changelog_without_unreleased_is_unusable(repo, capsys):
    commit(repo, {"CHANGELOG.md": "# Changelog\n\n## [2026.12] - 2026-12-04\n"})
    status, _out, err = run(capsys, "--base", "main")
    assert status == 2
    assert err == (
        "handbook changelog: CHANGELOG.md: no '## [Unreleased]' section (see Keep a Changelog)\n"
    )


def test_outside_a_repository_is_unusable(tmp_path, capsys):
    status, _out, err = run(capsys, "--base", "main", "--repo", str(tmp_path))
    assert status == 2 and "not a git repository" in err


def test_the_parser_reads_sections_versions_dates_and_items():
    sections = parse(CHANGELOG)
    assert [(s.version, s.date, s.line) for s in sections] == [
        ("Unreleased", None, 5),
        ("2026.12", "2026-12-04", 11),
        ("2026.11", "2026-11-27", 22),
    ]
    head = unreleased(sections)
    assert head is not None and head.items == ("A chapter on rollouts.",)
    (december, _november) = releases(sections)
    assert december.items == ("The Japanese edition of Start here.", "Citation metadata.")
    assert december.body.startswith("### Added")
    assert "## [Not a release]" in december.body  # a code block's line is not a heading


def test_main_runs_without_the_dispatcher(repo, capsys):
    assert main(["--base", "main"]) == 0


def test_notes_prints_a_releases_section(repo, capsys):
    status, out, err = run(capsys, "--notes", "2026.11")
    assert (status, err) == (0, "")
    assert out == "### Fixed\n\n- A broken link.\n"


def test_notes_for_a_version_the_changelog_lacks_is_unusable(repo, capsys):
    assert run(capsys, "--notes", "1999.1") == (
        2,
        "",
        "handbook changelog: CHANGELOG.md: no section for release 1999.1\n",
    )


def test_changes_not_yet_committed_count_too(repo, capsys):
    write(repo, "docs/draft.md", "# Draft\n")  # a new page, not even added
    status, out, _err = run(capsys, "--base", "main")
    assert status == 1 and "docs/draft.md changed since main" in out
    added = CHANGELOG.replace("- A chapter on rollouts.\n", "- A chapter on rollouts.\n- Draft.\n")
    write(repo, "CHANGELOG.md", added)  # the line, not committed either
    assert run(capsys, "--base", "main") == (0, "", "")
