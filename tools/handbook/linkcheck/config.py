"""Project settings for the link checker: ``[tool.handbook.linkcheck]`` in pyproject.toml.

::

    [tool.handbook.linkcheck]
    # Statuses that count as "ok" for every host, besides 2xx (never a redirect).
    accept = [403]

    # The engine's settings, named as their command-line options (which win):
    # concurrency, per-host, host-interval, timeout, deadline, retries,
    # backoff, retry-after-cap, max-redirects, anchor-cap, doi-api.
    timeout = 30.0
    per-host = 4

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

The engine's keys are not written out in the code: they are derived from
:class:`handbook.linkcheck.settings.Settings`, where each setting is described
once (:data:`KNOWN`; a test keeps the list above complete).  A key is the
field's name with ``-`` (``per_host``: ``per-host``); its value is checked as
on the command line, only more strictly: a count below its least
(``concurrency = 0``) is an error here, where the command line raises it to
the least.  ``--no-anchors`` is a choice for one run and has no key.

Every key is checked: a misspelt key, a wrong type, a regular expression that
does not compile or an ignore rule without a reason is an error
(:class:`~handbook.pyproject.ConfigError`, from :mod:`handbook.pyproject`, which
reads every ``[tool.handbook.*]`` table) that names the key and, when it can be
found, the line; ``handbook linkcheck`` prints it as
``pyproject.toml:LINE: CONFIG key: message`` and exits 2.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handbook.linkcheck.guard import MalformedURLError, parse_host
from handbook.linkcheck.settings import HostOverride, Settings, described
from handbook.pyproject import ConfigError, KeyPath, TableReader, kind, load

__all__ = ["KNOWN", "TABLE", "ConfigError", "IgnoreRule", "ProjectConfig", "load_config"]

#: Where the settings live in pyproject.toml.
TABLE: tuple[str, ...] = ("tool", "handbook", "linkcheck")

#: Statuses that are followed, never accepted.
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
#: Headers the engine sets itself, or that would change what is requested.
_RESERVED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})


@dataclass(frozen=True)
class IgnoreRule:
    """Report links matching ``pattern`` as ignored, because of ``reason``."""

    pattern: re.Pattern[str]
    reason: str

    def matches(self, url: str) -> bool:
        return self.pattern.search(url) is not None


@dataclass(frozen=True)
class ProjectConfig:
    """Everything ``[tool.handbook.linkcheck]`` says (empty when absent): the ignore
    rules, and the engine's settings it gives, by field name of :class:`Settings`."""

    ignore: tuple[IgnoreRule, ...] = ()
    given: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None

    def settings(self, command_line: Mapping[str, Any] | None = None) -> Settings:
        """The engine's settings: ``command_line`` (by field name) over these over
        the defaults."""
        return Settings(**{**self.given, **(command_line or {})})


#: The keys ``[tool.handbook.linkcheck]`` may hold: the ignore rules, then every
#: setting of :class:`Settings` that may be given in pyproject.toml.
KNOWN: tuple[str, ...] = (
    "ignore",
    *(item.key for item in described() if item.key is not None),
)


# --------------------------------------------------------------------------
# Validation


class _Reader(TableReader):
    """The generic checks, plus HTTP status lists."""

    def statuses(self, value: object, key: KeyPath) -> frozenset[int]:
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list of HTTP status codes, not {kind(value)}")
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


def parse_config(
    data: Mapping[str, Any], *, path: str = "pyproject.toml", text: str = ""
) -> ProjectConfig:
    """Validate the whole pyproject ``data`` and return its linkcheck settings."""
    reader = _Reader(path, text)
    top = reader.tables(data, TABLE)
    if top is None:
        return ProjectConfig(source=path)
    reader.known(top, TABLE, KNOWN)

    rules: list[IgnoreRule] = []
    raw_ignore = top.get("ignore", [])
    if not isinstance(raw_ignore, list):
        raise reader.fail(
            (*TABLE, "ignore"),
            "must be an array of tables ([[tool.handbook.linkcheck.ignore]]), "
            f"not {kind(raw_ignore)}",
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

    given: dict[str, Any] = {}
    for item in described():
        if item.key is None or item.key not in top:
            continue
        where: KeyPath = (*TABLE, item.key)
        value = top[item.key]
        if item.option.kind == "statuses":
            given[item.name] = reader.statuses(value, where)
        elif item.option.kind == "hosts":
            given[item.name] = _hosts(reader, value, where)
        else:
            try:
                given[item.name] = item.from_pyproject(value)
            except ValueError as exc:
                raise reader.fail(where, str(exc)) from None
    return ProjectConfig(tuple(rules), given, source=path)


def _hosts(reader: _Reader, value: object, at: KeyPath) -> tuple[HostOverride, ...]:
    """``[tool.handbook.linkcheck.hosts]``: the overrides, one per host or host:port."""
    hosts: list[HostOverride] = []
    raw_hosts = reader.table(value, at)
    for name, table_value in raw_hosts.items():
        key = (*at, name)
        host, port = _host_key(reader, name, key)
        table = reader.table(table_value, key)
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
    return tuple(hosts)


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
    data, text = load(path, shown)
    return parse_config(data, path=shown, text=text)
