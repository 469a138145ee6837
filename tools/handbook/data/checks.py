"""Checklist items' stable IDs: their grammar, and ``docs/_data/checks.yaml``.

Every item of a chapter's ``## Checklist`` starts with its ID, written in the
source and never derived from its position::

    - [ ] SWE-SHIP-4: Rollback is a configuration change, rehearsed in this release.

An ID is the part (``START``, ``SWE``, ``PM``, ``DS``), the chapter's code
and a number.  ``docs/_data/checks.yaml`` records, for each chapter, its code
and ``issued``, the highest number ever given in it; and every ID that was
``retired`` (removed, or merged into another check, with the reason).  So
whether an ID disappeared is known without git history (CI clones shallowly):
every number up to ``issued`` is either in the chapter or retired.

This module holds the grammar (:func:`parse_item`, :func:`anchor`), the
file's schema (:class:`ChecksFile`) and its own checks (``handbook
check-data``); the pages' checks are ``check-pages``' (``PAGE020`` ...), and
:mod:`handbook.sphinxext.checks` renders the IDs and the All checks page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field, StrictInt, StrictStr, StringConstraints

from handbook.data.schema import (
    Check,
    Problem,
    Registry,
    Strict,
    rule,
    run_checks,
)
from handbook.data.schema import schema_problems as shared_schema_problems
from handbook.data.source import Loc, Source, YamlSyntaxError, load
from handbook.files import UnusableInputError

#: The part of a page's folder, and the part an ID starts with.
PARTS: dict[str, str] = {"start": "START", "swe": "SWE", "pm": "PM", "ds": "DS"}
#: ``SWE-SHIP``: a part and a chapter's short name, in capitals.
CODE = re.compile(r"^(START|SWE|PM|DS)-[A-Z][A-Z0-9]{0,11}$")
#: ``SWE-SHIP-4``: a chapter's code and a number (no leading zero).
CHECK_ID = re.compile(r"^(?P<code>(?:START|SWE|PM|DS)-[A-Z][A-Z0-9]{0,11})-(?P<n>[1-9][0-9]*)$")
#: What an item's text starts with when its author meant an ID: word-word(-word): .
_ID_LIKE = re.compile(r"^(?P<token>[A-Za-z0-9]+(?:-[A-Za-z0-9]*)+):\s+")
#: A checklist item as written: ``[ ]`` then the rest.
_BOX = re.compile(r"^\[ \]\s+")


@dataclass(frozen=True)
class Item:
    """A checklist item's text as written after ``- ``: its ID (or what was meant as
    one), whether that is a well-formed ID, and the check's text."""

    box: bool
    token: str | None
    text: str

    @property
    def id(self) -> str | None:
        """The item's ID, if it has a well-formed one."""
        return self.token if self.token is not None and CHECK_ID.match(self.token) else None


def parse_item(text: str) -> Item:
    """``[ ] SWE-SHIP-4: text`` as its parts (``box`` False without the ``[ ]``)."""
    box = _BOX.match(text)
    rest = text[box.end() :] if box else text
    meant = _ID_LIKE.match(rest)
    if meant is None:
        return Item(bool(box), None, rest)
    return Item(bool(box), meant.group("token"), rest[meant.end() :])


def split_id(check_id: str) -> tuple[str, int]:
    """``SWE-SHIP-4`` as ``("SWE-SHIP", 4)``; ValueError if it is not an ID."""
    match = CHECK_ID.match(check_id)
    if match is None:
        raise ValueError(f"not a check ID: {check_id!r}")
    return match.group("code"), int(match.group("n"))


def anchor(check_id: str) -> str:
    """The HTML anchor of a check, in its chapter and on the All checks page: ``swe-ship-4``."""
    return check_id.lower()


def label(check_id: str) -> str:
    """The cross-reference label of a check (``{ref}`check-swe-ship-4```)."""
    return "check-" + anchor(check_id)


# -- The schema ------------------------------------------------------------------------

DocName = Annotated[
    StrictStr,
    rule(r"^(start|swe|pm|ds)/[a-z0-9]+(?:-[a-z0-9]+)*$", "must be a chapter, like swe/shipping"),
]
Code = Annotated[
    StrictStr,
    rule(CODE.pattern, "must be a part and a short name in capitals, like SWE-SHIP"),
]
CheckId = Annotated[
    StrictStr,
    rule(CHECK_ID.pattern, "must be a check ID, like SWE-SHIP-4"),
]
Reason = Annotated[
    StrictStr,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    rule(r"^[^\n]+$", "must be one line"),
]


class Chapter(Strict):
    """A chapter with a checklist: its page, its code and the last number it gave."""

    page: DocName
    code: Code
    issued: Annotated[StrictInt, Field(ge=0)]


class Retired(Strict):
    """An ID no chapter uses any more, and where it went."""

    id: CheckId
    merged_into: CheckId | None = None
    reason: Reason


