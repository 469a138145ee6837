"""One site, several languages, built from the same English sources.

Each language is its own Sphinx build (``-D language=ja``, translated from the
gettext catalogues in ``docs/locales/``) into its own output folder;
``handbook.build.build_site`` assembles them into one site, the source
language at the root and every other language under its prefix
(``handbook_languages``: ``{"en": "", "ja": "ja/"}``).  This extension makes
each build know where it lives in that site:

* **URLs.** ``html_baseurl`` (Sphinx's canonical URLs), ``ogp_site_url``
  (social cards) and ``notfound_urls_prefix`` (the 404 page's absolute links)
  are derived from ``handbook_site_url`` and the build's language prefix.
* **Language switcher.** ``handbook_language_links`` in every page's context,
  rendered by ``templates/handbook-language.html`` (beside this module, put
  on ``templates_path`` by the extension) in the header bar
  (wide and mobile): plain links to *the same page* in each language, relative
  so that they work on any host and without JavaScript.  The 404 page, served
  at every missing address, links each language's landing page by absolute path.
* **Search engines.** ``<link rel="alternate" hreflang>`` to every language and
  ``x-default`` (the source language), ``og:locale`` and
  ``og:locale:alternate``, and a sitemap per language whose entries carry the
  same alternates (sphinx-sitemap's URL scheme cannot put one language at the
  root and another under a prefix).
* **Translation notice.** A translated page whose catalogue leaves any message
  untranslated (a new or edited English paragraph, a fuzzy entry) opens with a
  notice, in the page's language, that links the English page and the
  translators' guide.  It is decided at build time from the marks Sphinx's
  own ``Locale`` transform leaves on every message (``node['translated']``),
  so editing English is enough to show it on the next build, before anyone
  refreshes the catalogues.  (Sphinx's own count, ``translation_progress``,
  cannot be used as it is: it counts the front matter, which no catalogue
  holds, and never counts a translated toctree caption as translated.)
* **The 404 page's words** go through the translator like every other string.

A book with one language gets its sitemap and nothing else.
"""

from __future__ import annotations

import html
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from babel.messages.pofile import read_po
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.locale import _
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain
from sphinx.util.nodes import extract_messages
from sphinx.util.typing import ExtensionMetadata

import handbook

logger = logging.getLogger(__name__)

HTML_BUILDERS = frozenset({"html", "dirhtml"})
#: Pages that search engines should not list (Sphinx's and sphinx-notfound-page's).
NOT_IN_SITEMAP = frozenset({"search", "genindex", "404"})
#: OpenGraph locales (``og:locale`` wants language_TERRITORY).
OG_LOCALES = {"en": "en_US", "ja": "ja_JP"}
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


# --------------------------------------------------------------------------
# Where each language lives
# --------------------------------------------------------------------------


def languages(config: Config) -> dict[str, str]:
    """``{language: prefix under the site's root}``, the source language first."""
    prefixes: dict[str, str] = dict(config.handbook_languages)
    source = config.handbook_source_language
    prefixes.setdefault(source, "")
    return {source: prefixes[source], **{k: v for k, v in prefixes.items() if k != source}}


def current_language(config: Config) -> str:
    return str(config.language or config.handbook_source_language)


def site_url(config: Config) -> str:
    """The site's root URL (the source language's), with a trailing slash."""
    url = str(config.handbook_site_url or "")
    return url if not url or url.endswith("/") else url + "/"


def page_uri(app: Sphinx, pagename: str) -> str:
    """The page's address relative to its language's root (``swe/index.html``)."""
    if pagename == app.config.root_doc and app.builder.name == "dirhtml":
        return ""
    return app.builder.get_target_uri(pagename)


def absolute_url(config: Config, language: str, uri: str) -> str:
    return f"{site_url(config)}{languages(config)[language]}{uri}"


def switcher_links(app: Sphinx, pagename: str) -> list[dict[str, Any]]:
    """The language switcher's links from one page: the same page in every language."""
    config = app.config
    here = current_language(config)
    prefixes = languages(config)
    if here not in prefixes or len(prefixes) < 2:
        return []
    names: dict[str, str] = dict(config.handbook_language_names)
    links = []
    for lang, prefix in prefixes.items():
        if pagename == "404":
            # Served at every missing address: absolute paths to the landing pages.
            root = urlsplit(site_url(config)).path or "/"
            href = f"{root}{prefix}{page_uri(app, config.root_doc)}"
        else:
            uri = page_uri(app, pagename)
            start = posixpath.dirname(prefixes[here] + uri) or "."
            href = posixpath.relpath(prefix + uri, start) if prefix + uri else "."
            if uri.endswith("/") or not uri:
                href = href.rstrip("/") + "/"
        links.append(
            {
                "lang": lang,
                "name": names.get(lang, lang),
                "href": href,
                "current": lang == here,
            }
        )
    return links


