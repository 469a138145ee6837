"""Files as every ``handbook`` tool reads, names and writes them: each in one place.

Every tool reads its input through :func:`read_text`, so a file that cannot be
used is reported the same way everywhere, as one line::

    docs/swe/testing.md:2: INPUT not UTF-8 (invalid byte 0xff)
    references.bib:1: INPUT no such file

and the tool exits 2 (:data:`handbook.findings.EXIT_UNUSABLE`).  Paths are
printed by :func:`display_path` and files written by :func:`write_atomically`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
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


def display_path(path: Path, root: Path | None = None) -> str:
    """``path`` as a user reads it: relative to ``root`` (default: the working
    directory) when it is inside, else as it is, in POSIX form.

    Paths are compared as written, made absolute, not with symbolic links
    resolved: a page reached through a linked folder keeps its place.
    """
    # abspath, not resolve(): symbolic links are kept as the user wrote them.
    base = Path(os.path.abspath(root if root is not None else Path.cwd()))  # noqa: PTH100
    try:
        return Path(os.path.abspath(path)).relative_to(base).as_posix()  # noqa: PTH100
    except ValueError:
        return path.as_posix()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, text: str, *, parents: bool = False) -> None:
    """Replace the file at ``path`` with ``text`` (UTF-8, exactly as given), never
    leaving half a file: a temporary file beside it, flushed to disk, then
    :func:`os.replace`.

    A symbolic link is written through (the file it names is replaced; the
    link stays); the file keeps its permission bits, and a new file gets the
    usual ones (0666 less the umask).  ``parents`` makes missing folders first.
    Raises ``OSError`` when it cannot be written; nothing is left behind then.
    """
    target = Path(os.path.realpath(path))
    if parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            mode = target.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        with contextlib.suppress(OSError):
            temporary.chmod(mode)
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
