"""``handbook linkcheck``: check external links, DOIs and ISBNs.

Usage::

    handbook linkcheck                       # the handbook: doctrees + references.bib
    handbook linkcheck docs/swe/testing.md references.bib urls.txt
    handbook linkcheck --format json --output linkcheck.json
    handbook linkcheck --format markdown --output report.md   # for the pinned issue
    handbook linkcheck --changed-since origin/main --format github  # a pull request
    handbook linkcheck --allow 127.0.0.1:8000 local-urls.txt
    handbook linkcheck --offline             # no request: syntax, identifiers, internal targets

Exit status: 0 clean; 1 when a link's verdict is in ``--fail-on`` (default
``broken,unsafe``), or when part of the input could not be read as links and
was skipped (a ``LINKINPUT`` finding: a ``.bib`` syntax error, an unreadable
doctree or build environment), whatever ``--fail-on`` says; 2 when the input
or the settings cannot be used at all.

This module is the command line only: it reads the arguments and the
settings, runs the pipeline (:mod:`.pipeline`: extract, plan, cache, fetch),
writes the report chosen by ``--format`` (:mod:`.report`) and the summary,
and says the exit status.  When everything is in the cache no HTTP session is
even created, and neither aiohttp nor asyncio is imported: a warm run is
mostly interpreter start-up.

The engine's options (``--concurrency`` ... ``--doi-api``, ``--no-anchors``)
are not written here but derived from :class:`~.settings.Settings`, where each
setting is described once; each may also be set in ``[tool.handbook.linkcheck]``
of the project's pyproject.toml (:mod:`.config`), with ignore rules and their
reasons, accepted statuses, per-host politeness and headers.  The command line
wins over pyproject.toml, and pyproject.toml over the default.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from handbook import paths
from handbook.files import UnusableInputError, display_path, write_atomically
from handbook.findings import EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNUSABLE
from handbook.linkcheck import verdicts as v
from handbook.linkcheck.cache import DEFAULT_FAILURE_TTL, DEFAULT_SUCCESS_TTL, parse_duration
from handbook.linkcheck.changes import ChangesError
from handbook.linkcheck.config import ConfigError, ProjectConfig, load_config
from handbook.linkcheck.guard import AllowRule, Guard
from handbook.linkcheck.pipeline import Outcome, check, extract, open_cache
from handbook.linkcheck.progress import progress_bar
from handbook.linkcheck.report import (
    document,
    dump_json,
    github_annotations,
    markdown_report,
    print_summary,
    text_report,
)
from handbook.linkcheck.settings import Kind, Settings, described
from handbook.linkcheck.verdicts import Verdict

if TYPE_CHECKING:
    from aiohttp.abc import AbstractResolver


# --------------------------------------------------------------------------
# Arguments


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


#: How argparse reads each kind of engine setting (see :data:`.settings.Kind`).
_TYPES: Mapping[Kind, Callable[[str], Any]] = {
    "count": int,
    "seconds": _positive_float,
    "url": str,
}


def add_setting_options(group: argparse._ArgumentGroup) -> None:
    """Add the options of the engine settings listed in ``group`` (by its title),
    in the order of :class:`~.settings.Settings`.

    Each option's default is None, "not given", so that pyproject.toml can
    give the value; its help shows the setting's own default.
    """
    for item in described():
        if item.flag is None or item.option.group != group.title:
            continue
        shown = item.help.replace("%", "%%")  # argparse formats help with %
        if item.option.kind == "switch":
            group.add_argument(
                item.flag, dest=item.name, action="store_false", default=None, help=shown
            )
        else:
            group.add_argument(
                item.flag,
                dest=item.name,
                type=_TYPES[item.option.kind],
                default=None,
                metavar=item.option.metavar,
                help=shown,
            )


def build_parser() -> argparse.ArgumentParser:
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
    add_setting_options(sel)  # --no-anchors
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

    add_setting_options(parser.add_argument_group("network"))

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


def given_on_command_line(args: argparse.Namespace) -> dict[str, Any]:
    """The engine settings given as options, by field name of :class:`Settings`."""
    given: dict[str, Any] = {}
    for item in described():
        value = getattr(args, item.name, None) if item.flag is not None else None
        if value is not None:
            given[item.name] = item.from_command_line(value)
    return given


def settings_from(args: argparse.Namespace, config: ProjectConfig | None = None) -> Settings:
    """The engine's settings: the command line over pyproject.toml over the defaults."""
    return (config or ProjectConfig()).settings(given_on_command_line(args))


# --------------------------------------------------------------------------
# Running


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
    root = (args.root or paths.ROOT).resolve()

    def log(message: str) -> None:
        print(f"linkcheck: {message}", file=err)

    config_path = args.config or root / "pyproject.toml"
    try:
        config = load_config(config_path, display=display_path(config_path))
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
        extraction = extract(
            root,
            paths=args.paths,
            doctrees=args.doctrees,
            changed_since=args.changed_since,
            log=log,
        )
    except UnusableInputError as exc:  # path:line: INPUT message
        print(exc, file=err)
        return EXIT_UNUSABLE
    except ChangesError as exc:
        print(f"handbook linkcheck: {exc}", file=err)
        return EXIT_UNUSABLE

    cache = None
    if not args.no_cache:
        cache = open_cache(
            args.cache or root / ".cache" / "linkcheck.sqlite3",
            success_ttl=args.success_ttl,
            failure_ttl=args.failure_ttl,
            max_age=args.max_age,
            clock=clock,
            rng=rng,
            log=log,
        )
    try:
        outcome = check(
            extraction,
            settings_from(args, config),
            Guard(args.allow),
            cache=cache,
            ignore=[*config.ignore, *args.ignore],
            resolver=resolver,
            progress=None if args.no_progress else functools.partial(progress_bar, stream=err),
            rng=rng,
            clock=clock,
            offline=args.offline,
        )
    finally:
        if cache is not None:
            cache.close()

    if outcome.no_network:
        print(outcome.no_network, file=err)
    text = report(args, outcome, now=clock())
    if args.output is not None:
        try:
            write_atomically(args.output, text, parents=True)
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
    return exit_status(outcome, args.fail_on)


def report(args: argparse.Namespace, outcome: Outcome, *, now: float) -> str:
    """The report ``--format`` asks for."""
    if args.format == "json":
        doc = document(
            outcome.records, problems=outcome.problems, no_network=outcome.no_network, now=now
        )
        return dump_json(doc)
    if args.format == "github":
        return github_annotations(
            outcome.records, outcome.problems, fail_on=args.fail_on, no_network=outcome.no_network
        )
    if args.format == "markdown":
        scope = None
        if args.changed_since is not None:
            scope = f"added or changed since {args.changed_since}"
        return markdown_report(
            outcome.records,
            outcome.problems,
            fail_on=args.fail_on,
            no_network=outcome.no_network,
            now=now,
            scope=scope,
        )
    return text_report(outcome.records, outcome.problems, no_network=outcome.no_network)


def exit_status(outcome: Outcome, fail_on: frozenset[Verdict]) -> int:
    """1 when a link's verdict is in ``fail_on`` or part of the input was skipped
    (every problem of the extraction is a ``LINKINPUT`` finding), else 0."""
    failed = any(record.verdict in fail_on for record in outcome.records)
    return EXIT_FINDINGS if failed or outcome.problems else EXIT_CLEAN


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


if __name__ == "__main__":
    raise SystemExit(main())
