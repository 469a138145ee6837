"""``handbook``: the dispatcher and the one error boundary every subcommand runs behind."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from handbook import cli
from handbook.paths import ROOT

HANDBOOK = Path(sys.executable).parent / "handbook"


def crash(argv: list[str] | None = None) -> int:
    raise RuntimeError("the checker fell over")


@pytest.fixture
def crashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """``handbook check-pages`` with a bug in it."""
    from handbook.pages import checks

    monkeypatch.setattr(checks, "main", crash)
    monkeypatch.delenv("HANDBOOK_DEBUG", raising=False)


BUG_LINE = (
    "handbook check-pages: internal error: RuntimeError: the checker fell over. "
    "This is a bug in handbook; please report it at "
    "https://github.com/mle-handbook/handbook/issues"
)


def test_an_internal_error_is_exit_2_and_one_line_without_a_traceback(crashing, capsys):
    assert cli.main(["check-pages"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == BUG_LINE + " (run it again with --debug for the traceback)\n"


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["--debug", "check-pages"], None),
        (["check-pages", "--debug"], None),
        (["check-pages"], "1"),
    ],
)
def test_debug_shows_the_traceback(crashing, capsys, monkeypatch, argv, env):
    if env:
        monkeypatch.setenv("HANDBOOK_DEBUG", env)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert 'raise RuntimeError("the checker fell over")' in err
    assert err.endswith(BUG_LINE + "\n")


def test_debug_after_a_double_dash_is_an_argument(monkeypatch):
    seen: list[list[str]] = []

    def record(argv: list[str] | None = None) -> int:
        seen.append(list(argv or []))
        return 0

    from handbook.pages import checks

    monkeypatch.setattr(checks, "main", record)
    assert cli.main(["check-pages", "--debug", "--", "--debug"]) == 0
    assert seen == [["--", "--debug"]]


def test_a_real_subprocess_prints_no_traceback_for_a_crash(tmp_path):
    """The console script, as a user runs it, with a bug injected through sitecustomize."""
    (tmp_path / "sitecustomize.py").write_text(
        "import handbook.pages.checks as c\n"
        "def main(argv=None):\n"
        "    raise KeyError('boom')\n"
        "c.main = main\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [str(HANDBOOK), "check-pages"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("handbook check-pages: internal error: KeyError: 'boom'. ")


def test_ctrl_c_is_reported_in_one_line(monkeypatch, capsys):
    def interrupted(argv: list[str] | None = None) -> int:
        raise KeyboardInterrupt

    from handbook.pages import checks

    monkeypatch.setattr(checks, "main", interrupted)
    assert cli.main(["check-pages"]) == cli.EXIT_INTERRUPTED
    assert capsys.readouterr().err == "handbook: interrupted\n"


def test_unknown_command_and_no_command_are_usage_errors(capsys):
    assert cli.main(["frobnicate"]) == 2
    assert capsys.readouterr().err.startswith("handbook: unknown command 'frobnicate'\n")
    assert cli.main([]) == 2
    assert capsys.readouterr().err.startswith("usage: handbook [--version] [--debug] COMMAND")


def test_the_bug_report_address_is_the_projects_issues_page():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["urls"]["Issues"] == cli.ISSUES_URL
