"""``handbook check-pages``: lint the handbook's pages.

Usage::

    handbook check-pages                      # every page, fragment and SVG under docs/
    handbook check-pages docs/swe/testing.md  # some pages (and the SVGs they show)
    handbook check-pages --format github      # annotations for GitHub Actions
    handbook check-pages --list-checks        # the codes and what each one checks

Each check is a small function registered with :func:`check` under a code
(``PAGE001`` ...); its docstring says what it checks, with a Bad and a Good
example, and ``--list-checks`` prints the first line.  Checks apply to one of:

``page``     every page Sphinx builds (not the included fragments of docs/_glossary)
``chapter``  a page of a part folder (docs/start, swe, pm, ds) other than its index.md
``content``  pages and fragments: what a reader sees or the browser runs
``svg``      every SVG file under docs/ and every SVG a checked page shows

Files under docs/_build and docs/_templates are not pages and are never read.
Findings are printed as ``path:line: CODE message``, sorted; the exit status
is 0 when clean, 1 with findings, 2 when a path cannot be checked (missing,
unreadable, not UTF-8, not under the docs directory), said on standard error as
``path:line: INPUT message`` (:mod:`handbook.files`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from xml.parsers import expat

from sphinx.util import docname_join, url_re
from sphinx.util.matching import patfilter
from sphinx.util.nodes import explicit_title_re

from handbook import myst
from handbook.data import checks as checkids
from handbook.files import UnusableInputError, display_path, read_bytes
from handbook.files import read_text as read_file
from handbook.findings import (
    EXIT_UNUSABLE,
    Finding,
    exit_status,
    print_github,
    print_json,
    print_text,
)
from handbook.pages import markdown
from handbook.pages.frontmatter import validate
from handbook.pages.markdown import Document, count_words, visible_text

Scope = Literal["page", "chapter", "content", "svg"]
Result = Iterable[tuple[int, str]]

# -- The registry ----------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    scope: Scope
    func: Callable[..., Result]

    @property
    def summary(self) -> str:
        return (self.func.__doc__ or "").strip().splitlines()[0]


CHECKS: dict[str, Check] = {}


def check(code: str, scope: Scope) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """Register ``check_<name>(target, site)`` under ``code``; it yields ``(line, message)``."""

    def register(func: Callable[..., Result]) -> Callable[..., Result]:
        if not func.__name__.startswith("check_"):
            raise ValueError(f"check {func.__name__} must be named check_<name>")
        if code in CHECKS:
            raise ValueError(f"check code {code} is registered twice")
        name = func.__name__.removeprefix("check_").replace("_", "-")
        CHECKS[code] = Check(code, name, scope, func)
        return func

    return register


# -- What the checks see ---------------------------------------------------------


@dataclass(frozen=True)
class SvgFile:
    path: Path
    display: str
    data: bytes


@dataclass
class Site:
    """Every page under the docs directory, for the checks that need more than one page."""

    docs_root: Path
    documents: dict[Path, Document] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)
    _listed: set[str] | None = None

    _checks: checkids.ChecksFile | bool | None = False

    @property
    def checks(self) -> checkids.ChecksFile | None:
        """``docs/_data/checks.yaml``: the record of check IDs (None: missing or unusable)."""
        if self._checks is False:
            self._checks = checkids.read(self.docs_root / CHECKS_FILE)
        return self._checks  # type: ignore[return-value]

    @property
    def docnames(self) -> set[str]:
        return {doc.docname for doc in self.documents.values() if doc.kind == "page"}

    @property
    def listed(self) -> set[str]:
        """The docnames some page's toctree lists."""
        if self._listed is None:
            docnames = self.docnames
            self._listed = {
                entry
                for doc in self.documents.values()
                if doc.kind == "page"
                for directive in doc.directives
                if directive.name == "toctree"
                for entry in toctree_entries(directive, doc.docname, docnames)
            }
        return self._listed


def toctree_entries(directive: myst.Directive, docname: str, docnames: set[str]) -> list[str]:
    """The docnames a ``{toctree}`` lists: explicit titles, absolute and relative entries, globs.

    Entries are read with Sphinx's own patterns and :func:`sphinx.util.docname_join`,
    as its ``toctree`` directive reads them.
    """
    glob = "glob" in directive.options
    found: list[str] = []
    for raw in directive.content.splitlines():
        entry = raw.strip()
        if not entry:
            continue
        explicit = explicit_title_re.match(entry)
        if glob and not explicit and not url_re.match(entry):
            # imported here, as only a :glob: toctree needs it: importing
            # sphinx.directives.other would add a third to a check-pages run
            from sphinx.directives.other import glob_re

            if glob_re.match(entry):
                found += patfilter(docnames - {docname}, docname_join(docname, entry))
                continue
        ref = explicit.group(2) if explicit else entry
        if url_re.match(ref) or ref == "self":
            continue
        found.append(docname_join(docname, ref.removesuffix(".md")))
    return found


