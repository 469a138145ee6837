"""How the handbook's pages present themselves to search engines, social
networks and readers who want to fix something.

* **Social cards.** Twitter card tags (``twitter:card`` ``summary``,
  ``twitter:title``, ``twitter:description``) on every page, beside the
  OpenGraph tags sphinxext-opengraph writes; the description is the page's
  front-matter ``description`` (see ``frontmatter.py``).
* **Every page described.** Pages without a source (``genindex``,
  ``search``, ``404``) get a meta description and OpenGraph tags of their
  own (``handbook_page_descriptions`` in ``conf.py`` may change the text);
  ``search`` and ``404`` are marked ``noindex``, and ``404`` has no canonical
  URL (it is served at every missing address).  They also get the title the
  theme prints on paper (``pagetitle``), which Sphinx sets for documents only.
* **robots.txt.** Generated from ``html_baseurl`` (so forks and previews point
  at their own sitemaps, one per language, written by
  ``handbook.sphinxext.i18n``) into a folder added to ``html_extra_path``.
* **Feedback links.** ``handbook_feedback`` in each page's context, rendered
  by ``docs/_templates/handbook-feedback.html``: "Suggest an edit" opens the
  page's source in GitHub's editor, "Report a problem" the content-correction
  issue form with the page's path filled in (GitHub fills a form's field from
  the query parameter named after the field's ``id``).  Pages without a source
  link the form with their address; the 404 page links the broken-link form.
  The repository comes from ``html_theme_options['repository_url']``.

The links' words and the generated pages' descriptions are in the page's
language (Sphinx's translator, ``sphinx.po``); the issue titles the links fill
in stay English, for the maintainers' tracker.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata

import handbook

logger = logging.getLogger(__name__)

HTML_BUILDERS = frozenset({"html", "dirhtml"})
#: The issue forms the feedback links open (in ``.github/ISSUE_TEMPLATE/``).
CORRECTION_FORM = "content-correction.yml"
BROKEN_LINK_FORM = "broken-link.yml"

_TAG = re.compile(r"<[^>]+>")


def default_descriptions(project: str) -> dict[str, str]:
    """Descriptions of the pages Sphinx and its extensions generate."""
    return {
        "genindex": _("Index of {project}: every glossary term and indexed topic, A to Z.").format(
            project=project
        ),
        "search": _("Search {project}: every chapter, the glossary and the reading list.").format(
            project=project
        ),
        "404": _(
            "This page of {project} does not exist (any more). "
            "Find what you were looking for from the contents, the index or search."
        ).format(project=project),
    }


def page_title(app: Sphinx, pagename: str, context: dict[str, Any]) -> str:
    """The page's title as plain text (generated pages set theirs in the template)."""
    generated = {"genindex": _("Index"), "search": _("Search")}
    return plain(str(context.get("title") or generated.get(pagename) or app.config.project))


def plain(text: str) -> str:
    """Text without markup: ``<code>x</code> &amp; y`` -> ``x & y``."""
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def _meta(attribute: str, key: str, value: str) -> str:
    return f'<meta {attribute}="{key}" content="{html.escape(value, quote=True)}" />\n'


def _has_meta(metatags: str, attribute: str, key: str) -> bool:
    return re.search(rf"""<meta\s+{attribute}=["']{re.escape(key)}["']""", metatags) is not None


# --------------------------------------------------------------------------
# Feedback links
# --------------------------------------------------------------------------


def repository(app: Sphinx) -> tuple[str, str, str] | None:
    """``(repository URL, branch, folder of the sources)`` from the theme options."""
    options = app.config.html_theme_options or {}
    url = str(options.get("repository_url") or "").rstrip("/")
    if not url:
        return None
    branch = str(options.get("repository_branch") or "main")
    folder = str(options.get("path_to_docs") or "").strip("/")
    return url, branch, folder


def issue_url(repo: str, form: str, title: str, page: str | None = None) -> str:
    """The URL of an issue form with its ``page`` field and the title filled in."""
    query: dict[str, str] = {"template": form}
    if page is not None:
        query["page"] = page
    query["title"] = title
    return f"{repo}/issues/new?" + urlencode(query, quote_via=quote, safe="/")


def feedback_links(app: Sphinx, pagename: str, title: str) -> list[dict[str, str]]:
    """The feedback links of one page (empty without a repository URL)."""
    found = repository(app)
    if found is None:
        return []
    repo, branch, folder = found
    if pagename in app.env.found_docs:
        source = Path(app.env.doc2path(pagename, base=False)).as_posix()
        path = f"{folder}/{source}" if folder else source
        return [
            {"kind": "edit", "text": _("Suggest an edit"), "url": f"{repo}/edit/{branch}/{path}"},
            {
                "kind": "report",
                "text": _("Report a problem"),
                "url": issue_url(repo, CORRECTION_FORM, f"Correction: {title}", path),
            },
        ]
    if pagename == "404":
        return [
            {
                "kind": "report",
                "text": _("Report a broken link"),
                "url": issue_url(repo, BROKEN_LINK_FORM, "Broken link: "),
            }
        ]
    address = app.config.html_baseurl + app.builder.get_target_uri(pagename)
    return [
        {
            "kind": "report",
            "text": _("Report a problem"),
            "url": issue_url(repo, CORRECTION_FORM, f"Correction: {title}", address),
        }
    ]


