"""``[tool.handbook.*]`` in pyproject.toml: reading it, and saying where it is wrong.

Every tool with settings (``bib check``'s ``[tool.handbook.bib]``,
``linkcheck``'s ``[tool.handbook.linkcheck]``) reads pyproject.toml through
:func:`load` and validates its table with a :class:`TableReader`, so a bad
setting is reported the same way everywhere, as one line that names the key
and, when it can be found, its line::

    pyproject.toml:42: CONFIG tool.handbook.linkcheck.ignore[0].reason: required: ...

and the tool exits 2.  tomllib gives no positions, so :func:`locate` finds
the line of a key (or of the nearest table that encloses it) by reading the
file's table headers and ``key =`` lines.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from handbook.files import read_text

#: The finding code of a setting that cannot be used.
CONFIG_CODE = "CONFIG"

KeyPath = tuple[str | int, ...]


class ConfigError(ValueError):
    """A bad setting: the key path, a message and (when found) the line."""

    def __init__(self, path: str, key: KeyPath, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.key = key
        self.message = message
        self.line = line

    @property
    def dotted(self) -> str:
        return dotted(self.key)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        subject = f"{self.dotted}: " if self.key else ""
        return f"{where}: {CONFIG_CODE} {subject}{self.message}"


def dotted(key: KeyPath) -> str:
    """``("tool", "hosts", "a.b", 0)`` -> ``tool.hosts."a.b"[0]``."""
    out = ""
    for part in key:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else f'"{part}"'
        out += f".{text}" if out else text
    return out


# --------------------------------------------------------------------------
# Finding the line of a key (tomllib does not say)

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _split_keys(text: str) -> list[str] | None:
    """``a."b.c".d`` -> ``["a", "b.c", "d"]``; None when it is not a dotted key."""
    keys: list[str] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            return None
        if text[i] == '"':
            j = i + 1
            value = ""
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    value += text[j + 1]
                    j += 2
                    continue
                value += text[j]
                j += 1
            if j >= n:
                return None
            keys.append(value)
            i = j + 1
        elif text[i] == "'":
            j = text.find("'", i + 1)
            if j < 0:
                return None
            keys.append(text[i + 1 : j])
            i = j + 1
        else:
            match = _BARE.match(text, i)
            if not match:
                return None
            keys.append(match.group(0))
            i = match.end()
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            return keys
        if text[i] != ".":
            return None
        i += 1


def locate(text: str, key: KeyPath) -> int | None:
    """The line of ``key`` in the TOML ``text``, or of the deepest table or key
    that encloses it (e.g. the ``[[...ignore]]`` header of a rule whose
    ``reason`` is missing); None when not even the first part is there.

    A reader of the file's structure, not a TOML parser: table headers,
    ``[[array]]`` headers (counted, for the index) and ``key =`` lines at the
    start of a line.  Multi-line strings and arrays are skipped over well
    enough for pyproject.toml.
    """
    best_line: int | None = None
    best_depth = 0
    table: KeyPath = ()
    arrays: dict[tuple[str | int, ...], int] = {}
    in_multiline: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if in_multiline:
            if in_multiline in line:
                in_multiline = None
            continue
        if not line or line.startswith("#"):
            continue
        candidate: KeyPath | None = None
        if line.startswith("[[") and "]]" in line:
            parts = _split_keys(line[2 : line.index("]]")])
            if parts is None:
                continue
            base = tuple(parts)
            index = arrays.get(base, -1) + 1
            arrays[base] = index
            table = (*base, index)
            candidate = table
        elif line.startswith("["):
            end = line.find("]")
            parts = _split_keys(line[1:end]) if end > 0 else None
            if parts is None:
                continue
            table = tuple(parts)
            candidate = table
        elif "=" in line:
            left, right = line.split("=", 1)
            parts = _split_keys(left)
            if parts is None:
                continue
            candidate = (*table, *parts)
            value = right.strip()
            for quote in ('"""', "'''"):
                if value.startswith(quote) and value.count(quote) == 1:
                    in_multiline = quote
        if candidate is None:
            continue
        depth = 0
        for mine, theirs in zip(candidate, key, strict=False):
            if mine != theirs:
                break
            depth += 1
        # Only a key on the path to the wanted one (a prefix of it) counts.
        if depth == len(candidate) and depth > best_depth:
            best_depth, best_line = depth, number
    return best_line


# --------------------------------------------------------------------------
# Reading and validating


def load(path: Path, display: str | None = None) -> tuple[dict[str, Any], str]:
    """The parsed TOML of ``path`` and its text.

    Raises :class:`~handbook.files.UnusableInputError` when it cannot be read
    and :class:`ConfigError` (at its line) when it is not TOML.
    """
    shown = display if display is not None else path.name
    text = read_text(path, shown)  # UnusableInputError: exit 2, like every input
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        if line is None:
            found = re.search(r"line (\d+)", str(exc))
            line = int(found.group(1)) if found else None
        raise ConfigError(shown, (), f"not valid TOML: {exc}", line) from None


def kind(value: object) -> str:
    names = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


class TableReader:
    """Validates one table of a pyproject file: each failure a :class:`ConfigError`
    that names its key and line."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, key: KeyPath, message: str) -> ConfigError:
        return ConfigError(self.path, key, message, locate(self.text, key))

    def table(self, value: object, key: KeyPath) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, not {kind(value)}")
        return value

    def known(self, table: Mapping[str, Any], key: KeyPath, allowed: Sequence[str]) -> None:
        for name in table:
            if name not in allowed:
                hint = ", ".join(allowed)
                raise self.fail((*key, name), f"unknown setting (known here: {hint})")

    def tables(self, data: Mapping[str, Any], table: KeyPath) -> Mapping[str, Any] | None:
        """The table at ``table`` (e.g. ``("tool", "handbook", "bib")``) of ``data``;
        None when it is not there (TOML has no null)."""
        node: object = data
        for depth, name in enumerate(table):
            if not isinstance(node, dict) or name not in node:
                return None
            node = node[name]
            if depth < len(table) - 1 and not isinstance(node, dict):
                raise self.fail(table[: depth + 1], f"must be a table, not {kind(node)}")
        return self.table(node, table)