# --------------------------------------------------------------------------
# Sphinx hooks
# --------------------------------------------------------------------------


TEMPLATES = Path(__file__).parent / "templates"


def on_config_inited(app: Sphinx, config: Config) -> None:
    """Point every URL setting at this language's place in the site."""
    config.templates_path = [*config.templates_path, str(TEMPLATES)]
    if not config.handbook_site_url:
        config.handbook_site_url = config.html_baseurl
    here = current_language(config)
    prefixes = languages(config)
    if here not in prefixes:
        logger.warning(
            "language %r is not in handbook_languages (%s): its pages get no "
            "switcher, alternates or sitemap",
            here,
            ", ".join(prefixes),
            type="handbook",
            subtype="i18n",
        )
        return
    if not site_url(config):
        return
    config.html_baseurl = site_url(config) + prefixes[here]
    if "ogp_site_url" in config:
        config.ogp_site_url = config.html_baseurl
    if "notfound_urls_prefix" in config:
        config.notfound_urls_prefix = urlsplit(config.html_baseurl).path or "/"
    if "notfound_context" in config:
        title = _("Page not found")
        text = _("Unfortunately we couldn't find the content you were looking for.")
        config.notfound_context = {"title": title, "body": f"<h1>{title}</h1>\n\n{text}"}


