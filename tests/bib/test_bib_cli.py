"""``handbook bib check``: output format, paths, exit codes, no side effects."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import handbook.paths
from handbook import cli as handbook_cli
from handbook.bib.cli import main
from handbook.bib.parse import read_source
from handbook.files import UnusableInputError

from .helpers import BAD, GOOD

CLEAN = GOOD / "clean.bib"
SMALL = """% A small file with two findings.
@online{sato2019cd,
  author = {Sato, Danilo},
  title = {Continuous Delivery for Machine Learning},
  year = {2019},
  url = {http://martinfowler.com/articles/cd4ml.html},
  urldate = {2025-01-15},
  keywords = {swe, practitioner, post},
  language = {en},
  annotation = {Short.},
  verified = {https://martinfowler.com/articles/cd4ml.html},
}
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.bib"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_text_output_is_exact_and_sorted(small: Path, capsys) -> None:
    assert main(["check", str(small)]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    assert out == (
        f"{small}:6: BIB015 url 'http://martinfowler.com/articles/cd4ml.html' is http: use https\n"
        f"{small}:10: BIB021 annotation has 6 characters: say in at least 60 why an ML engineer"
        " should read it\n"
    )


def test_json_output(small: Path, capsys) -> None:
    assert main(["check", "--format", "json", str(small)]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert [(f["path"], f["line"], f["code"]) for f in findings] == [
        (str(small), 6, "BIB015"),
        (str(small), 10, "BIB021"),
    ]
    assert set(findings[0]) == {"path", "line", "code", "message"}


def test_json_output_when_clean_is_an_empty_list(capsys) -> None:
    assert main(["check", "--format", "json", str(CLEAN)]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_github_output(small: Path, capsys) -> None:
    assert main(["check", "--format", "github", str(small)]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("::error file=") and ",line=6::BIB015 url " in first


def test_clean_file_exits_0_silently(capsys) -> None:
    assert main(["check", str(CLEAN)]) == 0
    assert capsys.readouterr() == ("", "")


def test_paths_are_printed_as_given(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(BAD)
    assert main(["check", "keys.bib", "./url.bib"]) == 1
    lines = capsys.readouterr().out.splitlines()
    places = [(line.split(":")[0], int(line.split(":")[1])) for line in lines]
    assert {path for path, _ in places} == {"keys.bib", "./url.bib"}
    assert places == sorted(places)


def test_default_is_references_bib_at_the_root_relative_to_cwd(
    tmp_path: Path, small: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    small.rename(tmp_path / "references.bib")
    monkeypatch.setattr(handbook.paths, "ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    assert capsys.readouterr().out.startswith("references.bib:6: BIB015 ")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert main(["check"]) == 1
    assert capsys.readouterr().out.startswith(f"..{os.sep}references.bib:6: BIB015 ")


def test_missing_file_exits_2_with_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "nope.bib"]) == 2
    assert capsys.readouterr() == ("", "nope.bib:1: INPUT no such file\n")


def test_not_utf8_exits_2_at_the_line_of_the_byte(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    Path("latin1.bib").write_bytes(b"% ok\n\n% caf\xe9\n")
    assert main(["check", "latin1.bib"]) == 2
    assert capsys.readouterr() == ("", "latin1.bib:3: INPUT not UTF-8 (invalid byte 0xe9)\n")


def test_directory_exits_2(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    Path("dir.bib").mkdir()
    assert main(["check", "dir.bib"]) == 2
    assert capsys.readouterr() == ("", "dir.bib:1: INPUT is a directory, not a file\n")


def test_path_under_a_file_exits_2(tmp_path: Path, monkeypatch, capsys) -> None:
    """A path nobody can open, root included: its parent is a regular file (ENOTDIR)."""
    monkeypatch.chdir(tmp_path)
    Path("file.bib").write_text("", encoding="utf-8")
    assert main(["check", "file.bib/x.bib"]) == 2
    assert capsys.readouterr() == (
        "",
        "file.bib/x.bib:1: INPUT no such file (a parent is not a directory)\n",
    )


def test_unreadable_exits_2(tmp_path: Path, monkeypatch, capsys) -> None:
    """Any other error from the read (root can read a mode-0 file: the read is made to fail)."""
    monkeypatch.chdir(tmp_path)
    Path("secret.bib").write_text("", encoding="utf-8")
    real_read_bytes = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "secret.bib":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert main(["check", "secret.bib"]) == 2
    assert capsys.readouterr() == (
        "",
        f"secret.bib:1: INPUT cannot read: {os.strerror(errno.EACCES)}\n",
    )


@pytest.mark.parametrize(
    "argv",
    [["check"], ["format", "--check"], ["format", "--write"], ["format", "--check", "--diff"]],
)
def test_every_command_reports_unusable_input_the_same_way(
    argv: list[str], tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("latin1.bib").write_bytes(b"@misc{a2020b,\n  title = {caf\xe9},\n}\n")
    assert main([*argv, "latin1.bib", "nope.bib"]) == 2
    assert capsys.readouterr() == (
        "",
        "latin1.bib:2: INPUT not UTF-8 (invalid byte 0xe9)\nnope.bib:1: INPUT no such file\n",
    )
    assert Path("latin1.bib").read_bytes() == b"@misc{a2020b,\n  title = {caf\xe9},\n}\n"


def test_unusable_input_is_the_shared_error() -> None:
    """The bib reader raises the one error every tool reads files with."""
    with pytest.raises(UnusableInputError) as info:
        read_source(Path("/nonexistent/dir/x.bib"), "x.bib")
    assert str(info.value) == "x.bib:1: INPUT no such file"


def test_usable_files_are_still_checked_beside_a_missing_one(small: Path, capsys) -> None:
    missing = small.with_name("missing.bib")
    assert main(["check", str(small), str(missing)]) == 2
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 2
    assert err == f"{missing}:1: INPUT no such file\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--select", "BIB999"],
        ["check", "--format", "xml"],
        ["format"],
        ["format", "--check", "--write"],
        ["format", "--write", "--diff"],
        ["lint"],
        [],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err


def test_help_exits_0(capsys) -> None:
    assert main(["--help"]) == 0
    assert "check" in capsys.readouterr().out


@pytest.mark.parametrize("fixture", sorted(BAD.glob("*.bib")), ids=lambda p: p.name)
def test_check_never_modifies_the_file(fixture: Path, capsys) -> None:
    before = fixture.read_bytes(), fixture.stat().st_mtime_ns
    main(["check", str(fixture)])
    capsys.readouterr()
    assert (fixture.read_bytes(), fixture.stat().st_mtime_ns) == before


def test_dispatch_from_the_handbook_command(small: Path, capsys) -> None:
    assert handbook_cli.main(["bib", "check", str(small)]) == 1
    assert len(capsys.readouterr().out.splitlines()) == 2


@pytest.mark.parametrize(
    ("name", "status"), [("clean.bib", 0), ("small.bib", 1), ("missing.bib", 2)]
)
def test_exit_status_of_the_real_command(name: str, status: int, small: Path) -> None:
    path = CLEAN if name == "clean.bib" else small.with_name(name)
    done = subprocess.run(
        [sys.executable, "-m", "handbook.cli", "bib", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == status, done.stderr
