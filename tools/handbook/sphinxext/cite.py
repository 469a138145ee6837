"""Cite this page: each page's citation, in BibTeX and as text, under its article.

Every page with a review date (``last_reviewed`` in its front matter) gets a
"Cite this page" block in the article footer (``handbook-cite.html``, an
expandable ``<details>``, hidden in print): its citation as an ``@online``
BibTeX entry and as APA-like text, both built when the page is written from

* the page's title, as the page shows it (a translated page: its translation);
* the handbook's metadata (``project``, ``author``, ``release``: the package's
  version, :mod:`handbook.version`);
* the page's canonical URL (``html_baseurl``, which each language's build has
  of its own, so a translated page cites its own address);
* the page's ``last_reviewed`` date, as its date and ``urldate``, so that two
  builds of one source cite the same.

The BibTeX is an ``@online`` entry keyed ``mlehandbook<year><page>`` that
parses with pybtex and passes ``handbook bib check --select``
:data:`BIB_CHECKS` (syntax, the key's form and year, required fields, the
URL and its ``urldate``); the reading list's own house rules (annotations,
keywords) are not its.  A copy button (``static/cite.js``) uses the
clipboard API where there is one; the entry is plain selectable text in any
case.  The words ("Cite this page", "Version", "Retrieved ...") are
``sphinx.po``'s.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from sphinx.locale import _

import handbook

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.util.typing import ExtensionMetadata

#: The checks of ``handbook bib check`` a page's BibTeX passes (tests/site/test_cite_site.py).
BIB_CHECKS = (
    "BIB001",  # parse-error
    "BIB002",  # stray-text
    "BIB003",  # duplicate-key
    "BIB004",  # duplicate-field
    "BIB005",  # entry-type
    "BIB006",  # required-fields
    "BIB007",  # key-format
    "BIB008",  # key-year
    "BIB014",  # url-format
    "BIB015",  # url-https
    "BIB022",  # urldate
)
_TAGS = re.compile(r"<[^>]+>")


def bibtex_escape(text: str) -> str:
    """``text`` safe inside a braced BibTeX field: braces, ``\\``, ``%``, ``&``, ``#``,
    ``_``, ``$`` escaped."""
    out = text.replace("\\", r"\textbackslash{}")
    for char in "{}%&#_$":
        out = out.replace(char, "\\" + char)
    return out.replace(r"\textbackslash\{\}", r"\textbackslash{}")


def cite_key(pagename: str, year: int) -> str:
    """``mlehandbook2026startskillmix`` for ``start/skill-mix`` reviewed in 2026."""
    ascii_name = unicodedata.normalize("NFKD", pagename).encode("ascii", "ignore").decode()
    word = re.sub(r"[^a-z0-9]", "", ascii_name.lower()) or "page"
    if not word[0].isalpha():
        word = f"page{word}"
    return f"mlehandbook{year}{word}"


def page_citation(
    *,
    title: str,
    pagename: str,
    url: str,
    reviewed: dt.date,
    project: str | None,
    author: str,
    version: str,
    language: str,
) -> dict[str, str]:
    """A citation: ``bibtex``, ``text`` and the ``key``.  ``project`` is the work the
    page is part of (None: the citation is of the whole work, ``title``)."""
    key = cite_key(pagename, reviewed.year)
    fields = [
        ("author", "{" + bibtex_escape(author) + "}"),
        ("title", bibtex_escape(title)),
        *([("booktitle", bibtex_escape(project))] if project else []),
        ("year", str(reviewed.year)),
        ("date", reviewed.isoformat()),
        ("version", bibtex_escape(version)),
        ("url", url),
        ("urldate", reviewed.isoformat()),
        ("language", language),
    ]
    width = max(len(name) for name, _value in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    bibtex = f"@online{{{key},\n{body}\n}}\n"
    date = format_date(reviewed, format=str(_("y, MMMM d")), locale=language)
    if project:
        template = _("{author} ({date}). {title}. In {project} (Version {version}). {url}")
    else:
        template = _("{author} ({date}). {title} (Version {version}). {url}")
    text = str(template).format(
        author=author, date=date, title=title, project=project, version=version, url=url
    )
    return {"key": key, "bibtex": bibtex, "text": text}


def _reviewed(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None  # check-pages reports it


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Put the page's citation in its context (``handbook_citation``), if it has a review date."""
    reviewed = _reviewed(app.env.metadata.get(pagename, {}).get("last_reviewed", ""))
    if doctree is None or reviewed is None:
        return
    base = app.config.html_baseurl
    if not base:
        return
    title = html.unescape(_TAGS.sub("", context.get("title", ""))).strip() or app.config.project
    url = base.rstrip("/") + "/" + app.builder.get_target_uri(pagename)  # the canonical URL
    app.add_js_file(SCRIPT, loading_method="defer")  # this page's, before bundling (500)
    context["handbook_citation"] = page_citation(
        title=title,
        pagename=pagename,
        url=url,
        reviewed=reviewed,
        project=app.config.project,
        author=app.config.author,
        version=app.config.release,
        language=app.config.language or "en",
    )


STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"
SCRIPT = "cite.js"


def on_config_inited(app: Sphinx, config: Config) -> None:
    """Find the block's template (``templates/handbook-cite.html``) and script."""
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path = [*config.templates_path, str(TEMPLATES)]
    if str(STATIC) not in config.html_static_path:
        config.html_static_path = [*config.html_static_path, str(STATIC)]


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("config-inited", on_config_inited)
    app.connect("html-page-context", on_html_page_context, priority=400)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
