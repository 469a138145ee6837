"""The network engine: check URLs and DOIs politely, safely and in bounded time.

Why aiohttp (and not httpx or urllib):

* ``TCPConnector(resolver=...)`` takes our own resolver.  The address guard
  (:class:`~handbook.linkcheck.guard.GuardedResolver`) resolves each host
  once, drops refused addresses, and aiohttp connects to exactly what is
  left: the check and the connection cannot disagree.  httpx hides that
  layer behind its transport.
* Bodies stream (``resp.content.iter_chunked``), so an ``#anchor`` is looked
  for chunk by chunk, reading stops as soon as it is seen, and a byte cap
  bounds what is read at all.
* One ``ClientSession`` reuses connections across every link of a host.

How a link is checked:

* Links are grouped by URL without its fragment: ``page#a``, ``page#b`` and
  ``page`` are one request, duplicates are requested once.
* HEAD first; GET when HEAD is refused (405, 501, most other 4xx and 5xx:
  many servers answer HEAD wrongly) or when an ``#anchor`` must be found.
  An anchor is what a browser scrolls to: the ``id`` attribute of any
  element or the ``name`` attribute of an ``<a>`` (``user-content-``
  prefixed on GitHub), found by parsing the page with the standard library's
  ``html.parser`` as it streams in (:class:`AnchorScanner`, as Sphinx's
  linkcheck does), decoded by the response's charset (UTF-8 otherwise), so
  text, comments, ``<script>``/``<style>`` content and other attributes
  (``href="?name=x"``) never count.  Fragments that are client-side routes
  (``#!``, ``#/``), text fragments (``#:~:``) and GitHub line anchors are not
  checked.
* Redirects are followed by hand (``allow_redirects=False``), at most
  ``max_redirects``, each hop checked again by the guard; loops are caught.
  A chain that starts with 301/308 suggests the new URL.
* Politeness: a global limit on requests in flight, and per host (host and
  port) a limit and a minimum interval between request starts.  A 429 (or
  503) with ``Retry-After`` (seconds or an HTTP date) pauses the whole host
  for that long, up to ``retry_after_cap``; longer asks give up at once.
  Follow-ups (GET after HEAD, redirect hops, retries) go before first
  requests (:class:`PrioritySlots`), so a started check finishes promptly.
  ``[tool.handbook.linkcheck.hosts]`` overrides the limit and the interval
  per host (or host:port) and adds request headers
  (:class:`~handbook.linkcheck.settings.HostOverride`).
* Accepted statuses: a final status listed in the settings' ``accept`` (for
  every host, or for the link's host) is ``ok``, said so in the message.
* Time: ``ClientTimeout(total=...)`` bounds each request including its body,
  with ``asyncio.timeout`` around it as a second guard (a body that drips a
  byte a second is cut off), and one overall ``deadline`` after which what
  is left is reported ``unchecked``: the run never hangs (look-ups run in
  daemon threads, see :class:`~handbook.linkcheck.resolver.SystemResolver`).
  Time-outs, connections dropped mid-answer and 5xx are retried ``retries``
  times with exponential backoff and jitter; a refused connection is not.
  The engine's own waits (start intervals, ``Retry-After`` pauses, backoff)
  and the deadline run on an injectable :class:`Clock` (the event loop's by
  default), so tests assert them exactly in engine time; the per-request
  time-outs are the HTTP client's, on the event loop's time.
* Errors: an exception the engine does not expect is a bug, reported as
  ``LINKERROR`` (``broken``: it fails the run) for the links concerned,
  never a traceback and never a verdict that passes.
* DOIs: ``GET {doi_api}{doi}`` on the handle API (JSON ``responseCode`` 1 =
  registered, 100 = not found), never the publisher's page.
* No network: when every look-up and connection failed and no server
  answered at all, the run says so once and its network failures become
  ``unchecked`` (never ``broken``).  A name only counts as a sign of a
  network when it resolved to an address the guard allows: with no network
  the machine's own ``/etc/hosts`` still answers, with loopback.

The resolver and the DOI API base are injectable, so tests run every path
against servers on 127.0.0.1 without a single packet leaving the machine; so
is the clock, so that they assert the engine's use of time exactly.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import email.utils
import heapq
import itertools
import json
import random
import re
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Literal, Protocol

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from handbook.linkcheck import verdicts as v
from handbook.linkcheck.guard import Guard, MalformedURLError, UnsafeURLError, prepare_url
from handbook.linkcheck.identifiers import doi_api_url
from handbook.linkcheck.resolver import (
    NAME_NOT_FOUND_ERRNOS,
    GuardedResolver,
    SystemResolver,
    UnsafeAddressError,
)
from handbook.linkcheck.settings import DoiJob, Settings, UrlJob
from handbook.linkcheck.verdicts import Hop, Result, Verdict

if TYPE_CHECKING:
    from multidict import CIMultiDictProxy


@dataclass
class RunReport:
    """What :meth:`Checker.run` found."""

    results: dict[str, Result]
    #: "every look-up and connection failed ..." when there was no network.
    no_network: str | None = None
    #: HTTP requests attempted (each retry and each redirect hop counts) ...
    requests: int = 0
    #: ... and how many of them a server answered.
    answered: int = 0
    session_created: bool = False


# --------------------------------------------------------------------------
# Small pure helpers


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """``Retry-After`` in seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


