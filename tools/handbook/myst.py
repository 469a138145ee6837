"""The page reader: MyST Markdown read as the handbook's build reads it, with source lines.

Every tool that looks inside a page (``handbook check-pages``, ``new-page``,
``linkcheck`` on ``.md`` files and ``--changed-since``) reads it here, so that
code, prose, raw HTML, links and directives are told apart once, the way Sphinx
tells them apart:

* **Settings** come from the Sphinx ``conf.py`` of the page's project, read with
  :mod:`ast` and never run (:func:`settings`): every ``myst_*`` value of
  :class:`~myst_parser.config.main.MdParserConfig` that is a literal, as
  MyST-Parser's Sphinx extension takes them.  Without a readable ``conf.py``, the
  handbook's own ``docs/conf.py`` is used.  Each ``conf.py`` is read once.
* **Parsing** is markdown-it configured by MyST's own
  :func:`~myst_parser.parsers.mdit.create_md_parser`; a fence is a directive as
  MyST decides (:meth:`Reader.directive`), its options split off as MyST splits
  them (:func:`split_options`), and a body MyST parses as Markdown (an
  admonition, a figure's caption, a card ...) is parsed again, recursively, its
  lines shifted to the page's.  Bodies of :data:`NON_MARKDOWN_DIRECTIVES` are not.
* **The walk** (:meth:`Reader.read`) gives what is in the page, in document
  order, each item at its 1-based line: :class:`Inline` runs, :class:`Span`\\ s of
  text that is not code, :class:`Directive`\\ s, :class:`Image`\\ s,
  :class:`Role`\\ s, :class:`Link`\\ s and the raw :class:`FrontMatterText`.
  Each client keeps what it needs: :mod:`handbook.pages.markdown` collects a
  :class:`~handbook.pages.markdown.Document` for the checks, and
  :mod:`handbook.linkcheck.extract` takes the links, ``{doc}`` roles and
  ``{include}`` directives.

Nothing here decides what is wrong, and nothing here opens a page: callers read
the text through :mod:`handbook.files`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from handbook import paths
from handbook.files import UnusableInputError, read_bytes

#: Directives whose body MyST does not parse as Markdown: code, data, other
#: markup, or entries the directive reads itself.
NON_MARKDOWN_DIRECTIVES = frozenset(
    {
        # code
        "code",
        "code-block",
        "code-cell",
        "sourcecode",
        "literalinclude",
        # data and other markup
        "bibliography",
        "csv-table",
        "eval-rst",
        "graphviz",
        "math",
        "mermaid",
        "raw",
        # entries, read by the directive
        "include",
        "toctree",
    }
)
#: Roles whose content is code, not prose.
CODE_ROLES = frozenset({"code", "literal", "samp", "kbd", "file", "command", "program", "math"})

SpanKind = Literal[
    "prose", "heading", "table", "term", "html", "comment", "option", "argument", "href", "role"
]


# -- What the walk gives -----------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A piece of source text that is not code, at a 1-based line."""

    line: int
    text: str
    kind: SpanKind


@dataclass(frozen=True)
class Option:
    """A directive option's value and its line."""

    line: int
    value: str


@dataclass(frozen=True)
class Directive:
    """A ``{name}`` fence (or colon fence), its options split off as MyST splits them."""

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
    """An image: Markdown ``![]()``, an ``{image}``/``{figure}``, an ``<img>`` or a card's."""

    line: int
    src: str
    #: the alt text; None when the syntax allows it to be left out and it was
    alt: str | None
    syntax: Literal["markdown", "directive", "html", "card"]


@dataclass(frozen=True)
class Role:
    """A ``{name}`content``` role."""

    line: int
    name: str
    content: str
    #: written inside an image's alt text, which MyST renders as plain text
    in_alt: bool = False


@dataclass(frozen=True)
class Link:
    """A Markdown link (inline, reference-style or ``<autolink>``) and its target."""

    line: int
    href: str


@dataclass(frozen=True)
class Target:
    """A label, ``(name)=`` on its own line: a target ``{ref}`` can link to."""

    line: int
    name: str


@dataclass(frozen=True)
class FrontMatterText:
    """The YAML of the page's front matter (lines 2 on), as written."""

    text: str


Item = Span | Directive | Inline | Image | Role | Link | Target | FrontMatterText