def check_forms(app: Sphinx) -> None:
    """Warn if the issue forms the links open are missing from the repository."""
    found = repository(app)
    if found is None:
        return
    folder = found[2]
    root = Path(app.confdir)
    for _part in Path(folder).parts if folder else []:
        root = root.parent
    forms = root / ".github" / "ISSUE_TEMPLATE"
    if not forms.is_dir():
        return  # not a checkout (an sdist, a test project): nothing to check against
    for form in (CORRECTION_FORM, BROKEN_LINK_FORM):
        if not (forms / form).is_file():
            logger.warning(
                "feedback links open %s, which is not in %s", form, forms, type="handbook"
            )


# --------------------------------------------------------------------------
# Sphinx hooks
# --------------------------------------------------------------------------


def on_builder_inited(app: Sphinx) -> None:
    """Generate robots.txt into a folder that Sphinx copies to the site's root."""
    if app.builder.name not in HTML_BUILDERS:
        return
    check_forms(app)
    confdir = Path(app.confdir)
    if any((confdir / extra / "robots.txt").is_file() for extra in app.config.html_extra_path):
        return  # the project ships its own
    folder = Path(app.doctreedir) / "handbook-extra"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        f"# robots.txt for {app.config.project}, generated from html_baseurl.",
        "# Search engines read it at the root of a host: it takes effect where the",
        "# site is served from a host's root (a custom domain, a user site).",
        "User-agent: *",
        "Disallow:",
    ]
    baseurl = app.config.html_baseurl
    if baseurl and "handbook.sphinxext.i18n" in app.extensions:
        # One sitemap per language (handbook.sphinxext.i18n writes them).
        site = app.config.handbook_site_url or baseurl
        site = site if site.endswith("/") else site + "/"
        for prefix in app.config.handbook_languages.values():
            lines.append(f"Sitemap: {site}{prefix}sitemap.xml")
    robots = folder / "robots.txt"
    text = "\n".join(lines) + "\n"
    if not robots.is_file() or robots.read_text(encoding="utf-8") != text:
        robots.write_text(text, encoding="utf-8")
    app.config.html_extra_path = [*app.config.html_extra_path, str(folder)]


def on_html_page_context(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """Add social tags, a description where one is missing, and the feedback links.

    Runs after sphinxext-opengraph and the theme (priority 500), so it knows
    what they wrote.
    """
    if app.builder.name not in HTML_BUILDERS:
        return
    title = page_title(app, pagename, context)
    metadata = app.env.metadata.get(pagename, {})
    descriptions = default_descriptions(app.config.project) | dict(
        app.config.handbook_page_descriptions
    )
    description = str(metadata.get("description") or descriptions.get(pagename) or "")
    if not description:
        # a page some extension generates without telling us about it
        description = str(app.env.metadata.get(app.config.root_doc, {}).get("description", ""))

    tags = context.get("metatags", "")
    added = ""
    if description and not _has_meta(tags, "name", "description"):
        added += _meta("name", "description", description)
    if doctree is None and not _has_meta(tags, "property", "og:title"):
        # sphinxext-opengraph writes tags only for pages made from a document
        added += _meta("property", "og:title", title)
        added += _meta("property", "og:type", "website")
        if pagename != "404":
            url = app.config.html_baseurl + app.builder.get_target_uri(pagename)
            added += _meta("property", "og:url", url)
        added += _meta("property", "og:site_name", app.config.project)
        if description:
            added += _meta("property", "og:description", description)
    added += _meta("name", "twitter:card", "summary")
    added += _meta("name", "twitter:title", title)
    if description:
        added += _meta("name", "twitter:description", description)
    if pagename in app.config.handbook_noindex:
        added += _meta("name", "robots", "noindex")
    context["metatags"] = tags + added

    if pagename == "404":
        context["pageurl"] = None  # no canonical URL: it answers every missing address
    if not context.get("pagetitle"):
        # Sphinx sets it for documents only; the theme prints it as the title
        # of the printed page, and left an empty <h1> on generated pages.
        context["pagetitle"] = title


def add_feedback_links(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """Put the feedback links in the context before the theme (priority 500) drops
    the article-footer templates that render empty."""
    if app.builder.name in HTML_BUILDERS:
        title = page_title(app, pagename, context)
        context["handbook_feedback"] = feedback_links(app, pagename, title)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinxext.opengraph")
    app.add_config_value("handbook_page_descriptions", {}, "html", types=frozenset({dict}))
    app.add_config_value("handbook_noindex", ["search", "404"], "html", types=frozenset({list}))
    app.connect("builder-inited", on_builder_inited)
    app.connect("html-page-context", add_feedback_links, priority=450)
    app.connect("html-page-context", on_html_page_context, priority=550)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
