"""A translation against the terminology list and its English: terms, roles, placeholders.

Three checks of one translated message (a catalogue entry), each a
:class:`Problem` with the entry's line:

* ``I18N004`` terms: where the English uses a listed term (``docs/_data/
  terminology.yaml``, :mod:`handbook.data.terminology`; letter case aside,
  plurals too), the translation uses the listed Japanese term, or keeps the
  English (a title, a name in parentheses).  Terms marked ``loose`` are not
  checked: their English words have everyday senses.
* ``I18N005`` markup: the translation has the English's roles with the same
  targets (``{term}`実験 <experiment>``` for ``{term}`experiment```), the
  same ``{placeholders}`` and the same code spans, so that it links where the
  English links (Sphinx refuses some mismatches only when the page is built,
  and none in ``sphinx.po``).
* ``I18N006`` glossary: a glossary term is translated as ``<ja>（<en>）`` from
  the list (or as the term itself where the two are the same).

``handbook i18n status --check`` runs them on the pages listed complete.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from babel.messages.catalog import Catalog, Message

from handbook.data.terminology import Term

TERMS, MARKUP, GLOSSARY = "I18N004", "I18N005", "I18N006"

#: ``{role}`content``` in MyST.
_ROLE = re.compile(r"\{([a-z]+(?::[a-z]+)?)\}`([^`]*)`")
#: ``text <target>`` inside a role.
_EXPLICIT = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.S)
#: A code span (look for it once the roles are gone: :func:`code_spans`).
_CODE = re.compile(r"`([^`]+)`")
#: A ``{placeholder}`` of a sentence the extensions fill in (not a role's name).
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}(?!`)")
#: A Markdown link's address.
_ADDRESS = re.compile(r"\]\([^)]*\)")
#: Roles whose text is not shown as written: their content is an identifier.
_IDENTIFIERS = frozenset({"cite:p", "cite:t", "cite:ps", "cite:ts", "check", "relist", "skill"})


@dataclass(frozen=True)
class Problem:
    """What is wrong with one entry of a catalogue."""

    code: str
    line: int
    message: str


def _text(value: Any) -> str:
    return str(value if isinstance(value, str) else value[0] if value else "")


def roles(text: str) -> Counter[tuple[str, str]]:
    """The roles of ``text`` with their targets: ``{term}`Experiments <experiment>``` and
    ``{term}`experiment``` both count as ``("term", "experiment")``."""
    found: Counter[tuple[str, str]] = Counter()
    for name, content in _ROLE.findall(text):
        explicit = _EXPLICIT.match(content)
        target = explicit.group(2) if explicit and name not in _IDENTIFIERS else content
        if name == "term":
            target = target.casefold()
        found[(name, target.strip())] += 1
    return found


def code_spans(text: str) -> Counter[str]:
    """The code spans of ``text``, its roles aside."""
    return Counter(_CODE.findall(_ROLE.sub(" ", text)))


def shown_english(text: str) -> str:
    """What of ``text`` a reader reads: roles as their text (identifiers dropped), no
    code spans, no link addresses."""

    def role(match: re.Match[str]) -> str:
        name, content = match.group(1), match.group(2)
        if name in _IDENTIFIERS:
            return " "
        explicit = _EXPLICIT.match(content)
        if explicit:
            return explicit.group(1)
        return " " if name in ("doc", "ref") else content

    text = _CODE.sub(" ", _ROLE.sub(role, text))
    return _ADDRESS.sub("]", text)


def _pattern(term: Term) -> re.Pattern[str]:
    words = r"[\s-]+".join(re.escape(word) for word in re.split(r"[\s-]+", term.en))
    return re.compile(rf"(?<![\w-]){words}(?:s|es)?(?![\w-])", re.I)


@dataclass(frozen=True)
class Terminology:
    """The terminology list, ready to check messages with."""

    terms: Sequence[Term]

    def __post_init__(self) -> None:
        checked = [t for t in self.terms if t.loose is None]
        object.__setattr__(self, "_checked", [(t, _pattern(t)) for t in checked])
        object.__setattr__(self, "_by_english", {t.en: t for t in self.terms if t.glossary})

    def term_problems(self, english: str, translation: str) -> Iterator[str]:
        """Each listed term of ``english`` that ``translation`` words otherwise."""
        shown = shown_english(english)
        kept = translation.casefold()
        for term, pattern in self._checked:  # type: ignore[attr-defined]
            missing = term.ja not in translation and term.en.casefold() not in kept
            if missing and pattern.search(shown):
                yield f"'{term.en}' is translated as 「{term.ja}」 (docs/_data/terminology.yaml)"

    def glossary_term(self, english: str) -> Term | None:
        """The listed glossary term ``english`` is, if any."""
        return self._by_english.get(english)  # type: ignore[attr-defined,no-any-return]


def expected_glossary_term(term: Term) -> str:
    """How a glossary term reads in Japanese: ``実験（Experiment）``."""
    return term.ja if term.ja == term.en else f"{term.ja}（{term.en}）"


def markup_problems(english: str, translation: str) -> Iterator[str]:
    """What the translation's markup lacks or adds compared with the English."""
    theirs, ours = roles(english), roles(translation)
    for (name, target), count in sorted((theirs - ours).items()):
        yield f"{{{name}}}`{target}` is in the English {count} more time(s) than here"
    for name, target in sorted(ours - theirs):
        yield f"{{{name}}}`{target}` is not in the English (or is there fewer times)"
    if Counter(_PLACEHOLDER.findall(english)) != Counter(_PLACEHOLDER.findall(translation)):
        yield "the {placeholders} differ from the English's"
    missing = code_spans(english) - code_spans(translation)
    for code in sorted(missing):
        yield f"the code span `{code}` is missing"


def check_catalogue(
    catalogue: Catalog | Iterable[Message], terminology: Terminology, *, glossary: bool = False
) -> list[Problem]:
    """Every problem of the translated entries of ``catalogue`` (untranslated ones are
    ``handbook i18n status``'s to report); ``glossary``: it is the glossary's."""
    problems: list[Problem] = []
    for message in catalogue:
        if not message.id or not message.string or message.fuzzy:
            continue
        english, translation = _text(message.id), _text(message.string)
        line = message.lineno or 1
        for text in markup_problems(english, translation):
            problems.append(Problem(MARKUP, line, text))
        term = terminology.glossary_term(english) if glossary else None
        if term is not None:
            expected = expected_glossary_term(term)
            if translation != expected:
                problems.append(
                    Problem(GLOSSARY, line, f"the glossary term '{english}' reads 「{expected}」")
                )
            continue
        for text in terminology.term_problems(english, translation):
            problems.append(Problem(TERMS, line, text))
    return problems