def bot_wall(status: int, headers: Mapping[str, str]) -> str | None:
    """The name of a known bot wall this answer comes from, if any."""
    lowered = {k.lower(): val for k, val in headers.items()}
    server = lowered.get("server", "").lower()
    if lowered.get("cf-mitigated", "").lower() == "challenge":
        return "Cloudflare bot challenge"
    if "x-amzn-waf-action" in lowered:
        return "AWS WAF bot challenge"
    if status >= 400 and ("x-datadome" in lowered or server.startswith("datadome")):
        return "DataDome bot protection"
    if status == 403 and "akamaighost" in server:
        return "Akamai bot protection"
    return None


_GITHUB_LINE = re.compile(r"^L\d+(?:C\d+)?(?:-L\d+(?:C\d+)?)?$")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})


def checkable_fragment(url: URL) -> str | None:
    """The anchor to look for in ``url``'s page, or None when there is none to check."""
    fragment = url.fragment
    if not fragment or fragment.startswith(("!", "/")) or fragment.startswith(":~:"):
        return None
    host = (url.raw_host or "").lower()
    if host in ("github.com", "www.github.com") and _GITHUB_LINE.match(fragment):
        return None  # line anchors are made by JavaScript
    return fragment


def _anchor_names(anchor: str, host: str) -> list[str]:
    names = [anchor]
    if host.lower() in ("github.com", "www.github.com", "gist.github.com"):
        names.append("user-content-" + anchor.lower())
    return names