def on_html_page_context(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    if app.builder.name not in HTML_BUILDERS:
        return
    config = app.config
    here = current_language(config)
    if here not in languages(config):
        return
    context["handbook_language_links"] = switcher_links(app, pagename)
    context["handbook_language_label"] = _("Language")
    if site_url(config) and pagename != "404" and len(languages(config)) > 1:
        context["metatags"] = context.get("metatags", "") + alternate_tags(app, pagename)
    if here != config.handbook_source_language and doctree is not None:
        notice = translation_notice(app, pagename, doctree)
        body = context.get("body", "")
        if notice and translation_state(doctree) == "untranslated":
            # The page is the English original: say so to screen readers (WCAG 3.1.2).
            body = f'<div lang="{config.handbook_source_language}">\n{body}</div>\n'
        if notice:
            context["body"] = notice + body


def alternate_tags(app: Sphinx, pagename: str) -> str:
    """``hreflang`` alternates (every language and ``x-default``) and ``og:locale``."""
    config = app.config
    here = current_language(config)
    uri = page_uri(app, pagename)
    lines = []
    for lang in languages(config):
        href = html.escape(absolute_url(config, lang, uri), quote=True)
        lines.append(f'<link rel="alternate" hreflang="{lang}" href="{href}" />')
    default = html.escape(absolute_url(config, config.handbook_source_language, uri), quote=True)
    lines.append(f'<link rel="alternate" hreflang="x-default" href="{default}" />')
    lines.append(f'<meta property="og:locale" content="{OG_LOCALES.get(here, here)}" />')
    for lang in languages(config):
        if lang != here:
            locale = OG_LOCALES.get(lang, lang)
            lines.append(f'<meta property="og:locale:alternate" content="{locale}" />')
    return "\n".join(lines) + "\n"


class TranslationProgress(SphinxTransform):
    """Count a translated page's messages and how many its catalogue translated."""

    default_priority = 21  # right after sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs: Any) -> None:
        config = self.config
        if current_language(config) == config.handbook_source_language:
            return
        # MyST's front matter: a field list first in the document, which
        # becomes docinfo later; Sphinx marks it but no catalogue holds it.
        first = self.document.children[0] if self.document.children else None
        skipped = set(map(id, first.findall())) if isinstance(first, nodes.field_list) else set()
        # Sphinx leaves unmarked a message translated as itself (a name, a kept
        # English title) and an image whose alt text it translated: each counts
        # here when its text is one the catalogue gives.
        given = self._given()
        same = {id(node) for node, message in extract_messages(self.document) if message in given}
        total = translated = 0
        for node in self.document.findall(nodes.Element):
            if "translated" not in node.attributes or id(node) in skipped:
                continue
            total += 1
            done = (
                node["translated"]
                or id(node) in same
                or (
                    isinstance(node, addnodes.toctree)
                    and node.get("caption") != node.get("rawcaption")
                )
            )
            translated += bool(done)
        self.document["handbook_translation"] = {"total": total, "translated": translated}

    def _given(self) -> set[str]:
        """The translations the page's catalogue gives (not outdated), and the messages it
        translates as themselves."""
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        language = current_language(self.config)
        for folder in self.config.locale_dirs:
            path = Path(self.env.srcdir, folder, language, "LC_MESSAGES", f"{domain}.po")
            if path.is_file():
                with path.open("rb") as stream:
                    catalogue = read_po(stream)
                return {str(m.string) for m in catalogue if m.id and m.string and not m.fuzzy}
        return set()


def translation_state(doctree: nodes.document) -> str:
    """``complete``, ``partial`` or ``untranslated``, from :class:`TranslationProgress`.

    A page without a catalogue has no counts at all: untranslated.
    """
    progress = doctree.get("handbook_translation") or {}
    total, translated = progress.get("total", 0), progress.get("translated", 0)
    if not translated:
        return "untranslated"
    return "complete" if translated >= total else "partial"


def translation_notice(app: Sphinx, pagename: str, doctree: nodes.document) -> str:
    """The notice at the top of a page that is not (fully) translated, or ``""``."""
    state = translation_state(doctree)
    if state == "complete":
        return ""
    if state == "untranslated":
        lead = _("This page has not been translated yet: you are reading the English original.")
    else:
        lead = _(
            "Parts of this page are not translated yet, or the translation may be behind "
            "the English page: those parts are shown in English."
        )
    source = app.config.handbook_source_language
    english = next(
        (link["href"] for link in switcher_links(app, pagename) if link["lang"] == source), ""
    )
    help_url = app.config.handbook_translation_help
    if not help_url and "contributing" in app.env.found_docs:
        help_url = app.builder.get_relative_uri(pagename, "contributing") + "#translating"
    links = []
    if english:
        links.append(
            f'<a href="{html.escape(english, quote=True)}" hreflang="{source}">'
            f"{html.escape(_('Read the English page'))}</a>"
        )
    if help_url:
        links.append(
            f'<a href="{html.escape(help_url, quote=True)}">{html.escape(_("Help translate"))}</a>'
        )
    label = html.escape(_("Translation status"), quote=True)
    items = "".join(f"<li>{link}</li>" for link in links)
    return (
        f'<aside class="handbook-translation-notice d-print-none" data-state="{state}" '
        f'aria-label="{label}">\n'
        f'<p class="handbook-translation-notice__lead">{html.escape(lead)}</p>\n'
        f'<ul class="handbook-translation-notice__links">{items}</ul>\n'
        "</aside>\n"
    )


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    """Write this language's sitemap, each entry with its alternates."""
    if exception is not None or app.builder.name not in HTML_BUILDERS:
        return
    config = app.config
    if not site_url(config) or current_language(config) not in languages(config):
        return
    write_sitemap(app, Path(app.outdir) / "sitemap.xml")


def write_sitemap(app: Sphinx, path: Path) -> None:
    config = app.config
    here = current_language(config)
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("xhtml", XHTML_NS)
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for docname in sorted(app.env.found_docs - NOT_IN_SITEMAP):
        uri = page_uri(app, docname)
        url = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = absolute_url(config, here, uri)
        alternates = [(lang, lang) for lang in languages(config)]
        alternates.append(("x-default", config.handbook_source_language))
        if len(alternates) < 3:  # one language: nothing to alternate with
            alternates = []
        for hreflang, lang in alternates:
            ET.SubElement(
                url,
                f"{{{XHTML_NS}}}link",
                {"rel": "alternate", "hreflang": hreflang, "href": absolute_url(config, lang, uri)},
            )
    data = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("handbook_languages", {"en": ""}, "html", types=frozenset({dict}))
    app.add_config_value("handbook_language_names", {}, "html", types=frozenset({dict}))
    app.add_config_value("handbook_source_language", "en", "env", types=frozenset({str}))
    app.add_config_value("handbook_site_url", "", "html", types=frozenset({str}))
    app.add_config_value("handbook_translation_help", "", "html", types=frozenset({str}))
    app.add_transform(TranslationProgress)
    app.connect("config-inited", on_config_inited, priority=100)
    app.connect("html-page-context", on_html_page_context)
    app.connect("build-finished", on_build_finished, priority=400)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
