"""Reading the files every ``handbook`` tool is given: one reader, one message.

Every tool reads its input through :func:`read_text`, so a file that cannot be
used is reported the same way everywhere, as one line::

    docs/swe/testing.md:2: INPUT not UTF-8 (invalid byte 0xff)
    references.bib:1: INPUT no such file

and the tool exits 2 (:data:`handbook.findings.EXIT_UNUSABLE`).
"""

from __future__ import annotations

from pathlib import Path

from handbook.findings import Finding

#: The finding code of input that cannot be used at all.
INPUT_CODE = "INPUT"


class UnusableInputError(Exception):
    """A file that cannot be used at all: missing, unreadable or not UTF-8.

    ``str()`` gives the one line to print, ``path:line: INPUT message``.
    """

    def __init__(self, path: str, message: str, line: int = 1) -> None:
        super().__init__(f"{path}:{line}: {INPUT_CODE} {message}")
        self.path = path
        self.line = line
        self.message = message

    @property
    def finding(self) -> Finding:
        return Finding(self.path, self.line, INPUT_CODE, self.message)


def read_bytes(path: Path, display: str | None = None) -> bytes:
    """The bytes of ``path``; :class:`UnusableInputError` with a one-line reason."""
    shown = display if display is not None else path.as_posix()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UnusableInputError(shown, "no such file") from None
    except IsADirectoryError:
        raise UnusableInputError(shown, "is a directory, not a file") from None
    except NotADirectoryError:
        raise UnusableInputError(shown, "no such file (a parent is not a directory)") from None
    except OSError as exc:
        raise UnusableInputError(shown, f"cannot read: {exc.strerror or exc}") from None


def decode(data: bytes, display: str) -> str:
    """``data`` decoded as UTF-8 (a byte-order mark kept); else :class:`UnusableInputError`
    at the line of the first invalid byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UnusableInputError(
            display, f"not UTF-8 (invalid byte 0x{data[exc.start]:02x})", line
        ) from None


def read_text(path: Path, display: str | None = None) -> str:
    """The text of a UTF-8 file, exactly as written (line endings and any BOM kept).

    Raises :class:`UnusableInputError` when it is missing, unreadable or not UTF-8.
    """
    shown = display if display is not None else path.as_posix()
    return decode(read_bytes(path, shown), shown)
