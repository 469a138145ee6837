"""The SQLite cache with an injected clock: fresh, stale, failure TTL, spread."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from handbook.linkcheck.cache import DAY, Cache, parse_duration
from handbook.linkcheck.verdicts import Hop, Result, Verdict


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


OK = Result(Verdict.OK, None, "200 OK", status=200)
MOVED = Result(
    Verdict.REDIRECTED,
    "LINK301",
    "moved",
    status=200,
    final_url="https://new.example/",
    redirects=(Hop(301, "https://new.example/"),),
    suggestion="https://new.example/",
)
GONE = Result(Verdict.BROKEN, "LINK404", "404 Not Found", status=404)


def _cache(tmp_path: Path, clock: Clock, **kwargs: object) -> Cache:
    return Cache(tmp_path / "c.sqlite3", clock=clock, rng=random.Random(7), **kwargs)  # type: ignore[arg-type]


def test_success_lives_a_week_failure_a_day(tmp_path: Path) -> None:
    clock = Clock()
    with _cache(tmp_path, clock, spread=0.0) as cache:
        cache.put_many({"ok": OK, "moved": MOVED, "gone": GONE})
        clock.advance(DAY - 60)
        assert set(cache.get_many(["ok", "moved", "gone"])) == {"ok", "moved", "gone"}
        clock.advance(120)  # just past a day: the failure is stale, successes fresh
        assert set(cache.get_many(["ok", "moved", "gone"])) == {"ok", "moved"}
        clock.advance(6 * DAY)  # a week and a minute
        assert cache.get_many(["ok", "moved", "gone"]) == {}


def test_round_trip_marks_cached(tmp_path: Path) -> None:
    clock = Clock()
    with _cache(tmp_path, clock) as cache:
        cache.put("moved", MOVED)
        got = cache.get("moved")
    assert got is not None
    assert got.cached and got.checked_at == clock.now
    assert (got.verdict, got.code, got.final_url, got.suggestion) == (
        Verdict.REDIRECTED,
        "LINK301",
        "https://new.example/",
        "https://new.example/",
    )
    assert got.redirects == (Hop(301, "https://new.example/"),)


@pytest.mark.parametrize(
    "verdict",
    [Verdict.TIMEOUT, Verdict.ERROR, Verdict.RATE_LIMITED, Verdict.UNCHECKED, Verdict.UNSAFE],
)
def test_transient_verdicts_are_not_stored(tmp_path: Path, verdict: Verdict) -> None:
    with _cache(tmp_path, Clock()) as cache:
        assert not cache.put("x", Result(verdict, "X", "x"))
        assert cache.get("x") is None


def test_cached_results_are_not_written_again(tmp_path: Path) -> None:
    with _cache(tmp_path, Clock()) as cache:
        assert cache.put_many({"a": OK.but(cached=True)}) == 0


def test_expiry_spread_is_within_ten_percent_and_seeded(tmp_path: Path) -> None:
    clock = Clock()
    keys = [f"https://site.example/{i}" for i in range(200)]
    with _cache(tmp_path, clock) as cache:
        cache.put_many(dict.fromkeys(keys, OK))
        ages = [(cache.expiry(key) or 0) - clock.now for key in keys]
    assert all(0.9 * 7 * DAY <= age <= 1.1 * 7 * DAY for age in ages)
    assert max(ages) - min(ages) > 0.1 * 7 * DAY  # actually spread, not one instant
    with Cache(tmp_path / "again.sqlite3", clock=clock, rng=random.Random(7)) as same:
        same.put_many(dict.fromkeys(keys, OK))
        assert [(same.expiry(key) or 0) - clock.now for key in keys] == ages


def test_max_age_overrides_expiry(tmp_path: Path) -> None:
    clock = Clock()
    with _cache(tmp_path, clock) as cache:
        cache.put("ok", OK)
    clock.advance(3 * 3600)
    with _cache(tmp_path, clock, max_age=2 * 3600.0) as strict:
        assert strict.get("ok") is None
    with _cache(tmp_path, clock, max_age=4 * 3600.0) as lenient:
        assert lenient.get("ok") is not None


def test_configurable_ttls(tmp_path: Path) -> None:
    clock = Clock()
    with _cache(tmp_path, clock, success_ttl=60.0, failure_ttl=10.0, spread=0.0) as cache:
        cache.put_many({"ok": OK, "gone": GONE})
        clock.advance(30)
        assert set(cache.get_many(["ok", "gone"])) == {"ok"}


def test_an_old_schema_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE links (key TEXT PRIMARY KEY, junk TEXT)")
    db.execute("INSERT INTO links VALUES ('a', 'b')")
    db.commit()
    db.close()
    with Cache(path) as cache:
        assert cache.get("a") is None
        cache.put("a", OK)
        assert cache.get("a") is not None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("15m", 900), ("12h", 43200), ("7d", 7 * DAY), ("2w", 14 * DAY)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_bad_duration() -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration("soon")
