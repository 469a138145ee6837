"""``handbook linkcheck``: check external links, DOIs and ISBNs.

Usage::

    handbook linkcheck                       # the handbook: doctrees + references.bib
    handbook linkcheck docs/swe/testing.md references.bib urls.txt
    handbook linkcheck --format json --output linkcheck.json
    handbook linkcheck --format markdown --output report.md   # for the pinned issue
    handbook linkcheck --changed-since origin/main --format github  # a pull request
    handbook linkcheck --allow 127.0.0.1:8000 local-urls.txt
    handbook linkcheck --offline             # no request: syntax, identifiers, internal targets

Exit status: 0 clean, 1 when a link's verdict is in ``--fail-on`` (default
``broken,unsafe``), 2 when the input or the settings cannot be used.

The pipeline (:func:`check`): extract links (:mod:`.extract`, or only the
changed ones, :mod:`.changes`), judge what needs no network (syntax, ISBN
check digits, internal targets, ignore rules, addresses that are literals,
in :func:`plan`), take fresh verdicts from the cache (:mod:`.cache`), check
the rest (:mod:`.fetch`, behind :mod:`.guard`), store the new verdicts and
report (:mod:`.report`).  When everything is in the cache no HTTP session is
even created, and neither aiohttp nor asyncio is imported: a warm run is
mostly interpreter start-up.

Settings come from ``[tool.handbook.linkcheck]`` in the project's
pyproject.toml (:mod:`.config`): ignore rules with their reasons, accepted
statuses, per-host politeness and headers.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from handbook.findings import EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNUSABLE, Finding
from handbook.linkcheck import verdicts as v
from handbook.linkcheck.cache import (
    DEFAULT_FAILURE_TTL,
    DEFAULT_SUCCESS_TTL,
    Cache,
    parse_duration,
)
from handbook.linkcheck.changes import ChangesError
from handbook.linkcheck.config import ConfigError, IgnoreRule, ProjectConfig, load_config
from handbook.linkcheck.extract import (
    Extraction,
    Occurrence,
    UnusableInputError,
    default_inputs,
    from_paths,
)
from handbook.linkcheck.guard import (
    AllowRule,
    Guard,
    MalformedURLError,
    UnsafeURLError,
    prepare_url,
)
from handbook.linkcheck.identifiers import (
    IdentifierError,
    check_isbn,
    doi_display_url,
    doi_key,
    isbn_key,
    normalise_doi,
    normalise_isbn,
)
from handbook.linkcheck.report import (
    Record,
    RecordKind,
    document,
    dump_json,
    findings,
    github_annotations,
    markdown_report,
    print_summary,
    progress_bar,
    write_atomically,
)
from handbook.linkcheck.settings import DEFAULT_DOI_API, DoiJob, Settings, UrlJob
from handbook.linkcheck.verdicts import Result, Verdict

if TYPE_CHECKING:
    from aiohttp.abc import AbstractResolver


def _root() -> Path:
    from handbook.build import ROOT

    return ROOT


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


@dataclass
class Outcome:
    records: list[Record]
    problems: list[Finding]
    no_network: str | None
    requests: int
    answered: int
    session_created: bool
    seconds: float


def check(
    extraction: Extraction,
    settings: Settings,
    guard: Guard,
    *,
    cache: Cache | None,
    ignore: Sequence[re.Pattern[str] | IgnoreRule] = (),
    resolver: AbstractResolver | None = None,
    progress_stream: TextIO | None = None,
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.time,
    offline: bool = False,
) -> Outcome:
    """Plan, consult the cache, check the rest, update the cache.

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

        stream = progress_stream if progress_stream is not None else sys.stderr
        with progress_bar(len(jobs), stream, enabled=progress_stream is not None) as advance:
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


# --------------------------------------------------------------------------
# Command line


def _positive_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text}")
    return value


