"""Accessibility fixes for what sphinx-book-theme renders.

The theme's collapsible sidebar sections are ``<details>`` whose ``<summary>``
holds only a decorative chevron, so assistive technology announces a control
with no name (axe: ``summary-name``).  This extension gives each one a name
taken from the section's link text.  Template-level fixes live in
``docs/_templates/``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

import handbook

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
        summary["aria-label"] = f"Show or hide the pages of {title}" if title else "Show or hide pages"
    return toctree


def on_html_page_context(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """Wrap the theme's sidebar renderer (installed at priority 500) with ``name_summaries``."""
    render: Callable[..., Any] | None = context.get("generate_toctree_html")
    if render is None or getattr(render, "_handbook_a11y", False):
        return

    def generate_toctree_html(*args: Any, **kwargs: Any) -> Any:
        return name_summaries(render(*args, **kwargs))

    generate_toctree_html._handbook_a11y = True  # type: ignore[attr-defined]
    context["generate_toctree_html"] = generate_toctree_html


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("html-page-context", on_html_page_context, priority=600)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
