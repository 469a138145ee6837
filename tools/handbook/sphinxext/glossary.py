"""One glossary per page: the page's ``{glossary}`` directives merged into one sorted list.

The handbook's glossary is written in fragments (``docs/_glossary/*.md``, each
a ``{glossary}`` with ``:sorted:``) so that a change to one part's terms is a
small diff, and included into one page.  Sphinx sorts each directive's terms
on its own, so the page would show four alphabetical lists one after another:
"Active learning" in the middle of the page.  When a page has more than one
glossary and every one of them is sorted, this extension moves all the terms
into the first glossary and sorts them as Sphinx's ``:sorted:`` does
(case-insensitive, accents after their letter).  The terms keep their ids, so
``{term}`` links and the index are unchanged.

A translated edition sorts in its own language's order.  Japanese is sorted
by reading (gojūon), which the text does not show: ``handbook_terminology``
names the terminology list (:mod:`handbook.data.terminology`), whose readings
sort the translated terms (``実験（Experiment）`` by じっけん), with
:func:`handbook.data.terminology.reading_key`.  A term the list does not know
(not yet translated) follows the Japanese ones, in the English order.  The
page depends on the list, so a changed reading re-sorts it.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes

import handbook
from handbook.data import terminology
from handbook.data.source import Source
from handbook.sphinxext._data import load_or_warn, warn

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

#: The languages sorted by reading, with the terminology list.
BY_READING = frozenset({"ja"})
#: Where a translated term's own name ends: ``実験（Experiment）``.
_ENGLISH_AFTER = "（"


def _term_text(item: nodes.definition_list_item) -> str:
    term = item.next_node(nodes.term)
    return term.astext() if term else ""


def sort_key(item: nodes.definition_list_item) -> str:
    """Sphinx's own order for a sorted glossary: the first term, case- and accent-folded."""
    return unicodedata.normalize("NFD", _term_text(item).lower())


def readings(path: Path) -> dict[str, str] | None:
    """The readings of the terminology list's Japanese terms (None: the list is unusable,
    and each problem is warned at its line)."""
    source = load_or_warn(path, "terminology")
    if not isinstance(source, Source):
        return None
    model, problems = terminology.validate(source)
    for problem in problems:
        warn(path, problem.line, problem.code, problem.message, "terminology")
    if model is None:
        return None
    return {term.ja: term.reading for term in model.terms}


def reading_order(known: dict[str, str]) -> Any:
    """A sort key: the listed terms by reading, then the others in Sphinx's order."""

    def key(item: nodes.definition_list_item) -> tuple[int, terminology.ReadingKey, str]:
        name = _term_text(item).split(_ENGLISH_AFTER, 1)[0].strip()
        reading = known.get(name)
        if reading is None:
            return 1, ("", ()), sort_key(item)
        return 0, terminology.reading_key(reading), sort_key(item)

    return key


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Merge a page's sorted glossaries into its first one, in one order: alphabetical, or
    by reading in a language that sorts so."""
    glossaries = list(doctree.findall(addnodes.glossary))
    if not glossaries or not all(g.get("sorted") for g in glossaries):
        return
    first = glossaries[0].next_node(nodes.definition_list)
    if first is None:
        return
    for other in glossaries[1:]:
        for listing in list(other.findall(nodes.definition_list)):
            first.extend(listing.children)
        other.parent.remove(other)
    key: Any = sort_key
    listed = app.config.handbook_terminology
    if app.config.language in BY_READING and listed:
        path = Path(app.srcdir, listed)
        app.env.note_dependency(str(path))
        known = readings(path)
        if known is not None:
            key = reading_order(known)
    elif len(glossaries) < 2:
        return  # Sphinx has sorted it already
    first.children.sort(key=key)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("handbook_terminology", "", "env", types=frozenset({str}))
    app.connect("doctree-read", on_doctree_read)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
