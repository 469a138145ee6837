"""Light pages: what a reader's browser downloads, and when.

A stock sphinx-book-theme page downloads the whole FontAwesome JavaScript
bundle (1.5 MB) to draw about fifteen icons, two icon webfonts, seven
stylesheets (one behind an ``@import``) and a dozen scripts that block the
first paint, among them the full search index.  This extension keeps every
feature and sends much less.  This module wires it into Sphinx; each job
has a module of its own:

* :mod:`.scripts` (per page, ``html-page-context``): no script blocks the
  first paint.  The search page is left as the theme writes it: its scripts
  must run in order before the page is usable anyway.

Once the whole site is written (``build-finished``), because these need it:

* :mod:`.icons`: FontAwesome's icons as inline SVG and CSS masks; its
  script and fonts are deleted from the output;
* :mod:`.bundle`: one stylesheet per page, read and written with
  :mod:`.css` (tinycss2), pruned by class set (:mod:`.prune`,
  ``handbook_prune_css``), and reused by rebuilds whose inputs are as
  before (``handbook-assets.json`` beside the doctrees);
* :mod:`.compress`: ``.gz`` siblings of text files (``handbook_precompress``).

:mod:`.site` reads the written pages for them.  Everything here is
deterministic and idempotent, so an incremental build writes the same files
as a clean one.  Only HTML builders with a theme based
on pydata-sphinx-theme are touched (``handbook_light_pages``): the EPUB keeps
Sphinx's own output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata

import handbook

from .bundle import bundle_id, link_stylesheets, write_bundles
from .compress import COMPRESS_MIN_BYTES, COMPRESSIBLE, precompress
from .icons import IconSet, find_fontawesome, inline_icons, remove_fontawesome
from .prune import used_names
from .scripts import defer_scripts, read_options
from .site import Site

__all__ = ["COMPRESSIBLE", "COMPRESS_MIN_BYTES", "setup"]

logger = logging.getLogger(__name__)

HTML_BUILDERS = frozenset({"html", "dirhtml"})
#: Beside the doctrees: what the stylesheet bundles were made from (``bundle.BundleCache``).
CACHE_FILE = "handbook-assets.json"


def is_lean(app: Sphinx) -> bool:
    """Whether this build gets light pages: an HTML builder with a PyData-based theme."""
    if app.builder.name not in HTML_BUILDERS or not app.config.handbook_light_pages:
        return False
    theme = getattr(app.builder, "theme", None)
    dirs = theme.get_theme_dirs() if theme else []
    return any(Path(d).name == "pydata_sphinx_theme" for d in dirs)


def site_prefixes(app: Sphinx) -> list[str]:
    """URL paths under which the site's own pages link to it absolutely (the 404 page)."""
    prefixes = [urlsplit(app.config.html_baseurl or "").path or "/"]
    notfound = getattr(app.config, "notfound_urls_prefix", None)
    if notfound:
        prefixes.append(notfound)
    return prefixes


def on_builder_inited(app: Sphinx) -> None:
    """Decide once whether this build gets light pages; forget the last build's options."""
    app.builder._handbook_lean = is_lean(app)  # type: ignore[attr-defined]
    app.builder._handbook_options_js = None  # type: ignore[attr-defined]


def _options_script(app: Sphinx) -> str | None:
    """``documentation_options.js``, read once per build (and per writing process)."""
    cached = getattr(app.builder, "_handbook_options_js", None)
    if cached is None:
        cached = read_options(Path(app.outdir))
        app.builder._handbook_options_js = cached  # type: ignore[attr-defined]
    return cached or None


def on_html_page_context(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """Inline ``documentation_options.js`` and defer every other script (not on search.html)."""
    if not getattr(app.builder, "_handbook_lean", False):
        return
    context["handbook_lean"] = True  # for docs/_templates/layout.html
    if pagename == "search" or templatename == "search.html":
        return
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = defer_scripts(scripts, _options_script(app))


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    """Inline the icons, bundle each page's stylesheets, compress: the written site."""
    if exception is not None or not getattr(app.builder, "_handbook_lean", False):
        return
    outdir = Path(app.outdir)
    script = find_fontawesome(app)
    icons = IconSet.from_file(script) if script else IconSet()
    if not icons:
        logger.warning(
            "no FontAwesome icon data found in the theme; icons stay as the theme writes them",
            type="handbook",
            subtype="assets",
        )
    site = Site(outdir, site_prefixes(app))
    pages = site.pages()

    unknown: set[str] = set()
    wanted: dict[str, list[str]] = {}
    for page in pages:
        if icons:
            page.text = inline_icons(page.text, icons, unknown)
        sources = link_stylesheets(site, page)
        if sources:
            wanted[bundle_id(sources)] = sources
    for name in sorted(unknown):
        logger.warning("not a FontAwesome icon: %s", name, type="handbook", subtype="assets")

    used = used_names(site, pages) if app.config.handbook_prune_css else None
    cache_file = Path(app.doctreedir) / CACHE_FILE
    bundles = write_bundles(outdir, pages, wanted, icons, used, cache_file)
    for page in pages:
        if page.text != page.original:
            page.path.write_text(page.text, encoding="utf-8")
    if icons:
        remove_fontawesome(outdir, [*(page.text for page in pages), *bundles.values()])

    if app.config.handbook_precompress:
        precompress(outdir)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value(
        "handbook_light_pages",
        True,
        "html",
        types=frozenset({bool}),
        description="Light pages (inline icons, one stylesheet, deferred scripts) in HTML builds.",
    )
    app.add_config_value(
        "handbook_precompress",
        True,
        "html",
        types=frozenset({bool}),
        description="Write a .gz sibling of every text file of 1 KiB or more.",
    )
    app.add_config_value(
        "handbook_prune_css",
        True,
        "html",
        types=frozenset({bool}),
        description="Drop the CSS selectors that need a class no page or script can produce.",
    )
    app.connect("builder-inited", on_builder_inited)
    # after the themes and every extension that adds scripts (all at 500 or so)
    app.connect("html-page-context", on_html_page_context, priority=900)
    # after pydata-sphinx-theme rewrites pygments.css and sphinx-sitemap writes sitemap.xml
    app.connect("build-finished", on_build_finished, priority=900)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