def _duration(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _verdicts(text: str) -> frozenset[Verdict]:
    try:
        return v.parse_verdicts(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _allow(text: str) -> AllowRule:
    try:
        return AllowRule.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _pattern(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise argparse.ArgumentTypeError(f"invalid regular expression {text!r}: {exc}") from None


def build_parser() -> argparse.ArgumentParser:
    d = Settings()
    parser = argparse.ArgumentParser(
        prog="handbook linkcheck",
        description=(
            "Check external links, DOIs (via the doi.org handle API), ISBNs (check "
            "digit, offline) and internal references. Without PATHS: every link of the "
            "handbook's strict build and every url/doi/isbn of references.bib. Settings: "
            "[tool.handbook.linkcheck] in pyproject.toml (ignore rules with reasons, "
            "accepted statuses, per-host politeness and headers)."
        ),
        epilog=(
            "Verdicts: ok redirected broken blocked rate_limited timeout error ignored unsafe "
            "unchecked. Problem lines are 'path:line: CODE message'; codes are listed in "
            "handbook/linkcheck/verdicts.py."
        ),
    )
    parser.add_argument("paths", nargs="*", type=Path, help=".md pages, .bib files, .txt URL lists")
    out = parser.add_argument_group("output")
    out.add_argument(
        "--format",
        choices=("text", "json", "github", "markdown"),
        default="text",
        help="text: path:line: CODE message; json: every record; github: Actions annotations; "
        "markdown: a report for a pull-request comment or the pinned issue (default: text)",
    )
    out.add_argument("--output", type=Path, help="write the report here (atomically), not stdout")
    out.add_argument(
        "--fail-on",
        type=_verdicts,
        default=v.DEFAULT_FAIL_ON,
        metavar="VERDICT,...",
        help="verdicts that make the exit status 1 (default: broken,unsafe; 'none': never)",
    )
    out.add_argument("--no-progress", action="store_true", help="no progress bar")
    out.add_argument("--quiet", action="store_true", help="no summary table")

    sel = parser.add_argument_group("what to check")
    sel.add_argument(
        "--allow",
        type=_allow,
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="let the guard through to this host (and port); repeatable",
    )
    sel.add_argument(
        "--ignore",
        type=_pattern,
        action="append",
        default=[],
        metavar="REGEX",
        help="report links matching REGEX as ignored, for this run; repeatable (lasting "
        "rules go in pyproject.toml, each with its reason)",
    )
    sel.add_argument("--no-anchors", action="store_true", help="do not check #fragments")
    sel.add_argument("--doctrees", type=Path, help="take links from these doctrees (no build)")
    sel.add_argument("--root", type=Path, help="the project root (default: this repository)")
    sel.add_argument(
        "--config",
        type=Path,
        metavar="PYPROJECT",
        help="read [tool.handbook.linkcheck] from this file (default: ROOT/pyproject.toml)",
    )
    sel.add_argument(
        "--offline",
        action="store_true",
        help="send nothing: check syntax, identifiers (DOI syntax, ISBN check digits) and "
        "internal targets; links that need the network are reported unchecked",
    )
    sel.add_argument(
        "--changed-since",
        metavar="REF",
        help="only the links added or changed since git REF (its merge base with HEAD, "
        "against the working tree), where they occur; e.g. origin/main on a pull request",
    )

    net = parser.add_argument_group("network")
    net.add_argument(
        "--concurrency",
        type=int,
        default=d.concurrency,
        help="requests in flight (default: %(default)s)",
    )
    net.add_argument(
        "--per-host",
        type=int,
        default=d.per_host,
        help="requests in flight per host (default: %(default)s)",
    )
    net.add_argument(
        "--host-interval",
        type=_positive_float,
        default=d.host_interval,
        metavar="SECONDS",
        help="minimum time between request starts on one host (default: %(default)s)",
    )
    net.add_argument(
        "--timeout",
        type=_positive_float,
        default=d.timeout,
        metavar="SECONDS",
        help="per request, body included (default: %(default)s)",
    )
    net.add_argument(
        "--deadline",
        type=_positive_float,
        default=d.deadline,
        metavar="SECONDS",
        help="for the whole run; what is left is reported unchecked (default: %(default)s)",
    )
    net.add_argument(
        "--retries",
        type=int,
        default=d.retries,
        help="for timeouts, dropped connections, 5xx, 429 (default: %(default)s)",
    )
    net.add_argument(
        "--backoff",
        type=_positive_float,
        default=d.backoff,
        metavar="SECONDS",
        help="first retry delay, doubled each time, with jitter (default: %(default)s)",
    )
    net.add_argument(
        "--retry-after-cap",
        type=_positive_float,
        default=d.retry_after_cap,
        metavar="SECONDS",
        help="longest Retry-After honoured (default: %(default)s); longer: rate_limited",
    )
    net.add_argument(
        "--max-redirects", type=int, default=d.max_redirects, help="(default: %(default)s)"
    )
    net.add_argument(
        "--anchor-cap",
        type=int,
        default=d.anchor_cap,
        metavar="BYTES",
        help="read at most this much of a page looking for an #anchor (default: %(default)s)",
    )
    net.add_argument(
        "--doi-api",
        default=DEFAULT_DOI_API,
        metavar="URL",
        help="handle API base (default: %(default)s)",
    )

    cache = parser.add_argument_group("cache")
    cache.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    cache.add_argument(
        "--cache", type=Path, metavar="PATH", help="default: .cache/linkcheck.sqlite3"
    )
    cache.add_argument(
        "--max-age",
        type=_duration,
        metavar="DURATION",
        help="re-check anything checked longer ago than this (e.g. 12h)",
    )
    cache.add_argument(
        "--success-ttl",
        type=_duration,
        default=DEFAULT_SUCCESS_TTL,
        metavar="DURATION",
        help="keep ok/redirected this long, spread by ±10%% (default: 7d)",
    )
    cache.add_argument(
        "--failure-ttl",
        type=_duration,
        default=DEFAULT_FAILURE_TTL,
        metavar="DURATION",
        help="keep broken/blocked this long, spread by ±10%% (default: 1d)",
    )
    return parser


def settings_from(args: argparse.Namespace, config: ProjectConfig | None = None) -> Settings:
    base = args.doi_api if args.doi_api.endswith("/") else args.doi_api + "/"
    project = config or ProjectConfig()
    return Settings(
        accept=project.accept,
        hosts=project.hosts,
        concurrency=max(1, args.concurrency),
        per_host=max(1, args.per_host),
        host_interval=args.host_interval,
        timeout=args.timeout,
        deadline=args.deadline,
        retries=max(0, args.retries),
        backoff=args.backoff,
        retry_after_cap=args.retry_after_cap,
        max_redirects=max(0, args.max_redirects),
        anchor_cap=max(1024, args.anchor_cap),
        check_anchors=not args.no_anchors,
        doi_api=base,
    )


def main(
    argv: Sequence[str] | None = None,
    *,
    resolver: AbstractResolver | None = None,
    clock: Callable[[], float] = time.time,
    rng: random.Random | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run ``handbook linkcheck``; ``resolver``, ``clock`` and ``rng`` are for tests."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # --help or a usage error
        return EXIT_CLEAN if exc.code in (0, None) else EXIT_UNUSABLE
    root = (args.root or _root()).resolve()

    def log(message: str) -> None:
        print(f"linkcheck: {message}", file=err)

    config_path = args.config or root / "pyproject.toml"
    try:
        config = load_config(config_path, display=_shown(config_path))
    except (ConfigError, UnusableInputError) as exc:
        print(exc, file=err)
        return EXIT_UNUSABLE
    if args.changed_since is not None and (args.paths or args.doctrees):
        print("handbook linkcheck: --changed-since takes no PATHS and no --doctrees", file=err)
        return EXIT_UNUSABLE
    if args.output is not None:  # before the run, so that no run's report is lost
        why = output_problem(args.output)
        if why:
            print(f"handbook linkcheck: --output {args.output}: {why}", file=err)
            return EXIT_UNUSABLE

    try:
        if args.changed_since is not None:
            from handbook.linkcheck.changes import changed_links

            extraction = changed_links(root, args.changed_since)
            if not extraction.links and not extraction.internal:
                log(f"no links added or changed since {args.changed_since}")
        elif args.paths:
            extraction = from_paths(args.paths, root=root)
        else:
            extraction = default_inputs(root, doctrees=args.doctrees, log=log)
    except UnusableInputError as exc:  # path:line: INPUT message
        print(exc, file=err)
        return EXIT_UNUSABLE
    except ChangesError as exc:
        print(f"handbook linkcheck: {exc}", file=err)
        return EXIT_UNUSABLE

    cache: Cache | None = None
    if not args.no_cache:
        path = args.cache or root / ".cache" / "linkcheck.sqlite3"
        try:
            cache = Cache(
                path,
                success_ttl=args.success_ttl,
                failure_ttl=args.failure_ttl,
                max_age=args.max_age,
                clock=clock,
                rng=rng,
            )
        except Exception as exc:  # an unreadable cache must not stop the check
            log(f"cache {path} unusable ({exc}); running without it")
            cache = None
    try:
        outcome = check(
            extraction,
            settings_from(args, config),
            Guard(args.allow),
            cache=cache,
            ignore=[*config.ignore, *args.ignore],
            resolver=resolver,
            progress_stream=None if args.no_progress else err,
            rng=rng,
            clock=clock,
            offline=args.offline,
        )
    finally:
        if cache is not None:
            cache.close()

    if outcome.no_network:
        print(outcome.no_network, file=err)
    problem_lines = findings(outcome.records, no_network=outcome.no_network)
    problem_lines += outcome.problems
    if args.format == "json":
        text = dump_json(
            document(
                outcome.records,
                problems=outcome.problems,
                no_network=outcome.no_network,
                now=clock(),
            )
        )
    elif args.format == "github":
        text = github_annotations(
            outcome.records,
            outcome.problems,
            fail_on=args.fail_on,
            no_network=outcome.no_network,
        )
    elif args.format == "markdown":
        scope = None
        if args.changed_since is not None:
            scope = f"added or changed since {args.changed_since}"
        text = markdown_report(
            outcome.records,
            outcome.problems,
            fail_on=args.fail_on,
            no_network=outcome.no_network,
            now=clock(),
            scope=scope,
        )
    else:
        text = "".join(f"{line}\n" for line in sorted(problem_lines))
    if args.output is not None:
        try:
            write_atomically(args.output, text)
        except OSError as exc:
            why = exc.strerror or str(exc)
            print(f"handbook linkcheck: --output {args.output}: cannot write: {why}", file=err)
            return EXIT_UNUSABLE
    else:
        out.write(text)
        out.flush()
    if not args.quiet:
        print_summary(
            outcome.records,
            err,
            fail_on=args.fail_on,
            requests=outcome.requests,
            answered=outcome.answered,
            seconds=outcome.seconds,
        )
    failed = any(record.verdict in args.fail_on for record in outcome.records)
    return EXIT_FINDINGS if failed else EXIT_CLEAN


def output_problem(path: Path) -> str | None:
    """Why the report cannot be written to ``path``, or None when it can (as far as
    can be told before writing: the last word is the write itself)."""
    if path.is_dir():
        return "is a directory; give the report's file name"
    folder = path.parent
    while not folder.exists():  # the folders that would be made
        if folder == folder.parent:
            break
        folder = folder.parent
    if folder.exists() and not folder.is_dir():
        return f"cannot be made: {folder} is not a directory"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write in {folder} (permission denied)"
    if path.exists() and not os.access(path, os.W_OK):
        return "cannot be replaced (permission denied)"
    return None


def _shown(path: Path) -> str:
    """A path as the user would write it: relative to the working directory if inside."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


if __name__ == "__main__":
    raise SystemExit(main())
