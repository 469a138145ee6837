"""The release and changelog workflows, and ``make schemas``.

Actions cannot run here, so the workflows are loaded as YAML and their triggers,
permissions, checkout and commands checked.  The release job's shell steps are
also run for real, in order, in a scratch directory: ``make`` and ``gh`` are
stand-ins that record their arguments (``make html`` and ``make epub`` leave a
page and an EPUB where the real ones do), ``handbook`` is the real command and
CHANGELOG.md the real changelog.  The pull-request check runs its exact command
line against a small repository.  (tests/linkcheck/test_workflows.py checks the
link-check workflows, tests/test_repository.py the rest of ci.yml.)
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import yaml
from packaging.version import Version

from handbook.changelog import notes
from handbook.paths import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict[Any, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def triggers(wf: dict[Any, Any]) -> dict[str, Any]:
    return wf[True]  # PyYAML reads the bare key `on` as True


def runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def uses(job: dict[str, Any], action: str) -> dict[str, Any]:
    return next(step for step in job["steps"] if step.get("uses", "").startswith(action + "@"))


def step_index(job: dict[str, Any], text: str) -> int:
    """The position of the one step whose ``run`` contains ``text``."""
    found = [n for n, step in enumerate(job["steps"]) if text in step.get("run", "")]
    assert len(found) == 1, f"{len(found)} steps run {text!r}"
    return found[0]


def tag_filter(pattern: str) -> re.Pattern[str]:
    """A GitHub filter pattern as a regular expression: ``*`` (not ``/``), ``**``, ``[...]``."""
    regex, n = "", 0
    while n < len(pattern):
        if pattern.startswith("**", n):
            regex, n = regex + ".*", n + 2
        elif pattern[n] == "*":
            regex, n = regex + "[^/]*", n + 1
        elif pattern[n] == "[":
            end = pattern.index("]", n)
            regex, n = regex + pattern[n : end + 1], end + 1
        else:
            assert pattern[n] not in "?+!\\", f"{pattern!r}: a filter character not read here"
            regex, n = regex + re.escape(pattern[n]), n + 1
    return re.compile(regex)


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


# -- release.yml: its structure ------------------------------------------------------------


def test_a_release_runs_only_for_a_pushed_edition_tag():
    on = triggers(workflow("release.yml"))
    assert set(on) == {"push"}, f"release.yml runs on {sorted(on)}, not only on a push"
    assert set(on["push"]) == {"tags"}, "a push of a branch must not release"
    patterns = [tag_filter(p) for p in on["push"]["tags"]]

    def releases(tag: str) -> bool:
        return any(p.fullmatch(tag) for p in patterns)

    for tag in ("v2026.12", "v2026.1", "v2027.3.1", f"v{project_version()}"):
        assert releases(tag), f"the tag {tag} would not release"
    for tag in ("2026.12", "v26.12", "v2026", "vnext", "release-2026.12", "x/v2026.12"):
        assert not releases(tag), f"the tag {tag} would release"


def test_only_the_release_job_may_write_contents():
    wf = workflow("release.yml")
    assert wf["permissions"] == {"contents": "read"}, "the workflow's token must be read-only"
    assert list(wf["jobs"]) == ["release"]
    assert wf["jobs"]["release"]["permissions"] == {"contents": "write"}


def test_the_release_checks_out_without_credentials_and_pastes_nothing_into_a_shell():
    job = workflow("release.yml")["jobs"]["release"]
    assert uses(job, "actions/checkout")["with"]["persist-credentials"] is False
    # Values reach the shell through `env`, never as ${{ }} text in a script.
    assert not [run for run in runs(job) if "${{" in run]
    assert all("shell" not in step for step in job["steps"])  # bash -e, as run below


def test_the_release_builds_with_the_commands_ci_runs():
    ci = workflow("ci.yml")["jobs"]["test"]
    job = workflow("release.yml")["jobs"]["release"]
    (ci_build,) = [run for run in runs(ci) if "make html" in run]
    assert ci_build == "make html"
    assert ci_build in runs(job), "the release must build the site as CI's test job does"
    assert "make epub" in runs(job)
    assert job["runs-on"] == ci["runs-on"]
    python = uses(job, "actions/setup-python")["with"]
    assert python == uses(ci, "actions/setup-python")["with"]
    # `make epub` validates with EPUBCheck only where it is installed.
    install = step_index(job, "apt-get install")
    assert "epubcheck" in job["steps"][install]["run"].split()
    order = [
        install,
        step_index(job, "handbook --version"),
        step_index(job, "make html"),
        step_index(job, "make epub"),
        step_index(job, "handbook changelog --notes"),
        step_index(job, "gh release create"),
    ]
    assert order == sorted(order), "check the tag, then build, then publish"


# -- release.yml: its steps, run -----------------------------------------------------------

FAKE_MAKE = """#!/bin/sh
echo "make $*" >> "$MAKE_CALLS"
case "$1" in
  html) mkdir -p docs/_build/html && echo '<title>x</title>' > docs/_build/html/index.html ;;
  epub) mkdir -p docs/_build/epub && echo 'an EPUB' > docs/_build/epub/handbook.epub ;;
