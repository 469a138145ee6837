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
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes

import handbook

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata


def sort_key(item: nodes.definition_list_item) -> str:
    """Sphinx's own order for a sorted glossary: the first term, case- and accent-folded."""
    term = item.next_node(nodes.term)
    return unicodedata.normalize("NFD", (term.astext() if term else "").lower())


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Merge a page's sorted glossaries into its first one, in one alphabetical order."""
    glossaries = list(doctree.findall(addnodes.glossary))
    if len(glossaries) < 2 or not all(g.get("sorted") for g in glossaries):
        return
    first = glossaries[0].next_node(nodes.definition_list)
    if first is None:
        return
    for other in glossaries[1:]:
        for listing in list(other.findall(nodes.definition_list)):
            first.extend(listing.children)
        other.parent.remove(other)
    first.children.sort(key=sort_key)  # type: ignore[arg-type]


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("doctree-read", on_doctree_read)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
