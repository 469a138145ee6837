"""Use each page's front matter for its meta description and social cards."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

import handbook


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Copy ``description`` from front matter to the keys sphinxext-opengraph reads."""
    metadata: dict[str, Any] = app.env.metadata[app.env.docname]
    description = metadata.get("description")
    if description:
        metadata.setdefault("og:description", str(description))


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("doctree-read", on_doctree_read)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
