"""The link check itself: extract, plan, take from the cache, fetch, make the records.

:func:`extract` collects the links of the inputs (:mod:`.extract`, or only the
changed ones, :mod:`.changes`); :func:`plan` groups them (one request per URL)
and judges what needs no network: syntax, ISBN check digits, internal
targets, ignore rules, addresses that are literals; :func:`check` takes fresh
verdicts from the cache (:mod:`.cache`), checks the rest (:mod:`.fetch`,
behind :mod:`.guard`), stores the new verdicts and returns one
:class:`~handbook.linkcheck.report.Record` per URL, DOI or ISBN with the
inputs that could not be read (:class:`Outcome`).

When everything is in the cache no HTTP session is even created, and neither
aiohttp nor asyncio is imported (both only inside :func:`check`, when there
is something to fetch): a warm run is mostly interpreter start-up.

Nothing here reads the command line or prints a report: that is
:mod:`.cli` and :mod:`.report`.
"""

from __future__ import annotations

import contextlib
import random
import re
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from handbook.findings import Finding
from handbook.linkcheck import verdicts as v
from handbook.linkcheck.cache import Cache
from handbook.linkcheck.config import IgnoreRule
from handbook.linkcheck.extract import Extraction, Occurrence, default_inputs, from_paths
from handbook.linkcheck.guard import Guard, MalformedURLError, UnsafeURLError, prepare_url
from handbook.linkcheck.identifiers import (
    IdentifierError,
    check_isbn,
    doi_display_url,
    doi_key,
    isbn_key,
    normalise_doi,
    normalise_isbn,
)
from handbook.linkcheck.report import Record, RecordKind
from handbook.linkcheck.settings import DoiJob, Settings, UrlJob
from handbook.linkcheck.verdicts import Result

if TYPE_CHECKING:
    from aiohttp.abc import AbstractResolver

#: Told how many more links were checked.
Advance = Callable[[int], None]
#: Given the number of links to fetch, a context that shows the progress and
#: yields what to tell of each one checked, ``advance(n)`` (e.g.
#: :func:`handbook.linkcheck.progress.progress_bar`).
Progress = Callable[[int], AbstractContextManager[Advance]]


# --------------------------------------------------------------------------
# Extracting


