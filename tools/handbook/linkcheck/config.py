"""Project settings for the link checker: ``[tool.handbook.linkcheck]`` in pyproject.toml.

::

    [tool.handbook.linkcheck]
    # Statuses that count as "ok" for every host, besides 2xx (never a redirect).
    accept = [403]

    # Links reported "ignored" instead of checked.  `pattern` is a Python
    # regular expression searched for in the link as written (a DOI as
    # https://doi.org/..., an ISBN as urn:isbn:...); `reason` is required:
    # the next person must be able to tell whether the rule still applies.
    [[tool.handbook.linkcheck.ignore]]
    pattern = '^https://www\\.linkedin\\.com/'
    reason = "LinkedIn answers 999 to every robot"

    # Per host (a name for every port, or "name:port"): requests in flight,
    # seconds between request starts, extra request headers, more accepted
    # statuses.  Each key is optional.
    [tool.handbook.linkcheck.hosts."doi.org"]
    concurrency = 4
    interval = 0.2
    headers = { Accept = "application/json" }
    accept = [503]

Every key is checked: a misspelt key, a wrong type, a regular expression that
does not compile or an ignore rule without a reason is an error
(:class:`ConfigError`) that names the key and, when it can be found, the line
(tomllib gives no positions, so :func:`locate` finds the line of the key, or
of the nearest enclosing table, by reading the file's table headers and keys).
``handbook linkcheck`` prints it as ``pyproject.toml:LINE: CONFIG key: message``
and exits 2.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handbook.files import read_text
from handbook.linkcheck.guard import MalformedURLError, parse_host
from handbook.linkcheck.settings import HostOverride

#: Where the settings live in pyproject.toml.
TABLE: tuple[str, ...] = ("tool", "handbook", "linkcheck")
CONFIG_CODE = "CONFIG"

#: Statuses that are followed, never accepted.
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
#: Headers the engine sets itself, or that would change what is requested.
_RESERVED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})

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


@dataclass(frozen=True)
class IgnoreRule:
    """Report links matching ``pattern`` as ignored, because of ``reason``."""

    pattern: re.Pattern[str]
    reason: str

    def matches(self, url: str) -> bool:
        return self.pattern.search(url) is not None


@dataclass(frozen=True)
class ProjectConfig:
    """Everything ``[tool.handbook.linkcheck]`` says (empty when absent)."""

    ignore: tuple[IgnoreRule, ...] = ()
    accept: frozenset[int] = frozenset()
    hosts: tuple[HostOverride, ...] = ()
    source: str | None = None


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
# Validation


class _Reader:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, key: KeyPath, message: str) -> ConfigError:
        return ConfigError(self.path, key, message, locate(self.text, key))

    def table(self, value: object, key: KeyPath) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, not {_kind(value)}")
        return value

    def known(self, table: Mapping[str, Any], key: KeyPath, allowed: Sequence[str]) -> None:
        for name in table:
            if name not in allowed:
                hint = ", ".join(allowed)
                raise self.fail((*key, name), f"unknown setting (known here: {hint})")

    def statuses(self, value: object, key: KeyPath) -> frozenset[int]:
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list of HTTP status codes, not {_kind(value)}")
        out: set[int] = set()
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, int) or not 100 <= item <= 599:
                raise self.fail((*key, i), f"{item!r} is not an HTTP status code (100-599)")
            if item in _REDIRECTS:
                raise self.fail(
                    (*key, i), f"{item} is a redirect: redirects are followed, never accepted"
                )
            out.add(item)
        return frozenset(out)


def _kind(value: object) -> str:
    names = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


def parse_config(
    data: Mapping[str, Any], *, path: str = "pyproject.toml", text: str = ""
) -> ProjectConfig:
    """Validate the whole pyproject ``data`` and return its linkcheck settings."""
    reader = _Reader(path, text)
    node: object = data
    for depth, name in enumerate(TABLE):
        if not isinstance(node, dict) or name not in node:
            return ProjectConfig(source=path)
        node = node[name]
        if depth < len(TABLE) - 1 and not isinstance(node, dict):
            raise reader.fail(TABLE[: depth + 1], f"must be a table, not {_kind(node)}")
    top = reader.table(node, TABLE)
    reader.known(top, TABLE, ("ignore", "accept", "hosts"))

    rules: list[IgnoreRule] = []
    raw_ignore = top.get("ignore", [])
    if not isinstance(raw_ignore, list):
        raise reader.fail(
            (*TABLE, "ignore"),
            "must be an array of tables ([[tool.handbook.linkcheck.ignore]]), "
            f"not {_kind(raw_ignore)}",
        )
    for i, item in enumerate(raw_ignore):
        key: KeyPath = (*TABLE, "ignore", i)
        rule = reader.table(item, key)
        reader.known(rule, key, ("pattern", "reason"))
        if "pattern" not in rule:
            raise reader.fail((*key, "pattern"), "required: the regular expression to ignore")
        pattern = rule["pattern"]
        if not isinstance(pattern, str) or not pattern:
            raise reader.fail((*key, "pattern"), "must be a non-empty regular expression")
        if "reason" not in rule:
            raise reader.fail(
                (*key, "reason"), "required: say why the link cannot or need not be checked"
            )
        reason = rule["reason"]
        if not isinstance(reason, str) or not reason.strip():
            raise reader.fail((*key, "reason"), "must say, in words, why the link is ignored")
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            message = f"invalid regular expression {pattern!r}: {exc}"
            raise reader.fail((*key, "pattern"), message) from None
        rules.append(IgnoreRule(compiled, reason.strip()))

    accept = reader.statuses(top["accept"], (*TABLE, "accept")) if "accept" in top else frozenset()

    hosts: list[HostOverride] = []
    raw_hosts = reader.table(top.get("hosts", {}), (*TABLE, "hosts"))
    for name, value in raw_hosts.items():
        key = (*TABLE, "hosts", name)
        host, port = _host_key(reader, name, key)
        table = reader.table(value, key)
        reader.known(table, key, ("concurrency", "interval", "headers", "accept"))
        concurrency = table.get("concurrency")
        if concurrency is not None and (
            isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1
        ):
            raise reader.fail(
                (*key, "concurrency"), f"must be a whole number of at least 1, not {concurrency!r}"
            )
        interval = table.get("interval")
        if interval is not None and (
            isinstance(interval, bool)
            or not isinstance(interval, int | float)
            or not 0 <= interval <= 60
        ):
            raise reader.fail(
                (*key, "interval"), f"must be a number of seconds from 0 to 60, not {interval!r}"
            )
        headers: list[tuple[str, str]] = []
        raw_headers = reader.table(table.get("headers", {}), (*key, "headers"))
        for header, content in raw_headers.items():
            where = (*key, "headers", header)
            if not _TOKEN.match(header):
                raise reader.fail(where, "is not a valid HTTP header name")
            if header.lower() in _RESERVED_HEADERS:
                raise reader.fail(where, "is set by the checker and cannot be overridden")
            if not isinstance(content, str) or any(ch in content for ch in "\r\n\0"):
                raise reader.fail(where, "must be a one-line string")
            headers.append((header, content))
        accept_here = (
            reader.statuses(table["accept"], (*key, "accept")) if "accept" in table else frozenset()
        )
        hosts.append(
            HostOverride(
                host,
                port,
                concurrency=concurrency,
                interval=float(interval) if interval is not None else None,
                headers=tuple(headers),
                accept=accept_here,
            )
        )
    return ProjectConfig(tuple(rules), accept, tuple(hosts), source=path)


def _host_key(reader: _Reader, name: str, key: KeyPath) -> tuple[str, int | None]:
    text = name.strip().lower()
    port: int | None = None
    if not text or "/" in text:
        raise reader.fail(key, f"{name!r} is not a host name (write it without scheme or path)")
    if text.count(":") == 1:
        text, port_text = text.split(":")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise reader.fail(key, f"bad port in host {name!r}")
        port = int(port_text)
    try:
        host = parse_host(text)
    except MalformedURLError as exc:
        raise reader.fail(key, f"{name!r} is not a host name: {exc}") from None
    return host.text.rstrip(".") if host.kind == "name" else host.text, port


def load_config(path: Path, display: str | None = None) -> ProjectConfig:
    """Read ``path`` (a pyproject.toml); no file means no settings."""
    shown = display or path.name
    if not path.exists() and not path.is_symlink():
        return ProjectConfig()
    text = read_text(path, shown)  # UnusableInputError: exit 2, like every input
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        if line is None:
            found = re.search(r"line (\d+)", str(exc))
            line = int(found.group(1)) if found else None
        raise ConfigError(shown, (), f"not valid TOML: {exc}", line) from None
    return parse_config(data, path=shown, text=text)
