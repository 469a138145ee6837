"""``--changed-since REF``: only links a change added, compared per file and per bib entry.

Each test makes its own git repository in a temporary directory; the
handbook's repository is never touched.  Servers are on 127.0.0.1.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lc_support import ServerThread, page, run_linkcheck

from handbook.linkcheck.changes import ChangesError, changed_files, changed_links, merge_base


@pytest.fixture(autouse=True)
def _quiet_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user or system git configuration, a fixed identity."""
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{name}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{name}_EMAIL", "test@example.invalid")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def write(repo: Path, path: str, text: str) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


BIB = """\
@book{kept,
  title = {Kept},
  isbn = {9780306406157},
  url = {https://kept.example/},
}

@article{changed,
  title = {Changed},
  url = {https://old.example/paper},
}
"""

A_BEFORE = """\
# A

Intro [kept](https://kept.example/a) and [moved](https://moved.example/).

Second paragraph.
"""

A_AFTER = """\
# A

Intro [kept](https://kept.example/a).

A new line with [added](https://added.example/) and again [added](https://added.example/).

Second paragraph, now with [moved](https://moved.example/) and {doc}`b` and [file](missing.md).
"""


def make_repo(root: Path, base_url: str = "https://added.example/") -> Path:
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "docs/conf.py", 'myst_enable_extensions = ["colon_fence"]\n')
    write(repo, "docs/a.md", A_BEFORE)
    write(repo, "docs/b.md", "# B\n\n[b](https://b.example/)\n")
    write(repo, "docs/old-name.md", "# Old\n\n[o](https://o.example/)\n")
    write(repo, "references.bib", BIB)
    write(repo, "README.md", "[r](https://readme.example/)\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    # Committed on the branch:
    write(repo, "docs/a.md", A_AFTER.replace("https://added.example/", base_url))
    write(repo, "docs/c.md", "# C\n\n[c](https://c.example/) [bad isbn](isbn:9780306406158)\n")
    git(repo, "mv", "docs/old-name.md", "docs/new-name.md")
    write(repo, "docs/new-name.md", "# Old\n\n[o](https://o.example/)\n\n[n](https://n.example/)\n")
    write(
        repo,
        "references.bib",
        BIB.replace("https://old.example/paper", "https://new.example/paper")
        + "\n@article{fresh,\n  title = {Fresh},\n  doi = {10.1234/fresh},\n}\n",
    )
    write(repo, "README.md", "[r](https://readme.example/) [r2](https://readme2.example/)\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")
    # Meanwhile on main: a change the branch does not have (merge-base diff ignores it).
    git(repo, "checkout", "-q", "main")
    write(repo, "docs/b.md", "# B\n\n[b](https://b.example/)\n[m](https://main-only.example/)\n")
    git(repo, "commit", "-q", "-am", "main moves on")
    git(repo, "checkout", "-q", "feature")
    return repo


def found(extraction: object) -> list[tuple[str, int, str | None, str]]:
    links = extraction.links  # type: ignore[attr-defined]
    return sorted((k.occurrence.path, k.occurrence.line, k.occurrence.key, k.text) for k in links)


def test_committed_changes_against_the_merge_base(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    extraction = changed_links(repo, "main")
    assert found(extraction) == [
        ("docs/a.md", 5, None, "https://added.example/"),
        ("docs/a.md", 5, None, "https://added.example/"),
        ("docs/c.md", 3, None, "https://c.example/"),
        ("docs/c.md", 3, None, "isbn:9780306406158"),
        ("docs/new-name.md", 5, None, "https://n.example/"),
        ("references.bib", 9, "changed", "https://new.example/paper"),
        ("references.bib", 14, "fresh", "10.1234/fresh"),
    ]
    # Moved links, unchanged entries, files outside docs/ and main's own change: not there.
    internal = sorted((r.text, r.occurrence.line, r.missing) for r in extraction.internal)
    assert internal == [
        ("missing.md", 7, "no file docs/missing.md"),
        ("{doc}`b`", 7, None),
    ]


def test_uncommitted_and_untracked_changes_count_locally(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    write(repo, "docs/b.md", "# B\n\n[b](https://b.example/)\n\n[u](https://unstaged.example/)\n")
    write(repo, "docs/d.md", "# D\n\n[t](https://untracked.example/)\n")
    write(repo, "docs/_build/html.md", "[x](https://build-output.example/)\n")
    write(repo, ".gitignore", "docs/_build/\n")
    texts = {text for _, _, _, text in found(changed_links(repo, "main"))}
    assert {"https://unstaged.example/", "https://untracked.example/"} <= texts
    assert "https://build-output.example/" not in texts
    names = [f.path for f in changed_files(repo, merge_base(repo, "main"))]
    assert names == [
        "docs/a.md",
        "docs/b.md",
        "docs/c.md",
        "docs/d.md",
        "docs/new-name.md",
        "references.bib",
    ]
    renamed = next(f for f in changed_files(repo, merge_base(repo, "main")) if "new" in f.path)
    assert renamed.old_path == "docs/old-name.md"


def test_no_change_no_links(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    extraction = changed_links(repo, "HEAD")
    assert extraction.links == [] and extraction.internal == []


@pytest.mark.parametrize("ref", ["no-such-branch", "--upload-pack=x", ""])
def test_an_unknown_ref_is_an_error(tmp_path: Path, ref: str) -> None:
    repo = make_repo(tmp_path)
    with pytest.raises(ChangesError):
        changed_links(repo, ref)


def test_cli_offline_reports_only_changed_links(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    run = run_linkcheck(
        ["--changed-since", "main", "--offline", "--format", "github"], tmp_path=repo
    )
    assert run.code == 1
    assert run.lines == [
        "::warning title=Links not checked::offline (--offline): links that need the network "
        "are reported unchecked",
        "::error file=docs/a.md,line=7,title=Broken link::LINKTARGET missing.md: "
        "no file docs/missing.md",
        "::error file=docs/c.md,line=3,title=Broken link::ISBNSUM urn:isbn:9780306406158: "
        "ISBN '9780306406158': the check digit is wrong",
    ]


def test_cli_checks_only_the_changed_links(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/new": page("ok")})
    repo = make_repo(tmp_path, base_url=s.url("/new"))
    run = run_linkcheck(
        [
            "--changed-since",
            "main",
            "--allow",
            s.netloc,
            "--format",
            "markdown",
            "--fail-on",
            "none",
        ],
        tmp_path=repo,
    )
    assert run.code == 0
    assert s.hits["/new"] == 1  # twice in the page, one request
    assert run.stdout.startswith("# Broken links\n\nChecked 8 links")
    assert "added or changed since main" in run.stdout


def test_cli_refuses_paths_with_changed_since(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    run = run_linkcheck(["--changed-since", "main", "docs/a.md"], tmp_path=repo)
    assert run.code == 2
    assert "--changed-since takes no PATHS" in run.stderr


def test_cli_bad_ref_exits_2(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    run = run_linkcheck(["--changed-since", "origin/main"], tmp_path=repo)
    assert run.code == 2
    assert "fetch-depth: 0" in run.stderr
