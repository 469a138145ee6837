"""Reporting: problem lines, the JSON document, the summary table, the progress bar.

Text (``--format text``, the default) prints one line per place a problem
link occurs, sorted, as ``path:line: CODE message`` (codes: see
:mod:`handbook.linkcheck.verdicts`); ``--format github`` prints the same as
GitHub Actions annotations.  A summary table (counts per verdict) goes to
stderr, and so does the progress bar, only when stderr is a terminal.

``--format json`` writes one document (to stdout, or atomically to
``--output FILE``)::

    {
      "version": 1,
      "generated_at": "2026-11-27T10:00:00Z",
      "no_network": null,                 # or why the network was not used:
                                          # "no network: every look-up ..." or
                                          # "offline (--offline): ..."
      "summary": {"ok": 51, "redirected": 2, "broken": 0, ...},   # every verdict
      "problems": [                       # inputs that could not be read as links
        {"path": "references.bib", "line": 12, "code": "LINKINPUT", "message": "..."}
      ],
      "records": [                        # one per URL, DOI or ISBN, sorted by kind and url
        {
          "kind": "url",                  # "url" | "doi" | "isbn"
          "url": "http://example.com/a",  # as written; https://doi.org/<doi>; urn:isbn:<isbn>
          "verdict": "redirected",        # ok redirected broken blocked rate_limited
                                          # timeout error ignored unsafe unchecked
          "code": "LINK301",              # null for ok
          "message": "moved permanently (301) to https://example.com/a: update the link",
          "status": 200,                  # last HTTP status, null when none
          "final_url": "https://example.com/a",   # after redirects, else null
          "suggestion": "https://example.com/a",  # for permanent redirects, else null
          "redirects": [{"status": 301, "url": "https://example.com/a"}],
          "cached": false,                # the verdict came from the cache
          "checked_at": "2026-11-27T10:00:00Z",   # null when not checked
          "occurrences": [
            {"path": "docs/swe/testing.md", "line": 42, "key": null},
            {"path": "references.bib", "line": 163, "key": "breck2017mltestscore"}
          ]
        }
      ]
    }

:data:`JSON_SCHEMA` is the same as a JSON Schema (draft 2020-12).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from handbook.findings import Finding
from handbook.linkcheck.extract import Kind, Occurrence
from handbook.linkcheck.verdicts import QUIET, Result, Verdict

SCHEMA_VERSION = 1

_NULLABLE_STRING = {"type": ["string", "null"]}

JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "handbook linkcheck report",
    "type": "object",
    "required": ["version", "generated_at", "no_network", "summary", "problems", "records"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": SCHEMA_VERSION},
        "generated_at": {"type": "string", "format": "date-time"},
        "no_network": _NULLABLE_STRING,
        "summary": {
            "type": "object",
            "required": [verdict.value for verdict in Verdict],
            "additionalProperties": False,
            "properties": {verdict.value: {"type": "integer", "minimum": 0} for verdict in Verdict},
        },
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "line", "code", "message"],
                "additionalProperties": False,
                "properties": {
                    "path": {"type": "string"},
                    "line": {"type": "integer", "minimum": 1},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
        "records": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "kind",
                    "url",
                    "verdict",
                    "code",
                    "message",
                    "status",
                    "final_url",
                    "suggestion",
                    "redirects",
                    "cached",
                    "checked_at",
                    "occurrences",
                ],
                "additionalProperties": False,
                "properties": {
                    "kind": {"enum": ["url", "doi", "isbn"]},
                    "url": {"type": "string"},
                    "verdict": {"enum": [verdict.value for verdict in Verdict]},
                    "code": _NULLABLE_STRING,
                    "message": {"type": "string"},
                    "status": {"type": ["integer", "null"]},
                    "final_url": _NULLABLE_STRING,
                    "suggestion": _NULLABLE_STRING,
                    "redirects": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["status", "url"],
                            "additionalProperties": False,
                            "properties": {
                                "status": {"type": "integer"},
                                "url": {"type": "string"},
                            },
                        },
                    },
                    "cached": {"type": "boolean"},
                    "checked_at": {"type": ["string", "null"], "format": "date-time"},
                    "occurrences": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["path", "line", "key"],
                            "additionalProperties": False,
                            "properties": {
                                "path": {"type": "string"},
                                "line": {"type": "integer", "minimum": 1},
                                "key": _NULLABLE_STRING,
                            },
                        },
                    },
                },
            },
        },
    },
}


@dataclass
class Record:
    """One URL, DOI or ISBN, its verdict and every place it occurs."""

    kind: Kind
    url: str
    result: Result
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        return self.result.verdict


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def summary(records: Iterable[Record]) -> dict[str, int]:
    counts = Counter(record.verdict for record in records)
    return {verdict.value: counts.get(verdict, 0) for verdict in Verdict}


def record_json(record: Record) -> dict[str, Any]:
    r = record.result
    return {
        "kind": record.kind,
        "url": record.url,
        "verdict": r.verdict.value,
        "code": r.code,
        "message": r.message,
        "status": r.status,
        "final_url": r.final_url,
        "suggestion": r.suggestion,
        "redirects": [{"status": hop.status, "url": hop.url} for hop in r.redirects],
        "cached": r.cached,
        "checked_at": _iso(r.checked_at),
        "occurrences": [
            {"path": occ.path, "line": occ.line, "key": occ.key}
            for occ in sorted(set(record.occurrences))
        ],
    }


def document(
    records: Sequence[Record],
    *,
    problems: Sequence[Finding] = (),
    no_network: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The JSON document described in the module docstring."""
    ordered = sorted(records, key=lambda rec: (rec.kind, rec.url))
    return {
        "version": SCHEMA_VERSION,
        "generated_at": _iso(now),
        "no_network": no_network,
        "summary": summary(records),
        "problems": [
            {"path": f.path, "line": f.line, "code": f.code, "message": f.message}
            for f in sorted(problems)
        ],
        "records": [record_json(rec) for rec in ordered],
    }


