"""Blank worksheets, ``docs/_data/worksheets/<id>.yaml``: their schema and their checks.

One file per worksheet, named by its id (``experiment-plan.yaml``): a one-page
form a team fills in at a stated point of a project, such as the experiment
plan or the rollout plan::

    title: Experiment plan
    purpose: What the worksheet is for, in a sentence or two.
    when: When in a project to fill it in.
    who: Who fills it in, and who reads it.
    follows: [kohavi2020trustworthy]          # optional: published templates it follows
    example: ds/experiments#ds-relist-ab-design   # the filled-in Relist example
    taught:                                   # the sections that explain it
      - ds/experiments#ds-sample-size
    sections:
      - title: The question
        fields:
          - name: Hypothesis
            guidance: What a good answer looks like, concretely.
            mistake: The common mistake.
            lines: 2                          # lines of box to write in, 1 to 8

The limits are the model's (:class:`WorksheetFile`).  Every text is plain text,
one line, shown on the page and written into the Markdown blank exactly as
given.  What the shape cannot say is a registry of small checks (:func:`check`)
whose codes follow the readers' mixes': names given twice, links to sections
(``docname#label``, as the skills matrix's ``chapters``), the templates'
references.bib keys, plain text, the file's name, and a size that prints on two
pages.  ``handbook check-data`` runs them on every file of
``docs/_data/worksheets/``; the Sphinx extension
:mod:`handbook.sphinxext.worksheets` runs them at build time, renders the
worksheet pages and writes each blank as Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StrictInt, StrictStr, StringConstraints

from handbook.data.mixes import FILE_NAME, markup, suggested_name
from handbook.data.schema import (
    Check,
    Problem,
    Registry,
    Strict,
    rule,
    run_checks,
    value_message,
)
from handbook.data.schema import message as schema_message
from handbook.data.schema import schema_problems as shared_schema_problems
from handbook.data.source import Loc, Source, dotted

# -- The schema ------------------------------------------------------------------------

#: The limits of the texts, in characters (after surrounding spaces are dropped).
TITLE_MAX, NAME_MAX, ABOUT_MAX, GUIDANCE_MAX, MISTAKE_MAX = 60, 60, 300, 240, 200
#: Lines of box a field may ask for.
LINES_MIN, LINES_MAX = 1, 8
#: What prints on two A4 or Letter pages: fields, and lines of box in all.
FIELDS_MAX, BOX_LINES_MAX = 13, 30

_ONE_LINE = rule(r"^[^\n]+$", "must be one line")
_SENTENCE = rule(r"[.!?]$", "must be one or more sentences, ending with a full stop")


def _limit(most: int) -> StringConstraints:
    """1 to ``most`` characters, once the spaces around the text are dropped."""
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=most)


Title = Annotated[StrictStr, _limit(TITLE_MAX), _ONE_LINE]
FieldName = Annotated[StrictStr, _limit(NAME_MAX), _ONE_LINE]
About = Annotated[StrictStr, _limit(ABOUT_MAX), _ONE_LINE, _SENTENCE]
Guidance = Annotated[StrictStr, _limit(GUIDANCE_MAX), _ONE_LINE, _SENTENCE]
Mistake = Annotated[StrictStr, _limit(MISTAKE_MAX), _ONE_LINE, _SENTENCE]
Lines = Annotated[StrictInt, Field(ge=LINES_MIN, le=LINES_MAX)]
BibKey = Annotated[StrictStr, rule(r"^\S+$", "must be a references.bib key")]
#: ``ds/experiments#ds-sample-size``: a page and a label in it.
SectionLink = Annotated[
    StrictStr,
    rule(
        r"^[a-z0-9][a-z0-9/_-]*#[a-z0-9][a-z0-9_-]*$",
        "must be a page and a label, like ds/experiments#ds-sample-size",
    ),
]


class WorksheetField(Strict):
    """One field of the form: its name, what a good answer looks like, the common
    mistake, and how many lines of box to write in."""

    name: FieldName
    guidance: Guidance
    mistake: Mistake
    lines: Lines


class Section(Strict):
    """A group of fields under a heading."""

    title: Title
    fields: list[WorksheetField] = Field(min_length=1)


class WorksheetFile(Strict):
    """One worksheet: the whole file."""

    title: Title
    purpose: About
    when: About
    who: About
    follows: list[BibKey] = Field(default_factory=list)
    example: SectionLink
    taught: list[SectionLink] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)

    def fields(self) -> Iterator[tuple[Loc, WorksheetField]]:
        """Every field, with its place."""
        for n, section in enumerate(self.sections):
            for m, field in enumerate(section.fields):
                yield ("sections", n, "fields", m), field

    def links(self) -> Iterator[tuple[Loc, str]]:
        """``example`` and every ``taught`` entry, with their places."""
        yield ("example",), self.example
        for n, link in enumerate(self.taught):
            yield ("taught", n), link

    def text_fields(self) -> Iterator[tuple[Loc, str]]:
        """Every text the page and the Markdown blank show, with its place."""
        yield ("title",), self.title
        yield ("purpose",), self.purpose
        yield ("when",), self.when
        yield ("who",), self.who
        for n, section in enumerate(self.sections):
            yield ("sections", n, "title"), section.title
        for loc, field in self.fields():
            yield (*loc, "name"), field.name
            yield (*loc, "guidance"), field.guidance
            yield (*loc, "mistake"), field.mistake


#: The keys of each kind of mapping, for a message that says what belongs there.
_KEYS: dict[int, tuple[str, ...]] = {
    0: tuple(WorksheetFile.model_fields),
    2: tuple(Section.model_fields),
    4: tuple(WorksheetField.model_fields),
}


def _message(error: Mapping[str, Any], loc: Loc) -> str:
    """pydantic's error in words that name the key and the value."""
    if error["type"] in ("model_type", "model_attributes_type", "dict_type"):
        keys = ", ".join(_KEYS.get(len(loc), ()))
        if keys:
            return f"{dotted(loc) or 'the file'}: must be a mapping of {keys}"
    return value_message(error, loc) or schema_message(error, loc)


