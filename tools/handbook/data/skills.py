"""The skills matrix, ``docs/_data/skills.yaml``: its schema and its checks.

The file holds the four career ``levels`` (each a name and a one-line
meaning), the ``areas`` skills are grouped in (following the parts'
chapters), and the ``skills``: each with a stable ``id``, its ``role`` and
``area``, a ``name``, one observable statement per level (keyed by the level's
name), the chapter sections that teach it (``docname#label``) and the
reading-list keys that do.  A skill is never deleted: a dropped one stays with
``retired: true`` and, if one takes its place, ``replaced_by``.

The shape of the file is the pydantic models below (:class:`SkillsFile`):
types, required keys, unknown keys, patterns.  What needs the whole file or
the rest of the handbook (ids given twice, statements per level, areas, links
to sections and reading, ids that vanished) is a registry of small checks
(:func:`check`), like ``check-pages`` and ``bib check``.  ``handbook
check-data`` runs both; the Sphinx extension :mod:`handbook.sphinxext.skills`
runs them at build time with the build's own labels and bibliography.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Discriminator, Field, StringConstraints, Tag

# SYNTAX_CODE, SCHEMA_CODE and Problem are the matrix's too: callers use ``skills.Problem``.
from handbook.data.schema import SCHEMA_CODE as SCHEMA_CODE
from handbook.data.schema import SYNTAX_CODE as SYNTAX_CODE
from handbook.data.schema import Check, Registry, Strict, run_checks
from handbook.data.schema import Problem as Problem
from handbook.data.schema import message as _schema_message
from handbook.data.schema import rule as _rule
from handbook.data.schema import schema_problems as shared_schema_problems
from handbook.data.source import Loc, Source, dotted
from handbook.vocabulary import ROLES

# -- The schema ------------------------------------------------------------------------


def _a_role(value: str) -> str:
    if value not in ROLES:
        raise ValueError(f"must be one of {', '.join(ROLES)}")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
OneLine = Annotated[Text, _rule(r"^[^\n]+$", "must be one line")]
Statement = Annotated[
    OneLine,
    StringConstraints(max_length=200),
    _rule(r"[.!?]$", "must be one sentence, ending with a full stop"),
]
Id = Annotated[
    str,
    _rule(
        r"^(swe|pm|ds)-[a-z0-9]+(?:-[a-z0-9]+)*$",
        "must be the role and a short name in lower case, joined by hyphens, like swe-rollout",
    ),
]
Role = Annotated[str, AfterValidator(_a_role)]
LevelName = Annotated[str, _rule(r"^[A-Z][a-z]+$", "must be one capitalised word, like Senior")]
#: ``swe/shipping#swe-shipping-rollback``: a page and a label in it.
ChapterLink = Annotated[
    str,
    _rule(
        r"^[a-z0-9][a-z0-9/_-]*#[a-z0-9][a-z0-9_-]*$",
        "must be a page and a label, like swe/shipping#swe-shipping-rollback",
    ),
]
BibKey = Annotated[str, _rule(r"^\S+$", "must be a references.bib key")]


class Level(Strict):
    name: LevelName
    meaning: OneLine


class Area(Strict):
    id: Id
    role: Role
    name: OneLine


class Skill(Strict):
    """A skill readers are assessed on."""

    id: Id
    role: Role
    area: Id
    name: OneLine
    statements: dict[LevelName, Statement] = Field(min_length=1)
    chapters: list[ChapterLink] = Field(min_length=1)
    reading: list[BibKey] = Field(min_length=1)
    retired: Literal[False] = False


class RetiredSkill(Strict):
    """A skill no longer in the matrix: its id stays, so that links to it still lead somewhere."""

    id: Id
    role: Role
    name: OneLine
    retired: Literal[True]
    replaced_by: Id | None = None
    # what it said before it was retired may stay, for the record
    area: Id | None = None
    statements: dict[LevelName, Statement] = Field(default_factory=dict)
    chapters: list[ChapterLink] = Field(default_factory=list)
    reading: list[BibKey] = Field(default_factory=list)


def _which(value: Any) -> str:
    retired = isinstance(value, Mapping) and value.get("retired") is True
    return "retired-skill" if retired else "skill-in-use"


AnySkill = Annotated[
    Annotated[Skill, Tag("skill-in-use")] | Annotated[RetiredSkill, Tag("retired-skill")],
    Discriminator(_which),
]


class SkillsFile(Strict):
    """The whole file."""

    levels: list[Level] = Field(min_length=1)
    areas: list[Area] = Field(min_length=1)
    skills: list[AnySkill] = Field(min_length=1)

    @property
    def active(self) -> list[Skill]:
        return [skill for skill in self.skills if isinstance(skill, Skill)]

    def by_id(self) -> dict[str, Skill | RetiredSkill]:
        return {skill.id: skill for skill in self.skills}


#: Tags pydantic puts in an error's location for a union's branch: not keys of the file.
_TAGS = frozenset({"skill-in-use", "retired-skill"})


def schema_problems(source: Source) -> tuple[SkillsFile | None, list[tuple[Loc, str]]]:
    """The file as :class:`SkillsFile`, or None and what breaks the schema (by location)."""
    return shared_schema_problems(SkillsFile, source, _message, _TAGS)


def _message(error: Mapping[str, Any], loc: Loc) -> str:
    if error["type"] == "literal_error" and loc and loc[-1] == "retired":
        return f"{dotted(loc)}: must be true (a retired skill) or left out"
    return _schema_message(error, loc)


# -- The checks ------------------------------------------------------------------------


@dataclass
class Context:
    """What the checks compare the file with; None where it is not known."""

    #: label -> the docname that defines it
    labels: Mapping[str, str] | None = None
    #: every docname of the handbook
    docnames: frozenset[str] | None = None
    #: the keys of references.bib
    bib_keys: frozenset[str] | None = None
    #: every reference to a skill outside the file (``{skill}`` roles in pages)
    references: list[Reference] = field(default_factory=list)


@dataclass(frozen=True)
class Reference:
    """A place outside the file that names a skill: ``path:line`` and the id."""

    path: str
    line: int
    id: str


Problems = Iterator[tuple[Loc | Reference, str]]
CheckFunc = Callable[[SkillsFile, Context], Problems]

_registry: Registry[CheckFunc] = Registry()
#: The checks, by code (``SYNTAX_CODE`` and ``SCHEMA_CODE`` are the schema's own).
CHECKS: dict[str, Check[CheckFunc]] = _registry.checks
#: Register ``check_<name>(skills, context)`` under a code; it yields ``(loc, message)``.
check = _registry.check


def _firsts(items: Iterable[tuple[Loc, str]]) -> Iterator[tuple[Loc, str, Loc]]:
    """``(loc, value, first loc of that value)`` for every value seen before."""
    first: dict[str, Loc] = {}
    for loc, value in items:
        if value in first:
            yield loc, value, first[value]
        else:
            first[value] = loc


@check("DATA003")
def check_unique_ids(skills: SkillsFile, context: Context) -> Problems:
    """Every level name, area id and skill id is given once.

    Bad:  two skills with ``id: swe-rollout``
    Good: ``id: swe-rollout`` and ``id: swe-rollback``
    """
    groups: list[Iterable[tuple[Loc, str]]] = [
        ((("levels", n, "name"), level.name) for n, level in enumerate(skills.levels)),
        ((("areas", n, "id"), area.id) for n, area in enumerate(skills.areas)),
        ((("skills", n, "id"), skill.id) for n, skill in enumerate(skills.skills)),
    ]
    for group in groups:
        for loc, value, first in _firsts(group):
            yield loc, f"`{value}` is given twice (first as {dotted(first)})"


LEVEL_COUNT = 4


@check("DATA004")
def check_levels(skills: SkillsFile, context: Context) -> Problems:
    """There are exactly four levels, from first job to most senior.

    Bad:  ``levels:`` with three entries
    Good: ``levels:`` Entry, Independent, Senior, Lead, each with its ``meaning``
    """
    if len(skills.levels) != LEVEL_COUNT:
        yield ("levels",), f"levels: {len(skills.levels)} given; the matrix has {LEVEL_COUNT}"


@check("DATA005")
def check_statements(skills: SkillsFile, context: Context) -> Problems:
    """Each skill has one statement per level, keyed by the level's name, and no two are the same.

    Bad:  ``statements:`` without ``Senior``, or ``Senoir:``, or the same sentence twice
    Good: ``Entry: Can ...`` / ``Independent: Can ...`` / ``Senior: Can ...`` / ``Lead: Can ...``
    """
    names = [level.name for level in skills.levels]
    texts: list[tuple[Loc, str]] = []
    for n, skill in enumerate(skills.skills):
        if isinstance(skill, RetiredSkill) and not skill.statements:
            continue
        here: Loc = ("skills", n, "statements")
        for name in skill.statements:
            if name not in names:
                yield (*here, name), f"{dotted((*here, name))}: no level is named `{name}`"
        for name in names:
            if name not in skill.statements:
                yield here, f"{dotted(here)}: no statement for the level `{name}`"
        if [name for name in skill.statements if name in names] != [
            name for name in names if name in skill.statements
        ]:
            yield here, f"{dotted(here)}: give the statements in the levels' order"
        if isinstance(skill, Skill):
            texts += [
                ((*here, name), " ".join(text.split())) for name, text in skill.statements.items()
            ]
    for loc, _text, first in _firsts(texts):
        yield loc, f"{dotted(loc)}: the same statement as {dotted(first)}"


@check("DATA006")
def check_areas(skills: SkillsFile, context: Context) -> Problems:
    """A skill's area exists and is of the skill's role; every area has a skill.

    Bad:  ``role: pm`` with ``area: swe-shipping``
    Good: ``role: swe`` with ``area: swe-shipping``
    """
    areas = {area.id: area for area in skills.areas}
    used: set[str] = set()
    for n, skill in enumerate(skills.skills):
        if skill.area is None:
            continue
        used.add(skill.area)
        area = areas.get(skill.area)
        if area is None:
            yield ("skills", n, "area"), f"skills[{n}].area: no area `{skill.area}`"
        elif area.role != skill.role:
            yield (
                ("skills", n, "area"),
                f"skills[{n}].area: `{area.id}` is an area of {area.role}, not of {skill.role}",
            )
    for n, area in enumerate(skills.areas):
        if area.id not in used:
            yield ("areas", n, "id"), f"areas[{n}]: no skill is in the area `{area.id}`"


@check("DATA007")
def check_chapter_links(skills: SkillsFile, context: Context) -> Problems:
    """Each ``chapters`` entry names a page and a label of a section in that page.

    The label is a MyST target, ``(swe-shipping-rollback)=``, on the line above
    the section's heading.
    Bad:  ``swe/shipping#rollback`` (no such label) or ``swe/testing#swe-shipping-rollback``
    Good: ``swe/shipping#swe-shipping-rollback``
    """
    if context.labels is None:
        return
    for n, skill in enumerate(skills.skills):
        for m, link in enumerate(skill.chapters):
            docname, label = link.split("#", 1)
            loc: Loc = ("skills", n, "chapters", m)
            where = context.labels.get(label)
            if context.docnames is not None and docname not in context.docnames:
                yield loc, f"{dotted(loc)}: no page `{docname}`"
            elif where is None:
                yield loc, f"{dotted(loc)}: no label `{label}` (write `({label})=` above a heading)"
            elif where != docname:
                yield loc, f"{dotted(loc)}: the label `{label}` is in `{where}`, not `{docname}`"


@check("DATA008")
def check_reading(skills: SkillsFile, context: Context) -> Problems:
    """Each ``reading`` key is an entry of references.bib.

    Bad:  ``reading: [kohavi2020trustworthi]``
    Good: ``reading: [kohavi2020trustworthy]``
    """
    if context.bib_keys is None:
        return
    for n, skill in enumerate(skills.skills):
        for m, key in enumerate(skill.reading):
            if key not in context.bib_keys:
                loc: Loc = ("skills", n, "reading", m)
                yield loc, f"{dotted(loc)}: no entry `{key}` in references.bib"


@check("DATA009")
def check_vanished_ids(skills: SkillsFile, context: Context) -> Problems:
    """Every id a page or another skill names is in the file: skills are retired, never deleted.

    A page links a skill with ``{skill}`swe-rollout```; a retired skill names
    the one that replaces it with ``replaced_by``.
    Bad:  a page links ``{skill}`swe-canary``` and no skill has that id
    Good: the skill stays, ``retired: true``, ``replaced_by: swe-rollout``
    """
    ids = skills.by_id()
    for n, skill in enumerate(skills.skills):
        if isinstance(skill, RetiredSkill) and skill.replaced_by is not None:
            loc: Loc = ("skills", n, "replaced_by")
            if skill.replaced_by not in ids:
                yield (
                    loc,
                    f"{dotted(loc)}: no skill `{skill.replaced_by}` (a typo, or a deleted id?)",
                )
    for ref in context.references:
        if ref.id not in ids:
            yield ref, f"no skill `{ref.id}` in the matrix: a skill is retired, never deleted"


@check("DATA010")
def check_retired(skills: SkillsFile, context: Context) -> Problems:
    """A retired skill is replaced by a skill in use, and no page links it any more.

    Bad:  ``replaced_by:`` naming another retired skill, or a page linking a retired one
    Good: ``replaced_by: swe-rollout`` (active), and pages link ``{skill}`swe-rollout```
    """
    ids = skills.by_id()
    for n, skill in enumerate(skills.skills):
        if not isinstance(skill, RetiredSkill) or skill.replaced_by is None:
            continue
        loc: Loc = ("skills", n, "replaced_by")
        target = ids.get(skill.replaced_by)
        if skill.replaced_by == skill.id:
            yield loc, f"{dotted(loc)}: a skill cannot replace itself"
        elif isinstance(target, RetiredSkill):
            yield loc, f"{dotted(loc)}: `{target.id}` is retired too; name the skill in use"
        elif target is not None and target.role != skill.role:
            yield (
                loc,
                f"{dotted(loc)}: `{target.id}` is a skill of {target.role}, not of {skill.role}",
            )
    for ref in context.references:
        target = ids.get(ref.id)
        if isinstance(target, RetiredSkill):
            instead = f"; link `{target.replaced_by}`" if target.replaced_by else ""
            yield ref, f"the skill `{ref.id}` is retired{instead}"


# -- Running them --------------------------------------------------------------------


def validate(
    source: Source, context: Context | None = None
) -> tuple[SkillsFile | None, list[Problem]]:
    """The file as a model (None when the schema refuses it) and every problem, by line
    (a page's link to a vanished or retired skill is a problem of that page, at its line)."""
    model, schema = schema_problems(source)
    return model, run_checks(source, model, schema, CHECKS, context or Context())