esac
"""
FAKE_GH = """#!/bin/sh
printf '%s\\n' "$@" > "$GH_ARGS"
"""
_OUTPUT = re.compile(r"^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$")


class Runner:
    """A checkout in which the release job's ``run`` steps are run with ``bash -e``."""

    def __init__(self, tmp_path: Path, tag: str):
        self.work = tmp_path / "work"
        self.bin = tmp_path / "bin"
        venv = self.work / ".venv" / "bin"
        for folder in (self.bin, venv):
            folder.mkdir(parents=True)
        shutil.copy(ROOT / "CHANGELOG.md", self.work / "CHANGELOG.md")
        for name, text in {
            self.bin / "make": FAKE_MAKE,
            self.bin / "gh": FAKE_GH,
            # The real command, from the environment running the tests.
            venv / "handbook": f'#!/bin/sh\nexec "{sys.executable}" -m handbook.cli "$@"\n',
        }.items():
            name.write_text(text, encoding="utf-8")
            name.chmod(0o755)
        self.make_calls = tmp_path / "make-calls.txt"
        self.gh_args = tmp_path / "gh-args.txt"
        self.outputs: dict[str, dict[str, str]] = {}
        self.env = {
            **os.environ,
            "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_REF_NAME": tag,
            "GITHUB_WORKSPACE": str(self.work),
            "MAKE_CALLS": str(self.make_calls),
            "GH_ARGS": str(self.gh_args),
        }

    def expression(self, value: str) -> str:
        if value == "${{ github.token }}":
            return "a-token"
        match = _OUTPUT.match(value)
        assert match, f"an expression this test does not evaluate: {value}"
        return self.outputs[match[1]][match[2]]

    def run(self, step: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        output = self.work.parent / f"output-{step.get('id', 'step')}.txt"
        output.write_text("", encoding="utf-8")
        env = {**self.env, "GITHUB_OUTPUT": str(output)}
        env |= {key: self.expression(value) for key, value in step.get("env", {}).items()}
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=self.work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if "id" in step:
            lines = output.read_text(encoding="utf-8").splitlines()
            self.outputs[step["id"]] = dict(line.split("=", 1) for line in lines if "=" in line)
        return done

    def make_calls_made(self) -> list[str]:
        if not self.make_calls.exists():
            return []
        return self.make_calls.read_text(encoding="utf-8").splitlines()


def release_steps() -> list[dict[str, Any]]:
    """The release job's shell steps, but the system packages' (sudo apt-get)."""
    steps = [s for s in workflow("release.yml")["jobs"]["release"]["steps"] if "run" in s]
    return [s for s in steps if "apt-get" not in s["run"]]


def test_a_release_of_the_packages_version_builds_and_publishes_its_files(tmp_path):
    assert shutil.which("zip"), "the release zips the site: install zip (apt-get install zip)"
    version = project_version()
    tag = f"v{version}"
    runner = Runner(tmp_path, tag)
    for step in release_steps():
        done = runner.run(step)
        assert done.returncode == 0, f"{step.get('name')}: {done.stdout}{done.stderr}"
    assert runner.outputs["version"] == {"version": version}
    assert runner.make_calls_made() == ["make venv", "make html", "make epub"]
    release = runner.work / "release"
    epub = release / f"mle-handbook-{version}.epub"
    site = release / f"mle-handbook-{version}-html.zip"
    assert epub.read_text(encoding="utf-8") == "an EPUB\n"
    with zipfile.ZipFile(site) as archive:
        assert archive.namelist() == ["index.html"], "the site's own files, at the root"
    expected = notes(ROOT / "CHANGELOG.md", version)
    assert expected.strip(), f"CHANGELOG.md's section for {version} is empty"
    assert (release / "notes.md").read_text(encoding="utf-8") == expected + "\n"
    assert runner.gh_args.read_text(encoding="utf-8").splitlines() == [
        "release",
        "create",
        tag,
        "--title",
        f"The ML Engineer's Handbook {version}",
        "--notes-file",
        "release/notes.md",
        f"release/mle-handbook-{version}.epub",
        f"release/mle-handbook-{version}-html.zip",
    ]


def test_a_tag_that_is_not_the_packages_version_stops_before_the_build(tmp_path):
    runner = Runner(tmp_path, "v2000.1")
    steps = release_steps()
    check = next(s for s in steps if "handbook --version" in s["run"])
    assert steps.index(check) < steps.index(next(s for s in steps if s["run"] == "make html"))
    done = runner.run(check)
    assert done.returncode == 1
    assert f"::error::tag v2000.1 is not v{project_version()}" in done.stdout
    assert runner.outputs["version"] == {}


# -- changelog.yml -------------------------------------------------------------------------


def test_the_changelog_check_runs_on_pull_requests_and_their_labels():
    wf = workflow("changelog.yml")
    on = triggers(wf)
    assert set(on) == {"pull_request"}, "pull_request only (never pull_request_target)"
    assert {"opened", "synchronize", "reopened", "labeled", "unlabeled"} <= set(
        on["pull_request"]["types"]
    ), "labelling or unlabelling no-changelog must re-run the check"
    assert wf["permissions"] == {"contents": "read"}
    (job,) = wf["jobs"].values()
    assert "permissions" not in job
    condition = job["if"].strip().removeprefix("${{").removesuffix("}}").strip()
    assert condition == "!contains(github.event.pull_request.labels.*.name, 'no-changelog')"


def test_the_changelog_check_fetches_history_and_compares_with_the_base_branch():
    (job,) = workflow("changelog.yml")["jobs"].values()
    checkout = uses(job, "actions/checkout")["with"]
    assert checkout["fetch-depth"] == 0, "the base branch and the merge base must be there"
    assert checkout["persist-credentials"] is False
    assert "make venv" in runs(job)
    commands = [shlex.split(run) for run in runs(job) if "handbook changelog" in run]
    assert commands == [[".venv/bin/handbook", "changelog", "--base", "origin/$GITHUB_BASE_REF"]]
    assert not [run for run in runs(job) if "${{" in run]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
    )


