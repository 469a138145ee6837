"""What the engine is told: its settings, each described once, and the jobs to check.

Every setting is a field of :class:`Settings`, and the field says everything
about it: its default, its help text, how a value is checked and whether it is
given on the command line, in ``[tool.handbook.linkcheck]``, or both (an
:class:`Option` in the field's metadata).  Nothing else restates it:
:mod:`handbook.linkcheck.cli` derives its options from these fields (flag,
metavar, help, group) and :mod:`handbook.linkcheck.config` its keys, so a new
setting is one field here::

    #: Connections kept open per host.
    keep_alive: int = setting(
        4, Option("connections kept open per host (default: %(default)s)", "count", least=1)
    )

gives ``--keep-alive KEEP_ALIVE`` in the "network" group of ``--help`` and
``keep-alive = 4`` in pyproject.toml.  The command line wins over pyproject.toml,
and pyproject.toml over the default.

Kept apart from :mod:`handbook.linkcheck.fetch` so that the command line can
build them without importing aiohttp (a run answered entirely from the cache
never needs it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Literal, TypeVar

from yarl import URL

import handbook

DEFAULT_DOI_API = "https://doi.org/api/handles/"
USER_AGENT = (
    f"handbook-linkcheck/{handbook.__version__} "
    "(+https://github.com/mle-handbook/handbook; link checker)"
)

#: What a setting's value is, which says how it is checked:
#:
#: ``count``
#:     a whole number of at least ``least``.  On the command line a smaller one
#:     is raised to ``least`` (as it always was); in pyproject.toml it is an error.
#: ``seconds``
#:     a number of seconds, not negative.
#: ``url``
#:     a URL, kept with a final ``/`` (a base that paths are appended to).
#: ``switch``
#:     on by default; its flag turns it off (command line only).
#: ``statuses``, ``hosts``
#:     the tables of pyproject.toml that :mod:`handbook.linkcheck.config` reads
#:     (HTTP statuses to accept; per-host overrides).
Kind = Literal["count", "seconds", "url", "switch", "statuses", "hosts"]

#: The key of a field's metadata that holds its :class:`Option`.
OPTION = "option"

_T = TypeVar("_T")


@dataclass(frozen=True)
class Option:
    """How one setting is given and checked (a field's metadata, see :func:`setting`).

    ``help`` is the ``--help`` text (``%(default)s`` is the default);
    ``flag`` the option when it is not the field's name (``per_host`` ->
    ``--per-host``); ``group`` the ``--help`` group it is listed in;
    ``command_line`` and ``pyproject`` whether it may be given there (in
    pyproject.toml its key is the field's name with ``-``: ``per-host``).
    """

    help: str
    kind: Kind
    least: int = 0
    metavar: str | None = None
    flag: str | None = None
    group: str = "network"
    command_line: bool = True
    pyproject: bool = True


def setting(default: _T, option: Option) -> _T:
    """A field of :class:`Settings` with its default and its :class:`Option`."""
    return field(default=default, metadata={OPTION: option})


@dataclass(frozen=True)
class HostOverride:
    """Politeness and request settings for one host (any port) or one host:port
    (from ``[tool.handbook.linkcheck.hosts]``, see :mod:`handbook.linkcheck.config`)."""

    host: str
    port: int | None = None
    concurrency: int | None = None
    interval: float | None = None
    headers: tuple[tuple[str, str], ...] = ()
    accept: frozenset[int] = frozenset()

    @property
    def key(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Settings:
    """Every knob of the engine; each that may be given carries its :class:`Option`
    (see the module docstring), the others are fixed."""

    #: Statuses that count as ok for every host, besides 2xx.
    accept: frozenset[int] = setting(
        frozenset(),
        Option(
            "statuses that count as ok for every host, besides 2xx",
            "statuses",
            command_line=False,
        ),
    )
    #: Per-host politeness, headers and accepted statuses.
    hosts: tuple[HostOverride, ...] = setting(
        (),
        Option(
            "per host: requests in flight, interval, headers, accepted statuses",
            "hosts",
            command_line=False,
        ),
    )
    concurrency: int = setting(
        128, Option("requests in flight (default: %(default)s)", "count", least=1)
    )
    per_host: int = setting(
        2, Option("requests in flight per host (default: %(default)s)", "count", least=1)
    )
    host_interval: float = setting(
        0.05,
        Option(
            "minimum time between request starts on one host (default: %(default)s)",
            "seconds",
            metavar="SECONDS",
        ),
    )
    timeout: float = setting(
        15.0,
        Option("per request, body included (default: %(default)s)", "seconds", metavar="SECONDS"),
    )
    deadline: float = setting(
        300.0,
        Option(
            "for the whole run; what is left is reported unchecked (default: %(default)s)",
            "seconds",
            metavar="SECONDS",
        ),
    )
    retries: int = setting(
        2, Option("for timeouts, dropped connections, 5xx, 429 (default: %(default)s)", "count")
    )
    backoff: float = setting(
        0.5,
        Option(
            "first retry delay, doubled each time, with jitter (default: %(default)s)",
            "seconds",
            metavar="SECONDS",
        ),
    )
    #: The longest wait between two tries (not a setting anyone gives).
    backoff_cap: float = 8.0
    retry_after_cap: float = setting(
        60.0,
        Option(
            "longest Retry-After honoured (default: %(default)s); longer: rate_limited",
            "seconds",
            metavar="SECONDS",
        ),
    )
    max_redirects: int = setting(10, Option("(default: %(default)s)", "count"))
    anchor_cap: int = setting(
        4 * 1024 * 1024,
        Option(
            "read at most this much of a page looking for an #anchor (default: %(default)s)",
            "count",
            least=1024,
            metavar="BYTES",
        ),
    )
    #: A choice for one run, not the project's: no pyproject.toml key.
    check_anchors: bool = setting(
        True,
        Option(
            "do not check #fragments",
            "switch",
            flag="--no-anchors",
            group="what to check",
            pyproject=False,
        ),
    )
    doi_api: str = setting(
        DEFAULT_DOI_API, Option("handle API base (default: %(default)s)", "url", metavar="URL")
    )
    user_agent: str = USER_AGENT

    def host(self, name: str | None, port: int | None) -> HostOverride | None:
        """The override for ``name:port``, else for ``name`` (any port), else None."""
        host = (name or "").rstrip(".").lower()
        exact = f"{host}:{port}"
        for override in self.hosts:
            if override.key == exact:
                return override
        for override in self.hosts:
            if override.port is None and override.host == host:
                return override
        return None


@dataclass(frozen=True)
class Described:
    """A setting as the command line and pyproject.toml see it: field, default, option."""

    name: str
    default: Any
    option: Option

    @property
    def flag(self) -> str | None:
        """``--per-host``; None when it is not on the command line."""
        if not self.option.command_line:
            return None
        return self.option.flag or "--" + self.name.replace("_", "-")

    @property
    def key(self) -> str | None:
        """``per-host`` in ``[tool.handbook.linkcheck]``; None when it is not there."""
        return self.name.replace("_", "-") if self.option.pyproject else None

    @property
    def help(self) -> str:
        """The help text with its default filled in."""
        return self.option.help % {"default": self.default}

    def from_command_line(self, value: Any) -> Any:
        """A value argparse has read (its type checked), made what the engine takes."""
        kind = self.option.kind
        if kind == "count":
            return max(self.option.least, value)
        if kind == "url":
            return _base_url(value)
        return value

    def from_pyproject(self, value: object) -> Any:
        """A value of pyproject.toml, checked; :class:`ValueError` says what is wrong.

        Only for the scalar kinds (``statuses`` and ``hosts`` are tables that
        :mod:`handbook.linkcheck.config` reads).
        """
        kind, least = self.option.kind, self.option.least
        if kind == "count":
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ValueError(f"must be a whole number of at least {least}, not {value!r}")
            return value
        if kind == "seconds":
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or math.isnan(value)
                or value < 0
            ):
                raise ValueError(f"must be a number of seconds, 0 or more, not {value!r}")
            return float(value)
        if kind == "url":
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"must be a URL (a string), not {value!r}")
            return _base_url(value)
        raise TypeError(f"{self.name} ({kind}) is not read as one value")


def described() -> tuple[Described, ...]:
    """Every setting that has an :class:`Option`, in the order of :class:`Settings`."""
    return tuple(
        Described(item.name, item.default, item.metadata[OPTION])
        for item in fields(Settings)
        if OPTION in item.metadata
    )


def _base_url(text: str) -> str:
    return text if text.endswith("/") else text + "/"


@dataclass(frozen=True)
class UrlJob:
    """Check ``url`` (prepared by :func:`~handbook.linkcheck.guard.prepare_url`)."""

    key: str
    url: URL


@dataclass(frozen=True)
class DoiJob:
    """Check that ``doi`` is registered."""

    key: str
    doi: str