def findings(records: Iterable[Record], *, no_network: str | None = None) -> list[Finding]:
    """One finding per place a problem link occurs.

    With no network the links it left unchecked are not listed one by one:
    the run says "no network" once instead.
    """
    out: list[Finding] = []
    for record in records:
        r = record.result
        if r.verdict in QUIET:
            continue
        if no_network and r.verdict is Verdict.UNCHECKED and r.message.endswith(no_network):
            continue
        text = r.message if r.message else r.verdict.value
        subject = record.url
        for occ in sorted(set(record.occurrences)):
            entry = f" (entry {occ.key})" if occ.key else ""
            out.append(
                Finding(occ.path, occ.line, r.code or r.verdict.value, f"{subject}: {text}{entry}")
            )
    return sorted(out)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


def dump_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------
# Terminal: progress bar and summary table (rich, on stderr)


def is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


@contextlib.contextmanager
def progress_bar(total: int, stream: TextIO, *, enabled: bool = True) -> Iterator[Any]:
    """A rich progress bar on ``stream`` when it is a terminal; yields ``advance(n)``."""
    if not enabled or total <= 0 or not is_terminal(stream):
        yield lambda n=1: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=stream)
    with Progress(
        TextColumn("checking links"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("links", total=total)
        yield lambda n=1: progress.advance(task, n)


_STYLES = {
    Verdict.OK: "green",
    Verdict.REDIRECTED: "cyan",
    Verdict.BROKEN: "bold red",
    Verdict.UNSAFE: "bold red",
    Verdict.BLOCKED: "yellow",
    Verdict.RATE_LIMITED: "yellow",
    Verdict.TIMEOUT: "yellow",
    Verdict.ERROR: "yellow",
    Verdict.UNCHECKED: "magenta",
    Verdict.IGNORED: "dim",
}


def print_summary(
    records: Sequence[Record],
    stream: TextIO,
    *,
    fail_on: Iterable[Verdict],
    requests: int,
    answered: int,
    seconds: float,
) -> None:
    """The summary table: links per verdict, which ones fail, requests and time."""
    from rich.console import Console
    from rich.table import Table

    failing = set(fail_on)
    counts = Counter(record.verdict for record in records)
    cached = sum(1 for record in records if record.result.cached)
    table = Table(title="Link check", title_justify="left")
    table.add_column("verdict")
    table.add_column("links", justify="right")
    table.add_column("fails the run", justify="center")
    for verdict in Verdict:
        if counts.get(verdict):
            style = _STYLES[verdict]
            table.add_row(
                f"[{style}]{verdict.value}[/]",
                str(counts[verdict]),
                "yes" if verdict in failing else "",
            )
    table.add_row("total", str(len(records)), "", end_section=True)
    console = Console(file=stream, highlight=False, width=100 if not is_terminal(stream) else None)
    console.print(table)
    console.print(
        f"{requests} HTTP request(s), {answered} answered; "
        f"{cached} result(s) from the cache; {seconds:.2f} s",
        markup=False,
    )