def test_the_changelog_checks_command_line_finds_a_missing_line(tmp_path):
    """The step's own script, in a clone whose base branch is ``origin/main``."""
    (job,) = workflow("changelog.yml")["jobs"].values()
    (script,) = [run for run in runs(job) if "handbook changelog" in run]
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (repo / ".venv" / "bin").mkdir(parents=True)
    handbook = repo / ".venv" / "bin" / "handbook"
    handbook.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m handbook.cli "$@"\n', "utf-8")
    handbook.chmod(0o755)
    changelog = "# Changelog\n\n## [Unreleased]\n\n## [2026.12] - 2026-12-04\n\n- First.\n"
    (repo / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    (repo / "docs" / "page.md").write_text("# A page\n", encoding="utf-8")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "CHANGELOG.md", "docs")
    _git(repo, "commit", "-q", "-m", "start")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")  # as fetched by checkout
    _git(repo, "checkout", "-q", "-b", "pr")
    (repo / "docs" / "page.md").write_text("# A page\n\nMore.\n", encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "a change readers see")

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=repo,
            env={**os.environ, "GITHUB_BASE_REF": "main"},
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    done = check()
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("CHANGELOG.md:3: CHG001 docs/page.md changed since origin/main")
    new = changelog.replace("## [Unreleased]\n", "## [Unreleased]\n\n- More on a page.\n")
    (repo / "CHANGELOG.md").write_text(new, encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "its line")
    done = check()
    assert done.returncode == 0, done.stdout + done.stderr


# -- make schemas --------------------------------------------------------------------------


def schemas_commands() -> list[list[str]]:
    """``make -n schemas``'s check-jsonschema command lines, as make expands them."""
    done = subprocess.run(
        ["make", "-n", "schemas"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [shlex.split(ln) for ln in done.stdout.splitlines() if "check-jsonschema" in ln]


def test_make_schemas_validates_the_metadata_with_a_pinned_check_jsonschema():
    checked: dict[str, list[str]] = {}
    for argv in schemas_commands():
        assert Path(argv[0]).name == "uv" and argv[1:3] == ["tool", "run"], (
            "check-jsonschema runs in uv's own tool environment, not in .venv"
        )
        pin = argv[argv.index("--from") + 1]
        name, _, version = pin.partition("==")
        assert name == "check-jsonschema" and version, f"{pin}: not pinned to one version"
        assert Version(version) >= Version("0.39"), f"{pin}: older than 0.39"
        rest = argv[argv.index("check-jsonschema", argv.index("--from") + 2) + 1 :]
        assert rest[0] == "--builtin-schema"
        checked.setdefault(rest[1], []).extend(rest[2:])
    assert checked["vendor.citation-file-format"] == ["CITATION.cff"]
    assert checked["vendor.github-workflows"] == [".github/workflows/*.yml"]
    workflows = {p.name for p in WORKFLOWS.iterdir()}
    assert {"release.yml", "changelog.yml", "ci.yml"} <= workflows
    assert all(name.endswith(".yml") for name in workflows), "the glob would miss a .yaml"
    forms = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.y*ml")
        if p.name != "config.yml"
    }
    assert forms and set(checked["vendor.github-issue-forms"]) == forms
    assert checked["vendor.github-issue-config"] == [".github/ISSUE_TEMPLATE/config.yml"]
    assert checked["vendor.readthedocs"] == [".readthedocs.yaml"]


def test_the_ci_script_runs_make_schemas():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "set -euo pipefail" in script  # so that a failure fails the run
    commands = [line.strip() for line in script.splitlines()]
    assert "make schemas" in commands
