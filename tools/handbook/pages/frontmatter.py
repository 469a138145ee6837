"""The page vocabulary and the front-matter rules every handbook page follows.

A page starts with a YAML block::

    ---
    title: Full-cycle ownership
    description: One sentence, at most 200 characters, ending with a full stop.
    roles: [swe]
    level: practitioner
    last_reviewed: 2026-11-27
    ---

:func:`parse` reads the block (``yaml.safe_load`` semantics) and keeps the line
of each key, so that :func:`validate` can point at the offending line.  Keys
outside :data:`REQUIRED_KEYS` and :data:`OPTIONAL_KEYS` are reported too: a
misspelt key (``last_reveiwed``) would otherwise be silently ignored.

``ROLES`` and ``LEVELS`` come from :mod:`handbook.vocabulary`, which the
reading list shares, so that pages and references are tagged with the same words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from handbook.data.source import Loader
from handbook.vocabulary import LEVELS, ROLES

__all__ = ["LEVELS", "PARTS", "PART_ROLES", "ROLES", "FrontMatter", "parse", "validate"]

# -- Vocabulary ----------------------------------------------------------------

#: The part folders under docs/; every other page of a part is a chapter.
PARTS: tuple[str, ...] = ("start", "swe", "pm", "ds")
#: The roles a new chapter of each part is written for, unless told otherwise.
PART_ROLES: dict[str, tuple[str, ...]] = {
    "start": ROLES,
    "swe": ("swe",),
    "pm": ("pm",),
    "ds": ("ds",),
}

REQUIRED_KEYS: tuple[str, ...] = ("title", "description", "roles", "level", "last_reviewed")
#: Optional keys MyST or the extensions read, and why a page would set them.
OPTIONAL_KEYS: dict[str, str] = {
    "orphan": "true for a page deliberately left out of every toctree",
    "nosearch": "true to leave the page out of the search index",
    "tocdepth": "how many heading levels the page's own table of contents shows",
    "og:image": "the social-card image, a path or URL",
    "og:image:alt": "the social-card image's alt text",
}
DESCRIPTION_MAX = 200

# -- Parsing -------------------------------------------------------------------


class FrontMatterError(ValueError):
    """The front matter is not a YAML mapping."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class FrontMatter:
    """Parsed front matter, with the 1-based source line of each key."""

    data: dict[str, Any]
    key_lines: dict[str, int] = field(default_factory=dict)
    #: line of the opening ``---``
    line: int = 1
    duplicates: tuple[tuple[str, int], ...] = ()

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


