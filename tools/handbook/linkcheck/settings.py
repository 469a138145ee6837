"""What the engine is told: its settings and the jobs to check.

Kept apart from :mod:`handbook.linkcheck.fetch` so that the command line can
build them without importing aiohttp (a run answered entirely from the cache
never needs it).
"""

from __future__ import annotations

from dataclasses import dataclass

from yarl import URL

import handbook

DEFAULT_DOI_API = "https://doi.org/api/handles/"
USER_AGENT = (
    f"handbook-linkcheck/{handbook.__version__} "
    "(+https://github.com/mle-handbook/handbook; link checker)"
)


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
    """Every knob of the engine (the CLI maps its options onto these)."""

    concurrency: int = 128
    per_host: int = 2
    host_interval: float = 0.05
    timeout: float = 15.0
    deadline: float = 300.0
    retries: int = 2
    backoff: float = 0.5
    backoff_cap: float = 8.0
    retry_after_cap: float = 60.0
    max_redirects: int = 10
    anchor_cap: int = 4 * 1024 * 1024
    check_anchors: bool = True
    doi_api: str = DEFAULT_DOI_API
    user_agent: str = USER_AGENT
    #: Statuses that count as ok for every host, besides 2xx.
    accept: frozenset[int] = frozenset()
    #: Per-host politeness, headers and accepted statuses.
    hosts: tuple[HostOverride, ...] = ()

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
class UrlJob:
    """Check ``url`` (prepared by :func:`~handbook.linkcheck.guard.prepare_url`)."""

    key: str
    url: URL


@dataclass(frozen=True)
class DoiJob:
    """Check that ``doi`` is registered."""

    key: str
    doi: str
