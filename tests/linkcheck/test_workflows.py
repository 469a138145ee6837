"""The link check in GitHub Actions: the pull-request job and the weekly workflow.

Actions cannot run here, so their structure is checked: triggers,
permissions, checkout, cache and the commands.  (tests/test_repository.py
checks the rest of ci.yml.)
"""

from __future__ import annotations

import re
import shlex
from typing import Any

import yaml

from handbook.linkcheck.cli import build_parser
from handbook.paths import ROOT


def workflow(name: str) -> dict[Any, Any]:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))


def runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def uses(job: dict[str, Any], action: str) -> dict[str, Any]:
    return next(step for step in job["steps"] if step.get("uses", "").startswith(action + "@"))


def linkcheck_commands(job: dict[str, Any]) -> list[list[str]]:
    """Every ``handbook linkcheck`` command line of a job, split like a shell would."""
    found = []
    for text in runs(job):
        for line in text.replace("\\\n", " ").splitlines():
            if "handbook linkcheck" in line:
                found.append(shlex.split(line))
    return found


def test_pull_requests_check_only_their_changed_links() -> None:
    ci = workflow("ci.yml")
    triggers = ci[True]  # PyYAML reads the bare key `on` as True
    assert "pull_request" in triggers and "pull_request_target" not in triggers
    assert ci["permissions"] == {"contents": "read"}
    job = ci["jobs"]["linkcheck"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert "permissions" not in job  # the workflow's read-only token
    checkout = uses(job, "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0  # the base branch and the merge base
    assert checkout["with"]["persist-credentials"] is False
    assert "make venv" in runs(job)
    (command,) = linkcheck_commands(job)
    assert command == [
        ".venv/bin/handbook",
        "linkcheck",
        "--changed-since",
        "origin/main",
        "--format",
        "github",
    ]
    assert "${{" not in " ".join(runs(job))  # nothing from the event is pasted into a shell


def test_the_weekly_workflow_checks_everything_into_the_pinned_issue() -> None:
    wf = workflow("linkcheck.yml")
    triggers = wf[True]
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    (schedule,) = triggers["schedule"]
    fields = schedule["cron"].split()
    assert len(fields) == 5 and fields[4] != "*" and fields[2] == "*"  # once a week
    assert wf["permissions"] == {"contents": "read", "issues": "write"}
    (job,) = wf["jobs"].values()
    assert "permissions" not in job
    checkout = uses(job, "actions/checkout")
    assert checkout["with"]["persist-credentials"] is False
    cache = uses(job, "actions/cache")
    assert cache["with"]["path"] == ".cache/linkcheck.sqlite3"
    assert cache["with"]["restore-keys"] == "linkcheck-"
    assert cache["with"]["key"].startswith("linkcheck-")
    steps = [step.get("uses", "") or step.get("run", "") for step in job["steps"]]
    check = next(i for i, s in enumerate(steps) if "handbook linkcheck" in s)
    assert steps.index(next(s for s in steps if s.startswith("actions/cache@"))) < check
    (command,) = linkcheck_commands(job)
    args = build_parser().parse_args(command[2:])  # the options exist and parse
    assert args.format == "markdown"
    assert args.fail_on == frozenset()  # report, do not fail the build
    assert args.changed_since is None and args.paths == []
    issue = runs(job)[-1]
    assert "gh issue list --label broken-links" in issue
    assert re.search(r"gh issue edit \"\$number\" --body-file", issue)
    assert 'gh issue create --title "Broken links" --label broken-links' in issue
    assert "gh issue pin" in issue
    env = job["steps"][-1]["env"]
    assert env["GH_TOKEN"] == "${{ github.token }}"


def test_only_the_weekly_workflow_may_write_issues() -> None:
    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        wf = yaml.safe_load(path.read_text(encoding="utf-8"))
        granted = [wf.get("permissions") or {}]
        granted += [job.get("permissions") or {} for job in wf["jobs"].values()]
        writes_issues = any(p.get("issues") == "write" for p in granted)
        # The weekly link check and the weekly translation status file issues.
        assert writes_issues == (path.name in {"linkcheck.yml", "translations.yml"}), path.name
        assert "pull_request_target" not in (wf.get(True) or {}), path.name
