"""The running example's numbers in the pages: ``{relist}`new_listings_per_day```.

``docs/_data/relist.yaml`` states each recurring number of Relist once
(:mod:`handbook.data.relist` holds its schema and arithmetic); this extension
reads it when the builder starts (its problems are warnings at the YAML line)
and gives pages the ``{relist}`` role, which shows the fact as the file says it
(``120,000``, ``14%``, ``150 ms``), computed where the file derives it.  A key
the file does not have is a warning at the page's line, so the strict build
fails there.  Pages that use the role depend on the file: changing a number
rebuilds every page that shows it.  A unit that is a word (``9 million``,
``3 hours``) is put in the build's language (:func:`unit_words`, translated in
``sphinx.po``: ``3時間``), a scale (``9 million``) is written as the language
writes large numbers (``900万``, CLDR's compact form, through babel); symbols
(``%``, ``$``, ``ms``) stay.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from babel.numbers import format_compact_decimal
from docutils import nodes
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

import handbook
from handbook.data import relist as data
from handbook.data.source import Source
from handbook.sphinxext._data import load_or_warn, role_location, warn
from handbook.sphinxext._words import note_catalogue

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)


class Facts:
    """The file as this build read it: the model and every fact's text (None: unusable)."""

    def __init__(self, path: Path, model: data.RelistFile | None, texts: dict[str, str]) -> None:
        self.path = path
        self.model = model
        self.texts = texts


_facts: weakref.WeakKeyDictionary[BuildEnvironment, Facts] = weakref.WeakKeyDictionary()


def facts_of(env: BuildEnvironment) -> Facts | None:
    return _facts.get(env)


def on_builder_inited(app: Sphinx) -> None:
    """Read, check and compute the facts; each problem is a warning at its line."""
    _facts.pop(app.env, None)
    if not app.config.relist_data:
        return
    path = Path(app.srcdir, app.config.relist_data).resolve()
    if not path.exists():
        _facts[app.env] = Facts(path, None, {})
        return
    source = load_or_warn(path, "relist")
    if not isinstance(source, Source):
        _facts[app.env] = Facts(path, None, {})
        return
    model, problems = data.validate(source)
    for problem in problems:
        warn(path, problem.line, problem.code, problem.message, "relist")
    texts: dict[str, str] = {}
    if model is not None and not problems:
        computed = data.values(model)
        texts = {key: data.render(model, key, computed) for key in model.facts}
    _facts[app.env] = Facts(path, model, texts)


def unit_words() -> dict[str, str]:
    """The units that are words, each as a sentence of the build's language."""
    return {
        "hours": _("{number} hours"),
        "cents": _("{number} cents"),
        "points": _("{number} points"),
        "percentage point": _("{number} percentage point"),
        "percentage points": _("{number} percentage points"),
    }


#: Units that scale a number: a translated edition writes the whole number in its
#: language's large-number words (CLDR's compact form: 9 million is 900万 in Japanese).
SCALES = {"million": 1_000_000}


def shown(found: Facts, key: str, language: str | None = None) -> str:
    """A fact's text in the build's ``language``: its unit, if a word, translated."""
    text = found.texts[key]
    fact = found.model.facts[key] if found.model is not None else None
    unit = fact.unit if fact is not None else None
    if unit is None or not text.endswith(f" {unit}"):
        return text
    number = text[: -len(unit) - 1]
    if unit in SCALES:
        if language in (None, "en"):
            return text
        value = float(number.replace(",", "")) * SCALES[unit]
        return format_compact_decimal(value, locale=language, fraction_digits=2)
    words = unit_words()
    return str(words[unit]).format(number=number) if unit in words else text


class RelistRole(SphinxRole):
    """``{relist}`key```: the running example's fact, as ``docs/_data/relist.yaml`` states it."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        key = self.text.strip()
        found = facts_of(self.env)
        if found is None or not found.path.exists():
            self._warn("{relist}: there is no file of facts (`relist_data`)")
            return [nodes.inline(self.rawtext, key)], []
        self.env.note_dependency(str(found.path))
        if found.model is None or not found.texts:
            return [nodes.inline(self.rawtext, key)], []  # the file's problems are at its lines
        if key not in found.texts:
            self._warn(
                f"DATA027 {{relist}} names `{key}`, which is not a fact of {found.path.name}"
            )
            return [nodes.inline(self.rawtext, key)], []
        text = shown(found, key, self.config.language)
        if text != found.texts[key]:
            note_catalogue(self.env)  # the unit's word comes from sphinx.po
        return [nodes.Text(text)], []

    def _warn(self, message: str) -> None:
        logger.warning(message, location=role_location(self), type="handbook", subtype="relist")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value(
        "relist_data",
        "_data/relist.yaml",
        "env",
        types=frozenset({str}),
        description="The running example's facts, relative to the source directory.",
    )
    app.add_role("relist", RelistRole())
    app.connect("builder-inited", on_builder_inited)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
