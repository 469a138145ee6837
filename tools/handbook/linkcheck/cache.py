"""The result cache: SQLite at ``.cache/linkcheck.sqlite3``, one row per link.

A row holds the verdict, status, final URL and when the link was checked,
plus the rest of the result as JSON.  Successes (``ok``, ``redirected``) live
longer than failures (``broken``, ``blocked``): 7 days against 1 day by
default.  Each row's expiry is spread at random by ±10 % so that the
hundred links of one site, checked in the same run, do not all expire in the
same run again.  Transient verdicts (timeouts, errors, rate limits,
unchecked) are never stored.  ``max_age`` additionally treats anything
checked longer ago than that as stale, whatever its expiry.

The clock and the random generator are injectable so that tests can age the
cache and fix the spread.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType

from handbook.linkcheck.verdicts import CACHE_FAILURE, CACHE_SUCCESS, Hop, Result, Verdict

DAY = 86400.0
DEFAULT_SUCCESS_TTL = 7 * DAY
DEFAULT_FAILURE_TTL = 1 * DAY
DEFAULT_SPREAD = 0.10
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS links (
    key        TEXT PRIMARY KEY,
    verdict    TEXT NOT NULL,
    status     INTEGER,
    final_url  TEXT,
    checked_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    data       TEXT NOT NULL
)
"""

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": DAY, "w": 7 * DAY}


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``15m``, ``12h``, ``7d``, ``2w`` -> seconds."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"invalid duration {text!r} (e.g. 3600, 30m, 12h, 7d)")
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


class Cache:
    """Fresh results by key; see the module docstring for the rules."""

    def __init__(
        self,
        path: Path,
        *,
        success_ttl: float = DEFAULT_SUCCESS_TTL,
        failure_ttl: float = DEFAULT_FAILURE_TTL,
        spread: float = DEFAULT_SPREAD,
        max_age: float | None = None,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.path = path
        self.success_ttl = success_ttl
        self.failure_ttl = failure_ttl
        self.spread = spread
        self.max_age = max_age
        self.clock = clock
        self.rng = rng or random.Random()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=10)
        try:
            self._migrate()
        except sqlite3.DatabaseError:
            self._db.close()
            raise

    def _migrate(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        with self._db:
            if version != SCHEMA_VERSION:
                self._db.execute("DROP TABLE IF EXISTS links")
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.execute(_SCHEMA)

    # -- context manager ---------------------------------------------------

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Cache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- reading and writing -----------------------------------------------

    def ttl(self, verdict: Verdict) -> float | None:
        """How long a result with ``verdict`` is kept (before the spread), or None."""
        if verdict in CACHE_SUCCESS:
            return self.success_ttl
        if verdict in CACHE_FAILURE:
            return self.failure_ttl
        return None

    def get_many(self, keys: Iterable[str]) -> dict[str, Result]:
        """The fresh results among ``keys``, marked ``cached``."""
        now = self.clock()
        wanted = list(dict.fromkeys(keys))
        fresh: dict[str, Result] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT key, verdict, status, final_url, checked_at, expires_at, data "
                f"FROM links WHERE key IN ({marks})",
                chunk,
            ).fetchall()
            for key, verdict, status, final_url, checked_at, expires_at, data in rows:
                if now >= expires_at:
                    continue
                if self.max_age is not None and now - checked_at > self.max_age:
                    continue
                result = _decode(verdict, status, final_url, checked_at, data)
                if result is not None:
                    fresh[key] = result
        return fresh

    def get(self, key: str) -> Result | None:
        return self.get_many([key]).get(key)

    def put_many(self, results: Mapping[str, Result]) -> int:
        """Store the cacheable results (not those read from the cache); how many."""
        now = self.clock()
        rows = []
        for key, result in results.items():
            ttl = self.ttl(result.verdict)
            if ttl is None or result.cached:
                continue
            expires = now + ttl * (1 + self.rng.uniform(-self.spread, self.spread))
            rows.append(
                (
                    key,
                    result.verdict.value,
                    result.status,
                    result.final_url,
                    result.checked_at if result.checked_at is not None else now,
                    expires,
                    _encode(result),
                )
            )
        if rows:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO links "
                    "(key, verdict, status, final_url, checked_at, expires_at, data) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        return len(rows)

    def put(self, key: str, result: Result) -> bool:
        return self.put_many({key: result}) == 1

    def expiry(self, key: str) -> float | None:
        """When ``key`` expires (for tests and diagnostics)."""
        row = self._db.execute("SELECT expires_at FROM links WHERE key = ?", (key,)).fetchone()
        return None if row is None else float(row[0])


def _encode(result: Result) -> str:
    return json.dumps(
        {
            "code": result.code,
            "message": result.message,
            "redirects": [[hop.status, hop.url] for hop in result.redirects],
            "suggestion": result.suggestion,
        },
        ensure_ascii=False,
    )


def _decode(
    verdict: str, status: int | None, final_url: str | None, checked_at: float, data: str
) -> Result | None:
    try:
        extra = json.loads(data)
        return Result(
            verdict=Verdict(verdict),
            code=extra.get("code"),
            message=str(extra.get("message", "")),
            status=status,
            final_url=final_url,
            redirects=tuple(Hop(int(s), str(u)) for s, u in extra.get("redirects", [])),
            suggestion=extra.get("suggestion"),
            cached=True,
            checked_at=checked_at,
        )
    except (ValueError, TypeError, AttributeError):
        return None  # a row this version cannot read is simply stale