def schema_problems(source: Source) -> tuple[WorksheetFile | None, list[tuple[Loc, str]]]:
    """The file as :class:`WorksheetFile`, or None and what breaks the schema (by location)."""
    return shared_schema_problems(WorksheetFile, source, _message)


# -- The checks ------------------------------------------------------------------------


@dataclass
class Context:
    """What the checks compare a file with; None where it is not known."""

    #: the file's name (``experiment-plan.yaml``)
    file_name: str | None = None
    #: label -> the docname that defines it
    labels: Mapping[str, str] | None = None
    #: every docname of the handbook
    docnames: frozenset[str] | None = None
    #: the keys of references.bib
    bib_keys: frozenset[str] | None = None


Problems = Iterator[tuple[Loc, str]]
CheckFunc = Callable[[WorksheetFile, Context], Problems]

_registry: Registry[CheckFunc] = Registry()
#: The checks, by code (``SYNTAX_CODE`` and ``SCHEMA_CODE`` are the schema's own).
CHECKS: dict[str, Check[CheckFunc]] = _registry.checks
#: Register ``check_<name>(worksheet, context)`` under a code; it yields ``(loc, message)``.
check = _registry.check


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


@check("DATA017")
def check_unique_names(worksheet: WorksheetFile, context: Context) -> Problems:
    """Each section title and each field name is given once in the worksheet.

    A reader refers to a field by its name ("fill in Guardrails"), and the page
    links each section by its title.
    Bad:  two fields named ``Owner``
    Good: ``Owner of the rollout`` and ``Owner of the rollback``
    """
    first: dict[str, Loc] = {}
    for n, section in enumerate(worksheet.sections):
        loc: Loc = ("sections", n, "title")
        if _key(section.title) in first:
            yield (
                loc,
                f"{dotted(loc)}: `{section.title}` is given twice "
                f"(first as {dotted(first[_key(section.title)])})",
            )
        first.setdefault(_key(section.title), loc)
    names: dict[str, Loc] = {}
    for loc, field in worksheet.fields():
        where: Loc = (*loc, "name")
        if _key(field.name) in names:
            yield (
                where,
                f"{dotted(where)}: `{field.name}` is given twice "
                f"(first as {dotted(names[_key(field.name)])})",
            )
        names.setdefault(_key(field.name), where)