# -- Pages -----------------------------------------------------------------------


@check("PAGE001", "page")
def check_in_toctree(doc: Document, site: Site) -> Result:
    """Every page is listed in some page's toctree, or says ``orphan: true``.

    A page no toctree lists is built but unreachable from the navigation.
    Bad:  docs/swe/new-chapter.md, listed in no ``{toctree}``
    Good: its slug ``new-chapter`` in the ``{toctree}`` of docs/swe/index.md
    """
    orphan = doc.front_matter is not None and doc.front_matter.data.get("orphan") is True
    if doc.docname != "index" and not orphan and doc.docname not in site.listed:
        yield 1, f"page is in no toctree; add `{doc.docname}` to a toctree or set `orphan: true`"


@check("PAGE002", "page")
def check_front_matter_present(doc: Document, site: Site) -> Result:
    """A page starts with a YAML front-matter block that parses to a mapping.

    Bad:  a page whose first line is ``# Title``
    Good: ``---`` / ``title: ...`` ... / ``---`` as the page's first lines
    """
    if doc.front_matter_error is not None:
        yield doc.front_matter_error.line, doc.front_matter_error.message
    elif doc.front_matter is None:
        yield (
            1,
            (
                "page has no front matter; start it with a --- block of "
                "title, description, roles, level and last_reviewed"
            ),
        )


def _front_matter_problems(doc: Document, site: Site, kind: str) -> Result:
    if doc.front_matter is not None:
        for problem in validate(doc.front_matter, today=site.today):
            if problem.kind == kind:
                yield problem.line, problem.message


@check("PAGE003", "page")
def check_front_matter_required(doc: Document, site: Site) -> Result:
    """Front matter has title, description, roles, level and last_reviewed.

    Bad:  ``title: Testing`` alone
    Good: ``title``, ``description``, ``roles``, ``level`` and ``last_reviewed`` all set
    """
    yield from _front_matter_problems(doc, site, "required")


@check("PAGE004", "page")
def check_front_matter_values(doc: Document, site: Site) -> Result:
    """Front-matter values are well formed.

    title: a non-empty string; description: one sentence of at most 200
    characters ending with a full stop; roles: a list of swe, pm, ds without
    repeats; level: one of intro, practitioner, advanced; last_reviewed: a
    date YYYY-MM-DD, not in the future.
    Bad:  ``roles: swe`` / ``level: [intro]`` / ``last_reviewed: 27/11/2026``
    Good: ``roles: [swe]`` / ``level: intro`` / ``last_reviewed: 2026-11-27``
    """
    yield from _front_matter_problems(doc, site, "value")


@check("PAGE005", "page")
def check_front_matter_keys(doc: Document, site: Site) -> Result:
    """Front matter has no keys but the required ones and a short allowlist.

    Allowed besides the required keys: orphan, nosearch, tocdepth, og:image, og:image:alt.
    Bad:  ``last_reveiwed: 2026-11-27``
    Good: ``last_reviewed: 2026-11-27``
    """
    yield from _front_matter_problems(doc, site, "unknown")


@check("PAGE019", "page")
def check_no_title_heading(doc: Document, site: Site) -> Result:
    """A page has no ``#`` heading: its front-matter title is the page's title.

    Bad:  ``# Testing ML systems`` under the front matter
    Good: ``title: Testing ML systems`` in the front matter, and ``##`` sections
    """
    for section in markdown.sections(doc, level=1):
        yield section.line, "a `#` heading; the front-matter `title` is already the page's heading"


# -- Chapters --------------------------------------------------------------------

IN_SHORT, CHECKLIST, FURTHER_READING = "In short", "Checklist", "Further reading"
MIN_WORDS = 1200
MIN_CITATIONS = 3


@check("PAGE006", "chapter")
def check_in_short(doc: Document, site: Site) -> Result:
    """A chapter's first ``##`` section is ``## In short``, with 3 to 5 bullets.

    Bad:  ``## Introduction`` first, or ``## In short`` with one long paragraph
    Good: ``## In short`` followed by ``- ...`` three to five times
    """
    found = markdown.sections(doc)
    if not found or found[0].title != IN_SHORT:
        line = found[0].line if found else 1
        yield line, "a chapter's first `##` section must be `## In short`"
        return
    bullets = len(markdown.top_level_items(found[0].tokens))
    if not 3 <= bullets <= 5:
        yield found[0].line, f"`## In short` has {bullets} bullets; give 3 to 5"


