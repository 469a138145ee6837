"""Readers' skill mixes, ``docs/_data/mixes/*.yaml``: their schema and their checks.

One file per person: their view of the right weights of the ML engineer's
three roles for their own job, like the essay's 40/30/30, not a measurement::

    name: anonymous            # display name, or "anonymous"
    title: ML engineer         # job title
    context:
      company: Online marketplace   # kind of company, free text
      size: 1001-5000               # employees: one of SIZES
      team: Search ranking, 6 people
    years: 3                   # whole years in an ML role
    mix: {swe: 40, pm: 30, ds: 30}
    why: One to three plain sentences.
    source: https://example.com/my-post   # optional, https only
    cite: ueta2020skills       # optional: the mix is a published work's (the essay's)

The limits are the model's (:class:`MixFile`), stated once here: a
contributor's values go into the page as plain text, so every free-text field
is one line of plain text.  What the shape cannot say is a registry of small
checks (:func:`check`) with codes after the skills matrix's: the weights add up
to 100, no markup in the text, an https source, the file's name, the same
person twice, and ``cite`` names an entry of references.bib.  ``handbook
check-data`` runs them on every file of ``docs/_data/mixes/``; the Sphinx
extension :mod:`handbook.sphinxext.mixes` runs them at build time and draws
the gallery from the files it accepts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, StrictInt, StrictStr, StringConstraints

from handbook.data.schema import (
    Check,
    Problem,
    Registry,
    Strict,
    rule,
    run_checks,
    shown,
    value_message,
    yaml_files,
)
from handbook.data.schema import message as schema_message
from handbook.data.schema import schema_problems as shared_schema_problems
from handbook.data.source import Loc, Source, YamlSyntaxError, dotted, load
from handbook.files import UnusableInputError
from handbook.vocabulary import ROLES

# -- The schema ------------------------------------------------------------------------

#: The limits of the free-text fields, in characters (after surrounding spaces are dropped).
NAME_MAX, TITLE_MAX, COMPANY_MAX, TEAM_MAX, WHY_MAX = 60, 80, 80, 80, 400
#: Whole years in an ML role.
YEARS_MAX = 50
#: What each weight adds up to.
TOTAL = 100
#: What a shared mix is called when its author gives no name.
ANONYMOUS = "anonymous"

_ONE_LINE = rule(r"^[^\n]+$", "must be one line")


def _limit(most: int) -> StringConstraints:
    """1 to ``most`` characters, once the spaces around the text are dropped."""
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=most)


# One line of text each (markup is a check of its own, DATA012).
Name = Annotated[StrictStr, _limit(NAME_MAX), _ONE_LINE]
JobTitle = Annotated[StrictStr, _limit(TITLE_MAX), _ONE_LINE]
Company = Annotated[StrictStr, _limit(COMPANY_MAX), _ONE_LINE]
Team = Annotated[StrictStr, _limit(TEAM_MAX), _ONE_LINE]
Why = Annotated[StrictStr, _limit(WHY_MAX), _ONE_LINE]
Years = Annotated[StrictInt, Field(ge=0, le=YEARS_MAX)]
Weight = Annotated[StrictInt, Field(ge=0, le=TOTAL)]
#: The size of the company, in employees.
Size = Literal["1-50", "51-250", "251-1000", "1001-5000", "5001+", "not stated"]
SIZES: tuple[str, ...] = get_args(Size)
BibKey = Annotated[StrictStr, rule(r"^\S+$", "must be a references.bib key")]


class WorkContext(Strict):
    """Where the person works: the kind of company, its size and the team."""

    company: Company
    size: Size
    team: Team


class Mix(Strict):
    """The weights of the three roles, in percent."""

    swe: Weight
    pm: Weight
    ds: Weight

    def total(self) -> int:
        return self.swe + self.pm + self.ds

    def weights(self) -> tuple[int, int, int]:
        """``(swe, pm, ds)``, in the order of :data:`~handbook.vocabulary.ROLES`."""
        return self.swe, self.pm, self.ds


class MixFile(Strict):
    """One person's mix: the whole file."""

    name: Name
    title: JobTitle
    context: WorkContext
    years: Years
    mix: Mix
    why: Why
    source: StrictStr | None = None
    cite: BibKey | None = None

    def text_fields(self) -> Iterator[tuple[Loc, str]]:
        """Every free-text value, with its place."""
        yield ("name",), self.name
        yield ("title",), self.title
        yield ("context", "company"), self.context.company
        yield ("context", "team"), self.context.team
        yield ("why",), self.why

    @property
    def anonymous(self) -> bool:
        return self.name.casefold() == ANONYMOUS


assert tuple(Mix.model_fields) == ROLES, "the mix's keys are the roles, in their order"


