"""Accessibility fixes for what sphinx-book-theme and docutils render.

The theme's collapsible sidebar sections are ``<details>`` whose ``<summary>``
holds only a decorative chevron, so assistive technology announces a control
with no name (axe: ``summary-name``).  This extension gives each one a name
taken from the section's link text.

docutils writes each bibliography entry as ``role="doc-biblioentry"`` inside a
``role="list"`` container; ARIA 1.3 deprecates that role, so the list has no
valid items (axe: ``aria-deprecated-role``, ``aria-allowed-role``,
``aria-required-children``).  Entries are written as ``role="listitem"``.
Template-level fixes live in ``docs/_templates/``.

Names are read in the reader's language: the summaries' names and the logo's
alternative text (``html_theme_options['logo']['alt_text']``, looked up as a
whole in ``sphinx.po``) go through Sphinx's translator, and the book theme's
own words that its catalogue lacks are looked up there too
(:func:`handbook.sphinxext._words.theme_fallback`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.locale import _
from sphinx.util.typing import ExtensionMetadata

import handbook
from handbook.sphinxext._words import theme_fallback


def name_summaries(toctree: Any) -> Any:
    """Give each sidebar ``<summary>`` without text an ``aria-label`` naming its section.

    ``toctree`` is what the theme's ``generate_toctree_html`` returns: a
    BeautifulSoup tree (changed in place and returned) or an HTML string
    (returned unchanged; the theme only returns strings for empty trees).
    """
    if isinstance(toctree, str):
        return toctree
    for summary in toctree.select("li > details > summary"):
        if summary.get_text(strip=True):
            continue  # a caption gives it a visible name already
        item = summary.parent.parent
        link = item.find("a", recursive=False)
        title = link.get_text(" ", strip=True) if link else ""
        summary["aria-label"] = (
            _("Show or hide the pages of {section}").format(section=title)
            if title
            else _("Show or hide pages")
        )
    return toctree


def visit_citation(self: Any, node: nodes.citation) -> None:
    """docutils' ``visit_citation`` with a valid ARIA role for list members."""
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self: Any, node: nodes.citation) -> None:
    """Close the entry, and the list after its last entry (as docutils does)."""
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), type(node)):
        self.body.append("</div>\n")


def on_html_page_context(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """Wrap the theme's sidebar renderer (installed at priority 500) with ``name_summaries``;
    the logo's alternative text in the page's language."""
    logo = context.get("theme_logo")
    if isinstance(logo, dict) and logo.get("alt_text"):
        context["theme_logo"] = {**logo, "alt_text": _(str(logo["alt_text"]))}
    render: Callable[..., Any] | None = context.get("generate_toctree_html")
    if render is None or getattr(render, "_handbook_a11y", False):
        return

    def generate_toctree_html(*args: Any, **kwargs: Any) -> Any:
        return name_summaries(render(*args, **kwargs))

    generate_toctree_html._handbook_a11y = True  # type: ignore[attr-defined]
    context["generate_toctree_html"] = generate_toctree_html


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    app.connect("builder-inited", theme_fallback)
    app.connect("html-page-context", on_html_page_context, priority=600)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