@check("PAGE007", "chapter")
def check_closing_sections(doc: Document, site: Site) -> Result:
    """A chapter's last two ``##`` sections are ``## Checklist`` then ``## Further reading``.

    Bad:  ``## Further reading`` before ``## Checklist``, or ``## Summary`` last
    Good: ... ``## Checklist`` ... ``## Further reading`` (the end of the page)
    """
    found = markdown.sections(doc)
    if [section.title for section in found[-2:]] == [CHECKLIST, FURTHER_READING]:
        return
    lines = {section.title: section.line for section in found}
    for title in (CHECKLIST, FURTHER_READING):
        if title not in lines:  # reported at the last heading, which it should follow
            yield found[-1].line if found else 1, f"a chapter needs a `## {title}` section"
    if CHECKLIST in lines and FURTHER_READING in lines:
        yield (
            lines[CHECKLIST],
            "`## Checklist` and `## Further reading` must be the last two `##` sections, "
            "in that order",
        )


_CHECKBOX = re.compile(r"^\[ \]\s+\S")


@check("PAGE008", "chapter")
def check_checklist_items(doc: Document, site: Site) -> Result:
    """``## Checklist`` is a list of ``- [ ]`` items.

    Bad:  ``- Test the model.`` under ``## Checklist``
    Good: ``- [ ] The model has a test that fails when its accuracy drops.``
    """
    for section in markdown.sections(doc):
        if section.title != CHECKLIST:
            continue
        items = markdown.top_level_items(section.tokens)
        if not items:
            yield section.line, "`## Checklist` has no `- [ ]` items"
        for line, text in items:
            if not _CHECKBOX.match(text):
                yield line, "checklist item does not start with `[ ]`"


#: The record of check IDs, relative to the docs directory.
CHECKS_FILE = Path("_data") / "checks.yaml"


def _checklist(doc: Document) -> tuple[int, list[tuple[int, checkids.Item]]] | None:
    """The line of ``## Checklist`` and its items, parsed; None without one."""
    for section in markdown.sections(doc):
        if section.title == CHECKLIST:
            items = markdown.top_level_items(section.tokens)
            return section.line, [(line, checkids.parse_item(text)) for line, text in items]
    return None


@check("PAGE020", "chapter")
def check_check_ids(doc: Document, site: Site) -> Result:
    """Every checklist item starts with a well-formed ID of its chapter, given once.

    Bad:  ``- [ ] Rollback is rehearsed.``, ``- [ ] swe-ship-4: ...``, two items ``SWE-SHIP-4``
    Good: ``- [ ] SWE-SHIP-4: Rollback is rehearsed.`` (the chapter's code, a number)
    """
    found = _checklist(doc)
    if found is None:
        return
    heading, items = found
    registry = site.checks
    if registry is None:
        yield (
            heading,
            (
                f"no usable docs/{CHECKS_FILE.as_posix()}, the record of check IDs "
                "(`handbook check-data` says why)"
            ),
        )
        return
    chapter = registry.by_page().get(doc.docname)
    if chapter is None:
        yield (
            heading,
            (f"this chapter has no code in docs/{CHECKS_FILE.as_posix()}: add it under `chapters`"),
        )
        return
    next_free = chapter.issued
    seen: dict[str, int] = {}
    for line, item in items:
        if not item.box:
            continue  # not a checklist item at all: PAGE008
        if item.token is None:
            next_free += 1
            yield (
                line,
                (
                    f"checklist item has no ID: start it `{chapter.code}-{next_free}: ` and raise "
                    f"`issued` of {doc.docname} to {next_free} in docs/{CHECKS_FILE.as_posix()}"
                ),
            )
            continue
        if item.id is None:
            yield (
                line,
                (
                    f"`{item.token}` is not a check ID: write the part, the chapter's code and a "
                    f"number, like `{chapter.code}-1`"
                ),
            )
            continue
        code, number = checkids.split_id(item.id)
        if code != chapter.code:
            yield line, f"`{item.id}` is not this chapter's: its IDs start `{chapter.code}-`"
        elif number > chapter.issued:
            yield (
                line,
                (
                    f"`{item.id}` is above the last number issued, {chapter.issued}: raise "
                    f"`issued` of {doc.docname} to {number} in docs/{CHECKS_FILE.as_posix()}"
                ),
            )
        if item.id in seen:
            yield line, f"`{item.id}` is given twice (first on line {seen[item.id]})"
        seen.setdefault(item.id, line)


