"""The terminology list of the translations, ``docs/_data/terminology.yaml``.

Each entry names an English term, the term every Japanese page uses for it and
its reading in hiragana, by which the Japanese glossary is sorted::

    terms:
      - en: "Guardrail metric"
        ja: "ガードレール指標"
        reading: "がーどれーるしひょう"
        glossary: true          # a term of the glossary page
      - en: "Feature"
        ja: "特徴量"
        reading: "とくちょうりょう"
        loose: "also a product's feature (機能)"   # not checked in running text
        glossary: true

``handbook check-data`` checks the file (its shape, each English and each
Japanese term once); :mod:`handbook.i18n.terminology` checks the complete
translations against it, and the glossary extension sorts the Japanese
glossary by its readings.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StrictBool, StrictStr

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

#: A reading: hiragana, with the long-vowel mark ー and the middle dot ・ allowed.
READING = r"^[\u3041-\u3096ー・]+$"

Reading = Annotated[
    StrictStr, rule(READING, "must be written in hiragana (ー and ・ allowed), like じっけん")
]
Text = Annotated[StrictStr, Field(min_length=1)]


class Term(Strict):
    """One English term and its Japanese term."""

    en: Text
    ja: Text
    reading: Reading
    #: why the English word is not checked in running text (it has everyday senses)
    loose: Text | None = None
    glossary: StrictBool = False


class TerminologyFile(Strict):
    """The whole file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    terms: list[Term] = Field(min_length=1)


def _wording(error: Mapping[str, Any], loc: Loc) -> str:
    if loc == () and error["type"] in ("model_type", "dict_type"):
        return "the file: must be a mapping with `terms`, a list of {en, ja, reading}"
    if error["type"] == "bool_type":
        return f"{dotted(loc)}: must be true or false, not `{error.get('input')}`"
    return value_message(error, loc) or schema_message(error, loc)


def schema_problems(source: Source) -> tuple[TerminologyFile | None, list[tuple[Loc, str]]]:
    """The file as :class:`TerminologyFile`, or None and what breaks the schema."""
    return shared_schema_problems(TerminologyFile, source, _wording)


Problems = Iterator[tuple[Loc, str]]
CheckFunc = Callable[[TerminologyFile, None], Problems]

_registry: Registry[CheckFunc] = Registry()
CHECKS: dict[str, Check[CheckFunc]] = _registry.checks
check = _registry.check


def _once(model: TerminologyFile, key: str, fold: Callable[[str], str]) -> Problems:
    seen: dict[str, int] = {}
    for n, term in enumerate(model.terms):
        value = getattr(term, key)
        first = seen.setdefault(fold(value), n)
        if first != n:
            yield (
                ("terms", n, key),
                f"{dotted(('terms', n, key))}: `{value}` is given twice "
                f"(first in entry {first + 1})",
            )


@check("DATA031")
def check_english_once(model: TerminologyFile, context: None) -> Problems:
    """Each English term is listed once (letter case aside).

    Bad:  ``en: Experiment`` in two entries
    Good: one entry per English term
    """
    yield from _once(model, "en", str.casefold)


@check("DATA032")
def check_japanese_once(model: TerminologyFile, context: None) -> Problems:
    """Each Japanese term stands for one English term.

    Bad:  ``ja: 指標`` for both "Metric" and "Measure"
    Good: one Japanese term per entry
    """
    yield from _once(model, "ja", str)


# -- Japanese order ----------------------------------------------------------------------


def _vowel(kana: str) -> str:
    """The vowel a kana ends in (か -> あ), by its Unicode name; itself if none (ん)."""
    last = unicodedata.name(kana, "").rsplit(" ", 1)[-1][-1:]
    return unicodedata.lookup(f"HIRAGANA LETTER {last}") if last in "AIUEO" and last else kana


#: The voicing marks NFD splits off a kana: none, dakuten (が), handakuten (ぱ).
_VOICING = {"\u3099": 1, "\u309a": 2}


#: A reading's place in gojūon order: :func:`reading_key`.
ReadingKey = tuple[str, tuple[tuple[int, int, int], ...]]


def reading_key(reading: str) -> ReadingKey:
    """The gojūon (五十音) order of a reading, as Japanese dictionaries sort.

    First by the kana with their voicing marks taken off (が as か), small kana as
    large ones (ゃ as や) and the long-vowel mark ー as the vowel it lengthens
    (べーす as べえす); then, among equals, kana by kana: unvoiced before voiced
    (か, が, ぱ), large before small (きやく before きゃく), a vowel before ー.
    Hiragana are encoded in gojūon order, so once folded they compare by code
    point.  The middle dot ・ and spaces do not count.
    """
    primary: list[str] = []
    secondary: list[tuple[int, int, int]] = []
    for char in reading:
        if char == "・" or char.isspace():
            continue
        if char == "ー":
            primary.append(_vowel(primary[-1]) if primary else char)
            secondary.append((0, 0, 1))
            continue
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        name = unicodedata.name(base, "")
        small = " SMALL " in name
        if small:
            base = unicodedata.lookup(name.replace("SMALL ", ""))
        primary.append(base)
        secondary.append((sum(_VOICING.get(mark, 0) for mark in marks), int(small), 0))
    return "".join(primary), tuple(secondary)


def validate(source: Source, context: None = None) -> tuple[TerminologyFile | None, list[Problem]]:
    """The file as a model (None when the schema refuses it) and every problem, by line."""
    model, schema = schema_problems(source)
    return model, run_checks(source, model, schema, CHECKS, None)
