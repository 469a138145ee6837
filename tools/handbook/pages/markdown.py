"""A handbook page as ``handbook check-pages`` and ``new-page`` see it.

The page is read by :mod:`handbook.myst`, the one page reader (MyST's own parser
and settings, directive bodies parsed again, every item with its source line);
this module collects what the reader finds into a :class:`Document`, parses its
front matter (:mod:`handbook.pages.frontmatter`), and knows what a page is: its
docname, whether it is a page Sphinx builds or an included fragment, a chapter,
its sections and the words of its prose.

Nothing here decides what is wrong; :mod:`handbook.pages.checks` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from markdown_it.token import Token

from handbook import myst
from handbook.myst import Directive, Image, Inline, Role, Span
from handbook.pages.frontmatter import PARTS, FrontMatter, FrontMatterError, parse

#: Top-level folders of docs/ that are never pages and not checked at all.
SKIPPED_DIRS = frozenset({"_build", "_templates"})


@dataclass
class Document:
    """A Markdown file of docs/, parsed."""

    path: Path
    #: the path as reported in findings
    display: str
    docs_root: Path
    text: str
    #: path relative to docs_root, without suffix, e.g. "swe/testing"
    docname: str
    #: "page" for a page Sphinx builds, "fragment" for an included file (docs/_glossary/...)
    kind: Literal["page", "fragment"]
    tokens: list[Token] = field(default_factory=list)
    front_matter: FrontMatter | None = None
    front_matter_error: FrontMatterError | None = None
    spans: list[Span] = field(default_factory=list)
    inlines: list[Inline] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    #: (line, raw HTML) of html_block and html_inline tokens
    html: list[Span] = field(default_factory=list)

    @property
    def is_chapter(self) -> bool:
        """A page of a part folder other than the part's index."""
        parts = self.docname.split("/")
        return (
            self.kind == "page" and len(parts) >= 2 and parts[0] in PARTS and parts[-1] != "index"
        )


def classify(path: Path, docs_root: Path) -> Literal["page", "fragment", "skipped"]:
    """Whether a Markdown file under docs_root is a page, an included fragment or not checked."""
    top = path.relative_to(docs_root).parts[0]
    if top in SKIPPED_DIRS:
        return "skipped"
    return "fragment" if top.startswith("_") else "page"


def load(path: Path, docs_root: Path, display: str, text: str) -> Document:
    """Parse ``text``, the content of ``path`` (a file under ``docs_root``), with the
    MyST settings of ``docs_root/conf.py``."""
    kind = classify(path, docs_root)
    if kind == "skipped":
        raise ValueError(f"{path} is not a handbook page")
    docname = path.relative_to(docs_root).with_suffix("").as_posix()
    return parse_document(
        text,
        docname,
        path=path,
        docs_root=docs_root,
        display=display,
        kind=kind,
        conf=docs_root / "conf.py",
    )


def parse_document(
    text: str,
    docname: str,
    *,
    path: Path | None = None,
    docs_root: Path | None = None,
    display: str = "",
    kind: Literal["page", "fragment"] = "page",
    conf: Path | None = None,
) -> Document:
    """Parse the Markdown ``text`` of the page ``docname`` (e.g. ``swe/index``).

    ``conf`` is the Sphinx ``conf.py`` whose MyST settings apply (default, or
    when it cannot be read: the handbook's, see :func:`handbook.myst.reader`).
    """
    root = docs_root or Path("docs")
    doc = Document(path or root / f"{docname}.md", display, root, text, docname, kind)
    page = myst.read(text, conf)
    doc.tokens = page.tokens
    for item in page.items:
        if isinstance(item, Span):
            if item.kind == "html":
                doc.html.append(item)
            doc.spans.append(item)
        elif isinstance(item, Inline):
            doc.inlines.append(item)
        elif isinstance(item, Directive):
            doc.directives.append(item)
        elif isinstance(item, Image):
            doc.images.append(item)
        elif isinstance(item, Role):
            doc.roles.append(item)
        elif isinstance(item, myst.FrontMatterText):
            try:
                doc.front_matter = parse(item.text, first_line=2)
            except FrontMatterError as exc:
                doc.front_matter_error = exc
    return doc


# -- Sections --------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A ``##`` section at the top level of a page: its heading and its tokens."""

    title: str
    line: int
    tokens: list[Token]


def sections(doc: Document, level: int = 2) -> list[Section]:
    """The page's top-level sections of heading ``level``; headings in directives don't count."""
    tag = f"h{level}"
    found: list[Section] = []
    starts = [
        i
        for i, token in enumerate(doc.tokens)
        if token.type == "heading_open" and token.tag == tag and token.level == 0
    ]
    for n, start in enumerate(starts):
        end = next(
            (
                i
                for i in range(start + 1, len(doc.tokens))
                if doc.tokens[i].type == "heading_open"
                and doc.tokens[i].level == 0
                and int(doc.tokens[i].tag[1:]) <= level
            ),
            len(doc.tokens),
        )
        if n + 1 < len(starts):
            end = min(end, starts[n + 1])
        title = doc.tokens[start + 1].content.strip()
        line = (doc.tokens[start].map or [0])[0] + 1
        found.append(Section(title, line, doc.tokens[start + 3 : end]))
    return found


def top_level_items(tokens: list[Token]) -> list[tuple[int, str]]:
    """(line, first paragraph's text) of each item of the bullet lists directly in ``tokens``."""
    items: list[tuple[int, str]] = []
    in_list = False
    line: int | None = None  # of the open item
    text: str | None = None
    for token in tokens:
        if token.type == "bullet_list_open" and token.level == 0:
            in_list = True
        elif token.type == "bullet_list_close" and token.level == 0:
            in_list = False
        elif in_list and token.type == "list_item_open" and token.level == 1:
            line, text = (token.map or [0])[0] + 1, None
        elif line is not None and token.type == "inline" and token.level == 3 and text is None:
            text = token.content  # the item's own first paragraph, not a nested one
        elif line is not None and token.type == "list_item_close" and token.level == 1:
            items.append((line, text or ""))
            line = None
    return items


# -- Prose -----------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")
#: roles whose content is shown as words in the page
_WORDY_ROLES = frozenset({"term", "abbr"})


def visible_text(inline: Token) -> str:
    """The words a reader sees in an inline run, without code, citations or raw HTML."""
    parts: list[str] = []
    for child in inline.children or []:
        if child.type == "text":
            parts.append(child.content)
        elif child.type == "myst_role" and child.meta.get("name") in _WORDY_ROLES:
            parts.append(" " + re.sub(r"\s*<[^<>]*>$", "", child.content) + " ")
        else:
            parts.append(" ")
    return "".join(parts)


def count_words(text: str) -> int:
    """A word is a run of letters or digits, joined by hyphens, apostrophes or dots."""
    return len(_WORD.findall(text))