def _message(error: Mapping[str, Any], loc: Loc) -> str:
    """pydantic's error in words that name the key and the value."""
    where = dotted(loc) or "the file"
    kind, value = error["type"], error.get("input")
    if kind == "literal_error":
        return f"{where}: `{shown(value)}` is not one of {', '.join(SIZES)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        keys = ", ".join(_KEYS.get(loc, ()))
        return f"{where}: must be a mapping of {keys}"
    return value_message(error, loc) or schema_message(error, loc)


#: The keys of each mapping, for a message that says what belongs there.
_KEYS: dict[Loc, tuple[str, ...]] = {
    (): tuple(MixFile.model_fields),
    ("context",): tuple(WorkContext.model_fields),
    ("mix",): tuple(Mix.model_fields),
}


def schema_problems(source: Source) -> tuple[MixFile | None, list[tuple[Loc, str]]]:
    """The file as :class:`MixFile`, or None and what breaks the schema (by location)."""
    return shared_schema_problems(MixFile, source, _message)


# -- The checks ------------------------------------------------------------------------


@dataclass
class Context:
    """What the checks compare a file with; None where it is not known."""

    #: the file's name (``jane-doe.yaml``)
    file_name: str | None = None
    #: the keys of references.bib
    bib_keys: frozenset[str] | None = None
    #: the files before this one in its directory, by name, that the schema accepts
    earlier: Sequence[tuple[str, MixFile]] = ()


Problems = Iterator[tuple[Loc, str]]
CheckFunc = Callable[[MixFile, Context], Problems]

_registry: Registry[CheckFunc] = Registry()
#: The checks, by code (``SYNTAX_CODE`` and ``SCHEMA_CODE`` are the schema's own).
CHECKS: dict[str, Check[CheckFunc]] = _registry.checks
#: Register ``check_<name>(mix, context)`` under a code; it yields ``(loc, message)``.
check = _registry.check


@check("DATA011")
def check_mix_sum(mix: MixFile, context: Context) -> Problems:
    """The three weights add up to 100.

    Bad:  ``mix: {swe: 40, pm: 30, ds: 20}``
    Good: ``mix: {swe: 40, pm: 30, ds: 30}``
    """
    total = mix.mix.total()
    if total != TOTAL:
        yield ("mix",), f"mix adds up to {total}, not {TOTAL}"


#: What looks like markup in a line of text, and what it is.  The page shows the
#: text as text, so none of it would run; it is refused so that a value reads
#: the same in the page, the table and the pull request.
_MARKUP: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"https?://\S*?(?=[.,;:!?)\]]*(?:\s|$))", re.I),
        "`{}` is a web address (a link goes in `source`)",
    ),
    (re.compile(r"<[^<>\n]{0,40}>|[<>]"), "`{}` is HTML"),
    (re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.I), "`{}` is an HTML entity"),
    (re.compile(r"\[[^\]\n]*\]\("), "`{}` is a Markdown link"),
    (re.compile(r"`"), "a backtick is Markdown code or a MyST role"),
    (re.compile(r"\{[^{}\n]{0,40}\}|[{}]"), "`{}` is MyST syntax"),
    (re.compile(r"\*+|(?<![^\W_])_+|_+(?![^\W_])"), "`{}` is Markdown emphasis"),
)
#: Characters that do not print: control characters, line and paragraph separators,
#: and the controls that reorder text (which can make a value read unlike what it is).
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def markup(text: str) -> str | None:
    """What is not plain text in ``text`` (the first such thing), or None."""
    invisible = _INVISIBLE.search(text)
    found = [(m.start(), n, m.group()) for n, (p, _) in enumerate(_MARKUP) if (m := p.search(text))]
    if invisible is not None:
        found.append((invisible.start(), -1, invisible.group()))
    if not found:
        return None
    _start, which, token = min(found)
    if which == -1:
        name = unicodedata.name(token, "a control character").lower()
        return f"a character that does not print (U+{ord(token):04X}, {name})"
    if len(token) > 40:
        token = token[:39] + "…"
    return _MARKUP[which][1].format(token)


@check("DATA012")
def check_plain_text(mix: MixFile, context: Context) -> Problems:
    """Every free-text value is plain text: no HTML, Markdown, MyST or web addresses.

    In ``name``, ``title``, ``context.company``, ``context.team`` and ``why``: no
    ``<`` or ``>``, HTML entities, backticks, ``[text](`` links, ``*`` or ``_``
    emphasis, ``{`` or ``}``, ``http://`` or ``https://`` (a link goes in
    ``source``), and no character that does not print.
    Bad:  ``why: Ship it <b>first</b>, see https://example.com``
    Good: ``why: Ship it first.`` with ``source: https://example.com``
    """
    for loc, text in mix.text_fields():
        found = markup(text)
        if found is not None:
            yield loc, f"{dotted(loc)}: {found}; write plain text"