@check("PAGE021", "chapter")
def check_retired_check_ids(doc: Document, site: Site) -> Result:
    """An ID once issued stays: in the checklist, or retired in docs/_data/checks.yaml.

    Bad:  ``SWE-SHIP-4`` deleted from the checklist, and not in ``retired``
    Good: ``retired: [{id: SWE-SHIP-4, merged_into: SWE-SHIP-2, reason: ...}]``
    """
    found = _checklist(doc)
    registry = site.checks
    if found is None or registry is None:
        return  # PAGE020 says why there is nothing to compare
    chapter = registry.by_page().get(doc.docname)
    if chapter is None:
        return
    heading, items = found
    present = {item.id: line for line, item in items if item.id}
    retired = registry.retired_ids()
    for check_id, line in present.items():
        if check_id in retired:
            where = retired[check_id].merged_into
            went = f"merged into {where}" if where else "removed"
            yield (
                line,
                (
                    f"`{check_id}` is retired ({went}): IDs are never reused; give this item "
                    f"`{chapter.code}-{chapter.issued + 1}`"
                ),
            )
    for number in range(1, chapter.issued + 1):
        check_id = f"{chapter.code}-{number}"
        if check_id not in present and check_id not in retired:
            yield (
                heading,
                (
                    f"`{check_id}` was issued but is not in the checklist: retire it in "
                    f"docs/{CHECKS_FILE.as_posix()} (with `merged_into` if it went into another "
                    "check), or put it back"
                ),
            )


@check("PAGE022", "content")
def check_check_references(doc: Document, site: Site) -> Result:
    """``{check}`` names a check in use.

    Bad:  ``{check}`SWE-SHIP-99``` (never issued) or a retired ID
    Good: ``{check}`SWE-SHIP-4```
    """
    registry = site.checks
    for role in doc.roles:
        if role.name != "check":
            continue
        check_id = role.content.strip()
        if checkids.CHECK_ID.match(check_id) is None:
            yield role.line, f"`{{check}}` needs a check ID, like SWE-SHIP-4, not `{check_id}`"
        elif registry is not None and not registry.issued(check_id):
            yield role.line, f"`{{check}}` names `{check_id}`, which was never issued"
        elif registry is not None and check_id in registry.retired_ids():
            where = registry.retired_ids()[check_id].merged_into
            instead = f"; link `{where}`, which it went into" if where else ""
            yield role.line, f"`{{check}}` names `{check_id}`, which is retired{instead}"


@check("PAGE009", "chapter")
def check_prose_length(doc: Document, site: Site) -> Result:
    """A chapter has at least 1,200 words of prose.

    Counted: the words of paragraphs and list items, also inside admonitions,
    figures' captions and other directives whose body is Markdown.  Not counted:
    front matter, headings, tables, definition-list terms, code blocks, inline
    code, raw HTML, comments, directive arguments and options, and roles other
    than ``{term}`` (a citation is not prose).
    Bad:  a chapter of 600 words
    Good: a chapter of 1,400 words
    """
    words = sum(
        count_words(visible_text(inline.token))
        for inline in doc.inlines
        if inline.context == "paragraph"
    )
    if words < MIN_WORDS:
        yield 1, f"chapter has {words:,} words of prose; it needs at least {MIN_WORDS:,}"


_PRE_POST_NOTE = re.compile(r"\{[^{}]*\}")


def citation_keys(doc: Document) -> set[str]:
    """The keys cited with {cite}, {cite:t}, {cite:p} and the other cite roles."""
    keys: set[str] = set()
    for role in doc.roles:
        if role.name in {"cite", "footcite"} or role.name.startswith(("cite:", "footcite:")):
            text = _PRE_POST_NOTE.sub("", role.content)
            keys |= {key.strip() for key in text.split(",") if key.strip()}
    return keys


@check("PAGE010", "chapter")
def check_citations(doc: Document, site: Site) -> Result:
    """A chapter cites at least 3 distinct works.

    Any of the cite roles counts, and one role may cite several keys.
    Bad:  one work cited three times
    Good: ``{cite:t}`sculley2015hidden``` ... ``{cite:p}`breck2017rubric,amershi2019se```
    """
    keys = citation_keys(doc)
    if len(keys) < MIN_CITATIONS:
        yield 1, f"chapter cites {len(keys)} distinct works; it needs at least {MIN_CITATIONS}"