@dataclass
class Page:
    """A page's text, markdown-it's tokens for it, and what the walk found, in order."""

    text: str
    tokens: list[Token]
    items: list[Item] = field(default_factory=list)


# -- Settings ----------------------------------------------------------------------


def _conf_literals(conf: Path) -> dict[str, Any] | None:
    """The literal values assigned at the top level of ``conf``; None when it cannot be read.

    Parsed from its bytes, as Sphinx compiles it (a byte-order mark and a coding
    declaration are understood), and never run.  The last assignment of a name wins.
    """
    try:
        tree = ast.parse(read_bytes(conf))
    except (UnusableInputError, SyntaxError, ValueError):
        return None
    values: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                try:
                    values[target.id] = ast.literal_eval(value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    values.pop(target.id, None)  # not a literal: unknown here
    return values


def _config_from(values: dict[str, Any]) -> MdParserConfig:
    """MyST's configuration from ``myst_*`` values, as its Sphinx extension builds it.

    Like MyST, an invalid configuration gives MyST's defaults.
    """
    chosen = {
        name: values[f"myst_{name}"]
        for name, _, fld in MdParserConfig().as_triple()
        if "sphinx" not in fld.metadata.get("omit", []) and f"myst_{name}" in values
    }
    try:
        return MdParserConfig(**chosen)
    except (TypeError, ValueError):
        return MdParserConfig()


def _conf_key(conf: Path | None) -> Path | None:
    return conf.resolve() if conf is not None else None


def find_conf(path: Path) -> Path | None:
    """The ``conf.py`` of the Sphinx project ``path`` belongs to: in a folder above it,
    or in a ``docs/`` folder beside one; None when there is none."""
    for folder in path.resolve().parents:
        for candidate in (folder / "conf.py", folder / "docs" / "conf.py"):
            if candidate.is_file():
                return candidate
    return None


_DIRECTIVE_INFO = re.compile(r"^\{([^}\s]+)\}\s*(.*)$")


class Reader:
    """A parser and a walk for one Sphinx project's MyST settings."""

    def __init__(self, config: MdParserConfig) -> None:
        self.config = config
        self.md: MarkdownIt = create_md_parser(config, RendererHTML)

    def read(self, text: str) -> Page:
        """Parse ``text`` once and walk it."""
        page = Page(text, self.md.parse(text))
        page.items = list(self._walk(page.tokens, offset=0, depth=0))
        return page

    # -- the walk --------------------------------------------------------------

    def directive(self, token: Token) -> tuple[str, str] | None:
        """``(name, argument)`` when the fence ``token`` is a directive.

        As MyST decides: ``{name}`` opens the info string (unless MyST is set to
        CommonMark or GFM only), or a code fence's language is listed in
        ``myst_fence_as_directive``.  One leniency: MyST wants white space after
        ``{name}``, and renders ```` ```{note}x ```` as a code block (which the
        strict build refuses, an unknown lexer); it is a directive here, so that
        its content is still read.
        """
        if self.config.commonmark_only or self.config.gfm_only:
            return None
        info = token.info.strip()
        match = _DIRECTIVE_INFO.match(info)
        if match:
            return match.group(1), match.group(2)
        parts = info.split(maxsplit=1)
        if token.type == "fence" and parts and parts[0] in self.config.fence_as_directive:
            return parts[0], parts[1] if len(parts) > 1 else ""
        return None

    def _walk(self, tokens: list[Token], offset: int, depth: int) -> Iterator[Item]:
        """Everything in ``tokens``, in order; ``offset`` shifts token lines to the page's."""
        for index, token in enumerate(tokens):
            line = offset + (token.map[0] + 1 if token.map else 1)
            if token.type == "front_matter" and depth == 0:
                yield FrontMatterText(token.content)
                for number, text in enumerate(token.content.splitlines(), start=2):
                    yield Span(number, text, "option")
            elif token.type == "inline":
                opener = tokens[index - 1].type if index else "paragraph_open"
                context = _CONTEXTS.get(opener, "paragraph")
                yield Inline(token, line, context, depth)
                yield from _inline(token.children or [], line, _SPAN_KINDS[context])
            elif token.type in {"fence", "colon_fence"}:
                yield from self._fence(token, line, depth)
            elif token.type == "html_block":
                yield Span(line, token.content, "html")
                yield from _html_images(token.content, line)
            elif token.type == "myst_line_comment":
                yield Span(line, token.content, "comment")
            elif token.type == "myst_target":
                yield Target(line, token.content.strip())

    def _fence(self, token: Token, line: int, depth: int) -> Iterator[Item]:
        found = self.directive(token)
        if found is None:
            return  # a code block
        name, argument = found[0], found[1].strip()
        options, content, content_line = split_options(token.content, line + 1)
        directive = Directive(name, argument, options, content, line, content_line, depth)
        yield directive
        if argument:
            yield Span(line, argument, "argument")
        for option in options.values():
            yield Span(option.line, option.value, "option")
        yield from _directive_images(directive)
        if name not in NON_MARKDOWN_DIRECTIVES and content.strip():
            yield from self._walk(self.md.parse(content), offset=content_line - 1, depth=depth + 1)


@cache
def _reader(conf: Path | None) -> Reader:
    if conf is not None:
        values = _conf_literals(conf)
        if values is not None:
            return Reader(_config_from(values))
    handbook = _conf_key(paths.DOCS / "conf.py")
    if conf != handbook:
        return _reader(handbook)
    return Reader(MdParserConfig())


def reader(conf: Path | None = None) -> Reader:
    """The reader for the MyST settings of ``conf`` (a Sphinx ``conf.py``), made once per path.

    ``None``, or a ``conf.py`` that is missing, unreadable or not Python, means the
    handbook's own ``docs/conf.py`` (and MyST's defaults if even that cannot be read).
    """
    return _reader(_conf_key(conf))


def settings(conf: Path | None = None) -> MdParserConfig:
    """MyST's settings for the Sphinx project of ``conf``, read as :func:`reader` reads them."""
    return reader(conf).config


def read(text: str, conf: Path | None = None) -> Page:
    """``text`` parsed and walked with the MyST settings of ``conf`` (see :func:`reader`)."""
    return reader(conf).read(text)


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


def _inline(
    children: list[Token], line: int, kind: SpanKind, *, in_alt: bool = False
) -> Iterator[Item]:
    """What an inline run holds; text is joined across soft line breaks into one span,
    so that "Lorem / ipsum" is found.  ``in_alt``: the alt text of an image."""
    text: list[str] = []
    start = line
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
        if text:
            yield Span(start, "".join(text), kind)
            text.clear()
        if child.type == "html_inline":
            yield Span(line, child.content, "html")
            yield from _html_images(child.content, line)
            line += child.content.count("\n")
        elif child.type == "myst_role":
            name = str(child.meta.get("name", ""))
            yield Role(line, name, child.content, in_alt)
            if name not in CODE_ROLES:
                yield Span(line, child.content, "role")
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            if not in_alt:  # a link in alt text is rendered as its text
                yield Link(line, href)
            yield Span(line, href, "href")
        elif child.type == "image":
            alt = "".join(c.content for c in child.children or [])
            src = str(child.attrs.get("src", ""))
            yield Image(line, src, alt, "markdown")
            yield Span(line, src, "href")
            yield from _inline(child.children or [], line, kind, in_alt=True)
    if text:
        yield Span(start, "".join(text), kind)


# -- Directive options -------------------------------------------------------------

_OPTION_LINE = re.compile(r"^:([^:\s]+):(?:\s+(.*))?$")


def split_options(body: str, first_line: int) -> tuple[dict[str, Option], str, int]:
    """Split a directive body into options and content, as MyST does.

    Options are either a YAML block between ``---`` lines or the leading lines
    that start with ``:`` (but not ``:::``, a nested colon fence).  ``first_line``
    is the body's first line in the page; returns the options, the content and
    the content's first line.
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


# -- Images ------------------------------------------------------------------------

_CARD_IMAGE_OPTIONS = ("img-top", "img-bottom", "img-background")


def _directive_images(directive: Directive) -> Iterator[Image]:
    if directive.name in {"image", "figure"}:
        alt = directive.options.get("alt")
        yield Image(directive.line, directive.argument, alt.value if alt else None, "directive")
    for key in _CARD_IMAGE_OPTIONS:
        if key in directive.options:
            alt = directive.options.get("img-alt")
            src = directive.options[key]
            yield Image(src.line, src.value, alt.value if alt else None, "card")


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


def _html_images(html: str, line: int) -> Iterator[Image]:
    for match in _IMG_TAG.finditer(html):
        attributes = tag_attributes(match.group(0))
        at = line + html[: match.start()].count("\n")
        yield Image(at, attributes.get("src", ""), attributes.get("alt"), "html")
