"""Command lines: one argument parser for every ``handbook`` command.

argparse prints a usage error and exits 2 by itself; the commands instead
return their exit status from ``main(argv) -> int`` (tests call them, and the
``handbook`` dispatcher is the one error boundary).  :class:`Parser` raises
:class:`UsageError` instead of exiting, and :func:`parse_args` turns a usage
error into the status 2 and ``--help`` into 0.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from handbook.findings import EXIT_UNUSABLE


class UsageError(Exception):
    """A command line the parser refuses: ``PROG: error: MESSAGE``."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are raised (:class:`UsageError`), after the
    usage line on standard error."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise UsageError(f"{self.prog}: error: {message}")


def parse_args(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None
) -> argparse.Namespace | int:
    """``argv`` (default: the process's) parsed, or the exit status to return at once:
    2 after a usage error (said on standard error), 0 after ``--help``."""
    try:
        return parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_UNUSABLE
    except SystemExit as exc:  # --help, --version
        return int(exc.code or 0)
