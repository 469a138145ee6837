"""The one finding type every checker reports, and its printers.

Every ``handbook`` subcommand reports problems the same way: one finding a
line as ``path:line: CODE message``, sorted, and exits 0 when clean, 1 when
there are findings and 2 when the input cannot be used.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TextIO

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_UNUSABLE = 2


@dataclass(frozen=True, order=True)
class Finding:
    """A problem at a place in a file."""

    path: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code} {self.message}"


def print_text(findings: Iterable[Finding], stream: TextIO | None = None) -> None:
    """Print findings sorted, one per line, as ``path:line: CODE message``."""
    out = stream or sys.stdout
    for finding in sorted(findings):
        print(finding, file=out)


def print_json(findings: Iterable[Finding], stream: TextIO | None = None) -> None:
    """Print findings sorted, as a JSON array of objects."""
    out = stream or sys.stdout
    json.dump([asdict(f) for f in sorted(findings)], out, ensure_ascii=False, indent=2)
    out.write("\n")


def escape_github(value: str) -> str:
    """Escape a value for a GitHub Actions workflow command."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _print_annotations(findings: Iterable[Finding], command: str, stream: TextIO | None) -> None:
    out = stream or sys.stdout
    for f in sorted(findings):
        path = escape_github(f.path).replace(",", "%2C").replace(":", "%3A")
        print(
            f"::{command} file={path},line={f.line}::{escape_github(f'{f.code} {f.message}')}",
            file=out,
        )


def print_github(findings: Iterable[Finding], stream: TextIO | None = None) -> None:
    """Print findings as GitHub Actions ``::error`` annotations on the source line."""
    _print_annotations(findings, "error", stream)


def print_github_warnings(findings: Iterable[Finding], stream: TextIO | None = None) -> None:
    """Print findings as GitHub Actions ``::warning`` annotations on the source line: for a
    check whose findings must not fail the job (``handbook i18n status --warn``)."""
    _print_annotations(findings, "warning", stream)


def exit_status(findings: Iterable[Finding]) -> int:
    """0 when there are no findings, 1 otherwise."""
    return EXIT_FINDINGS if any(True for _ in findings) else EXIT_CLEAN
