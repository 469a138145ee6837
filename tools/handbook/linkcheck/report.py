"""Reporting: problem lines, the JSON document, GitHub annotations, Markdown, the summary.

Text (``--format text``, the default) prints one line per place a problem
link occurs, sorted, as ``path:line: CODE message`` (codes: see
:mod:`handbook.linkcheck.verdicts`).

``--format github`` (:func:`github_annotations`) prints GitHub Actions
workflow commands on the source line: ``::error`` for a verdict that fails
the run (``--fail-on``), ``::warning`` for a link that could not be verified
(blocked, rate limited, timeout, error, unchecked) and for input that could
not be read, ``::notice`` for a permanent redirect, with the new address.

``--format markdown`` (:func:`markdown_report`) is a report a person acts
on, for a pull-request comment or the pinned "Broken links" issue: broken
links first, grouped by page with line numbers; then permanent redirects with
their replacements; then the links that could not be verified, apart.

A summary goes to stderr: a table of counts per verdict (drawn with rich on a
terminal, plain text otherwise, so that a run in a pipe does not import rich),
the summary line (:func:`summary_line`) and the request count and time.  (The
progress bar, drawn while links are fetched, is :mod:`handbook.linkcheck.progress`.)

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
          "kind": "url",                  # "url" | "doi" | "isbn" | "internal"
          "url": "http://example.com/a",  # as written; https://doi.org/<doi>; urn:isbn:<isbn>;
                                          # {doc}`/swe/testing` for an internal reference
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

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from handbook.findings import Finding, escape_github
from handbook.linkcheck.extract import Occurrence
from handbook.linkcheck.verdicts import QUIET, Result, Verdict

#: What a record is: an external link, a DOI, an ISBN, or an internal reference.
RecordKind = Literal["url", "doi", "isbn", "internal"]

#: Verdicts that mean "we could not tell", listed apart from broken links.
COULD_NOT_VERIFY: frozenset[Verdict] = frozenset(
    {Verdict.BLOCKED, Verdict.RATE_LIMITED, Verdict.TIMEOUT, Verdict.ERROR, Verdict.UNCHECKED}
)

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
                    "kind": {"enum": ["url", "doi", "isbn", "internal"]},
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

    kind: RecordKind
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


def text_report(
    records: Iterable[Record], problems: Iterable[Finding] = (), *, no_network: str | None = None
) -> str:
    """``--format text``: every finding (:func:`findings`, and the inputs that could
    not be read), sorted, one ``path:line: CODE message`` a line."""
    lines = [*findings(records, no_network=no_network), *problems]
    return "".join(f"{line}\n" for line in sorted(lines))


def dump_json(doc: dict[str, Any]) -> str:
    """The document with one record (or problem) a line: readable, and written by
    json's C encoder (``indent=`` would switch to the slow pure-Python one)."""
    lines = ["{"]
    items = list(doc.items())
    for index, (key, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        name = json.dumps(key)
        if isinstance(value, list) and value:
            lines.append(f"  {name}: [")
            rows = [json.dumps(item, ensure_ascii=False) for item in value]
            lines += [f"    {row}," for row in rows[:-1]]
            lines.append(f"    {rows[-1]}")
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {name}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quiet_unchecked(record: Record, no_network: str | None) -> bool:
    """An unchecked link that the single "no network" line already accounts for."""
    r = record.result
    return (
        bool(no_network) and r.verdict is Verdict.UNCHECKED and r.message.endswith(no_network or "")
    )


# --------------------------------------------------------------------------
# GitHub Actions annotations


def _property(value: str) -> str:
    return escape_github(value).replace(",", "%2C").replace(":", "%3A")


def annotation_level(record: Record, fail_on: Iterable[Verdict]) -> str | None:
    """``error``, ``warning``, ``notice`` or None (not annotated) for a record."""
    verdict = record.verdict
    if verdict in set(fail_on):
        return "error"
    if verdict in COULD_NOT_VERIFY:
        return "warning"
    if verdict is Verdict.REDIRECTED and record.result.suggestion:
        return "notice"
    return None


_TITLES = {
    "error": "Broken link",
    "warning": "Link not verified",
    "notice": "Link moved permanently",
}


def github_annotations(
    records: Iterable[Record],
    problems: Iterable[Finding] = (),
    *,
    fail_on: Iterable[Verdict],
    no_network: str | None = None,
) -> str:
    """GitHub Actions workflow commands, one per place a link needs attention.

    ``::error`` for verdicts in ``fail_on``, ``::warning`` for links that
    could not be verified and for unreadable input, ``::notice`` for
    permanent redirects; sorted by file and line.
    """
    failing = frozenset(fail_on)
    rows: list[tuple[str, int, str, str, str]] = []
    for record in records:
        level = annotation_level(record, failing)
        if level is None or _quiet_unchecked(record, no_network):
            continue
        r = record.result
        code = r.code or r.verdict.value
        text = r.message or r.verdict.value
        if level == "warning":
            text = f"could not verify ({r.verdict.value.replace('_', ' ')}): {text}"
        for occ in sorted(set(record.occurrences)):
            entry = f" (entry {occ.key})" if occ.key else ""
            rows.append((occ.path, occ.line, level, code, f"{record.url}: {text}{entry}"))
    for problem in problems:
        rows.append((problem.path, problem.line, "warning", problem.code, problem.message))
    out: list[str] = []
    if no_network:
        out.append(f"::warning title=Links not checked::{escape_github(no_network)}")
    for path, line, level, code, message in sorted(rows):
        title = "Unreadable input" if code == "LINKINPUT" else _TITLES[level]
        out.append(
            f"::{level} file={_property(path)},line={line},title={_property(title)}::"
            f"{escape_github(f'{code} {message}')}"
        )
    return "".join(f"{line}\n" for line in out)


# --------------------------------------------------------------------------
# Markdown: the report a person acts on

_MD_SPECIAL = set("\\`*_[]<>|#")


def _md(text: str) -> str:
    """Plain text made safe inside a Markdown list item or heading."""
    return "".join(f"\\{ch}" if ch in _MD_SPECIAL else ch for ch in text)


def _md_link(url: str) -> str:
    """A clickable link when ``url`` is one, else the text in a code span."""
    if url.lower().startswith(("http://", "https://")) and not any(
        ch.isspace() or ch in "<>`" for ch in url
    ):
        return f"<{url}>"
    fence = "``" if "`" in url else "`"
    pad = " " if "`" in url else ""
    return f"{fence}{pad}{url}{pad}{fence}"


def _place(occ: Occurrence) -> str:
    entry = f" (entry `{occ.key}`)" if occ.key else ""
    return f"line {occ.line}{entry}"


def _by_page(records: Iterable[Record], line: Callable[[Record], str]) -> list[str]:
    """Items grouped under a heading per page, sorted by line."""
    pages: dict[str, list[tuple[int, str, str]]] = {}
    for record in records:
        for occ in sorted(set(record.occurrences)):
            pages.setdefault(occ.path, []).append(
                (occ.line, occ.key or "", f"- **{_place(occ)}**: {line(record)}")
            )
    out: list[str] = []
    for path in sorted(pages):
        out += ["", f"### `{path}`", ""]
        out += [text for _, _, text in sorted(pages[path])]
    return out


def _verdict_name(verdict: Verdict) -> str:
    return verdict.value.replace("_", " ")


def markdown_report(
    records: Sequence[Record],
    problems: Sequence[Finding] = (),
    *,
    fail_on: Iterable[Verdict],
    no_network: str | None = None,
    now: float | None = None,
    title: str = "Broken links",
    scope: str | None = None,
) -> str:
    """The Markdown report described in the module docstring."""
    failing = frozenset(fail_on)
    broken = [r for r in records if r.verdict in failing]
    moved = [
        r
        for r in records
        if r.verdict is Verdict.REDIRECTED and r.result.suggestion and r.verdict not in failing
    ]
    unverified = [
        r
        for r in records
        if r.verdict in COULD_NOT_VERIFY
        and r.verdict not in failing
        and not _quiet_unchecked(r, no_network)
    ]
    kinds: Counter[str] = Counter(record.kind for record in records)
    parts = [
        f"{kinds[kind]} {name}{'' if kinds[kind] == 1 else 's'}"
        for kind, name in (
            ("url", "URL"),
            ("doi", "DOI"),
            ("isbn", "ISBN"),
            ("internal", "internal reference"),
        )
        if kinds[kind]
    ]
    when = _iso(now)
    checked = f"Checked {len(records)} links" + (f" ({', '.join(parts)})" if parts else "")
    if scope:
        checked += f" {scope}"
    if when:
        checked += f" on {when.replace('T', ' ').removesuffix('Z')} UTC"
    counts = (
        f"**{len(broken)} broken**, {len(moved)} moved permanently, "
        f"{len(unverified)} could not be verified."
    )
    out = [f"# {title}", "", f"{checked}: {counts}"]
    if no_network:
        out += ["", f"> **Not checked:** {_md(no_network)}."]
    if not broken and not moved and not unverified and not problems:
        out += ["", "Nothing to do: every link works."]

    if broken:
        out += [
            "",
            f"## Broken ({len(broken)})",
            "",
            "Fix or remove each of these: the page or the host is gone, the identifier is wrong, "
            "or the guard refused the address.",
        ]
        out += _by_page(
            broken,
            lambda r: (
                f"{_md_link(r.url)} — {_md(r.result.message or r.verdict.value)} "
                f"(`{r.result.code or r.verdict.value}`)"
            ),
        )
    if moved:
        out += [
            "",
            f"## Moved permanently ({len(moved)})",
            "",
            "These still work, through a permanent redirect: replace each with its new address.",
        ]
        out += _by_page(
            moved, lambda r: f"{_md_link(r.url)} → {_md_link(r.result.suggestion or '')}"
        )
    if unverified:
        out += [
            "",
            f"## Could not verify ({len(unverified)})",
            "",
            "The checker could not tell whether these work: the site refuses robots (blocked), "
            "asked it to slow down (rate limited), failed, or did not answer in time. "
            "Open each in a browser: if it works, leave it; if it can never be checked by a robot, "
            "add an ignore rule with a reason in `pyproject.toml`.",
        ]
        out += _by_page(
            unverified,
            lambda r: (
                f"{_md_link(r.url)} — {_verdict_name(r.verdict)}: "
                f"{_md(r.result.message or r.verdict.value)}"
            ),
        )
    if problems:
        out += ["", f"## Inputs that could not be read ({len(problems)})", ""]
        out += [f"- `{f.path}` line {f.line}: {_md(f.message)}" for f in sorted(problems)]
    cached = sum(1 for record in records if record.result.cached)
    out += [
        "",
        "---",
        "",
        f"<sub>Made by `handbook linkcheck --format markdown`; {cached} of {len(records)} "
        "verdicts from the cache. What each verdict means and what to do about it: "
        "CONTRIBUTING.md, “Checking links”.</sub>",
    ]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------
# Terminal: the summary table (rich, on stderr)


def is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


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
    failing = set(fail_on)
    counts = Counter(record.verdict for record in records)
    cached = sum(1 for record in records if record.result.cached)
    stats = (
        f"{requests} HTTP request(s), {answered} answered; "
        f"{cached} result(s) from the cache; {seconds:.2f} s"
    )
    if not is_terminal(stream):
        # Plain text: no colour to strip, and no rich to import in a pipe.
        stream.write("Link check\n")
        for verdict in Verdict:
            if counts.get(verdict):
                mark = "  fails the run" if verdict in failing else ""
                stream.write(f"  {verdict.value:<13}{counts[verdict]:>6}{mark}\n")
        stream.write(f"  {'total':<13}{len(records):>6}\n")
        stream.write(summary_line(records, failing) + "\n")
        stream.write(stats + "\n")
        return
    from rich.console import Console
    from rich.table import Table

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
    console = Console(file=stream, highlight=False)
    console.print(table)
    console.print(summary_line(records, failing), markup=False)
    console.print(stats, markup=False)


def summary_line(records: Sequence[Record], fail_on: Iterable[Verdict]) -> str:
    """One line that says it all, e.g. ``linkcheck: 79 links: 24 ok, 55 unchecked;
    none fails the run (fail on: broken, unsafe)``."""
    failing = frozenset(fail_on)
    counts = Counter(record.verdict for record in records)
    parts = [f"{counts[verdict]} {verdict.value}" for verdict in Verdict if counts.get(verdict)]
    failed = sum(counts[verdict] for verdict in failing)
    names = ", ".join(verdict.value for verdict in Verdict if verdict in failing) or "nothing"
    if not failed:
        verdict_text = "none fails the run"
    else:
        verdict_text = f"{failed} fail{'s' if failed == 1 else ''} the run"
    body = ", ".join(parts) if parts else "nothing to check"
    return f"linkcheck: {len(records)} links: {body}; {verdict_text} (fail on: {names})"
