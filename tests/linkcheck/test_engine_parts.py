"""The engine's pure parts: Retry-After, bot walls, fragments, priority slots."""

from __future__ import annotations

import asyncio
from email.utils import formatdate

import pytest
from yarl import URL

from handbook.linkcheck.fetch import (
    HostGate,
    PrioritySlots,
    bot_wall,
    checkable_fragment,
    retry_after_seconds,
)
from handbook.linkcheck.verdicts import Verdict, from_status, parse_verdicts

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0", 0.0),
        ("1", 1.0),
        (" 120 ", 120.0),
        (formatdate(NOW + 30, usegmt=True), 30.0),
        (formatdate(NOW - 30, usegmt=True), 0.0),  # in the past: go now
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_both_forms(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, NOW) == seconds


@pytest.mark.parametrize(
    ("status", "headers", "wall"),
    [
        (403, {"cf-mitigated": "challenge"}, "Cloudflare"),
        (503, {"CF-Mitigated": "challenge"}, "Cloudflare"),
        (202, {"x-amzn-waf-action": "challenge"}, "AWS WAF"),
        (403, {"x-datadome": "protected"}, "DataDome"),
        (403, {"Server": "AkamaiGHost"}, "Akamai"),
        (403, {"Server": "nginx"}, None),
        (200, {"x-datadome": "protected"}, None),
    ],
)
def test_bot_walls(status: int, headers: dict[str, str], wall: str | None) -> None:
    found = bot_wall(status, headers)
    assert (found is None) if wall is None else (wall in (found or ""))


@pytest.mark.parametrize(
    ("url", "anchor"),
    [
        ("https://example.com/p#intro", "intro"),
        ("https://example.com/p#caf%C3%A9", "café"),
        ("https://example.com/p", None),
        ("https://example.com/p#", None),
        ("https://example.com/app#/route", None),
        ("https://example.com/app#!/route", None),
        ("https://example.com/p#:~:text=hello", None),
        ("https://github.com/o/r/blob/main/f.py#L10-L20", None),
        ("https://github.com/o/r#readme", "readme"),
    ],
)
def test_which_fragments_are_checked(url: str, anchor: str | None) -> None:
    assert checkable_fragment(URL(url)) == anchor


def test_status_verdicts() -> None:
    assert from_status(200).verdict is Verdict.OK
    assert from_status(404).code == "LINK404"
    assert from_status(999).verdict is Verdict.BLOCKED
    assert from_status(302).verdict is Verdict.ERROR  # a redirect without Location
    assert from_status(418).code == "LINK418"
    assert parse_verdicts("broken, unsafe") == {Verdict.BROKEN, Verdict.UNSAFE}
    assert parse_verdicts("none") == frozenset()
    with pytest.raises(ValueError, match="unknown verdict"):
        parse_verdicts("broken,bad")


def test_priority_slots_serve_follow_ups_first() -> None:
    async def go() -> list[str]:
        slots = PrioritySlots(1)
        order: list[str] = []

        async def use(name: str, priority: int) -> None:
            async with slots.slot(priority):
                order.append(name)
                await asyncio.sleep(0.01)

        first = asyncio.create_task(use("holder", 1))
        await asyncio.sleep(0)
        tasks = [asyncio.create_task(use(f"new{i}", 1)) for i in range(3)]
        await asyncio.sleep(0)
        tasks.append(asyncio.create_task(use("follow-up", 0)))
        await asyncio.gather(first, *tasks)
        return order

    assert asyncio.run(go()) == ["holder", "follow-up", "new0", "new1", "new2"]


def test_priority_slots_survive_cancelled_waiters() -> None:
    async def go() -> int:
        slots = PrioritySlots(1)
        await slots.acquire()
        waiter = asyncio.create_task(slots.acquire())
        await asyncio.sleep(0)
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
        slots.release()
        await asyncio.wait_for(slots.acquire(), 1)  # the slot was not lost
        slots.release()
        return slots._free

    assert asyncio.run(go()) == 1


def test_host_gate_pause_holds_every_request() -> None:
    async def go() -> float:
        gate = HostGate(2, 0.0)
        loop = asyncio.get_running_loop()
        gate.pause(0.2)
        started = loop.time()
        async with gate.slot():
            return loop.time() - started

    assert asyncio.run(go()) >= 0.19
