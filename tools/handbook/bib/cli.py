"""``handbook bib``: check or format ``references.bib``.

Usage::

    handbook bib check [--format text|json|github] [--select CODES] [--config PYPROJECT]
                       [FILES ...]
    handbook bib check --list
    handbook bib format --check [--diff] [FILES ...]
    handbook bib format --write [FILES ...]

Without FILES both work on ``references.bib`` at the repository root. A path
given is printed as given; the default one relative to the current directory.
``check`` reads its settings from ``[tool.handbook.bib]`` in the repository's
pyproject.toml, or the one ``--config`` names (:mod:`handbook.bib.settings`).

Exit status: 0 clean, 1 findings (or, for ``format --check``, a file not in
the canonical layout), 2 unusable input: a missing, unreadable or non-UTF-8
file (one line on stderr, ``path:line: INPUT message``), a bad setting
(``pyproject.toml:line: CONFIG key: message``), a usage error, or for
``format`` a file that does not parse. ``check`` never modifies a file;
``format --write`` rewrites atomically (through a symbolic link, to its target).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from handbook.args import Parser, parse_args
from handbook.bib import checks
from handbook.bib.format import canonical_text, first_difference, unified_diff
from handbook.bib.parse import Bibliography, parse_file
from handbook.bib.settings import Settings, SettingsError, load_settings
from handbook.files import UnusableInputError, write_atomically
from handbook.findings import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_UNUSABLE,
    Finding,
    print_github,
    print_json,
    print_text,
)

PRINTERS: dict[str, Callable[[Iterable[Finding]], None]] = {
    "text": print_text,
    "json": print_json,
    "github": print_github,
}


def _at_root(name: str) -> tuple[Path, str]:
    """``name`` at the repository root, and how to print it."""
    from handbook.paths import ROOT

    path = Path(ROOT) / name
    try:
        return path, os.path.relpath(path)
    except ValueError:  # on another drive (Windows): no relative path
        return path, str(path)


def default_path() -> tuple[Path, str]:
    """``references.bib`` at the repository root, and how to print it."""
    return _at_root("references.bib")


def _settings(config: str | None) -> Settings:
    """The settings ``--config`` names, else the repository's (none: the defaults)."""
    if config is not None:
        return load_settings(Path(config), config)
    path, shown = _at_root("pyproject.toml")
    if not path.is_file():
        return Settings()
    return load_settings(path, shown)


def _targets(files: list[str]) -> list[tuple[Path, str]]:
    if not files:
        return [default_path()]
    return [(Path(name), name) for name in files]


def _error(message: str) -> None:
    print(f"handbook bib: {message}", file=sys.stderr)


def _load(files: list[str]) -> tuple[list[tuple[Path, Bibliography]], bool]:
    """Parse each file; report the unusable ones on stderr."""
    loaded: list[tuple[Path, Bibliography]] = []
    unusable = False
    for path, shown in _targets(files):
        try:
            loaded.append((path, parse_file(path, shown)))
        except UnusableInputError as exc:
            print(exc, file=sys.stderr)
            unusable = True
    return loaded, unusable


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="handbook bib", description="Check or format references.bib.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    chk = sub.add_parser("check", help="report problems, one finding a line")
    chk.add_argument("files", nargs="*", metavar="FILE", help="default: references.bib")
    chk.add_argument("--format", choices=sorted(PRINTERS), default="text", dest="output")
    chk.add_argument(
        "--select", metavar="CODES", help="comma-separated codes to run (default: all)"
    )
    chk.add_argument("--list", action="store_true", help="list the checks and exit")
    chk.add_argument(
        "--config",
        metavar="PYPROJECT",
        help="read [tool.handbook.bib] from this file (default: the repository's pyproject.toml)",
    )

    fmt = sub.add_parser("format", help="lay the file out canonically")
    fmt.add_argument("files", nargs="*", metavar="FILE", help="default: references.bib")
    mode = fmt.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="exit 1 if not in canonical layout")
    mode.add_argument("--write", action="store_true", help="rewrite files in place")
    fmt.add_argument("--diff", action="store_true", help="with --check: print a unified diff")
    return parser


def _list_checks() -> int:
    for chk in checks.CHECKS.values():
        body = "\n".join(f"    {line}" if line else "" for line in chk.doc.splitlines())
        print(f"{chk.code} {chk.name}\n{body}\n")
    return EXIT_CLEAN


def run_check(args: argparse.Namespace) -> int:
    if args.list:
        return _list_checks()
    select = None
    if args.select:
        select = {code.strip().upper() for code in args.select.split(",") if code.strip()}
        unknown = sorted(select - set(checks.CHECKS))
        if unknown:
            _error(f"unknown check code(s): {', '.join(unknown)}")
            return EXIT_UNUSABLE
    try:
        settings = _settings(args.config)
    except (UnusableInputError, SettingsError) as exc:
        print(exc, file=sys.stderr)
        return EXIT_UNUSABLE
    loaded, unusable = _load(args.files)
    findings: list[Finding] = []
    for path, bib in loaded:
        biblatex = settings.biblatex_names(path)
        findings.extend(checks.run_checks(bib, select, biblatex=biblatex))
    PRINTERS[args.output](findings)
    if unusable:
        return EXIT_UNUSABLE
    return EXIT_FINDINGS if findings else EXIT_CLEAN


def run_format(args: argparse.Namespace) -> int:
    if args.diff and not args.check:
        _error("--diff goes with --check")
        return EXIT_UNUSABLE
    loaded, unusable = _load(args.files)
    findings: list[Finding] = []
    diffs: list[str] = []
    for path, bib in loaded:
        if bib.errors:
            for error in bib.errors:
                print(Finding(bib.path, error.line, "BIB001", error.message), file=sys.stderr)
            action = "not written" if args.write else "not checked"
            _error(f"{bib.path} does not parse; {action}")
            unusable = True
            continue
        new = canonical_text(bib)
        if new == bib.text:
            continue
        if args.write:
            try:
                write_atomically(path, new)
            except OSError as exc:
                _error(f"{bib.path}: cannot write: {exc.strerror or exc}")
                unusable = True
                continue
            print(f"reformatted {bib.path}", file=sys.stderr)
        else:
            line = first_difference(bib.text, new)
            findings.append(
                Finding(
                    bib.path,
                    line,
                    "FMT001",
                    "not in the canonical layout (run 'handbook bib format --write')",
                )
            )
            if args.diff:
                diffs.append(unified_diff(bib.text, new, bib.path))
    print_text(findings)
    for diff in diffs:
        sys.stdout.write(diff)
    if unusable:
        return EXIT_UNUSABLE
    return EXIT_FINDINGS if findings else EXIT_CLEAN


def main(argv: list[str] | None = None) -> int:
    """Run ``handbook bib ARGS``; return the exit status."""
    args = parse_args(_parser(), argv)
    if isinstance(args, int):
        return args
    if args.command == "check":
        return run_check(args)
    return run_format(args)


if __name__ == "__main__":
    raise SystemExit(main())
