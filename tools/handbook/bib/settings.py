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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handbook.pyproject import ConfigError, KeyPath, TableReader, kind, load, locate

#: Where the settings live in pyproject.toml.
TABLE: tuple[str, ...] = ("tool", "handbook", "bib")
#: The keys the table may hold.
KNOWN: tuple[str, ...] = ("bibtex-only",)


@dataclass(frozen=True)
class Settings:
    """What ``[tool.handbook.bib]`` says; the defaults when it says nothing."""

    #: Resolved paths of the files where only BibTeX's field names count.
    bibtex_only: frozenset[Path] = frozenset()

    def biblatex_names(self, path: Path) -> bool:
        """Whether ``date`` and ``journaltitle`` count in the file at ``path``."""
        return not self.bibtex_only or _resolved(path) not in self.bibtex_only


class SettingsError(ConfigError):
    """A setting that cannot be used. ``str()`` is the one line to print (always
    with a line: the table's, or the file's first, when the key is not found)."""


def _fail(path: str, text: str, key: KeyPath, message: str) -> SettingsError:
    names = tuple(part for part in key if isinstance(part, str))
    return SettingsError(path, key, message, locate(text, names) or 1)


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(path))


class _Table(TableReader):
    """The generic checks, failing with :class:`SettingsError` (always with a line)."""

    def fail(self, key: KeyPath, message: str) -> SettingsError:
        return _fail(self.path, self.text, key, message)


def parse_settings(
    data: Mapping[str, Any], *, base: Path, path: str = "pyproject.toml", text: str = ""
) -> Settings:
    """Validate ``[tool.handbook.bib]`` of the pyproject ``data``; ``base`` is the
    directory its paths are relative to."""
    node = _Table(path, text).tables(data, TABLE)
    if node is None:
        return Settings()
    for name in node:
        if name not in KNOWN:
            raise _fail(path, text, (*TABLE, name), f"unknown setting (known: {', '.join(KNOWN)})")
    key: tuple[str | int, ...] = (*TABLE, "bibtex-only")
    listed = node.get("bibtex-only", [])
    if not isinstance(listed, list):
        raise _fail(path, text, key, f"must be a list of paths, not {kind(listed)}")
    paths: set[Path] = set()
    for index, item in enumerate(listed):
        if not isinstance(item, str):
            raise _fail(path, text, (*key, index), f"must be a path (a string), not {kind(item)}")
        if not item.strip():
            raise _fail(
                path, text, (*key, index), "is empty: give a path relative to pyproject.toml"
            )
        paths.add(_resolved(base / item))
    return Settings(bibtex_only=frozenset(paths))


def load_settings(path: Path, display: str | None = None) -> Settings:
    """Read the pyproject.toml at ``path``.

    Raises :class:`~handbook.files.UnusableInputError` when it cannot be read
    and :class:`SettingsError` when it is not TOML or a setting is wrong.
    """
    shown = display if display is not None else str(path)
    try:
        data, text = load(path, shown)
    except ConfigError as exc:
        raise SettingsError(exc.path, exc.key, exc.message, exc.line or 1) from None
    return parse_settings(data, base=path.parent, path=shown, text=text)
