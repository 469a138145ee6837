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
"""

from __future__ import annotations

import html
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

import handbook


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Copy ``description`` to the key sphinxext-opengraph reads for ``og:description``."""
    metadata: dict[str, Any] = app.env.metadata[app.env.docname]
    description = metadata.get("description")
    if description:
        metadata["og:description"] = str(description)


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
    app.connect("doctree-read", on_doctree_read)
    app.connect("html-page-context", on_html_page_context, priority=400)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