class ChecksFile(Strict):
    """The whole file."""

    chapters: list[Chapter]
    retired: list[Retired] = Field(default_factory=list)

    def by_page(self) -> dict[str, Chapter]:
        return {chapter.page: chapter for chapter in self.chapters}

    def by_code(self) -> dict[str, Chapter]:
        return {chapter.code: chapter for chapter in self.chapters}

    def retired_ids(self) -> dict[str, Retired]:
        return {entry.id: entry for entry in self.retired}

    def issued(self, check_id: str) -> bool:
        """Whether ``check_id`` was ever given: its chapter's code, up to ``issued``."""
        code, number = split_id(check_id)
        chapter = self.by_code().get(code)
        return chapter is not None and number <= chapter.issued


def schema_problems(source: Source) -> tuple[ChecksFile | None, list[tuple[Loc, str]]]:
    """The file as :class:`ChecksFile`, or None and what breaks the schema (by location)."""
    return shared_schema_problems(ChecksFile, source)


# -- The file's own checks -------------------------------------------------------------


@dataclass
class Context:
    """What the checks compare the file with: the pages (None: not known)."""

    docnames: frozenset[str] | None = None


Problems = Iterator[tuple[Loc, str]]
CheckFunc = Callable[[ChecksFile, Context], Problems]

_registry: Registry[CheckFunc] = Registry()
CHECKS: dict[str, Check[CheckFunc]] = _registry.checks
check = _registry.check


@check("DATA023")
def check_unique_chapters(checks: ChecksFile, context: Context) -> Problems:
    """Each page, code and retired ID once.

    Bad:  two chapters with ``code: SWE-SHIP``
    Good: ``SWE-SHIP`` for swe/shipping and ``SWE-TEST`` for swe/testing
    """
    for key in ("page", "code"):
        seen: dict[str, int] = {}
        for n, chapter in enumerate(checks.chapters):
            value = getattr(chapter, key)
            if value in seen:
                yield (
                    ("chapters", n, key),
                    f"{key} `{value}` is given twice (first in entry {seen[value] + 1})",
                )
            seen.setdefault(value, n)
    seen_ids: dict[str, int] = {}
    for n, entry in enumerate(checks.retired):
        if entry.id in seen_ids:
            yield ("retired", n, "id"), f"`{entry.id}` is retired twice"
        seen_ids.setdefault(entry.id, n)


@check("DATA024")
def check_chapter_codes(checks: ChecksFile, context: Context) -> Problems:
    """A chapter's code starts with its part, and its page exists.

    Bad:  ``page: swe/shipping`` with ``code: PM-SHIP``
    Good: ``page: swe/shipping`` with ``code: SWE-SHIP``
    """
    for n, chapter in enumerate(checks.chapters):
        part = PARTS[chapter.page.split("/", 1)[0]]
        if not chapter.code.startswith(part + "-"):
            yield (
                ("chapters", n, "code"),
                (
                    f"`{chapter.code}` is a code of the {chapter.code.split('-')[0]} part, "
                    f"but {chapter.page} is in {part}: start it with {part}-"
                ),
            )
        if context.docnames is not None and chapter.page not in context.docnames:
            yield ("chapters", n, "page"), f"no page `{chapter.page}` under docs/"


@check("DATA025")
def check_retired_ids(checks: ChecksFile, context: Context) -> Problems:
    """A retired ID was issued, and the check it went into is issued and not retired.

    Bad:  ``- id: SWE-SHIP-40`` when swe/shipping has ``issued: 10``
    Good: ``- id: SWE-SHIP-3``, ``merged_into: SWE-SHIP-2``
    """
    retired = checks.retired_ids()
    for n, entry in enumerate(checks.retired):
        if not checks.issued(entry.id):
            yield (
                ("retired", n, "id"),
                f"`{entry.id}` was never issued: no chapter gave that number",
            )
        into = entry.merged_into
        if into is None:
            continue
        if into == entry.id:
            yield ("retired", n, "merged_into"), f"`{into}` cannot be merged into itself"
        elif into in retired:
            yield (
                ("retired", n, "merged_into"),
                (f"`{into}` is retired too: name the check it went into"),
            )
        elif not checks.issued(into):
            yield ("retired", n, "merged_into"), f"`{into}` was never issued"


def validate(
    source: Source, context: Context | None = None
) -> tuple[ChecksFile | None, list[Problem]]:
    """The file as a model (None when the schema refuses it) and every problem, by line.

    The checks run once the schema accepts the file."""
    model, schema = schema_problems(source)
    return model, run_checks(source, model, schema, CHECKS, context or Context())


def read(path: Path, display: str | None = None) -> ChecksFile | None:
    """The file as a model, or None when it is missing, unreadable, not YAML or refused by
    the schema (``handbook check-data`` says why)."""
    if not path.is_file():
        return None
    try:
        source = load(path, display)
    except (UnusableInputError, YamlSyntaxError):
        return None
    model, _problems = schema_problems(source)
    return model
