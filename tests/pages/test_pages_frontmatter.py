"""The front-matter vocabulary and validator."""

from __future__ import annotations

import datetime as dt

import pytest

from handbook.pages import frontmatter
from handbook.pages.frontmatter import FrontMatter, FrontMatterError, Problem, parse, validate

TODAY = dt.date(2026, 11, 27)
VALID = {
    "title": "Full-cycle ownership",
    "description": "What owning a model from idea to operation means, e.g. for on-call.",
    "roles": ["swe"],
    "level": "practitioner",
    "last_reviewed": dt.date(2026, 11, 27),
}


def problems(**changes: object) -> list[str]:
    data = {**VALID, **changes}
    return [p.message for p in validate(FrontMatter(data), today=TODAY)]


def test_vocabulary():
    assert frontmatter.ROLES == ("swe", "pm", "ds")
    assert frontmatter.LEVELS == ("intro", "practitioner", "advanced")
    assert set(frontmatter.PART_ROLES) == set(frontmatter.PARTS) == {"start", "swe", "pm", "ds"}


def test_valid_front_matter_has_no_problems():
    assert problems() == []
    assert problems(last_reviewed="2026-11-27", orphan=True, tocdepth=2) == []


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("title", "", "`title` must be a non-empty string"),
        ("title", 2024, "`title` must be a non-empty string"),
        ("description", "No full stop", "`description` must end with a full stop"),
        ("description", "Wait...", "`description` must end with a full stop"),
        ("description", "One. Two.", "`description` must be one sentence"),
        ("description", "A" * 200 + ".", "`description` has 201 characters; keep it to 200"),
        ("roles", "swe", "`roles` must be a list such as [swe], of swe, pm, ds"),
        ("roles", [], "`roles` must name at least one role"),
        ("roles", ["swe", "qa"], "`roles` has 'qa'; use swe, pm, ds"),
        ("roles", ["swe", "swe"], "`roles` names a role twice"),
        ("level", "expert", "`level` must be one of intro, practitioner, advanced, not 'expert'"),
        (
            "level",
            ["intro"],
            "`level` must be one level, not a list: one of intro, practitioner, advanced",
        ),
        ("last_reviewed", dt.date(2026, 11, 28), "`last_reviewed` 2026-11-28 is in the future"),
        ("last_reviewed", "2026-02-30", "`last_reviewed` '2026-02-30' is not a real date"),
        (
            "last_reviewed",
            "27/11/2026",
            "`last_reviewed` must be a date written YYYY-MM-DD, not '27/11/2026'",
        ),
        (
            "last_reviewed",
            dt.datetime(2026, 1, 1, 9, 0),
            "`last_reviewed` must be a date (YYYY-MM-DD), not a date and time",
        ),
        ("orphan", "yes", "`orphan` must be true or false"),
        ("tocdepth", 0, "`tocdepth` must be a whole number of at least 1"),
    ],
)
def test_invalid_values(key, value, message):
    assert problems(**{key: value}) == [message]


def test_missing_and_unknown_keys_are_reported_at_their_lines():
    fm = parse("title: A page\nlast_reveiwed: 2026-01-01\nhtml_meta: {}\n", first_line=2)
    assert [(p.line, p.kind) for p in validate(fm, today=TODAY)] == [
        (1, "required"),
        (1, "required"),
        (1, "required"),
        (1, "required"),
        (3, "unknown"),
        (4, "unknown"),
    ]


def test_parse_keeps_key_lines_and_dates():
    fm = parse("title: A\n\nlast_reviewed: 2026-01-02\n", first_line=2)
    assert fm.key_lines == {"title": 2, "last_reviewed": 4}
    assert fm.data["last_reviewed"] == dt.date(2026, 1, 2)


def test_duplicate_keys_are_problems():
    fm = parse("title: A\ntitle: B\n", first_line=2)
    assert Problem(3, "value", "front-matter key `title` appears twice") in validate(fm, TODAY)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "title: [x\n",
            3,
            "front matter is not valid YAML: expected ',' or ']', but got '<stream end>'",
        ),
        ("- a\n", 1, "front matter must be a mapping of keys, not a list"),
        ("just text\n", 1, "front matter must be a mapping of keys, not a str"),
    ],
)
def test_parse_errors(text, line, message):
    with pytest.raises(FrontMatterError) as caught:
        parse(text, first_line=2)
    assert (caught.value.line, caught.value.message) == (line, message)


def test_empty_front_matter_misses_every_required_key():
    assert len(validate(parse("", first_line=2), TODAY)) == len(frontmatter.REQUIRED_KEYS)
