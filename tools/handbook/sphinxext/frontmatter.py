"""Use each page's front matter for its meta description, social cards and review date.

Every page starts with YAML front matter (see CONTRIBUTING.md)::

    ---
    title: Testing ML systems
    description: One sentence, used for search results and social cards.
    roles: [swe]
    level: practitioner
    last_reviewed: 2026-11-27
    ---

MyST stores those keys in ``env.metadata[docname]``.  This extension makes the
``description`` the page's ``<meta name="description">`` and ``og:description``
(sphinxext-opengraph would otherwise take the first paragraph), and shows
``last_reviewed`` where the theme shows "last updated".

The description is translated like the page's text: a transform puts it into
the doctree as a ``meta`` node before Sphinx's ``Locale`` transform runs (Sphinx
extracts and translates ``meta`` content), and ``doctree-read`` takes the
(translated) text back out (the node itself leaves every output but the
gettext builder's), so the gettext catalogues carry each page's
description and a translated page describes itself in its own language.
"""

from __future__ import annotations

import html
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util.typing import ExtensionMetadata

import handbook


class DescriptionMessage(SphinxTransform):
    """Carry the front matter's ``description`` through translation as a ``meta`` node."""

    default_priority = 15  # before sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs: Any) -> None:
        metadata = self.env.metadata.get(self.env.docname, {})
        description = metadata.get("description")
        if description:
            meta = nodes.meta(name="description", content=str(description))
            meta["handbook-description"] = True
            self.document.append(meta)


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Copy ``description`` to the key sphinxext-opengraph reads for ``og:description``."""
    metadata: dict[str, Any] = app.env.metadata[app.env.docname]
    for meta in doctree.findall(nodes.meta):
        if meta.get("handbook-description"):
            metadata["description"] = meta["content"]  # translated where a catalogue has it
    description = metadata.get("description")
    if description:
        metadata["og:description"] = str(description)


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Drop the description's ``meta`` node from every output but the message catalogues."""
    if app.builder.name == "gettext":
        return
    for meta in list(doctree.findall(nodes.meta)):
        if meta.get("handbook-description"):
            meta.parent.remove(meta)


def on_html_page_context(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """Add the front matter's description and review date to the page's context.

    Runs before sphinxext-opengraph (priority 400 < 500), which then keeps our
    ``<meta name="description">`` instead of deriving one from the first paragraph.
    """
    metadata = app.env.metadata.get(pagename, {})
    description = metadata.get("description")
    if description:
        tag = f'<meta name="description" content="{html.escape(str(description), quote=True)}" />\n'
        context["metatags"] = context.get("metatags", "") + tag
    reviewed = metadata.get("last_reviewed")
    if reviewed:
        context["last_updated"] = str(reviewed)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_transform(DescriptionMessage)
    app.connect("doctree-read", on_doctree_read)
    app.connect("doctree-resolved", on_doctree_resolved)
    app.connect("html-page-context", on_html_page_context, priority=400)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
