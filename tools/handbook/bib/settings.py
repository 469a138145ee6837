"""Settings of ``handbook bib check``: ``[tool.handbook.bib]`` in pyproject.toml.

::

    [tool.handbook.bib]
    # Files in which only BibTeX's field names count (paths relative to
    # pyproject.toml): `date` does not give the year, nor `journaltitle` the
    # journal.
    bibtex-only = ["references.bib"]

Without the table (or without pyproject.toml) every file may use biblatex's
names. Every key is checked: an unknown key or a wrong type is a
:class:`SettingsError`, printed as one line, ``pyproject.toml:LINE: CONFIG
tool.handbook.bib.KEY: message``, and ``handbook bib check`` exits 2.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handbook.files import read_text

#: Where the settings live in pyproject.toml.
TABLE: tuple[str, ...] = ("tool", "handbook", "bib")
CONFIG_CODE = "CONFIG"
#: The keys the table may hold.
KNOWN: tuple[str, ...] = ("bibtex-only",)

_TOML_LINE = re.compile(r"\bline (\d+)")
#: One part of a dotted TOML key: bare, "quoted" or 'literal'.
_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY_PART = re.compile(_PART)
_KEY_LINE = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")


@dataclass(frozen=True)
class Settings:
    """What ``[tool.handbook.bib]`` says; the defaults when it says nothing."""

    #: Resolved paths of the files where only BibTeX's field names count.
    bibtex_only: frozenset[Path] = frozenset()

    def biblatex_names(self, path: Path) -> bool:
        """Whether ``date`` and ``journaltitle`` count in the file at ``path``."""
        return not self.bibtex_only or _resolved(path) not in self.bibtex_only


class SettingsError(Exception):
    """A setting that cannot be used. ``str()`` is the one line to print."""

    def __init__(self, path: str, line: int, key: str, message: str) -> None:
        subject = f"{key}: " if key else ""
        super().__init__(f"{path}:{line}: {CONFIG_CODE} {subject}{message}")
        self.path = path
        self.line = line
        self.key = key
        self.message = message


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _kind(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names.update({list: "a list", dict: "a table"})
    return names.get(type(value), type(value).__name__)


def _dotted(key: tuple[str | int, ...]) -> str:
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _parts(text: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _KEY_PART.findall(text))


def locate(text: str, key: tuple[str, ...]) -> int:
    """The line of ``key`` in the TOML ``text``: its ``key =`` line, or the header
    of the table it names or is in; 1 when none is found.

    A reader of table headers and ``key =`` lines, not a TOML parser: enough
    for pyproject.toml.
    """
    table: tuple[str, ...] = ()
    best, best_depth = 1, 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("["):
            table = _parts(line.strip("[]"))
            candidate = table
        else:
            found = _KEY_LINE.match(line)
            if found is None:
                continue
            candidate = (*table, *_parts(found.group(1)))
        if candidate == key[: len(candidate)] and len(candidate) > best_depth:
            best, best_depth = number, len(candidate)
            if best_depth == len(key):
                return best
    return best


class _Reader:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, key: tuple[str | int, ...], message: str) -> SettingsError:
        names = tuple(part for part in key if isinstance(part, str))
        return SettingsError(self.path, locate(self.text, names), _dotted(key), message)


def parse_settings(
    data: Mapping[str, Any], *, base: Path, path: str = "pyproject.toml", text: str = ""
) -> Settings:
    """Validate ``[tool.handbook.bib]`` of the pyproject ``data``; ``base`` is the
    directory its paths are relative to."""
    reader = _Reader(path, text)
    node: Mapping[str, Any] = data
    for depth, name in enumerate(TABLE):
        child = node.get(name)
        if child is None:  # TOML has no null: the table is not there
            return Settings()
        if not isinstance(child, dict):
            raise reader.fail(TABLE[: depth + 1], f"must be a table, not {_kind(child)}")
        node = child
    for name in node:
        if name not in KNOWN:
            raise reader.fail((*TABLE, name), f"unknown setting (known: {', '.join(KNOWN)})")
    key: tuple[str | int, ...] = (*TABLE, "bibtex-only")
    listed = node.get("bibtex-only", [])
    if not isinstance(listed, list):
        raise reader.fail(key, f"must be a list of paths, not {_kind(listed)}")
    paths: set[Path] = set()
    for index, item in enumerate(listed):
        if not isinstance(item, str):
            raise reader.fail((*key, index), f"must be a path (a string), not {_kind(item)}")
        if not item.strip():
            raise reader.fail((*key, index), "is empty: give a path relative to pyproject.toml")
        paths.add(_resolved(base / item))
    return Settings(bibtex_only=frozenset(paths))


def load_settings(path: Path, display: str | None = None) -> Settings:
    """Read the pyproject.toml at ``path``.

    Raises :class:`~handbook.files.UnusableInputError` when it cannot be read
    and :class:`SettingsError` when it is not TOML or a setting is wrong.
    """
    shown = display if display is not None else str(path)
    text = read_text(path, shown)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line = int(found.group(1)) if found else 1
        raise SettingsError(shown, line, "", f"not valid TOML: {exc}") from None
    return parse_settings(data, base=path.parent, path=shown, text=text)