def extract(
    root: Path,
    *,
    paths: Sequence[Path] = (),
    doctrees: Path | None = None,
    changed_since: str | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> Extraction:
    """The links to check: those added or changed since git ``changed_since``, or
    those of ``paths``, or the handbook's (its doctrees and references.bib).

    Raises :class:`~handbook.files.UnusableInputError` for input that cannot be
    used at all and :class:`~handbook.linkcheck.changes.ChangesError` when git
    cannot say what changed.
    """
    if changed_since is not None:
        from handbook.linkcheck.changes import changed_links

        extraction = changed_links(root, changed_since)
        if not extraction.links and not extraction.internal:
            log(f"no links added or changed since {changed_since}")
        return extraction
    if paths:
        return from_paths(paths, root=root)
    return default_inputs(root, doctrees=doctrees, log=log)


# --------------------------------------------------------------------------
# Planning: group occurrences, judge what needs no network


@dataclass
class Planned:
    """A record-to-be: what it is, how it is checked, where it occurs."""

    kind: RecordKind
    url: str
    occurrences: list[Occurrence] = field(default_factory=list)
    result: Result | None = None  # decided offline
    job: UrlJob | DoiJob | None = None  # to check over the network


#: The reason given to a ``--ignore REGEX`` from the command line.
COMMAND_LINE_REASON = "--ignore on the command line"


def _rule(pattern: re.Pattern[str] | IgnoreRule) -> IgnoreRule:
    return pattern if isinstance(pattern, IgnoreRule) else IgnoreRule(pattern, COMMAND_LINE_REASON)


def plan(
    extraction: Extraction,
    guard: Guard,
    *,
    ignore: Sequence[re.Pattern[str] | IgnoreRule] = (),
) -> dict[str, Planned]:
    """Group links by what is checked (one request per URL) and judge the offline ones.

    A link that cannot be read, for whatever reason, gets a verdict that fails
    the run (``LINKURL``, ``DOISYNTAX``, ``ISBNSYNTAX``); no exception escapes.
    """
    planned: dict[str, Planned] = {}

    def unreadable(exc: Exception) -> str:
        return f"cannot be read ({type(exc).__name__}: {exc})"

    def judge_url(text: str) -> tuple[str, Result | None, UrlJob | None]:
        """The key of a URL, and its verdict decided here or the job to check it."""
        try:
            url = prepare_url(text)
            key = str(url)
            why = guard.url_refusal(url)
        except MalformedURLError as exc:
            return f"malformed:{text}", v.broken("LINKURL", f"malformed URL: {exc}"), None
        except UnsafeURLError as exc:
            return f"unsafe:{text}", v.unsafe(str(exc)), None
        except Exception as exc:  # a bug in URL handling must not let the link pass
            result = v.broken("LINKURL", f"malformed URL: {unreadable(exc)}")
            return f"malformed:{text}", result, None
        if why:
            return key, v.unsafe(why), None
        return key, None, UrlJob(key, url)

    for ref in extraction.internal:
        key = f"internal:{ref.text}:{ref.missing or ''}"
        item = planned.get(key)
        if item is None:
            item = planned[key] = Planned("internal", ref.text)
            item.result = (
                v.broken("LINKTARGET", f"{ref.missing}")
                if ref.missing
                else v.ok("the target exists")
            )
        item.occurrences.append(ref.occurrence)
    for link in extraction.links:
        text = link.text
        if link.kind == "isbn":
            try:
                key = isbn_key(text)
                compact = key.split(":", 1)[1]
                result = check_isbn(normalise_isbn(text))
            except Exception as exc:
                key, compact = f"malformed-isbn:{text}", text
                result = v.broken("ISBNSYNTAX", f"ISBN {text!r} {unreadable(exc)}")
            item = planned.get(key)
            if item is None:
                item = planned[key] = Planned("isbn", f"urn:isbn:{compact}")
                item.result = result
        elif link.kind == "doi":
            try:
                doi = normalise_doi(text)
                key, shown = doi_key(doi), doi_display_url(doi)
            except IdentifierError as exc:
                key = f"malformed-doi:{text}"
                item = planned.setdefault(key, Planned("doi", text))
                item.result = v.broken(exc.code, str(exc))
            except Exception as exc:
                key = f"malformed-doi:{text}"
                item = planned.setdefault(key, Planned("doi", text))
                item.result = v.broken("DOISYNTAX", f"DOI {text!r} {unreadable(exc)}")
            else:
                item = planned.get(key)
                if item is None:
                    item = planned[key] = Planned("doi", shown)
                    item.job = DoiJob(key, doi)
        else:
            key, verdict, job = judge_url(text)
            item = planned.get(key)
            if item is None:
                item = planned[key] = Planned("url", text)
                item.result, item.job = verdict, job
        item.occurrences.append(link.occurrence)
    rules = [_rule(rule) for rule in ignore]
    for item in planned.values():
        if item.kind == "internal":
            continue
        for rule in rules:
            if rule.matches(item.url):
                item.result, item.job = v.ignored(f"ignored: {rule.reason}"), None
                break
    return planned


# --------------------------------------------------------------------------
# Running


def open_cache(
    path: Path,
    *,
    success_ttl: float,
    failure_ttl: float,
    max_age: float | None,
    clock: Callable[[], float] = time.time,
    rng: random.Random | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> Cache | None:
    """The cache at ``path``; None, said through ``log``, when it cannot be used
    (an unreadable cache must not stop the check)."""
    try:
        return Cache(
            path,
            success_ttl=success_ttl,
            failure_ttl=failure_ttl,
            max_age=max_age,
            clock=clock,
            rng=rng,
        )
    except Exception as exc:
        log(f"cache {path} unusable ({exc}); running without it")
        return None


@dataclass
class Outcome:
    """What a run found: a record per URL, DOI or ISBN, the inputs that could not
    be read as links (``LINKINPUT`` findings) and what the network was asked."""

    records: list[Record]
    problems: list[Finding]
    no_network: str | None
    requests: int
    answered: int
    session_created: bool
    seconds: float


def _nothing(n: int = 1) -> None:
    """Progress that is not shown."""


def _no_progress(total: int) -> AbstractContextManager[Advance]:
    return contextlib.nullcontext(_nothing)


def check(
    extraction: Extraction,
    settings: Settings,
    guard: Guard,
    *,
    cache: Cache | None,
    ignore: Sequence[re.Pattern[str] | IgnoreRule] = (),
    resolver: AbstractResolver | None = None,
    progress: Progress | None = None,
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.time,
    offline: bool = False,
) -> Outcome:
    """Plan, consult the cache, check the rest, update the cache.

    ``progress`` is shown while links are fetched (nothing when None).
    ``offline``: send nothing at all (not even to an address literal, which
    no resolver would see); what needs the network is reported unchecked.
    """
    started = time.monotonic()
    planned = plan(extraction, guard, ignore=ignore)
    jobs = {key: item.job for key, item in planned.items() if item.job is not None}
    if cache is not None and jobs:
        for key, result in cache.get_many(jobs).items():
            planned[key].result, planned[key].job = result, None
            del jobs[key]
    no_network: str | None = None
    requests = answered = 0
    session_created = False
    if offline:
        no_network = "offline (--offline): links that need the network are reported unchecked"
        for key in jobs:
            planned[key].result = v.unchecked(f"not checked: {no_network}")
            planned[key].job = None
        jobs = {}
    if jobs:
        import asyncio  # only when fetching, like aiohttp

        from handbook.linkcheck.fetch import Checker

        with (progress or _no_progress)(len(jobs)) as advance:
            checker = Checker(
                settings, guard, resolver=resolver, progress=advance, wall_clock=clock, rng=rng
            )
            report = asyncio.run(checker.run(list(jobs.values())))
        no_network, requests, answered = report.no_network, report.requests, report.answered
        session_created = report.session_created
        for key, result in report.results.items():
            planned[key].result = result
        if cache is not None:  # never an internal error: the next run asks again
            cache.put_many({k: r for k, r in report.results.items() if v.cacheable(r)})
    records = [
        Record(item.kind, item.url, item.result or v.unchecked("not checked"), item.occurrences)
        for item in planned.values()
    ]
    return Outcome(
        records,
        list(extraction.problems),
        no_network,
        requests,
        answered,
        session_created,
        time.monotonic() - started,
    )
