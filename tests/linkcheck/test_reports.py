"""The Markdown report and the GitHub annotations, on fixed inputs, against golden files.

The golden files are under ``tests/linkcheck/golden/``.  After an intended
change to a report, write them again with::

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/linkcheck/test_reports.py

and read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from handbook.findings import Finding
from handbook.linkcheck.extract import Occurrence
from handbook.linkcheck.report import (
    Record,
    github_annotations,
    markdown_report,
    summary_line,
)
from handbook.linkcheck.verdicts import DEFAULT_FAIL_ON, Hop, Result, Verdict

GOLDEN = Path(__file__).parent / "golden"
NOW = 1_795_000_000.0  # 2026-11-18 11:06:40 UTC
NO_NETWORK = "no network: every look-up and connection failed (3 hosts, e.g. x)"


def occ(path: str, line: int, key: str | None = None) -> Occurrence:
    return Occurrence(path, line, key)


def records() -> list[Record]:
    """One of every kind of outcome, in no particular order."""
    return [
        Record(
            "url",
            "https://example.com/ok",
            Result(Verdict.OK, None, "200 OK", status=200),
            [occ("docs/swe/testing.md", 3)],
        ),
        Record(
            "url",
            "https://example.com/gone",
            Result(Verdict.BROKEN, "LINK404", "404 Not Found", status=404),
            [occ("docs/swe/testing.md", 40), occ("docs/swe/testing.md", 12)],
        ),
        Record(
            "url",
            "https://no-such-host.example/",
            Result(Verdict.BROKEN, "LINKDNS", "host name no-such-host.example does not exist"),
            [occ("docs/pm/roadmaps.md", 7)],
        ),
        Record(
            "url",
            "https://example.com/page#missing_anchor",
            Result(
                Verdict.BROKEN,
                "LINKANCHOR",
                "#missing_anchor not found on the page (no id= or name= 'missing_anchor')",
                status=200,
            ),
            [occ("docs/swe/testing.md", 25)],
        ),
        Record(
            "url",
            "http://169.254.169.254/latest/",
            Result(
                Verdict.UNSAFE,
                "LINKUNSAFE",
                "169.254.169.254 is link-local (cloud metadata service)",
            ),
            [occ("docs/pm/roadmaps.md", 30)],
        ),
        Record(
            "doi",
            "https://doi.org/10.9999/missing",
            Result(Verdict.BROKEN, "DOI404", "DOI 10.9999/missing is not registered", status=404),
            [occ("references.bib", 120, "smith2020missing")],
        ),
        Record(
            "isbn",
            "urn:isbn:9780000000000",
            Result(Verdict.BROKEN, "ISBNSUM", "ISBN '978-0-00-000000-0': the check digit is wrong"),
            [occ("references.bib", 88, "doe2019book")],
        ),
        Record(
            "internal",
            "{doc}`/swe/no-such-page`",
            Result(Verdict.BROKEN, "LINKTARGET", "no page 'swe/no-such-page' in the handbook"),
            [occ("docs/pm/roadmaps.md", 44)],
        ),
        Record(
            "url",
            "http://example.org/old",
            Result(
                Verdict.REDIRECTED,
                "LINK301",
                "moved permanently (301) to https://example.org/new: update the link",
                status=200,
                final_url="https://example.org/new",
                redirects=(Hop(301, "https://example.org/new"),),
                suggestion="https://example.org/new",
            ),
            [occ("docs/swe/testing.md", 18), occ("references.bib", 61, "roe2021post")],
        ),
        Record(
            "url",
            "https://example.org/latest",
            Result(
                Verdict.REDIRECTED,
                "LINK302",
                "redirects (302) to https://example.org/v2",
                status=200,
                final_url="https://example.org/v2",
                redirects=(Hop(302, "https://example.org/v2"),),
            ),
            [occ("docs/swe/testing.md", 19)],
        ),
        Record(
            "url",
            "https://www.linkedin.com/in/someone",
            Result(
                Verdict.BLOCKED,
                "LINK999",
                "999 Request denied (the site refuses robots)",
                status=999,
                cached=True,
            ),
            [occ("docs/about.md", 9)],
        ),
        Record(
            "url",
            "https://api.example.net/busy",
            Result(
                Verdict.RATE_LIMITED,
                "LINK429",
                "429 Too Many Requests: asks to wait 3600 s, more than the 60 s cap",
                status=429,
            ),
            [occ("docs/swe/testing.md", 50)],
        ),
        Record(
            "url",
            "https://slow.example.net/",
            Result(Verdict.TIMEOUT, "LINKTIMEOUT", "no complete answer within 15 s"),
            [occ("docs/pm/roadmaps.md", 12)],
        ),
        Record(
            "url",
            "https://flaky.example.net/a|b",
            Result(Verdict.ERROR, "LINK500", "500 Internal Server Error", status=500),
            [occ("docs/pm/roadmaps.md", 13)],
        ),
        Record(
            "url",
            "https://late.example.net/",
            Result(
                Verdict.UNCHECKED,
                "LINKUNCHECKED",
                "not checked: the overall deadline of 300 s ran out",
            ),
            [occ("docs/pm/roadmaps.md", 14)],
        ),
        Record(
            "url",
            "https://ignored.example.net/",
            Result(Verdict.IGNORED, "LINKIGNORED", "ignored: answers 403 to every robot"),
            [occ("docs/pm/roadmaps.md", 15)],
        ),
        Record(
            "url",
            "https://offline.example.net/",
            Result(Verdict.UNCHECKED, "LINKUNCHECKED", f"not checked: {NO_NETWORK}"),
            [occ("docs/pm/roadmaps.md", 16)],
        ),
    ]


PROBLEMS = [Finding("references.bib", 200, "LINKINPUT", "unclosed entry; its links are skipped")]


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from its golden file (UPDATE_GOLDEN=1 rewrites it)"


def test_markdown_report_golden() -> None:
    text = markdown_report(
        records(), PROBLEMS, fail_on=DEFAULT_FAIL_ON, no_network=NO_NETWORK, now=NOW
    )
    golden("report.md", text)


def test_markdown_report_for_a_pull_request_golden() -> None:
    """Scope in the first line; nothing but ok and ignored: nothing to do."""
    clean = [r for r in records() if r.verdict in (Verdict.OK, Verdict.IGNORED)]
    text = markdown_report(
        clean, fail_on=DEFAULT_FAIL_ON, now=NOW, scope="added or changed since origin/main"
    )
    golden("report-clean.md", text)


def test_github_annotations_golden() -> None:
    text = github_annotations(records(), PROBLEMS, fail_on=DEFAULT_FAIL_ON, no_network=NO_NETWORK)
    golden("annotations.txt", text)


def test_markdown_report_orders_broken_first_and_lists_unverified_apart() -> None:
    text = markdown_report(records(), PROBLEMS, fail_on=DEFAULT_FAIL_ON, now=NOW)
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections == [
        "## Broken (7)",
        "## Moved permanently (1)",
        "## Could not verify (6)",
        "## Inputs that could not be read (1)",
    ]
    # Without a "no network" note, the unchecked-for-no-network link is listed too.
    assert "offline.example.net" in text.split("## Could not verify")[1]


def test_fail_on_moves_verdicts_between_sections() -> None:
    fail_on = frozenset({Verdict.BROKEN, Verdict.UNSAFE, Verdict.TIMEOUT})
    text = markdown_report(records(), fail_on=fail_on, now=NOW)
    broken, rest = text.split("## Moved permanently")
    assert "slow.example.net" in broken and "slow.example.net" not in rest
    lines = github_annotations(records(), fail_on=fail_on).splitlines()
    slow = [line for line in lines if "slow.example.net" in line]
    assert slow and all(line.startswith("::error ") for line in slow)


def test_annotation_values_are_escaped() -> None:
    record = Record(
        "url",
        "https://example.com/100%",
        Result(Verdict.BROKEN, "LINK404", "line one\nline two"),
        [occ("docs/a,b:c.md", 2)],
    )
    assert github_annotations([record], fail_on=DEFAULT_FAIL_ON) == (
        "::error file=docs/a%2Cb%3Ac.md,line=2,title=Broken link::"
        "LINK404 https://example.com/100%25: line one%0Aline two\n"
    )


@pytest.mark.parametrize(
    ("verdicts", "line"),
    [
        ([], "linkcheck: 0 links: nothing to check; none fails the run (fail on: broken, unsafe)"),
        (
            [Verdict.OK, Verdict.OK, Verdict.UNCHECKED],
            "linkcheck: 3 links: 2 ok, 1 unchecked; none fails the run (fail on: broken, unsafe)",
        ),
        (
            [Verdict.BROKEN, Verdict.OK],
            "linkcheck: 2 links: 1 ok, 1 broken; 1 fails the run (fail on: broken, unsafe)",
        ),
    ],
)
def test_summary_line(verdicts: list[Verdict], line: str) -> None:
    recs = [
        Record("url", f"https://e.example/{i}", Result(verdict), [occ("p.md", 1)])
        for i, verdict in enumerate(verdicts)
    ]
    assert summary_line(recs, DEFAULT_FAIL_ON) == line
