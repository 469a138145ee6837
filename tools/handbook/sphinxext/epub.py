"""An EPUB that passes EPUBCheck: Sphinx's EPUB 3 builder with two fixes.

* **Reading order.** Sphinx lists a page's toctree entries before the page's
  own sections in the table of contents (``nav.xhtml``, ``toc.ncx``), in the
  order of the page's doctree.  When a page's toctree comes before its
  sections (the reading list's index lists the role pages first), the table of
  contents jumps forward to the child pages and back to the parent's sections,
  which EPUBCheck flags (NAV-011: the "toc" nav must be in reading order).
  Siblings are put in the order of the spine here, the parent's sections
  first; the spine itself does not change.
* **One identifier.** Sphinx writes ``epub_uid`` (the XML id of the
  identifier) as the NCX ``dtb:uid``, where the identifier itself belongs
  (EPUBCheck NCX-001 when they differ).
* **The book theme's directives.** sphinx-book-theme registers ``{margin}``
  when Sphinx loads it as the HTML theme, which the EPUB builder never does;
  pages that use it would fail the strict build.  The EPUB gets the theme's
  own directive, a sidebar with the class ``margin``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.epub3 import Epub3Builder
from sphinx.util.docutils import is_directive_registered
from sphinx.util.typing import ExtensionMetadata

import handbook


@dataclass
class _Entry:
    node: dict[str, Any]
    children: list[_Entry] = field(default_factory=list)


def _document(refuri: str) -> str:
    return refuri.split("#", 1)[0]


def in_reading_order(refnodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``refnodes`` (flat, each with a ``level``) with every entry's children
    sorted by where their document comes in the book, stably."""
    spine: dict[str, int] = {}
    for node in refnodes:
        spine.setdefault(_document(node["refuri"]), len(spine))

    root = _Entry({"level": 0})
    stack = [root]
    for node in refnodes:
        while len(stack) > 1 and stack[-1].node["level"] >= node["level"]:
            stack.pop()
        entry = _Entry(node)
        stack[-1].children.append(entry)
        stack.append(entry)

    ordered: list[dict[str, Any]] = []

    def flatten(entry: _Entry) -> None:
        for child in sorted(entry.children, key=lambda e: spine[_document(e.node["refuri"])]):
            ordered.append(child.node)
            flatten(child)

    flatten(root)
    return ordered


class HandbookEpub3Builder(Epub3Builder):
    """Sphinx's EPUB 3 builder, with the table of contents in reading order."""

    def get_toc(self) -> None:
        super().get_toc()
        self.refnodes = in_reading_order(self.refnodes)

    def toc_metadata(self, level: int, navpoints: list[Any]) -> dict[str, Any]:
        metadata = super().toc_metadata(level, navpoints)
        metadata["uid"] = html.escape(self.config.epub_identifier)
        return metadata


def add_theme_directives(app: Sphinx) -> None:
    """For the EPUB: the content directives the HTML theme would have registered."""
    if app.builder.name != "epub" or is_directive_registered("margin"):
        return
    try:
        from sphinx_book_theme.directives import Margin
    except ImportError:  # another theme: its directives are its business
        return
    app.add_directive("margin", Margin)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_builder(HandbookEpub3Builder, override=True)
    app.connect("builder-inited", add_theme_directives)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