# -- Content: pages and fragments --------------------------------------------------

_PLACEHOLDER = re.compile(r"\b(TODO|FIXME|TBD|XXX)\b|\b(lorem\s+ipsum)\b", re.IGNORECASE)


def _placeholder(match: re.Match[str]) -> str | None:
    word = match.group(1)
    if word is not None:
        return word if word.isupper() else None  # "a todo list" is prose
    return " ".join(match.group(2).split())


@check("PAGE011", "content")
def check_placeholders(doc: Document, site: Site) -> Result:
    """No placeholder text (TODO, FIXME, TBD, XXX, lorem ipsum) outside code.

    TODO, FIXME, TBD and XXX count as words in capitals; code spans and code
    blocks may contain them, link targets are not read.
    Bad:  ``The rollout section is TODO.``
    Good: ``Write `# TODO` comments in code, not in prose.``
    """
    for span in doc.spans:
        if span.kind == "href":
            continue
        for match in _PLACEHOLDER.finditer(span.text):
            word = _placeholder(match)
            if word:
                line = span.line + span.text[: match.start()].count("\n")
                yield line, f"placeholder text {word!r}; write the content or remove it"


_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_DANGEROUS_TAG = re.compile(
    r"<\s*(script|iframe|frame|frameset|object|embed|applet|base|link|meta|style|form)\b",
    re.IGNORECASE,
)
_START_TAG = re.compile(r"<[a-zA-Z][^>]*>?")
_EVENT_HANDLER = re.compile(r"[\s\"'/](on[a-z]+)\s*=", re.IGNORECASE)


def _without_comments(text: str) -> str:
    """Blank out HTML comments, keeping newlines so that offsets still give lines."""
    return _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


@check("PAGE012", "content")
def check_unsafe_html(doc: Document, site: Site) -> Result:
    """No raw HTML that runs script or embeds other pages.

    Flags <script>, <iframe>, <frame>, <object>, <embed>, <applet>, <base>,
    <link>, <meta>, <style>, <form> and on* event-handler attributes.
    Bad:  ``<iframe src="https://example.com"></iframe>`` / ``<b onclick="...">``
    Good: ``[Example](https://example.com)`` / ``**bold**``
    """
    for span in doc.html:
        text = _without_comments(span.text)
        for match in _DANGEROUS_TAG.finditer(text):
            line = span.line + text[: match.start()].count("\n")
            yield line, f"raw HTML <{match.group(1).lower()}> is not allowed in a page"
        for tag in _START_TAG.finditer(text):
            for handler in _EVENT_HANDLER.finditer(tag.group(0)):
                line = span.line + text[: tag.start() + handler.start()].count("\n")
                yield line, f"raw HTML event handler `{handler.group(1).lower()}=` is not allowed"