def link_problem(link: str, context: Context) -> str | None:
    """What is wrong with ``docname#label`` as a link to a section, or None."""
    docname, label = link.split("#", 1)
    if context.docnames is not None and docname not in context.docnames:
        return f"no page `{docname}`"
    if context.labels is None:
        return None
    where = context.labels.get(label)
    if where is None:
        return f"no label `{label}` (write `({label})=` above a heading)"
    if where != docname:
        return f"the label `{label}` is in `{where}`, not `{docname}`"
    return None


@check("DATA018")
def check_section_links(worksheet: WorksheetFile, context: Context) -> Problems:
    """``example`` and each ``taught`` entry name a page and a label of a section in it.

    The label is a MyST target, ``(ds-sample-size)=``, on the line above the
    section's heading; ``example`` is the section with the filled-in Relist
    example, ``taught`` the sections that explain the worksheet.
    Bad:  ``example: ds/experiments#relist-test`` (no such label)
    Good: ``example: ds/experiments#ds-relist-ab-design``
    """
    for loc, link in worksheet.links():
        problem = link_problem(link, context)
        if problem is not None:
            yield loc, f"{dotted(loc)}: {problem}"


@check("DATA019")
def check_follows(worksheet: WorksheetFile, context: Context) -> Problems:
    """Each ``follows`` key is an entry of references.bib: the published template is cited.

    Bad:  ``follows: [mitchell2019modelcard]``
    Good: ``follows: [mitchell2019modelcards]``
    """
    if context.bib_keys is None:
        return
    for n, key in enumerate(worksheet.follows):
        if key not in context.bib_keys:
            loc: Loc = ("follows", n)
            yield loc, f"{dotted(loc)}: no entry `{key}` in references.bib"


@check("DATA020")
def check_plain_text(worksheet: WorksheetFile, context: Context) -> Problems:
    """Every text is plain text: no HTML, Markdown, MyST, web address or invisible character.

    The page shows each text as written, and the Markdown blank must read the
    same pasted into an issue or a document.
    Bad:  ``guidance: The *one* metric, see {doc}`/ds/metrics`.``
    Good: ``guidance: The one metric the decision rests on.``
    """
    for loc, text in worksheet.text_fields():
        found = markup(text)
        if found is not None:
            found = found.replace(" (a link goes in `source`)", "")
            yield loc, f"{dotted(loc)}: {found}; write plain text"


@check("DATA021")
def check_file_name(worksheet: WorksheetFile, context: Context) -> Problems:
    """The file's name, the worksheet's id, is lower-case letters, digits and hyphens.

    It ends ``.yaml``; the id names the page's ``{worksheet}`` and the Markdown
    blank readers download.
    Bad:  ``docs/_data/worksheets/Experiment_Plan.yml``
    Good: ``docs/_data/worksheets/experiment-plan.yaml``
    """
    name = context.file_name
    if name is not None and not FILE_NAME.match(name):
        yield (
            (),
            (
                f"file name `{name}`: must be lower-case letters, digits and hyphens, "
                f"ending .yaml, like `{suggested_name(name)}`"
            ),
        )


@check("DATA022")
def check_print_length(worksheet: WorksheetFile, context: Context) -> Problems:
    """The worksheet prints on two A4 or Letter pages: at most 13 fields and 30 lines of box.

    Bad:  20 fields of 4 lines each
    Good: 12 fields, most of them 2 or 3 lines
    """
    fields = [field for _loc, field in worksheet.fields()]
    lines = sum(field.lines for field in fields)
    if len(fields) > FIELDS_MAX or lines > BOX_LINES_MAX:
        yield (
            ("sections",),
            (
                f"sections: {len(fields)} fields and {lines} lines of box; at most "
                f"{FIELDS_MAX} fields and {BOX_LINES_MAX} lines print on two pages"
            ),
        )


# -- Running them --------------------------------------------------------------------


def validate(
    source: Source, context: Context | None = None
) -> tuple[WorksheetFile | None, list[Problem]]:
    """The file as a model (None when the schema refuses it) and every problem, by line.

    The checks run once the schema accepts the file."""
    model, schema = schema_problems(source)
    return model, run_checks(source, model, schema, CHECKS, context or Context())


def worksheet_id(path: Path) -> str:
    """The id a file gives its worksheet: its name without the suffix."""
    return path.name.rsplit(".", 1)[0]


#: The id a page's ``{worksheet}`` names.
ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
