"""Read a handbook page into what the checks need, with source lines.

Pages are parsed with markdown-it-py configured exactly as MyST-Parser
configures it for the build (:func:`myst_parser.parsers.mdit.create_md_parser`
with the extensions of ``docs/conf.py``), so that code, prose, raw HTML and
directives are told apart the way Sphinx tells them apart.  Directive bodies
that MyST parses as Markdown (admonitions, figures, cards, ...) are parsed again
here, recursively, with their lines shifted to the page's.

Nothing here decides what is wrong; :mod:`handbook.pages.checks` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from handbook.pages.frontmatter import PARTS, FrontMatter, FrontMatterError, parse

#: ``myst_enable_extensions`` of docs/conf.py (a test checks that they agree).
MYST_EXTENSIONS: frozenset[str] = frozenset({"colon_fence", "deflist", "fieldlist", "attrs_inline"})

#: Directives whose body MyST does not parse as Markdown.
CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "code-cell", "literalinclude"})
NON_MARKDOWN_DIRECTIVES = CODE_DIRECTIVES | {
    "bibliography",
    "csv-table",
    "eval-rst",
    "graphviz",
    "include",
    "math",
    "mermaid",
    "raw",
    "toctree",
}
#: Roles whose content is code, not prose.
CODE_ROLES = frozenset({"code", "literal", "samp", "kbd", "file", "command", "program", "math"})

#: Top-level folders of docs/ that are never pages and not checked at all.
SKIPPED_DIRS = frozenset({"_build", "_templates"})

SpanKind = Literal[
    "prose", "heading", "table", "term", "html", "comment", "option", "argument", "href", "role"
]


@cache
def parser() -> MarkdownIt:
    """The markdown-it parser MyST builds for the handbook's configuration."""
    config = MdParserConfig(enable_extensions=set(MYST_EXTENSIONS))
    return create_md_parser(config, RendererHTML)


@dataclass(frozen=True)
class Span:
    """A piece of source text that is not code, at a 1-based line."""

    line: int
    text: str
    kind: SpanKind


@dataclass(frozen=True)
class Option:
    line: int
    value: str


@dataclass(frozen=True)
class Directive:
    name: str
    argument: str
    options: dict[str, Option]
    content: str
    #: line of the opening fence
    line: int
    #: line of the first line of ``content``
    content_line: int
    #: 0 for a directive at the top level of the page
    depth: int


@dataclass(frozen=True)
class Inline:
    """One run of inline Markdown (a paragraph, heading, table cell or term)."""

    token: Token
    line: int
    context: Literal["paragraph", "heading", "table", "term"]
    depth: int


@dataclass(frozen=True)
class Image:
    line: int
    src: str
    #: the alt text; None when the syntax allows it to be left out and it was
    alt: str | None
    syntax: Literal["markdown", "directive", "html", "card"]


@dataclass(frozen=True)
class Role:
    line: int
    name: str
    content: str


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
    """Parse ``text``, the content of ``path`` (a file under ``docs_root``)."""
    kind = classify(path, docs_root)
    if kind == "skipped":
        raise ValueError(f"{path} is not a handbook page")
    docname = path.relative_to(docs_root).with_suffix("").as_posix()
    return parse_document(text, docname, path=path, docs_root=docs_root, display=display, kind=kind)


def parse_document(
    text: str,
    docname: str,
    *,
    path: Path | None = None,
    docs_root: Path | None = None,
    display: str = "",
    kind: Literal["page", "fragment"] = "page",
) -> Document:
    """Parse the Markdown ``text`` of the page ``docname`` (e.g. ``swe/index``)."""
    root = docs_root or Path("docs")
    doc = Document(path or root / f"{docname}.md", display, root, text, docname, kind)
    doc.tokens = parser().parse(text)
    _walk(doc, doc.tokens, offset=0, depth=0)
    return doc


# -- Walking the token stream ----------------------------------------------------

_CONTEXTS: dict[str, Literal["paragraph", "heading", "table", "term"]] = {
    "paragraph_open": "paragraph",
    "heading_open": "heading",
    "th_open": "table",
    "td_open": "table",
    "dt_open": "term",
}
_SPAN_KINDS: dict[str, SpanKind] = {
    "paragraph": "prose",
    "heading": "heading",
    "table": "table",
    "term": "term",
}


def _walk(doc: Document, tokens: list[Token], offset: int, depth: int) -> None:
    """Collect spans, inlines, directives, images and roles; ``offset`` shifts token lines."""
    for index, token in enumerate(tokens):
        line = offset + (token.map[0] + 1 if token.map else 1)
        if token.type == "front_matter" and depth == 0:
            _front_matter(doc, token)
        elif token.type == "inline":
            opener = tokens[index - 1].type if index else "paragraph_open"
            context = _CONTEXTS.get(opener, "paragraph")
            doc.inlines.append(Inline(token, line, context, depth))
            _walk_inline(doc, token.children or [], line, _SPAN_KINDS[context])
        elif token.type in {"fence", "colon_fence"}:
            _fence(doc, token, line, depth)
        elif token.type == "html_block":
            doc.html.append(Span(line, token.content, "html"))
            doc.spans.append(Span(line, token.content, "html"))
            doc.images.extend(_html_images(token.content, line))
        elif token.type == "myst_line_comment":
            doc.spans.append(Span(line, token.content, "comment"))


