"""Sphinx configuration for The ML Engineer's Handbook.

Kept thin on purpose: settings only, no logic and no network at import.
Everything project-specific lives in the ``handbook`` package under ``tools/``.
https://www.sphinx-doc.org/en/master/usage/configuration.html
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The ``handbook`` package is installed editable into .venv; this line only
# helps a build run from an interpreter that does not have it installed.
sys.path.insert(0, str(ROOT / "tools"))
import handbook  # noqa: E402

# -- Where the handbook lives ------------------------------------------------
# The one place that names the repository and the published site.  Forks and
# previews override them from the environment (Read the Docs sets its own).
REPOSITORY_URL = os.environ.get("HANDBOOK_REPOSITORY", "https://github.com/mle-handbook/handbook")
html_baseurl = os.environ.get(
    "HANDBOOK_BASEURL",
    os.environ.get("READTHEDOCS_CANONICAL_URL", "https://mle-handbook.github.io/handbook/"),
)
if not html_baseurl.endswith("/"):
    html_baseurl += "/"

# -- Project information -----------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#project-information
project = "The ML Engineer's Handbook"
author = "The ML Engineer's Handbook authors"
copyright = "2026, The ML Engineer's Handbook authors (prose CC BY 4.0, code MIT)"
language = "en"
# The edition: the handbook package's version (EPUB readers show it).
version = release = handbook.__version__

# -- General configuration ---------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#general-configuration
extensions = [
    # The theme as an extension too: its directives (margin) are then known to
    # every builder, the gettext builder that extracts messages among them.
    "sphinx_book_theme",
    "myst_parser",
    "sphinxcontrib.bibtex",
    "sphinx_design",
    "sphinx_copybutton",
    "sphinxext.opengraph",
    "notfound.extension",
    "sphinx_reredirects",
    "handbook.sphinxext.frontmatter",
    "handbook.sphinxext.a11y",
    "handbook.sphinxext.readinglist",
    "handbook.sphinxext.fastnav",
    "handbook.sphinxext.incremental",
    "handbook.sphinxext.seo",  # social tags, robots.txt, feedback links
    "handbook.sphinxext.assets",  # light pages: inline icons, one stylesheet, deferred scripts
    "handbook.sphinxext.epub",  # the EPUB's table of contents in reading order
    "handbook.sphinxext.skills",  # the skills matrix from _data/skills.yaml
    "handbook.sphinxext.selfassess",  # the self-assessment form on the skills matrix
    "handbook.sphinxext.mixes",  # readers' mixes from _data/mixes/*.yaml, on a ternary chart
    "handbook.sphinxext.checks",  # checklist items' IDs, {check} and the All checks page
    "handbook.sphinxext.worksheets",  # blank worksheets from _data/worksheets/, with downloads
    "handbook.sphinxext.glossary",  # the glossary's fragments as one alphabetical list
    "handbook.sphinxext.relist",  # {relist}`key`: the running example's facts, stated once
    "handbook.sphinxext.i18n",  # language switcher, hreflang, sitemap, translation notice
    "handbook.sphinxext.search_ja",  # Japanese search: the query splits as the index does
    "handbook.sphinxext.cite",  # "Cite this page" under every reviewed page
    "handbook.sphinxext.editions",  # the Editions page and About's citation, from the root files
]
exclude_patterns = ["_build", "_templates", "_glossary", "_data", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]
nitpicky = True
# Page titles and descriptions come from each page's front matter (see
# CONTRIBUTING.md); the build refuses a page without them.

# -- Translations (gettext catalogues) --------------------------------------
# https://www.sphinx-doc.org/en/master/usage/advanced/intl.html
# English is the source; other languages are built from the same sources with
# `-D language=ja`, from catalogues in docs/locales/<lang>/LC_MESSAGES/
# (managed with `handbook i18n update`; see CONTRIBUTING.md, "Translating").
locale_dirs = ["locales/"]
gettext_compact = False  # one catalogue per page: status per page, one file per translator
gettext_location = False  # no line numbers: catalogues change only when the text does
gettext_uuid = False
# Where each language lives under the site's root URL (GitHub Pages layout:
# /handbook/ and /handbook/ja/); handbook.sphinxext.i18n derives each build's
# canonical URLs, switcher links, hreflang alternates and sitemap from it.
handbook_languages = {"en": "", "ja": "ja/"}
handbook_language_names = {"en": "English", "ja": "日本語"}
# The terminology list: the Japanese term and reading of each English term;
# the Japanese glossary is sorted by reading (handbook.sphinxext.glossary).
handbook_terminology = "_data/terminology.yaml"

# -- MyST Markdown -----------------------------------------------------------
# https://myst-parser.readthedocs.io/en/latest/configuration.html
# Chosen for authors and kept portable: no eval-rst, no raw HTML needed.
myst_enable_extensions = [
    "colon_fence",  # ::: fences for directives, readable when rendered by GitHub
    "deflist",  # definition lists for term/definition pairs
    "fieldlist",  # :field: lists inside directives
    "attrs_inline",  # {.class} and {#id} on inline elements
]
myst_heading_anchors = 3  # stable #anchors for headings down to ###
myst_title_to_header = True  # front matter `title` becomes the page heading

# -- Bibliography (sphinxcontrib-bibtex) -------------------------------------
# https://sphinxcontrib-bibtex.readthedocs.io/en/latest/usage.html
bibtex_bibfiles = ["../references.bib"]
bibtex_default_style = "handbook"  # registered by handbook.sphinxext.readinglist
bibtex_reference_style = "handbook"  # author_year, with 2020a/2020b as in the list
bibtex_cite_id = "cite-{key}"
bibtex_footcite_id = "footcite-{key}"
bibtex_bibliography_id = "bibliography-{bibliography_count}"

# -- HTML output (sphinx-book-theme) -----------------------------------------
# https://sphinx-book-theme.readthedocs.io/en/stable/reference.html
html_theme = "sphinx_book_theme"
html_title = "The ML Engineer's Handbook"
html_logo = "_static/logo.svg"
html_favicon = "_static/favicon.svg"
html_static_path = ["_static"]
html_css_files = ["handbook.css"]
html_js_files = ["handbook.js"]  # fixes for the theme's sidebar toggles
html_last_updated_fmt = "%Y-%m-%d"  # replaced per page by front matter `last_reviewed`
html_copy_source = False  # readers get pages, not Markdown sources
# The theme reads the colour mode from the template context, not theme options.
# "auto" follows the reader's system setting and avoids the theme's
# "Got invalid theme mode" console error on a first visit.
html_context = {"default_mode": "auto"}
html_theme_options = {
    "repository_url": REPOSITORY_URL,
    "repository_branch": "main",
    "path_to_docs": "docs",
    "use_repository_button": True,
    "use_edit_page_button": True,
    # The theme's issue button opens a blank issue, which the repository turns
    # off; every page links the content-correction form instead.
    "use_issues_button": False,
    "use_download_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "logo": {"alt_text": "The ML Engineer's Handbook — home"},
    # "Suggest an edit" and "Report a problem" (handbook.sphinxext.seo)
    # and "Cite this page" (handbook.sphinxext.cite)
    "article_footer_items": ["handbook-feedback.html", "handbook-cite.html"],
    # The footer names the edition (the package's version), linked to Editions.
    "footer_content_items": [
        "author.html",
        "copyright.html",
        "last-updated.html",
        "handbook-edition.html",
        "extra-footer.html",
    ],
    # The header bar holds the language switcher, on wide screens and in the
    # mobile header; its search button duplicated the sidebar's and the
    # article header's, so it goes.
    "navbar_persistent": ["handbook-language.html"],
}

# -- Social cards and search engines -----------------------------------------
# https://sphinxext-opengraph.readthedocs.io/ ; descriptions come from front matter.
ogp_site_url = html_baseurl
ogp_site_name = project
ogp_type = "article"
ogp_enable_meta_description = True
ogp_social_cards = {"enable": False}  # no matplotlib images; keeps builds fast
# The sitemap (one per language, with hreflang alternates) is written by
# handbook.sphinxext.i18n: sphinx-sitemap cannot put one language at the
# site's root and another under a prefix.

# -- 404 page (sphinx-notfound-page) -----------------------------------------
# https://sphinx-notfound-page.readthedocs.io/
notfound_urls_prefix = "/" + html_baseurl.split("://", 1)[-1].split("/", 1)[-1]

# -- Moved pages (sphinx-reredirects) ----------------------------------------
# https://documatt.com/sphinx-reredirects/ ; old path (no suffix) -> new target.
redirects: dict[str, str] = {}

# -- EPUB output -------------------------------------------------------------
epub_basename = "mle-handbook"
epub_title = project
epub_author = author
epub_publisher = author
epub_show_urls = "no"
epub_identifier = html_baseurl  # a unique, stable identifier for the book
epub_scheme = "URL"
epub_uid = "handbook-id"  # the XML id of that identifier
epub_description = (
    "What a machine-learning engineer must be good at, as software engineer, "
    "product manager and data scientist."
)
# The root toctrees are hidden (the sidebar shows them): the e-reader's table
# of contents must include them.
epub_tocscope = "includehidden"
# Sphinx keeps the previous build's info beside the output when the
# configuration changes; it is not part of the book.
epub_exclude_files = [".buildinfo.bak"]

# -- Stock baseline (benchmarks/reader.py) -----------------------------------
# HANDBOOK_STOCK=1 builds the same sources as a stock sphinx-book-theme site:
# without our presentation extensions, templates, CSS and post-processing.
# Only the reader benchmark sets it, to measure what they are worth.
HANDBOOK_PRESENTATION = [
    "handbook.sphinxext.frontmatter",
    "handbook.sphinxext.a11y",
    "handbook.sphinxext.seo",
    "handbook.sphinxext.assets",
]
if os.environ.get("HANDBOOK_STOCK") == "1":
    extensions = [e for e in extensions if e not in HANDBOOK_PRESENTATION]
    templates_path = []
    html_css_files = []
    html_js_files = []
    html_context = {}
    html_theme_options = {
        **{
            k: v
            for k, v in html_theme_options.items()
            if k not in {"article_footer_items", "footer_content_items"}
        },
        "use_issues_button": True,
    }
