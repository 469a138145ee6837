"""The pages whose translation is complete, ``docs/_data/translations.yaml``.

The handbook is written in English and translated page by page from gettext
catalogues, one per page (``docs/locales/<language>/LC_MESSAGES/<page>.po``;
``sphinx.po`` holds the theme's and our extensions' words).  This file lists,
per language, the pages someone has translated and read through as a whole::

    # Pages whose translation is complete: `handbook i18n status --check` guards them.
    ja:
      complete:
        - index
        - sphinx   # the theme's and extensions' strings

``handbook i18n status --check`` (:mod:`handbook.i18n.cli`) reports a listed
page whose English has moved on (a message untranslated or outdated);
``handbook check-data`` checks the file itself: its shape, each page listed
once, and that each listed page exists and has a catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import ConfigDict, Field, RootModel, StrictStr

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
from handbook.files import display_path

#: The language the handbook is written in: never a translation.
SOURCE_LANGUAGE = "en"
#: The catalogue of the words that are not a page's: the theme's templates and our
#: extensions' ``_()`` strings (Sphinx's ``sphinx`` domain).
SPHINX_DOMAIN = "sphinx"
#: Where the catalogues are under the docs folder (``locale_dirs`` in docs/conf.py).
LOCALES = "locales"

#: A language as Sphinx and gettext name it: ``ja``, ``pt_BR``.
LANGUAGE = r"^(?!en$)[a-z]{2,3}(?:_[A-Z]{2})?$"
#: A page's name as Sphinx knows it (its path under docs/ without ``.md``).
PAGE = r"^(?:[a-z0-9][a-z0-9_-]*/)*[a-z0-9][a-z0-9_-]*$"

LanguageCode = Annotated[
    StrictStr,
    rule(LANGUAGE, "must be the code of a language other than en (the source), like ja"),
]
PageName = Annotated[
    StrictStr,
    rule(PAGE, "must be a page's name, like start/index (no .md), or sphinx"),
]


def catalogue_folder(docs: Path, language: str) -> Path:
    """Where the catalogues of ``language`` are under the docs folder ``docs``."""
    return docs / LOCALES / language / "LC_MESSAGES"


def catalogue_path(docs: Path, language: str, page: str) -> Path:
    """Where the catalogue of ``page`` in ``language`` is (or would be): one per page
    (``gettext_compact = False``)."""
    return catalogue_folder(docs, language) / f"{page}.po"


class Language(Strict):
    """One language's translations."""

    complete: list[PageName] = Field(default_factory=list)


class TranslationsFile(RootModel[dict[LanguageCode, Language]]):
    """The whole file: languages, each with its complete pages."""

    model_config = ConfigDict(frozen=True)


def _wording(error: Mapping[str, Any], loc: Loc) -> str:
    where = dotted(loc) or "the file"
    kind = error["type"]
    if loc == () and kind == "dict_type":
        return "the file: must be a mapping of languages, like `ja: {complete: [index]}`"
    if len(loc) == 1 and kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{where}: must be a mapping of complete"
    return value_message(error, loc) or schema_message(error, loc)


def schema_problems(source: Source) -> tuple[TranslationsFile | None, list[tuple[Loc, str]]]:
    """The file as :class:`TranslationsFile`, or None and what breaks the schema (an empty
    file, or one of comments only, lists nothing)."""
    if source.data is None:
        return TranslationsFile({}), []
    return shared_schema_problems(TranslationsFile, source, _wording)


@dataclass(frozen=True)
class Listed:
    """A page listed complete, and the line it is listed on."""

    page: str
    line: int
    loc: Loc


def complete_pages(source: Source, model: TranslationsFile, language: str) -> list[Listed]:
    """The pages listed complete for ``language``, in file order, with their lines."""
    found = model.root.get(language)
    if found is None:
        return []
    where = [(language, "complete", n) for n in range(len(found.complete))]
    return [
        Listed(page, source.line(loc), loc) for page, loc in zip(found.complete, where, strict=True)
    ]


# -- The file's own checks -------------------------------------------------------------


@dataclass
class Context:
    """What the checks compare the file with: the pages (None: not known) and the docs
    folder whose ``locales/`` holds the catalogues (None: not known)."""

    docnames: frozenset[str] | None = None
    docs: Path | None = None


Problems = Iterator[tuple[Loc, str]]
CheckFunc = Callable[[TranslationsFile, Context], Problems]

_registry: Registry[CheckFunc] = Registry()
CHECKS: dict[str, Check[CheckFunc]] = _registry.checks
check = _registry.check


def _listed(model: TranslationsFile) -> Iterator[tuple[str, int, str]]:
    for language, found in model.root.items():
        for n, page in enumerate(found.complete):
            yield language, n, page


@check("DATA028")
def check_pages(model: TranslationsFile, context: Context) -> Problems:
    """Each page listed complete is a page of the handbook, or ``sphinx``.

    Bad:  ``- start/gone``, or ``- start/index.md``
    Good: ``- start/index``
    """
    if context.docnames is None:
        return
    for language, n, page in _listed(model):
        if page != SPHINX_DOMAIN and page not in context.docnames:
            yield (language, "complete", n), f"no page `{page}` under docs/"


@check("DATA029")
def check_listed_once(model: TranslationsFile, context: Context) -> Problems:
    """Each page is listed once for its language.

    Bad:  ``complete: [index, start/index, index]``
    Good: ``complete: [index, start/index]``
    """
    seen: dict[tuple[str, str], int] = {}
    for language, n, page in _listed(model):
        first = seen.setdefault((language, page), n)
        if first != n:
            yield (
                (language, "complete", n),
                f"page `{page}` is given twice (first in entry {first + 1})",
            )


@check("DATA030")
def check_catalogues(model: TranslationsFile, context: Context) -> Problems:
    """Each page listed complete has its catalogue.

    The catalogue is ``docs/locales/<language>/LC_MESSAGES/<page>.po``.  A page is
    complete once its catalogue is translated and read through; start one with
    ``handbook i18n update --page PAGE``.
    Bad:  ``ja: {complete: [start/index]}`` with no ``start/index.po``
    Good: ``ja: {complete: [index]}`` with ``docs/locales/ja/LC_MESSAGES/index.po``
    """
    if context.docs is None:
        return
    for language, n, page in _listed(model):
        path = catalogue_path(context.docs, language, page)
        known = page == SPHINX_DOMAIN or context.docnames is None or page in context.docnames
        if known and not path.is_file():
            yield (
                (language, "complete", n),
                f"`{page}` has no catalogue {display_path(path)} "
                f"(start one with `handbook i18n update --page {page}`)",
            )


def validate(
    source: Source, context: Context | None = None
) -> tuple[TranslationsFile | None, list[Problem]]:
    """The file as a model (None when the schema refuses it) and every problem, by line.

    The checks run once the schema accepts the file."""
    model, schema = schema_problems(source)
    return model, run_checks(source, model, schema, CHECKS, context or Context())