def parse(text: str, first_line: int = 2) -> FrontMatter:
    """Parse the YAML between the ``---`` lines; ``first_line`` is the line of its first line.

    Raises :class:`FrontMatterError` for a YAML error or for anything but a mapping.
    """
    try:
        loader = Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = first_line + mark.line if mark is not None else first_line - 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FrontMatterError(line, f"front matter is not valid YAML: {problem}") from None
    except RecursionError:
        raise FrontMatterError(first_line - 1, "front matter nests too deeply to read") from None
    except Exception as exc:  # anything else PyYAML raises: a finding, not a traceback
        why = f"{type(exc).__name__}: {exc}"
        raise FrontMatterError(first_line - 1, f"front matter cannot be read ({why})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode | None):
        raise FrontMatterError(
            first_line - 1, f"front matter must be a mapping of keys, not a {type(data).__name__}"
        )
    key_lines: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []
    for key_node, _ in node.value if node is not None else ():
        key = str(key_node.value)
        line = first_line + key_node.start_mark.line
        if key in key_lines:
            duplicates.append((key, line))
        else:
            key_lines[key] = line
    return FrontMatter(
        data={str(k): v for k, v in data.items()},
        key_lines=key_lines,
        line=first_line - 1,
        duplicates=tuple(duplicates),
    )


# -- Validation ----------------------------------------------------------------

ProblemKind = Literal["required", "value", "unknown"]


@dataclass(frozen=True, order=True)
class Problem:
    line: int
    kind: ProblemKind
    message: str


def _choices(values: tuple[str, ...]) -> str:
    return ", ".join(values)


def _title(value: Any, today: dt.date) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "`title` must be a non-empty string"
    if "\n" in value.strip():
        return "`title` must be one line"
    return None


# A sentence ends at . ! or ? followed by a space and a capital or digit; common
# abbreviations ("e.g. Netflix") do not end one.
_SENTENCE_BREAK = re.compile(
    r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)(?<!\bcf)[.!?][\"')\]]?\s+[A-Z0-9]"
)


def _description(value: Any, today: dt.date) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "`description` must be a non-empty string (one sentence)"
    text = value.strip()
    if "\n" in text:
        return "`description` must be one line"
    if len(text) > DESCRIPTION_MAX:
        return f"`description` has {len(text)} characters; keep it to {DESCRIPTION_MAX}"
    if not text.endswith(".") or text.endswith(".."):
        return "`description` must end with a full stop"
    if _SENTENCE_BREAK.search(text[:-1]):
        return "`description` must be one sentence"
    return None


def _roles(value: Any, today: dt.date) -> str | None:
    if not isinstance(value, list):
        return f"`roles` must be a list such as [swe], of {_choices(ROLES)}"
    if not value:
        return "`roles` must name at least one role"
    unknown = [str(role) for role in value if role not in ROLES]
    if unknown:
        return f"`roles` has {', '.join(map(repr, unknown))}; use {_choices(ROLES)}"
    if len(set(value)) != len(value):
        return "`roles` names a role twice"
    return None


def _level(value: Any, today: dt.date) -> str | None:
    if isinstance(value, list):
        return f"`level` must be one level, not a list: one of {_choices(LEVELS)}"
    if value not in LEVELS:
        return f"`level` must be one of {_choices(LEVELS)}, not {value!r}"
    return None


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _last_reviewed(value: Any, today: dt.date) -> str | None:
    if isinstance(value, dt.datetime):
        return "`last_reviewed` must be a date (YYYY-MM-DD), not a date and time"
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return f"`last_reviewed` {value!r} is not a real date"
    if not isinstance(value, dt.date):
        return f"`last_reviewed` must be a date written YYYY-MM-DD, not {value!r}"
    if value > today:
        return f"`last_reviewed` {value.isoformat()} is in the future"
    return None


def _true_or_false(key: str) -> Callable[[Any, dt.date], str | None]:
    def check(value: Any, today: dt.date) -> str | None:
        return None if isinstance(value, bool) else f"`{key}` must be true or false"

    return check


def _tocdepth(value: Any, today: dt.date) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return None if ok else "`tocdepth` must be a whole number of at least 1"


def _text(key: str) -> Callable[[Any, dt.date], str | None]:
    def check(value: Any, today: dt.date) -> str | None:
        ok = isinstance(value, str) and value.strip()
        return None if ok else f"`{key}` must be a non-empty string"

    return check


_VALUE_CHECKS: dict[str, Callable[[Any, dt.date], str | None]] = {
    "title": _title,
    "description": _description,
    "roles": _roles,
    "level": _level,
    "last_reviewed": _last_reviewed,
    "orphan": _true_or_false("orphan"),
    "nosearch": _true_or_false("nosearch"),
    "tocdepth": _tocdepth,
    "og:image": _text("og:image"),
    "og:image:alt": _text("og:image:alt"),
}


def validate(front_matter: FrontMatter, today: dt.date | None = None) -> list[Problem]:
    """Every problem with the front matter's keys and values, sorted by line."""
    today = today or dt.date.today()
    data: Mapping[str, Any] = front_matter.data
    problems = [
        Problem(front_matter.line, "required", f"front matter has no `{key}`")
        for key in REQUIRED_KEYS
        if key not in data
    ]
    for key, value in data.items():
        line = front_matter.line_of(key)
        check = _VALUE_CHECKS.get(key)
        if check is None:
            allowed = ", ".join([*REQUIRED_KEYS, *OPTIONAL_KEYS])
            problems.append(
                Problem(line, "unknown", f"unknown front-matter key `{key}`; use {allowed}")
            )
            continue
        message = check(value, today)
        if message:
            problems.append(Problem(line, "value", message))
    problems += [
        Problem(line, "value", f"front-matter key `{key}` appears twice")
        for key, line in front_matter.duplicates
    ]
    return sorted(problems)