_SCRIPT_URL = re.compile(r"(javascript|vbscript):|data:text/html", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def script_url(text: str) -> str | None:
    """The script scheme in ``text`` (``javascript:`` ...), seen through entities and whitespace."""
    match = _SCRIPT_URL.search(_INVISIBLE.sub("", html.unescape(text)))
    return match.group(0).lower() if match else None


@check("PAGE013", "content")
def check_script_urls(doc: Document, site: Site) -> Result:
    """No ``javascript:``, ``vbscript:`` or ``data:text/html`` URLs, in links, HTML or text.

    Markdown drops such links but leaves their text, so they are flagged in prose too.
    Bad:  ``[Run](javascript:alert(1))`` / ``<a href="javascript:...">``
    Good: ``[Run the notebook](https://example.com/notebook)``
    """
    for span in doc.spans:
        text = _without_comments(span.text) if span.kind == "html" else span.text
        found = False
        for offset, line_text in enumerate(text.split("\n")):
            scheme = script_url(line_text)
            if scheme:
                found = True
                yield span.line + offset, f"`{scheme}` URL; link to a page instead"
        scheme = None if found else script_url(text)
        if scheme:  # split over lines: reported where the span starts
            yield span.line, f"`{scheme}` URL; link to a page instead"


FORBIDDEN_DIRECTIVES = {
    "raw": "`{raw}` puts unchecked HTML in the page",
    "eval-rst": "`{eval-rst}` bypasses the Markdown checks; write MyST Markdown",
}


@check("PAGE014", "content")
def check_forbidden_directives(doc: Document, site: Site) -> Result:
    """No ``{raw}`` or ``{eval-rst}`` directives.

    Bad:  ```` ```{raw} html ```` / ```` ```{eval-rst} ````
    Good: MyST Markdown: admonitions, figures, tables
    """
    for directive in doc.directives:
        if directive.name in FORBIDDEN_DIRECTIVES:
            yield directive.line, FORBIDDEN_DIRECTIVES[directive.name]


def _resolve(doc: Document, target: str) -> Path:
    """A file a directive names, as MyST resolves it: from the page's folder, or docs/ for /x."""
    target = target.strip()
    if target.startswith("<") and target.endswith(">"):  # docutils' standard includes
        return Path(os.sep, "docutils-standard-include", target[1:-1])
    if target.startswith("/"):
        return (doc.docs_root / target.lstrip("/")).resolve()
    return (doc.path.parent / target).resolve()


@check("PAGE015", "content")
def check_includes_inside_docs(doc: Document, site: Site) -> Result:
    """``{include}``, ``{literalinclude}`` and ``{csv-table}`` read files inside docs/ only.

    Bad:  ```` ```{include} ../README.md ```` / ```` ```{literalinclude} /../tools/x.py ````
    Good: ```` ```{include} _glossary/swe.md ````
    """
    root = doc.docs_root.resolve()
    for directive in doc.directives:
        targets: list[tuple[int, str]] = []
        if directive.name in {"include", "literalinclude"} and directive.argument:
            targets.append((directive.line, directive.argument))
        if directive.name == "csv-table" and "file" in directive.options:
            targets.append((directive.options["file"].line, directive.options["file"].value))
        for line, target in targets:
            if not _resolve(doc, target).is_relative_to(root):
                yield line, f"`{{{directive.name}}}` of {target!r}, a file outside docs/"


_REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_DATA_IMAGE = re.compile(r"^\s*data:image/", re.IGNORECASE)
_REMOTE_ATTRIBUTES = ("src", "srcset", "poster", "data", "background")


def is_remote(url: str) -> bool:
    """Whether a src loads from another site (any scheme or //host), a data: image excepted."""
    return bool(_REMOTE.match(url)) and not _DATA_IMAGE.match(url)


@check("PAGE016", "content")
def check_no_remote_content(doc: Document, site: Site) -> Result:
    """Images and tables come from docs/, not from other sites.

    A remote image is fetched by every reader's browser from a server we do not
    control; a ``{csv-table}`` ``:url:`` is fetched at build time.
    Bad:  ``![A chart](https://example.com/chart.png)`` / ``:url: https://example.com/t.csv``
    Good: ``![A chart](figures/chart.svg)``, the file committed under docs/
    """
    for image in doc.images:
        if is_remote(image.src):
            yield image.line, f"image {image.src!r} is loaded from another site; commit it"
    for directive in doc.directives:
        if directive.name == "csv-table" and "url" in directive.options:
            yield directive.options["url"].line, "`{csv-table}` `:url:` fetches a remote file"
    for span in doc.html:
        text = _without_comments(span.text)
        for tag in _START_TAG.finditer(text):
            if tag.group(0).lower().startswith("<img") or _DANGEROUS_TAG.match(tag.group(0)):
                continue  # reported above, or by PAGE012
            attributes = myst.tag_attributes(tag.group(0))
            for name in _REMOTE_ATTRIBUTES:
                if name in attributes and is_remote(attributes[name]):
                    line = span.line + text[: tag.start()].count("\n")
                    yield line, f"raw HTML `{name}=` loads {attributes[name]!r} from another site"


_ALT_ADVICE = {
    "markdown": "write ![A description of the image]({src})",
    "directive": "add an `:alt:` option describing it",
    "html": "add an alt attribute describing it",
    "card": "add an `:img-alt:` option describing it",
}


@check("PAGE018", "content")
def check_image_alt_text(doc: Document, site: Site) -> Result:
    """Every image has alt text, for readers who cannot see it.

    Bad:  ``![](figures/flow.svg)`` / a ``{figure}`` without ``:alt:`` / ``<img src="x.png">``
    Good: ``![Requests flow from the app to the model service](figures/flow.svg)``
    """
    for image in doc.images:
        if image.alt is None or not image.alt.strip():
            advice = _ALT_ADVICE[image.syntax].format(src=image.src)
            yield image.line, f"image {image.src!r} has no alt text; {advice}"


# -- SVG files -------------------------------------------------------------------


class _StopParsing(Exception):
    pass


_CSS_EXTERNAL = re.compile(r"@import|url\(\s*['\"]?\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_CSS_DATA_URL = re.compile(r"url\(\s*['\"]?\s*data:", re.IGNORECASE)


def _css_external(text: str) -> bool:
    return bool(_CSS_EXTERNAL.search(_CSS_DATA_URL.sub("url(", text)))


def svg_problems(data: bytes) -> list[tuple[int, str]]:
    """What in an SVG could run script or fetch from elsewhere, by line.

    Parsed with the standard library's expat, refusing entity declarations (the
    guard defusedxml applies) and never loading external DTDs.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    problems: list[tuple[int, str]] = []
    in_style = 0

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal in_style
        line, local = parser.CurrentLineNumber, name.rsplit(" ", 1)[-1]
        if local.lower() == "script":
            problems.append((line, "SVG has a <script> element"))
        if local.lower() == "foreignobject":
            problems.append((line, "SVG has a <foreignObject> element, which can hold HTML"))
        in_style += local.lower() == "style"
        for qualified, value in attributes.items():
            attribute = qualified.rsplit(" ", 1)[-1]
            if attribute.lower().startswith("on"):
                problems.append((line, f"SVG has an event handler `{attribute}=`"))
            scheme = script_url(value)
            if scheme:
                problems.append((line, f"SVG has a `{scheme}` URL"))
            elif attribute == "href" and is_remote(value):
                problems.append((line, f"SVG references {value!r} outside the file"))
            elif _css_external(value):
                problems.append((line, f"SVG `{attribute}=` loads CSS from outside the file"))

    def end(name: str) -> None:
        nonlocal in_style
        in_style -= name.rsplit(" ", 1)[-1].lower() == "style" and in_style > 0

    def text(data: str) -> None:
        if in_style and _css_external(data):
            problems.append(
                (parser.CurrentLineNumber, "SVG <style> loads CSS from outside the file")
            )

    def processing_instruction(target: str, data: str) -> None:
        if target.lower() == "xml-stylesheet":
            problems.append(
                (parser.CurrentLineNumber, "SVG links a stylesheet (<?xml-stylesheet?>)")
            )

    def entity(*args: Any) -> None:
        problems.append((parser.CurrentLineNumber, "SVG declares an XML entity"))
        raise _StopParsing

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.ProcessingInstructionHandler = processing_instruction
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(data, True)
    except _StopParsing:
        pass
    except expat.ExpatError as exc:
        problems.append(
            (exc.lineno, f"SVG is not well-formed XML: {expat.errors.messages[exc.code]}")
        )
    return problems


@check("PAGE017", "svg")
def check_safe_svg(svg: SvgFile, site: Site) -> Result:
    """SVG files carry no script and load nothing from outside themselves.

    Flags <script>, <foreignObject>, on* handlers, javascript: URLs, href or
    xlink:href to another site, CSS @import or url(http...), xml-stylesheet
    instructions, entity declarations and XML that does not parse.
    Bad:  ``<svg onload="...">`` / ``<image href="https://example.com/x.png"/>``
    Good: ``<svg viewBox="0 0 100 50"><title>...</title><rect .../></svg>``
    """
    yield from svg_problems(svg.data)


# -- Running the checks ----------------------------------------------------------


def run_checks(target: Document | SvgFile, site: Site) -> list[Finding]:
    """Every finding of the checks that apply to ``target``."""
    if isinstance(target, SvgFile):
        scopes: set[str] = {"svg"}
    elif target.kind == "fragment":
        scopes = {"content"}
    else:
        scopes = {"page", "content"} | ({"chapter"} if target.is_chapter else set())
    return [
        Finding(target.display, line, entry.code, message)
        for entry in CHECKS.values()
        if entry.scope in scopes
        for line, message in entry.func(target, site)
    ]


def _absolute(path: Path) -> Path:
    return Path(os.path.normpath(path.absolute()))


def read_text(path: Path) -> str:
    """A page's text (without a byte-order mark, as Sphinx reads it).

    :class:`~handbook.files.UnusableInputError` when it is unreadable or not UTF-8.
    """
    return read_file(path, display_path(path)).removeprefix("\ufeff")


def discover(root: Path) -> list[Path]:
    """Every .md and .svg file under ``root``, except under docs/_build and docs/_templates."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        if Path(folder) == root:
            dirs[:] = [d for d in dirs if d not in markdown.SKIPPED_DIRS]
        dirs.sort()
        found += [Path(folder, name) for name in sorted(files) if name.endswith((".md", ".svg"))]
    return found


def load_site(docs_root: Path, targets: Iterable[Path]) -> tuple[Site, list[UnusableInputError]]:
    """Parse every Markdown file under ``docs_root``; errors only for files in ``targets``."""
    site = Site(docs_root)
    wanted = [path for path in targets if path.suffix == ".md"]
    errors: list[UnusableInputError] = []
    # every page, for the toctrees; then any target the walk did not reach (a symlinked folder)
    for path in dict.fromkeys([*discover(docs_root), *wanted]):
        if path.suffix != ".md" or path in site.documents:
            continue
        try:
            text = read_text(path)
        except UnusableInputError as exc:
            if path in wanted:
                errors.append(exc)
                continue
            try:  # only its toctrees are needed
                text = read_bytes(path).decode("utf-8", errors="replace")
            except UnusableInputError:
                continue
        site.documents[path] = markdown.load(path, docs_root, display_path(path), text)
    return site, errors


def _expand(paths: list[Path], docs_root: Path) -> tuple[list[Path], list[UnusableInputError]]:
    targets: list[Path] = []
    errors: list[UnusableInputError] = []
    for given in paths:
        path = _absolute(given)
        shown = given.as_posix()
        top = path.relative_to(docs_root).parts[:1] if path.is_relative_to(docs_root) else None
        if top is None:
            why = f"not under the docs directory {display_path(docs_root)}"
            errors.append(UnusableInputError(shown, why))
        elif top and top[0] in markdown.SKIPPED_DIRS:
            errors.append(UnusableInputError(shown, f"nothing under docs/{top[0]} is a page"))
        elif path.is_dir():
            targets += discover(path)
        elif not path.exists():
            errors.append(UnusableInputError(shown, "no such file"))
        elif path.suffix not in {".md", ".svg"}:
            errors.append(UnusableInputError(shown, "not a Markdown page or an SVG file"))
        else:
            targets.append(path)
    return list(dict.fromkeys(targets)), errors


def _shown_svgs(doc: Document) -> list[Path]:
    """The local SVG files a page shows."""
    shown = []
    for image in doc.images:
        if image.src.lower().endswith(".svg") and not is_remote(image.src):
            path = _absolute(
                doc.docs_root / image.src.lstrip("/")
                if image.src.startswith("/")
                else doc.path.parent / image.src
            )
            if path.is_file():
                shown.append(path)
    return shown


def check_paths(
    docs_root: Path, paths: list[Path] | None = None, today: dt.date | None = None
) -> tuple[list[Finding], list[UnusableInputError]]:
    """Check ``paths`` (default: everything under ``docs_root``); return findings and errors."""
    docs_root = _absolute(docs_root)
    if not docs_root.is_dir():
        return [], [UnusableInputError(display_path(docs_root), "not a directory")]
    if paths:
        targets, errors = _expand(paths, docs_root)
    else:
        targets, errors = discover(docs_root), []
    site, read_errors = load_site(docs_root, targets)
    errors += read_errors
    if today is not None:
        site.today = today
    findings: list[Finding] = []
    svgs = [path for path in targets if path.suffix == ".svg"]
    for path in targets:
        doc = site.documents.get(path)
        if doc is not None:  # None only when unreadable, which is in errors
            findings += run_checks(doc, site)
            svgs += _shown_svgs(doc)
    for path in dict.fromkeys(svgs):
        try:
            data = read_bytes(path, display_path(path))
        except UnusableInputError as exc:
            errors.append(exc)
            continue
        findings += run_checks(SvgFile(path, display_path(path), data), site)
    return sorted(set(findings)), errors


def _list_checks() -> str:
    return "\n".join(
        f"{entry.code}  {entry.scope:<8} {entry.name}: {entry.summary}"
        for entry in sorted(CHECKS.values(), key=lambda c: c.code)
    )


PRINTERS = {"text": print_text, "json": print_json, "github": print_github}


def main(argv: list[str] | None = None) -> int:
    from handbook.paths import DOCS

    parser = argparse.ArgumentParser(
        prog="handbook check-pages",
        description="Lint the handbook's pages: front matter, structure, safety, alt text.",
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="pages, SVGs or folders"
    )
    parser.add_argument(
        "--docs", type=Path, default=DOCS, help="the docs directory (default: docs/)"
    )
    parser.add_argument("--format", choices=sorted(PRINTERS), default="text")
    parser.add_argument("--list-checks", action="store_true", help="print the checks and exit")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.list_checks:
        print(_list_checks())
        return 0
    findings, errors = check_paths(args.docs, args.paths)
    PRINTERS[args.format](findings)
    for error in errors:
        print(error, file=sys.stderr)
    return EXIT_UNUSABLE if errors else exit_status(findings)


if __name__ == "__main__":
    raise SystemExit(main())