def _describe_exception(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --------------------------------------------------------------------------
# Anchors


class _AnchorParser(HTMLParser):
    """Records the anchors a browser would scroll to: ``id`` on any element,
    ``name`` on ``<a>``.  Comments, ``<script>``/``<style>`` content, text and
    other attributes never reach :meth:`handle_starttag`; attribute values
    arrive with their character references resolved."""

    def __init__(self, names: Mapping[str, str], found: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self._names = names
        self._found = found

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if value is not None and (key == "id" or (key == "name" and tag == "a")):
                anchor = self._names.get(value)
                if anchor is not None:
                    self._found.add(anchor)

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        """``<![...]>``: as browsers do, a bogus comment up to ``>`` when the
        standard library does not know the keyword (it would raise)."""
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i + 3)
            return -1 if end < 0 else end + 1


def _text_decoder(charset: str | None) -> codecs.IncrementalDecoder:
    """An incremental decoder for ``charset`` (a text encoding), else for UTF-8;
    undecodable bytes become U+FFFD."""
    if charset:
        try:
            decoder = codecs.getincrementaldecoder(charset)(errors="replace")
            if isinstance(decoder.decode(b""), str):  # not base64, zlib ...
                return decoder
        except (LookupError, TypeError, ValueError):
            pass
    return codecs.getincrementaldecoder("utf-8")(errors="replace")


class AnchorScanner:
    """Finds anchors in an HTML page fed chunk by chunk, as the body streams in.

    ``names`` maps each name to look for (``intro``, ``user-content-intro``)
    to the anchor it stands for; :attr:`found` holds the anchors seen so far
    and :attr:`complete` says when all of them are.  A multibyte character or
    a tag split across chunks is read whole.
    """

    def __init__(self, names: Mapping[str, str], charset: str | None) -> None:
        self.found: set[str] = set()
        self._wanted = len(set(names.values()))
        self._decoder = _text_decoder(charset)
        self._parser = _AnchorParser(names, self.found)

    @property
    def complete(self) -> bool:
        return len(self.found) >= self._wanted

    def feed(self, chunk: bytes) -> None:
        self._parser.feed(self._decoder.decode(chunk))

    def close(self) -> None:
        """The body has ended: read what was held back for the next chunk."""
        self._parser.feed(self._decoder.decode(b"", final=True))
        self._parser.close()


# --------------------------------------------------------------------------
# Time


class Clock(Protocol):
    """The engine's time: start intervals, ``Retry-After`` pauses, backoff and
    the overall deadline (the per-request time-outs are the HTTP client's)."""

    def now(self) -> float:
        """Seconds, from any origin; only differences matter."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...


class LoopClock:
    """The default :class:`Clock`: the running event loop's time."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


# --------------------------------------------------------------------------
# Politeness


class PrioritySlots:
    """A semaphore whose waiters are served by priority, then in arrival order.

    Follow-ups (GET after a refused HEAD, a redirect hop, a retry) ask with
    priority 0 and overtake first requests (priority 1): a check that has
    started finishes before new ones begin, instead of queueing behind every
    other link of the host.
    """

    def __init__(self, slots: int) -> None:
        self._free = max(1, slots)
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def acquire(self, priority: int = 1) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), waiter))
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # granted as we were cancelled: pass it on
            raise

    def release(self) -> None:
        while self._waiters:
            _, _, waiter = heapq.heappop(self._waiters)
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1

    @contextlib.asynccontextmanager
    async def slot(self, priority: int = 1) -> AsyncIterator[None]:
        await self.acquire(priority)
        try:
            yield
        finally:
            self.release()


class HostGate:
    """Per host: at most ``limit`` requests at once, starts ``interval`` apart,
    and nothing before a pause (``Retry-After``) is over; time is ``clock``'s."""

    def __init__(self, limit: int, interval: float, clock: Clock | None = None) -> None:
        self._slots = PrioritySlots(limit)
        self._lock = asyncio.Lock()
        self._interval = interval
        self._clock: Clock = clock if clock is not None else LoopClock()
        self._next_start = -float("inf")
        self._paused_until = -float("inf")

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock.now() + seconds)

    @contextlib.asynccontextmanager
    async def slot(self, priority: int = 1) -> AsyncIterator[None]:
        async with self._slots.slot(priority):
            async with self._lock:
                now = self._clock.now()
                start = max(now, self._next_start, self._paused_until)
                if start > now:
                    await self._clock.sleep(start - now)
                self._next_start = max(self._clock.now(), start) + self._interval
            yield


# --------------------------------------------------------------------------
# The engine


@dataclass
class _Reply:
    status: int
    headers: CIMultiDictProxy[str]
    url: URL
    content_type: str = ""
    found: set[str] = field(default_factory=set)
    #: how far the anchor scan got: all anchors seen ("found"), whole body read
    #: ("complete"), stopped at the byte cap ("cap"), not HTML, or not scanned.
    scan: Literal["found", "complete", "cap", "not-html", "none"] = "none"
    body: bytes = b""


@dataclass
class _Resource:
    url: URL  # without fragment
    records: list[tuple[str, str | None]] = field(default_factory=list)  # (key, anchor)

    @property
    def anchors(self) -> set[str]:
        return {anchor for _, anchor in self.records if anchor is not None}


