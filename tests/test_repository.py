"""The files that run the project elsewhere: CI, deploys, hooks and the Makefile.

GitHub Actions and Read the Docs cannot run here, so their structure is
checked instead: the triggers, the permissions and the commands they run.
"""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import tomllib

import yaml

from handbook.build import STRICT_FLAGS
from handbook.paths import ROOT


def _yaml(path: str) -> dict:
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def test_ci_workflow_never_gives_pull_requests_secrets_or_write_access():
    wf = _yaml(".github/workflows/ci.yml")
    triggers = wf[True]  # PyYAML reads the bare key `on` as True
    assert "pull_request" in triggers
    assert "pull_request_target" not in triggers
    assert wf["permissions"] == {"contents": "read"}
    steps = wf["jobs"]["test"]["steps"]
    assert "permissions" not in wf["jobs"]["test"]
    runs = [s.get("run", "") for s in steps]
    assert "make html" in runs and "make test" in runs and "make lint" in runs
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["persist-credentials"] is False


def test_ci_workflow_deploys_only_main_to_pages():
    deploy = _yaml(".github/workflows/ci.yml")["jobs"]["deploy"]
    assert deploy["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert deploy["needs"] == "test"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_read_the_docs_builds_with_the_makefile():
    rtd = _yaml(".readthedocs.yaml")
    assert rtd["version"] == 2
    assert rtd["build"]["jobs"]["install"] == ["make venv"]
    assert rtd["build"]["jobs"]["build"]["html"][0] == "make html"


def test_pre_commit_hooks_are_all_local_and_use_the_venv():
    config = _yaml(".pre-commit-config.yaml")
    assert [r["repo"] for r in config["repos"]] == ["local"]
    hooks = config["repos"][0]["hooks"]
    assert all(h["entry"].startswith(".venv/bin/") for h in hooks)
    entries = " ".join(h["entry"] for h in hooks)
    for tool in ("ruff check", "codespell", "handbook check-pages", "handbook bib check"):
        assert tool in entries


def test_pre_commit_bib_hooks_guard_the_reading_list_not_the_test_fixtures():
    hooks = {h["id"]: h for h in _yaml(".pre-commit-config.yaml")["repos"][0]["hooks"]}
    for name in ("bib-check", "bib-format"):
        pattern = re.compile(hooks[name]["files"])
        assert pattern.search("references.bib")
        assert not pattern.search("tests/bib/fixtures/bad/doi.bib")
        assert not pattern.search("tests/roots/test-readinglist/refs.bib")


def test_pre_commit_passes_on_the_repository(tmp_path):
    """Every hook is local, so this runs offline: what pre-commit promises, main keeps."""
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "pre-commit"), "run", "--all-files", "--color", "never"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"), "SKIP": ""},
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    ran = re.findall(r"^(.+?)\.{3,}(Passed|Skipped)$", done.stdout, re.M)
    assert len(ran) == len(_yaml(".pre-commit-config.yaml")["repos"][0]["hooks"])
    assert all(status == "Passed" for _, status in ran), done.stdout


def test_makefile_runs_the_one_strict_build_command():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(ln for ln in makefile.splitlines() if ln.startswith("SPHINXBUILD"))
    assert line.split(":=", 1)[1].split() == ["$(BIN)/sphinx-build", *STRICT_FLAGS, "$(SPHINXOPTS)"]
    assert re.search(r"^\.DEFAULT_GOAL := help$", makefile, re.M)


def test_makefile_help_lists_the_targets():
    done = subprocess.run(
        ["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    listed = re.findall(r"^  make (\S+)", done.stdout, re.M)
    for target in ("html", "live", "test", "lint", "clean", "epub", "linkcheck", "lock"):
        assert target in listed


def test_makefile_bootstraps_the_uv_version_the_lock_pins():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    pinned = re.search(r"^UV_VERSION\s*:=\s*(\S+)", makefile, re.M).group(1)
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked = {p["name"]: p["version"] for p in lock["package"]}
    assert locked["uv"] == pinned


def test_ci_script_installs_chromium_and_runs_make_lint_schemas_then_make_test():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert script.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in script
    assert "apt-get install -y -qq chromium" in script
    commands = [line.strip() for line in script.splitlines() if line.startswith("make ")]
    assert commands == ["make lint", "make schemas", "make test"]
    assert script.rstrip().splitlines()[-2].strip() == "make test"


def test_site_addresses_are_set_in_one_place_and_overridable(monkeypatch):
    conf = ROOT / "docs" / "conf.py"
    default = runpy.run_path(str(conf))
    assert default["html_baseurl"] == "https://mle-handbook.github.io/handbook/"
    assert (
        default["html_theme_options"]["repository_url"]
        == "https://github.com/mle-handbook/handbook"
    )
    assert default["notfound_urls_prefix"] == "/handbook/"
    monkeypatch.setenv("HANDBOOK_BASEURL", "https://example.org/docs/mle")
    monkeypatch.setenv("HANDBOOK_REPOSITORY", "https://github.com/someone/fork")
    moved = runpy.run_path(str(conf))
    assert moved["html_baseurl"] == "https://example.org/docs/mle/"
    assert moved["ogp_site_url"] == "https://example.org/docs/mle/"
    assert moved["notfound_urls_prefix"] == "/docs/mle/"
    assert moved["html_theme_options"]["repository_url"] == "https://github.com/someone/fork"


def test_pyproject_names_the_distribution_and_console_script():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "mle-handbook"
    assert project["requires-python"] == ">=3.11"
    assert project["scripts"] == {"handbook": "handbook.cli:main"}