def _front_matter(doc: Document, token: Token) -> None:
    try:
        doc.front_matter = parse(token.content, first_line=2)
    except FrontMatterError as exc:
        doc.front_matter_error = exc
    for number, text in enumerate(token.content.splitlines(), start=2):
        doc.spans.append(Span(number, text, "option"))


def _walk_inline(doc: Document, children: list[Token], line: int, kind: SpanKind) -> None:
    """Spans of an inline run; text joined across soft line breaks, so "Lorem / ipsum" is found."""
    text: list[str] = []
    start = line

    def flush() -> None:
        if text:
            doc.spans.append(Span(start, "".join(text), kind))
            text.clear()

    for child in children:
        if child.type in {"softbreak", "hardbreak"}:
            text.append("\n")
            line += 1
            continue
        if child.type == "text":
            if not text:
                start = line
            text.append(child.content)
            continue
        flush()
        if child.type == "html_inline":
            doc.html.append(Span(line, child.content, "html"))
            doc.spans.append(Span(line, child.content, "html"))
            doc.images.extend(_html_images(child.content, line))
            line += child.content.count("\n")
        elif child.type == "myst_role":
            name = str(child.meta.get("name", ""))
            doc.roles.append(Role(line, name, child.content))
            if name not in CODE_ROLES:
                doc.spans.append(Span(line, child.content, "role"))
        elif child.type == "link_open":
            doc.spans.append(Span(line, str(child.attrs.get("href", "")), "href"))
        elif child.type == "image":
            alt = "".join(c.content for c in child.children or [])
            src = str(child.attrs.get("src", ""))
            doc.images.append(Image(line, src, alt, "markdown"))
            doc.spans.append(Span(line, src, "href"))
            _walk_inline(doc, child.children or [], line, kind)
    flush()


_DIRECTIVE_INFO = re.compile(r"^\{([^}\s]+)\}\s*(.*)$")
_OPTION_LINE = re.compile(r"^:([^:\s]+):(?:\s+(.*))?$")


def _fence(doc: Document, token: Token, line: int, depth: int) -> None:
    match = _DIRECTIVE_INFO.match(token.info.strip())
    if not match:
        return  # a code block
    name, argument = match.group(1), match.group(2).strip()
    options, content, content_line = _split_options(token.content, line + 1)
    directive = Directive(name, argument, options, content, line, content_line, depth)
    doc.directives.append(directive)
    if argument:
        doc.spans.append(Span(line, argument, "argument"))
    for option in options.values():
        doc.spans.append(Span(option.line, option.value, "option"))
    _directive_images(doc, directive)
    if name not in NON_MARKDOWN_DIRECTIVES and content.strip():
        _walk(doc, parser().parse(content), offset=content_line - 1, depth=depth + 1)


def _split_options(body: str, first_line: int) -> tuple[dict[str, Option], str, int]:
    """Split a directive body into options and content, as MyST does.

    Options are either leading ``:name: value`` lines or a YAML block between
    ``---`` lines.  Returns the options, the content and the content's first line.
    """
    lines = body.splitlines()
    options: dict[str, Option] = {}
    if lines and lines[0].startswith("---"):
        for index, text in enumerate(lines[1:], start=1):
            if text.startswith("---"):
                for number, option_text in enumerate(lines[1:index], start=first_line + 1):
                    key, _, value = option_text.partition(":")
                    if key.strip() and not option_text.startswith((" ", "\t")):
                        options[key.strip()] = Option(number, value.strip())
                return options, "\n".join(lines[index + 1 :]), first_line + index + 1
        return options, "", first_line + len(lines)
    count = 0
    for text in lines:
        stripped = text.lstrip()
        if not stripped.startswith(":") or stripped.startswith(":::"):
            break
        match = _OPTION_LINE.match(stripped)
        if match:
            options[match.group(1)] = Option(first_line + count, (match.group(2) or "").strip())
        count += 1
    return options, "\n".join(lines[count:]), first_line + count


_CARD_IMAGE_OPTIONS = ("img-top", "img-bottom", "img-background")


def _directive_images(doc: Document, directive: Directive) -> None:
    if directive.name in {"image", "figure"}:
        alt = directive.options.get("alt")
        doc.images.append(
            Image(directive.line, directive.argument, alt.value if alt else None, "directive")
        )
    for key in _CARD_IMAGE_OPTIONS:
        if key in directive.options:
            alt = directive.options.get("img-alt")
            src = directive.options[key]
            doc.images.append(Image(src.line, src.value, alt.value if alt else None, "card"))


_IMG_TAG = re.compile(r"<img\b[^>]*>?", re.IGNORECASE)
_ATTRIBUTE = re.compile(
    r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""", re.IGNORECASE
)


def tag_attributes(tag: str) -> dict[str, str]:
    """The attributes of one HTML start tag, names lower-cased (the first of a repeated name)."""
    body = re.sub(r"^<\s*[a-zA-Z][\w:-]*", "", tag).rstrip(">")
    attributes: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(body):
        value = next((g for g in match.groups()[1:] if g is not None), "")
        attributes.setdefault(match.group(1).lower(), value)
    return attributes


def _html_images(html: str, line: int) -> list[Image]:
    images = []
    for match in _IMG_TAG.finditer(html):
        attributes = tag_attributes(match.group(0))
        at = line + html[: match.start()].count("\n")
        images.append(Image(at, attributes.get("src", ""), attributes.get("alt"), "html"))
    return images


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