class Checker:
    """Runs the checks of one invocation; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        guard: Guard,
        *,
        resolver: AbstractResolver | None = None,
        progress: Callable[[int], None] | None = None,
        wall_clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        clock: Clock | None = None,
    ) -> None:
        """``wall_clock`` dates results and reads ``Retry-After`` dates; ``clock``
        times the engine's waits and the deadline (the event loop's by default)."""
        self.settings = settings
        self.guard = guard
        self._inner_resolver = resolver
        self._progress = progress
        self._wall_clock = wall_clock
        self._clock: Clock = clock if clock is not None else LoopClock()
        self._rng = rng or random.Random()
        self._gates: dict[str, HostGate] = {}
        self._global: PrioritySlots | None = None
        self._session: aiohttp.ClientSession | None = None
        self._resolver: GuardedResolver | None = None
        self._deadline_at = 0.0
        self._responses = 0
        self._connect_failures: dict[str, str] = {}
        self.requests = 0

    # -- public ------------------------------------------------------------

    async def run(self, jobs: Sequence[UrlJob | DoiJob]) -> RunReport:
        """Check every job; never raises for a link's sake, never outlives the deadline."""
        results: dict[str, Result] = {}
        if not jobs:
            return RunReport(results)
        self._deadline_at = self._clock.now() + self.settings.deadline
        self._global = PrioritySlots(self.settings.concurrency)

        resources: dict[str, _Resource] = {}
        dois: list[DoiJob] = []
        for job in jobs:
            if isinstance(job, DoiJob):
                dois.append(job)
                continue
            anchor = checkable_fragment(job.url) if self.settings.check_anchors else None
            bare = job.url.with_fragment(None)
            resources.setdefault(str(bare), _Resource(bare)).records.append((job.key, anchor))

        inner = self._inner_resolver
        owns = inner is None
        if inner is None:
            inner = SystemResolver()
        self._resolver = GuardedResolver(inner, self.guard, owns_inner=owns)
        # limit=0: our own gates are the limits (a pool wait would count
        # against the request's timeout).  trust_env=False: a proxy from the
        # environment would resolve names itself, behind the guard's back.
        connector = aiohttp.TCPConnector(
            limit=0, limit_per_host=0, resolver=self._resolver, ttl_dns_cache=300
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            trust_env=False,
            headers={
                "User-Agent": self.settings.user_agent,
                "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                "Accept-Language": "en;q=1.0, *;q=0.5",
            },
            max_line_size=65536,
            max_field_size=65536,
        )
        tasks: list[asyncio.Task[None]] = []
        watchers: list[asyncio.Task[None]] = []
        try:
            for resource in resources.values():
                tasks.append(asyncio.create_task(self._check_resource(resource, results)))
            for job in dois:
                tasks.append(asyncio.create_task(self._check_doi(job, results)))
            # Whichever comes first: every check done, or the deadline.
            watchers = [
                asyncio.create_task(_all_done(tasks)),
                asyncio.create_task(self._clock.sleep(self.settings.deadline)),
            ]
            await asyncio.wait(watchers, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (*tasks, *watchers):
                if not task.done():
                    task.cancel()
            await asyncio.gather(*tasks, *watchers, return_exceptions=True)
            await self._session.close()
            await self._resolver.close()

        late = v.unchecked(
            f"not checked: the overall deadline of {self.settings.deadline:g} s ran out"
        )
        for job in jobs:
            results.setdefault(job.key, late)
        no_network = self._no_network()
        if no_network:
            for key, result in list(results.items()):
                if result.network_failure:
                    results[key] = v.unchecked(f"not checked: {no_network}")
        return RunReport(results, no_network, self.requests, self._responses, session_created=True)

    # -- diagnosis ---------------------------------------------------------

    def _no_network(self) -> str | None:
        resolver = self._resolver
        assert resolver is not None
        # A server answered, or a name resolved to an address we may use: a
        # network.  Names that resolved only to refused addresses prove
        # nothing (with no network, /etc/hosts still answers with loopback).
        if self._responses or resolver.usable_hosts:
            return None
        failed = {**resolver.failed_hosts, **self._connect_failures}
        not_found = resolver.not_found_hosts
        # Three or more names that all "do not exist" and nothing else that
        # works: that is a resolver without upstream, not three dead sites.
        if not failed and len(not_found) < 3:
            return None
        hosts = len(failed) + len(not_found)
        example = next(iter(failed.values()), "every name was reported not found")
        return (
            f"no network: every look-up and connection failed ({hosts} hosts, e.g. {example}); "
            "links that needed the network are reported unchecked"
        )

    # -- one resource ----------------------------------------------------

    async def _check_resource(self, resource: _Resource, results: dict[str, Result]) -> None:
        try:
            reply, base = await self._follow(resource.url, resource.anchors, doi=False)
            for key, anchor in resource.records:
                results[key] = self._judge_anchor(base, reply, anchor, resource.url)
        except Exception as exc:  # a bug must not take the other links down
            for key, _ in resource.records:
                results[key] = v.internal_error(f"internal error: {_describe_exception(exc)}")
        finally:
            if self._progress is not None:
                self._progress(len(resource.records))

    async def _check_doi(self, job: DoiJob, results: dict[str, Result]) -> None:
        try:
            try:
                url = prepare_url(doi_api_url(self.settings.doi_api, job.doi))
            except UnsafeURLError as exc:
                results[job.key] = v.unsafe(f"DOI API URL refused: {exc}")
                return
            except MalformedURLError as exc:  # the DOI cannot be checked: say so, fail
                results[job.key] = v.broken("LINKURL", f"DOI API URL unusable: {exc}")
                return
            reply, base = await self._follow(url, set(), doi=True)
            results[job.key] = self._judge_doi(job.doi, reply, base)
        except Exception as exc:
            results[job.key] = v.internal_error(f"internal error: {_describe_exception(exc)}")
        finally:
            if self._progress is not None:
                self._progress(1)

    def _judge_anchor(
        self, base: Result, reply: _Reply | None, anchor: str | None, url: URL
    ) -> Result:
        if anchor is None or reply is None or base.verdict not in v.CACHE_SUCCESS:
            return base
        if anchor in reply.found:
            return base
        if reply.scan == "not-html":
            note = f"#{anchor} not checked: not an HTML page ({reply.content_type or 'no type'})"
            return base.but(message=f"{base.message}; {note}" if base.message else note)
        if reply.scan == "cap":
            cap = self.settings.anchor_cap
            return base.but(
                verdict=Verdict.ERROR,
                code="LINKCAP",
                message=f"#{anchor} not found in the first {cap} bytes (the page is larger)",
            )
        return base.but(
            verdict=Verdict.BROKEN,
            code="LINKANCHOR",
            message=f"#{anchor} not found on the page (no id= or name= {anchor!r})",
            suggestion=None,
        )

    def _judge_doi(self, doi: str, reply: _Reply | None, base: Result) -> Result:
        if reply is None:
            return base.but(redirects=(), final_url=None, suggestion=None)
        code: object = None
        if reply.body:
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                data = json.loads(reply.body.decode("utf-8"))
                code = data.get("responseCode") if isinstance(data, dict) else None
        now = self._wall_clock()
        if reply.status == 404 or code == 100:
            return v.broken(
                "DOI404",
                f"DOI {doi} is not registered (handle API responseCode {code or 100})",
                status=reply.status,
                checked_at=now,
            )
        if reply.status == 200 and code == 1:
            return v.ok(f"DOI {doi} is registered", status=200, checked_at=now)
        if reply.status == 200:
            return v.error(
                "DOIERROR",
                f"unexpected handle API answer for DOI {doi} (responseCode {code!r})",
                status=200,
                checked_at=now,
            )
        return base.but(redirects=(), final_url=None, suggestion=None)

    # -- redirects ---------------------------------------------------------

    async def _follow(
        self, url: URL, anchors: set[str], *, doi: bool
    ) -> tuple[_Reply | None, Result]:
        """Request ``url``, following redirects by hand; the last reply and the verdict."""
        hops: list[Hop] = []
        seen = {str(url)}
        current = url
        for _ in range(self.settings.max_redirects + 1):
            why = self.guard.url_refusal(current)
            if why:
                return None, self._with_hops(v.unsafe(f"{current}: {why}"), hops, url)
            reply = await self._exchange(current, anchors, doi=doi, follow_up=bool(hops))
            if isinstance(reply, Result):
                return None, self._with_hops(reply, hops, url)
            location = reply.headers.get("Location")
            if reply.status in v.REDIRECTS and location:
                try:
                    target = prepare_url(str(current.join(URL(location))))
                except UnsafeURLError as exc:
                    result = v.unsafe(f"redirect ({reply.status}) to {location}: {exc}")
                    return None, self._with_hops(result, hops, url)
                except (MalformedURLError, ValueError) as exc:
                    result = v.error(
                        "LINKREDIRECT",
                        f"redirect ({reply.status}) to a malformed URL {location!r}: {exc}",
                    )
                    return None, self._with_hops(result, hops, url)
                target = target.with_fragment(None)
                hops.append(Hop(reply.status, str(target)))
                if str(target) in seen:
                    loop = v.error("LINKLOOP", f"redirect loop back to {target}")
                    return None, self._with_hops(loop, hops, url)
                seen.add(str(target))
                current = target
                continue
            result = v.from_status(reply.status, bot_wall=bot_wall(reply.status, reply.headers))
            if result.verdict is not Verdict.OK and self._accepted(current, reply.status):
                result = v.ok(
                    f"{reply.status} {v.reason_phrase(reply.status)} (accepted by the settings)",
                    status=reply.status,
                )
            return reply, self._with_hops(result, hops, url)
        too_many = v.error("LINKLOOP", f"more than {self.settings.max_redirects} redirects")
        return None, self._with_hops(too_many, hops, url)

    def _with_hops(self, result: Result, hops: list[Hop], start: URL) -> Result:
        """Attach the redirect chain; turn an ok after redirects into ``redirected``."""
        result = result.but(checked_at=self._wall_clock())
        if not hops:
            return result
        final = hops[-1].url
        result = result.but(redirects=tuple(hops), final_url=final)
        permanent = 0
        while permanent < len(hops) and hops[permanent].status in v.PERMANENT_REDIRECTS:
            permanent += 1
        suggestion = hops[permanent - 1].url if permanent else None
        if result.verdict is Verdict.OK:
            first = hops[0].status
            if suggestion:
                text = f"moved permanently ({first}) to {suggestion}: update the link"
                if suggestion != final:
                    text += f" (which then redirects to {final})"
            else:
                text = f"redirects ({first}) to {final}"
            return result.but(
                verdict=Verdict.REDIRECTED,
                code=f"LINK{first}",
                message=text,
                suggestion=suggestion,
            )
        chain = " -> ".join(f"{hop.status} {hop.url}" for hop in hops)
        return result.but(message=f"{result.message} (after redirects: {chain})")

    # -- one URL, HEAD then GET --------------------------------------------

    async def _exchange(
        self, url: URL, anchors: set[str], *, doi: bool, follow_up: bool
    ) -> _Reply | Result:
        first = 0 if follow_up else 1
        if doi:
            return await self._request("GET", url, set(), body_limit=65536, priority=first)
        if anchors:
            return await self._request("GET", url, anchors, priority=first)
        reply = await self._request("HEAD", url, set(), retry_status=False, priority=first)
        if isinstance(reply, _Reply) and _head_refused(reply.status):
            return await self._request("GET", url, set(), priority=0)
        return reply

    def _accepted(self, url: URL, status: int) -> bool:
        """Whether the settings accept ``status`` as ok (for every host or this one)."""
        if status in self.settings.accept:
            return True
        override = self.settings.host(url.raw_host, url.port)
        return override is not None and status in override.accept

    def _gate(self, url: URL) -> HostGate:
        key = f"{url.raw_host}:{url.port}"
        gate = self._gates.get(key)
        if gate is None:
            settings = self.settings
            override = settings.host(url.raw_host, url.port)
            limit = settings.per_host
            interval = settings.host_interval
            if override is not None:
                if override.concurrency is not None:
                    limit = override.concurrency
                if override.interval is not None:
                    interval = override.interval
            gate = self._gates[key] = HostGate(limit, interval, self._clock)
        return gate

    def _remaining(self) -> float:
        return self._deadline_at - self._clock.now()

    async def _back_off(self, attempt: int) -> bool:
        """Wait before retry ``attempt + 1``; False (no wait) when the deadline is nearer."""
        delay = self._backoff(attempt)
        if delay >= self._remaining():
            return False
        await self._clock.sleep(delay)
        return True

    def _backoff(self, attempt: int) -> float:
        base = min(self.settings.backoff_cap, self.settings.backoff * (2**attempt))
        return base * (0.5 + self._rng.random() / 2)

    async def _request(
        self,
        method: str,
        url: URL,
        anchors: set[str],
        *,
        body_limit: int = 0,
        retry_status: bool = True,
        priority: int = 1,
    ) -> _Reply | Result:
        """One request with retries: a reply with a status, or a failure result."""
        settings = self.settings
        attempt = 0
        while True:
            gate = self._gate(url)
            assert self._global is not None
            # A retry is a follow-up: it goes before first requests.
            rank = 0 if attempt else priority
            async with gate.slot(rank), self._global.slot(rank):
                try:
                    outcome: _Reply | Result = await self._once(method, url, anchors, body_limit)
                except BaseException as exc:
                    if isinstance(exc, asyncio.CancelledError):
                        raise
                    outcome, retryable = self._failure(exc, url)
                else:
                    retryable = False
            if isinstance(outcome, Result):
                if retryable and attempt < settings.retries and await self._back_off(attempt):
                    attempt += 1
                    continue
                return outcome
            status = outcome.status
            wait = retry_after_seconds(outcome.headers.get("Retry-After"), self._wall_clock())
            if status == 429 or (status == 503 and wait is not None):
                if bot_wall(status, outcome.headers):
                    return outcome
                delay = wait if wait is not None else self._backoff(attempt)
                if delay > settings.retry_after_cap:
                    return v.Result(
                        Verdict.RATE_LIMITED if status == 429 else Verdict.ERROR,
                        f"LINK{status}",
                        f"{status} {v.reason_phrase(status)}: asks to wait {delay:.0f} s, "
                        f"more than the {settings.retry_after_cap:g} s cap",
                        status=status,
                    )
                if attempt >= settings.retries or delay + 0.05 >= self._remaining():
                    return outcome
                gate.pause(delay)  # the whole host waits, not just this link
                attempt += 1
                continue
            if (
                retry_status
                and status >= 500
                and status != 501
                and attempt < settings.retries
                and not bot_wall(status, outcome.headers)
                and await self._back_off(attempt)
            ):
                attempt += 1
                continue
            return outcome

    async def _once(self, method: str, url: URL, anchors: set[str], body_limit: int) -> _Reply:
        assert self._session is not None
        settings = self.settings
        timeout = aiohttp.ClientTimeout(
            total=settings.timeout, sock_read=settings.timeout, ceil_threshold=3600
        )
        override = settings.host(url.raw_host, url.port)
        headers = dict(override.headers) if override is not None and override.headers else None
        self.requests += 1
        # ClientTimeout(total=...) bounds the request and the body reads; the
        # asyncio timeout is the second guard, for whatever slips past it.
        async with asyncio.timeout(settings.timeout * 1.25 + 0.1):
            async with self._session.request(
                method, url, allow_redirects=False, timeout=timeout, headers=headers
            ) as resp:
                self._responses += 1
                reply = _Reply(resp.status, resp.headers, url, resp.content_type or "")
                if 200 <= resp.status < 300 and method == "GET" and anchors:
                    if reply.content_type.lower() in _HTML_TYPES:
                        reply.found, reply.scan = await self._scan(resp, anchors, url)
                    else:
                        reply.scan = "not-html"
                if body_limit and resp.status in (200, 404):
                    reply.body = await resp.content.read(body_limit)
                return reply

    async def _scan(
        self, resp: aiohttp.ClientResponse, anchors: set[str], url: URL
    ) -> tuple[set[str], Literal["found", "complete", "cap"]]:
        """Stream the body until every anchor is seen, the body ends, or the cap."""
        names: dict[str, str] = {}
        for anchor in anchors:
            for name in _anchor_names(anchor, url.raw_host or ""):
                names.setdefault(name, anchor)
        scanner = AnchorScanner(names, resp.charset)
        total = 0
        cap = self.settings.anchor_cap
        async for chunk in resp.content.iter_chunked(65536):
            total += len(chunk)
            scanner.feed(chunk)
            if scanner.complete:
                return scanner.found, "found"
            if total >= cap:
                return scanner.found, "cap"
        scanner.close()
        return scanner.found, "found" if scanner.complete else "complete"

    # -- failures ----------------------------------------------------------

    def _failure(self, exc: BaseException, url: URL) -> tuple[Result, bool]:
        """A failed request as a result, and whether it is worth retrying."""
        host = url.raw_host or "?"
        timeout = self.settings.timeout
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            self._connect_failures[host] = f"connecting to {host} timed out"
            return (
                Result(
                    Verdict.TIMEOUT,
                    "LINKTIMEOUT",
                    f"connecting timed out after {timeout:g} s",
                    network_failure=True,
                ),
                True,
            )
        if isinstance(exc, TimeoutError):
            return (
                Result(Verdict.TIMEOUT, "LINKTIMEOUT", f"no complete answer within {timeout:g} s"),
                True,
            )
        if isinstance(exc, aiohttp.ClientConnectorDNSError):
            cause = exc.os_error
            if isinstance(cause, UnsafeAddressError):
                return v.unsafe(str(cause)), False
            if isinstance(cause, socket.gaierror) and cause.errno in NAME_NOT_FOUND_ERRNOS:
                return (
                    v.broken(
                        "LINKDNS",
                        f"host name {host} does not exist (DNS: name not found)",
                        network_failure=True,
                    ),
                    False,
                )
            return (
                v.error(
                    "LINKLOOKUP",
                    f"DNS look-up of {host} failed: {_describe_exception(cause)}",
                    network_failure=True,
                ),
                False,
            )
        if isinstance(
            exc,
            aiohttp.ClientConnectorCertificateError
            | aiohttp.ClientConnectorSSLError
            | aiohttp.ClientSSLError
            | ssl.SSLError,
        ):
            return v.error("LINKTLS", f"TLS failed: {_describe_exception(exc)}"), False
        if isinstance(exc, aiohttp.ClientConnectorError):
            self._connect_failures[host] = _describe_exception(exc.os_error)
            return (
                v.error(
                    "LINKCONN",
                    f"cannot connect: {_describe_exception(exc.os_error)}",
                    network_failure=True,
                ),
                False,  # refused or unreachable: asking again at once will not help
            )
        if isinstance(exc, aiohttp.InvalidURL | UnicodeError):
            # UnicodeError: a host the HTTP client cannot encode or decode.
            return v.broken("LINKURL", f"malformed URL: {_describe_exception(exc)}"), False
        if isinstance(exc, aiohttp.ClientResponseError):
            return v.error("LINKCONN", f"invalid HTTP answer: {exc.message or exc}"), True
        if isinstance(exc, aiohttp.ClientError | OSError):
            return v.error("LINKCONN", f"connection failed: {_describe_exception(exc)}"), True
        return v.internal_error(f"internal error: {_describe_exception(exc)}"), False


async def _all_done(tasks: Sequence[asyncio.Task[None]]) -> None:
    """Return when every task is done (without cancelling any, unlike gather)."""
    await asyncio.wait(tasks)


def _head_refused(status: int) -> bool:
    """Whether a HEAD answer is worth asking again with GET.

    Servers answer HEAD with 405/501, but also with 400, 403, 404 or 5xx when
    GET works; only 2xx/3xx, 401/407 (credentials) and 429 (wait) are trusted.
    """
    if status < 400:
        return False
    return status not in (401, 407, 429)
