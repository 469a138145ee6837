"""One reader for every tool's input: the same line, the same code, exit 2.

A file that is not UTF-8, or is missing, is reported by every ``handbook``
command as ``path:line: INPUT message`` on standard error, never as a codec
error or a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook.cli import main
from handbook.files import UnusableInputError, read_text

LATIN1 = "first line\ncaf\xe9\n".encode("latin-1")


@pytest.mark.parametrize(
    ("name", "argv"),
    [
        ("page.md", ["check-pages", "--docs", ".", "page.md"]),
        ("refs.bib", ["bib", "check", "refs.bib"]),
        ("refs.bib", ["bib", "format", "--check", "refs.bib"]),
        ("refs.bib", ["bib", "format", "--write", "refs.bib"]),
        ("page.md", ["linkcheck", "--offline", "--no-cache", "page.md"]),
        ("urls.txt", ["linkcheck", "--offline", "--no-cache", "urls.txt"]),
        ("refs.bib", ["linkcheck", "--offline", "--no-cache", "refs.bib"]),
        ("pyproject.toml", ["linkcheck", "--config", "pyproject.toml", "--offline", "x.txt"]),
    ],
)
def test_every_tool_says_not_utf8_the_same_way(tmp_path, monkeypatch, capsys, name, argv):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_bytes(LATIN1)
    (tmp_path / "x.txt").write_text("isbn:9780306406157\n", encoding="utf-8")
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"{name}:2: INPUT not UTF-8 (invalid byte 0xe9)\n"
    assert (tmp_path / name).read_bytes() == LATIN1  # never rewritten


@pytest.mark.parametrize(
    "argv",
    [
        ["check-pages", "--docs", ".", "gone.md"],
        ["bib", "check", "gone.md"],
        ["bib", "format", "--check", "gone.md"],
        ["linkcheck", "--offline", "--no-cache", "gone.md"],
    ],
)
def test_every_tool_says_no_such_file_the_same_way(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert capsys.readouterr() == ("", "gone.md:1: INPUT no such file\n")


def test_the_reader_keeps_the_text_exactly(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"\xef\xbb\xbfone\r\ntwo\n")
    assert read_text(path) == "\ufeffone\r\ntwo\n"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "is a directory, not a file"),
        (lambda p: None, "no such file"),
    ],
)
def test_the_reader_names_what_is_wrong(tmp_path: Path, make, message: str) -> None:
    path = tmp_path / "x.md"
    make(path)
    with pytest.raises(UnusableInputError) as caught:
        read_text(path, "x.md")
    assert str(caught.value) == f"x.md:1: INPUT {message}"


def test_a_path_under_a_file_is_unreadable_even_for_root(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(UnusableInputError) as caught:
        read_text(tmp_path / "file" / "x.md", "file/x.md")
    assert str(caught.value) == "file/x.md:1: INPUT no such file (a parent is not a directory)"
