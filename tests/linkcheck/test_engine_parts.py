"""The engine's pure parts: Retry-After, bot walls, fragments, priority slots, host gates.

Time is engine time (:class:`~lc_support.VirtualClock`): exact, and the same
on every machine.
"""

from __future__ import annotations

import asyncio
from email.utils import formatdate

import pytest
from lc_support import VirtualClock
from yarl import URL

from handbook.linkcheck.fetch import (
    HostGate,
    LoopClock,
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
        done_holding = asyncio.Event()

        async def use(name: str, priority: int) -> None:
            async with slots.slot(priority):
                order.append(name)
                if name == "holder":
                    await done_holding.wait()

        first = asyncio.create_task(use("holder", 1))
        await asyncio.sleep(0)
        tasks = [asyncio.create_task(use(f"new{i}", 1)) for i in range(3)]
        await asyncio.sleep(0)
        tasks.append(asyncio.create_task(use("follow-up", 0)))
        await asyncio.sleep(0)  # everyone is queued now
        done_holding.set()
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
        await slots.acquire()  # the slot was not lost (else this would never return)
        slots.release()
        return slots._free

    assert asyncio.run(go()) == 1


def _starts(gate: HostGate, clock: VirtualClock, names: list[str]) -> list[tuple[str, float]]:
    """When each request got through ``gate`` (in engine time), in arrival order."""

    async def go() -> list[tuple[str, float]]:
        starts: list[tuple[str, float]] = []

        async def request(name: str) -> None:
            async with gate.slot():
                starts.append((name, clock.now()))
                await asyncio.sleep(0)

        await asyncio.gather(*(request(name) for name in names))
        return starts

    return asyncio.run(go())


def test_host_gate_spaces_request_starts() -> None:
    clock = VirtualClock()
    gate = HostGate(4, 0.5, clock)
    starts = _starts(gate, clock, ["a", "b", "c", "d"])
    assert starts == [("a", 0.0), ("b", 0.5), ("c", 1.0), ("d", 1.5)]


def test_host_gate_pause_holds_every_request() -> None:
    clock = VirtualClock()
    gate = HostGate(2, 0.0, clock)

    async def go() -> list[tuple[str, float]]:
        gate.pause(0.2)
        gate.pause(0.1)  # a shorter pause does not cut the longer one short
        starts: list[tuple[str, float]] = []

        async def request(name: str) -> None:
            async with gate.slot():
                starts.append((name, clock.now()))

        await asyncio.gather(request("a"), request("b"))
        return starts

    assert asyncio.run(go()) == [("a", 0.2), ("b", 0.2)]
    assert clock.waits == [(0.0, 0.2)]


def test_host_gate_limits_requests_in_flight() -> None:
    clock = VirtualClock()
    gate = HostGate(2, 0.0, clock)

    async def go() -> int:
        inside, most = 0, 0

        async def request() -> None:
            nonlocal inside, most
            async with gate.slot():
                inside += 1
                most = max(most, inside)
                await clock.sleep(1.0)  # a request that takes a second
                inside -= 1

        await asyncio.gather(*(request() for _ in range(5)))
        return most

    assert asyncio.run(go()) == 2
    assert clock.now() == 3.0  # five one-second requests, two at a time


def test_the_loop_clock_is_the_event_loop_s() -> None:
    async def go() -> tuple[float, float]:
        clock = LoopClock()
        loop = asyncio.get_running_loop()
        before = loop.time()
        now = clock.now()
        await clock.sleep(0)
        return before, now

    before, now = asyncio.run(go())
    assert now >= before
