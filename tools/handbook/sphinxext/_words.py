"""The extensions' words for readers, in the language of the build.

What our extensions write for readers when a page is read or written goes
through Sphinx's own ``sphinx`` message domain (``from sphinx.locale import
_``), which a project's ``locales/<language>/LC_MESSAGES/sphinx.po``
translates: Sphinx loads it before its own catalogues and the themes'.
``_()`` is called while a page is read or written, never at import, so that
each build speaks its own language; a sentence with values in it names them
(``_("{count} checks").format(count=n)``), so that a translation may put
them in its own order.  (Words defined in a page's Markdown, such as the
self-assessment's, are the page's text and translated with it.)

This module holds what several extensions share:

* :func:`role_name`: a role's name, as :data:`handbook.vocabulary.ROLE_NAMES`
  gives it in English;
* :func:`sentence`: a translated sentence whose ``{placeholders}`` hold nodes
  (a link, a name in bold);
* :func:`theme_fallback`: the book theme's words that its own catalogue lacks
  (the search box's "Search...", "Suggest edit", "Repository") are looked up
  in the ``sphinx`` domain too, so that ``sphinx.po`` translates them;
* :func:`note_catalogue`: a page whose doctree holds translated words (made
  when it is read) depends on ``sphinx.po``, so that an incremental build
  re-reads it when a translation changes.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import locale
from sphinx.locale import _

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: The book theme's message domain (``sphinx_book_theme.MESSAGE_CATALOG_NAME``).
THEME_DOMAIN = "booktheme"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def note_catalogue(env: BuildEnvironment) -> None:
    """Make the page being read depend on the ``sphinx.po`` of the build's language."""
    language = env.config.language
    for folder in env.config.locale_dirs:
        catalogue = Path(env.srcdir, folder, language, "LC_MESSAGES", "sphinx.po")
        if catalogue.is_file():
            env.note_dependency(str(catalogue))


def role_name(role: str) -> str:
    """A role's name for readers: ``swe`` -> "Software engineer"."""
    names = {
        "swe": _("Software engineer"),
        "pm": _("Product manager"),
        "ds": _("Data scientist"),
    }
    return str(names[role])


def sentence(template: str, **parts: nodes.Node | str) -> list[nodes.Node]:
    """``template`` with each ``{name}`` replaced by ``parts[name]``, as nodes.

    ``sentence(_("{check} was removed."), check=nodes.strong(...))``: the text
    between the placeholders becomes text nodes.  A placeholder that ``parts``
    does not name (a translator's typo) stays as it is written.
    """
    out: list[nodes.Node] = []
    start = 0
    for match in _PLACEHOLDER.finditer(template):
        part = parts.get(match.group(1))
        if part is None:
            continue
        if match.start() > start:
            out.append(nodes.Text(template[start : match.start()]))
        out.append(nodes.Text(part) if isinstance(part, str) else part)
        start = match.end()
    if start < len(template):
        out.append(nodes.Text(template[start:]))
    return out


class _SphinxDomain(gettext.NullTranslations):
    """Another domain's last fallback: the ``sphinx`` domain, where ``sphinx.po`` is."""

    def gettext(self, message: str) -> str:
        return str(_(message))


def theme_fallback(app: Sphinx) -> None:
    """Look up in the ``sphinx`` domain the book theme's words its own catalogue lacks.

    The theme translates its header buttons and search box in a domain of its
    own (``booktheme``), whose Japanese catalogue misses some of them (it has
    "suggest edit", the page shows "Suggest edit").  A word its catalogue
    translates is left as the theme has it.
    """
    translator = locale.translators.get(("general", THEME_DOMAIN))
    if translator is None:
        return  # not the book theme
    link: gettext.NullTranslations | None = translator
    while link is not None:
        if isinstance(link, _SphinxDomain):
            return  # added by an earlier build in this process
        link = getattr(link, "_fallback", None)
    translator.add_fallback(_SphinxDomain())


def borrowed_words() -> tuple[str, ...]:
    """Words of Sphinx and of the theme that their own Japanese catalogues lack.

    Never called for its value: ``handbook i18n update`` extracts these ``_()``
    calls into ``sphinx.pot``, so that refreshing ``sphinx.po`` keeps their
    translations (a gettext build does not collect the theme's templates or
    Sphinx's own words).  Sphinx and :func:`theme_fallback` look them up in the
    ``sphinx`` domain.
    """
    return (
        # Sphinx's permalinks (its Japanese catalogue has only "Permalink to this ...")
        _("Link to this heading"),
        _("Link to this term"),
        _("Link to this image"),
        _("Link to this table"),
        # The theme: the colour-mode button, the header buttons, the logo's alt text
        # (html_theme_options["logo"]["alt_text"] in docs/conf.py)
        _("Color mode"),
        _("System Settings"),
        _("Repository"),
        _("Source repositories"),
        _("Suggest edit"),
        _("The ML Engineer's Handbook — home"),
    )