def url_problem(url: str) -> str | None:
    """What makes ``url`` unfit for ``source``, or None."""
    if any(char.isspace() for char in url):
        return "has white space in it"
    bad = re.search(r"[\x00-\x1f\x7f<>\"{}|\\^`]", url)
    if bad is not None:
        return f"has a character a web address cannot have (`{bad.group()}`)"
    if url.lower().startswith("http://"):
        return "is not https; give the https address"
    match = re.match(r"https://([^/?#]*)", url)
    if match is None:
        return "is not an absolute https address, like https://example.com/my-post"
    host = match.group(1)
    if "@" in host:
        return "has a user name or password in it"
    if not re.fullmatch(r"[^:]+(?::[0-9]{1,5})?", host) or host.startswith("."):
        return "has no host name"
    return None


@check("DATA013")
def check_source_url(mix: MixFile, context: Context) -> Problems:
    """``source``, where given, is an absolute https address with no password in it.

    Bad:  ``source: http://example.com/my-post`` or ``source: https://me:secret@example.com/``
    Good: ``source: https://example.com/my-post``
    """
    if mix.source is not None:
        problem = url_problem(mix.source)
        if problem is not None:
            yield ("source",), f"source: `{mix.source}` {problem}"


FILE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.yaml$")


def suggested_name(name: str) -> str:
    """``Jane_Doe.yml`` -> ``jane-doe.yaml``."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    slug = "-".join(re.findall(r"[a-z0-9]+", stem.lower()))
    return f"{slug or 'my-name'}.yaml"


@check("DATA014")
def check_file_name(mix: MixFile, context: Context) -> Problems:
    """The file's name is lower-case letters, digits and hyphens, ending ``.yaml``.

    Bad:  ``docs/_data/mixes/Jane_Doe.yml``
    Good: ``docs/_data/mixes/jane-doe.yaml``
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


def identity(mix: MixFile) -> tuple[Any, ...]:
    """What makes two files the same person's: name, title and mix, and for an
    anonymous one also the context and the years."""
    same = (mix.name.casefold(), mix.title.casefold(), mix.mix.weights())
    if mix.anonymous:
        where = mix.context
        return (*same, where.company.casefold(), where.size, where.team.casefold(), mix.years)
    return same


@check("DATA015")
def check_duplicates(mix: MixFile, context: Context) -> Problems:
    """One file per person: no two files have the same name, title and mix.

    Two anonymous files are the same person's only if their context and years
    are the same too.  The later file (by name) is reported.
    Bad:  ``jane.yaml`` and ``jane-doe.yaml``, both Jane Doe, ML engineer, 50/20/30
    Good: one file, ``jane-doe.yaml``, edited when Jane's view changes
    """
    mine = identity(mix)
    fields = "name, title, context, years and mix" if mix.anonymous else "name, title and mix"
    for name, other in context.earlier:
        if identity(other) == mine:
            yield ("name",), f"the same {fields} as `{name}`: one file per person"
            return


@check("DATA016")
def check_cite(mix: MixFile, context: Context) -> Problems:
    """``cite``, where given, is a key of references.bib: the mix is that work's.

    Only a mix the handbook's authors took from a published work (the essay's)
    has ``cite``.
    Bad:  ``cite: ueta2020skill``
    Good: ``cite: ueta2020skills``
    """
    if mix.cite is not None and context.bib_keys is not None and mix.cite not in context.bib_keys:
        yield ("cite",), f"cite: no entry `{mix.cite}` in references.bib"


# -- Running them --------------------------------------------------------------------


def validate(
    source: Source, context: Context | None = None
) -> tuple[MixFile | None, list[Problem]]:
    """The file as a model (None when the schema refuses it) and every problem, by line.

    The checks run once the schema accepts the file."""
    model, schema = schema_problems(source)
    return model, run_checks(source, model, schema, CHECKS, context or Context())


class Shelf:
    """The mix files read so far, each read once: what a file's duplicates are judged against."""

    def __init__(self) -> None:
        self._models: dict[Path, MixFile | None] = {}

    def model(self, path: Path) -> MixFile | None:
        """The file as the schema reads it (None when it cannot be read or is refused)."""
        key = path.resolve()
        if key not in self._models:
            try:
                model, _ = schema_problems(load(path))
            except (UnusableInputError, YamlSyntaxError):
                model = None
            self._models[key] = model
        return self._models[key]

    def earlier(self, path: Path) -> list[tuple[str, MixFile]]:
        """The files of ``path``'s directory before it, by name, that the schema accepts."""
        found: list[tuple[str, MixFile]] = []
        for other in yaml_files(path.parent):
            if other.name >= path.name:
                break
            model = self.model(other)
            if model is not None:
                found.append((other.name, model))
        return found
