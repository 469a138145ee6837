"""``CHANGELOG.md``: its releases, and ``handbook changelog``, which wants a line for a change.

The changelog follows Keep a Changelog (https://keepachangelog.com/en/1.1.0/):
an ``## [Unreleased]`` section first, then one ``## [VERSION] - YYYY-MM-DD``
section a release, newest first, each with ``### Added``/``Changed``/``Fixed``...
lists.  :func:`parse` reads it with markdown-it-py (the parser under MyST, so a
heading inside a code block is not one); the Editions page
(:mod:`handbook.sphinxext.editions`) renders its releases.

Usage::

    handbook changelog --base origin/main      # in a pull request's checkout
    handbook changelog --base v2026.12 --repo path/to/clone
    handbook changelog --notes 2026.12         # an edition's section: the release notes

``handbook changelog`` compares the working tree (``HEAD`` and any change not yet
committed) with its merge base with ``--base``:
when the change touches what readers read (``docs/`` or ``references.bib``)
and adds no line under "Unreleased", it reports ``CHG001`` at the Unreleased
heading.  Exit status: 0 clean, 1 the finding, 2 unusable input (not a git
repository, an unknown ``--base``, no changelog or no Unreleased section).
The pull-request workflow runs it, unless the pull request carries the
``no-changelog`` label (a typo fix); ``.ci/run`` does not, as it sees no pull
request.  ``--notes VERSION`` prints that release's section (the release
workflow's notes); a version the changelog does not have is exit 2.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

from handbook.args import Parser, parse_args
from handbook.files import UnusableInputError, display_path, read_text
from handbook.findings import EXIT_UNUSABLE, Finding, exit_status, print_text

PROG = "handbook changelog"
CODE = "CHG001"
#: What readers read: a change here needs a line in the changelog.
WATCHED = ("docs/", "references.bib")
UNRELEASED = "Unreleased"
#: ``[2026.12] - 2026-12-04`` (the brackets are optional, as in Keep a Changelog's own).
_RELEASE = re.compile(
    r"^\[?(?P<version>[^\]\s]+)\]?(?:\s+[-–]\s+(?P<date>\d{4}-\d{2}-\d{2}))?\s*(?P<rest>.*)$"
)


@dataclass(frozen=True)
class Section:
    """One ``##`` section: its version (``Unreleased`` for the next), date, heading line
    (1-based), its body's Markdown, and its list items' text."""

    version: str
    date: str | None
    line: int
    body: str
    items: tuple[str, ...] = field(default=())

    @property
    def released(self) -> bool:
        return self.version.casefold() != UNRELEASED.casefold()


def parse(text: str) -> list[Section]:
    """The changelog's ``##`` sections, in file order."""
    tokens = MarkdownIt("commonmark").parse(text)
    lines = text.splitlines()
    starts: list[tuple[int, str]] = []
    for n, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2" and token.map:
            starts.append((token.map[0], tokens[n + 1].content.strip()))
    items: dict[int, list[str]] = {}
    for n, token in enumerate(tokens):
        if token.type == "list_item_open" and token.map:
            inline = next(t for t in tokens[n:] if t.type == "inline")
            items.setdefault(token.map[0], []).append(inline.content.strip())
    sections = []
    for k, (start, title) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        match = _RELEASE.match(title)
        version = match.group("version") if match else title
        date = match.group("date") if match else None
        found = tuple(
            text for at, texts in sorted(items.items()) if start < at < end for text in texts
        )
        body = "\n".join(lines[start + 1 : end]).strip("\n")
        sections.append(Section(version, date, start + 1, body, found))
    return sections


def unreleased(sections: list[Section]) -> Section | None:
    """The Unreleased section, if there is one."""
    return next((s for s in sections if not s.released), None)


def releases(sections: list[Section]) -> list[Section]:
    """The released sections, newest first (as written)."""
    return [s for s in sections if s.released]


# -- The command ---------------------------------------------------------------------------


class _Refused(Exception):
    """Input that cannot be used, said in one line; exit 2."""


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise _Refused("git is not installed") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise _Refused(f"git {' '.join(args)}: {last}")
    return done.stdout


def check(repo: Path, base: str, changelog: str = "CHANGELOG.md") -> list[Finding]:
    """The finding for a change since ``base`` to what readers read without a changelog line."""
    if not (repo / ".git").exists():
        _git(repo, "rev-parse", "--git-dir")  # says why, or finds a work tree above
    try:
        merge_base = _git(repo, "merge-base", base, "HEAD").strip()
    except _Refused as exc:
        raise _Refused(f"--base {base}: not a commit of this repository ({exc})") from None
    # The working tree against the merge base: what is committed, what is not yet, and
    # new files (in a pull request's clean checkout, the commits alone).
    changed = _git(repo, "diff", "--name-only", "--no-renames", merge_base).splitlines()
    changed += _git(repo, "ls-files", "--others", "--exclude-standard").splitlines()
    touched = sorted(p for p in changed if p.startswith(WATCHED[0]) or p == WATCHED[1])
    path = repo / changelog
    shown = display_path(path)
    try:
        now = read_text(path, shown)
    except UnusableInputError as exc:
        raise _Refused(str(exc)) from None
    head = unreleased(parse(now))
    if head is None:
        raise _Refused(f"{shown}: no '## [{UNRELEASED}]' section (see Keep a Changelog)")
    if not touched:
        return []
    try:
        before = _git(repo, "show", f"{merge_base}:{changelog}")
    except _Refused:
        before = ""
    old = unreleased(parse(before))
    new_lines = set(head.items) - set(old.items if old else ())
    if new_lines:
        return []
    more = f" and {len(touched) - 1} more" if len(touched) > 1 else ""
    return [
        Finding(
            shown,
            head.line,
            CODE,
            f"{touched[0]}{more} changed since {base}, but no line was added under "
            f'"{UNRELEASED}": say what changed for readers (or label the pull request '
            "no-changelog for a typo fix)",
        )
    ]


def notes(path: Path, version: str) -> str:
    """The body of release ``version``'s section: its notes."""
    shown = display_path(path)
    try:
        text = read_text(path, shown)
    except UnusableInputError as exc:
        raise _Refused(str(exc)) from None
    for section in releases(parse(text)):
        if section.version == version:
            return section.body
    raise _Refused(f"{shown}: no section for release {version}")


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description=(
            "Fail when the changes since --base touch docs/ or references.bib "
            "without a line under 'Unreleased' in CHANGELOG.md."
        ),
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--base", metavar="REF", help="the branch or commit compared with")
    mode.add_argument(
        "--notes", metavar="VERSION", help="print the section of release VERSION and exit"
    )
    parser.add_argument("--repo", type=Path, default=Path(), help="the repository (default: .)")
    parser.add_argument(
        "--changelog",
        default="CHANGELOG.md",
        help="the changelog, in the repository (default: %(default)s)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parse_args(_parser(), argv)
    if isinstance(args, int):
        return args
    try:
        if args.notes is not None:
            print(notes(args.repo / args.changelog, args.notes))
            return 0
        findings = check(args.repo, args.base, args.changelog)
    except _Refused as exc:
        message = str(exc)
        print(message if message.startswith(PROG) else f"{PROG}: {message}", file=sys.stderr)
        return EXIT_UNUSABLE
    print_text(findings)
    return exit_status(findings)
