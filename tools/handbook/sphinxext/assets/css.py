"""CSS syntax: read stylesheets into rules with tinycss2, edit them, write them back as written.

Why tinycss2: it is the maintained implementation of CSS Syntax Level 3 (the
tokeniser and rule parser that browsers follow; WeasyPrint's, on Sphinx's
side of the ecosystem), so a brace in a string, a comment or a ``url()`` is
never taken for a block's, and no hand-written tokeniser needs keeping.

What is written is the source, byte for byte, minus what was edited: the
bundled stylesheet is the theme's CSS as its authors wrote it.  tinycss2
promises the same meaning, not the same spelling (Kozea/tinycss2#51), so

* rules are written token by token (:func:`serialize`), each token as
  tinycss2 spells it, and not with ``tinycss2.serialize``, which puts ``/**/``
  between tokens that could merge, even where the source had none
  (``:nth-child(2n+1)`` becomes ``2n/**/+1``, Kozea/tinycss2#40);
* strings and ``url()`` tokens, which tinycss2 re-spells (``'x'`` as ``"x"``,
  ``"\\f05a"`` as the raw private-use character), get their source spelling
  back when they are read (:func:`_respell`).  That is the one hand-written
  piece: a regular expression for where such a token ends (CSS Syntax
  4.3.5/4.3.6), needed because tinycss2 reports where a token starts but not
  where it ends; what it finds is kept only if tinycss2 reads it as the same
  token.  Identifiers are spelt by tinycss2 (``serialize_identifier``), which
  is the source spelling except for unusual escapes (``\\2c`` for ``\\,``);
* comments are dropped, except ``/*!`` notices (licences), as minifiers do.
  A notice between rules becomes a statement of its own; elsewhere it stays
  where it is.

Line ends become ``\\n``, as CSS Syntax preprocesses them (3.3).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import tinycss2
from tinycss2.ast import (
    FunctionBlock,
    IdentToken,
    LiteralToken,
    Node,
    StringToken,
    WhitespaceToken,
)
from tinycss2.serializer import serialize_string_value

#: At-rules whose block holds rules (parsed into ``children``); other blocks are kept as tokens.
NESTING_AT_RULES = frozenset({"media", "supports", "layer", "container", "document", "scope"})

# --------------------------------------------------------------------------
# Reading: tinycss2's tokens, comments dropped, strings spelt as written
# --------------------------------------------------------------------------

_ESCAPE = r"\\(?:[0-9a-fA-F]{1,6}[ \t\n]?|[\s\S])"
#: Where a string or url token that starts at a given position ends (CSS Syntax 4.3.5, 4.3.6).
_EXTENT = {
    "string": re.compile(rf"""'(?:[^'\\\n]|{_ESCAPE})*'?|"(?:[^"\\\n]|{_ESCAPE})*"?"""),
    "url": re.compile(rf"""url\([ \t\n]*(?:[^"'()\\ \t\n]|{_ESCAPE})*[ \t\n]*\)?""", re.I),
}
#: The lists of component values inside each kind of node.
_NESTED = {
    "() block": ("content",),
    "[] block": ("content",),
    "{} block": ("content",),
    "function": ("arguments",),
    "qualified-rule": ("prelude", "content"),
    "at-rule": ("prelude", "content"),
}
_BRACKETS = {"() block": ("(", ")"), "[] block": ("[", "]"), "{} block": ("{", "}")}


def _preprocess(text: str) -> str:
    """The text as tinycss2 tokenises it, so that its token positions are offsets into it."""
    return (
        text.replace("\0", "\ufffd").replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    )


class _Source:
    """A preprocessed stylesheet, to find a token's text from its line and column."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def offset(self, node: Node) -> int:
        return int(self.line_starts[node.source_line - 1] + node.source_column - 1)


def _respell(token: Any, source: _Source) -> None:
    """Give a string or url token its source spelling, if tinycss2 reads that as the same token."""
    match = _EXTENT[token.type].match(source.text, source.offset(token))
    if match is None or match.group() == token.representation:
        return
    again = tinycss2.parse_one_component_value(match.group())
    if again.type == token.type and again.value == token.value:
        token.representation = match.group()


def _clean(nodes: list[Any], source: _Source) -> list[Any]:
    """``nodes`` without comments (but ``/*!`` notices), strings and urls as written; in depth."""
    kept = []
    for node in nodes:
        kind = node.type
        if kind == "comment":
            if node.value.startswith("!"):
                kept.append(node)
            continue
        if kind in _EXTENT:
            _respell(node, source)
        for attribute in _NESTED.get(kind, ()):
            inner = getattr(node, attribute)
            if inner is not None:
                setattr(node, attribute, _clean(inner, source))
        kept.append(node)
    return kept


def parse_values(text: str) -> list[Any]:
    """The component values of ``text`` (a declaration's value, a selector...), cleaned."""
    text = _preprocess(text)
    return _clean(tinycss2.parse_component_value_list(text), _Source(text))


def parse_stylesheet(text: str) -> list[Rule]:
    """The statements of a stylesheet; ``@media`` and other nesting at-rules with their children."""
    return _rules(tinycss2.parse_stylesheet(parse_values(text), skip_whitespace=True))


def _rules(nodes: Iterable[Any]) -> list[Rule]:
    rules = []
    for node in nodes:
        if node.type in ("qualified-rule", "comment"):  # the comments left are notices
            rules.append(Rule(node))
        elif node.type == "at-rule":
            children = None
            if node.content is not None and node.lower_at_keyword in NESTING_AT_RULES:
                # what tinycss2 documents for the content of @media and the like
                children = _rules(tinycss2.parse_rule_list(node.content, skip_whitespace=True))
            rules.append(Rule(node, children))
        # else a parse error, such as a rule cut short by the end of the file: no statement
    return rules


# --------------------------------------------------------------------------
# Writing: token by token
# --------------------------------------------------------------------------


def serialize(nodes: Iterable[Any]) -> str:
    """Component values as CSS, token by token (see the module's docstring)."""
    chunks: list[str] = []
    _write(nodes, chunks.append)
    return "".join(chunks)


def _write(nodes: Iterable[Any], write: Callable[[str], Any]) -> None:
    for node in nodes:
        kind = node.type
        if kind == "function":
            write(tinycss2.serialize_identifier(node.name))
            write("(")
            _write(node.arguments, write)
            write(")")
        elif kind in _BRACKETS:
            opening, closing = _BRACKETS[kind]
            write(opening)
            _write(node.content, write)
            write(closing)
        else:
            write(node.serialize())


def strip(nodes: Sequence[Any]) -> list[Any]:
    """``nodes`` without the whitespace at either end."""
    start, end = 0, len(nodes)
    while start < end and nodes[start].type == "whitespace":
        start += 1
    while end > start and nodes[end - 1].type == "whitespace":
        end -= 1
    return list(nodes[start:end])


def split(nodes: Iterable[Any], separator: str) -> list[list[Any]]:
    """``nodes`` cut at each ``separator`` (``,`` or ``;``) outside brackets and functions."""
    parts: list[list[Any]] = [[]]
    for node in nodes:
        if node == separator:  # only a LiteralToken equals a string
            parts.append([])
        else:
            parts[-1].append(node)
    return parts


def join(parts: Iterable[Sequence[Any]], separator: str) -> list[Any]:
    """The reverse of :func:`split`."""
    joined: list[Any] = []
    for i, part in enumerate(parts):
        if i:
            joined.append(LiteralToken(0, 0, separator))
        joined += part
    return joined


def collapse_whitespace(nodes: Iterable[Any]) -> list[Any]:
    """``nodes`` with every run of whitespace a single space, in depth (strings as they are)."""
    collapsed = []
    for node in nodes:
        if node.type == "whitespace":
            node = WhitespaceToken(node.source_line, node.source_column, " ")
        for attribute in _NESTED.get(node.type, ()):
            setattr(node, attribute, collapse_whitespace(getattr(node, attribute)))
        collapsed.append(node)
    return collapsed


# --------------------------------------------------------------------------
# Rules and declarations
# --------------------------------------------------------------------------


@dataclass(eq=False)
class Declaration:
    """A ``name: value`` of a block: the name as tinycss2 reads it, the value as its tokens
    without the whitespace around them, and the name's tokens if it was read from a block."""

    name: str
    value: list[Any]
    written_name: list[Any] | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, name: str, value: str) -> Declaration:
        return cls(name, strip(parse_values(value)))

    @property
    def text(self) -> str:
        return serialize(self.value)

    def tokens(self) -> list[Any]:
        name = self.written_name or [IdentToken(0, 0, self.name)]
        return [*name, LiteralToken(0, 0, ":"), *self.value]


@dataclass(eq=False)
class Rule:
    """A statement of a stylesheet, as tinycss2 parsed it.

    ``node`` is a style rule (``QualifiedRule``), an at-rule (``AtRule``: with
    a block or, like ``@import``, without) or a ``/*!`` notice (``Comment``);
    ``children`` are the rules of a nesting at-rule (``@media``...).
    """

    node: Any
    children: list[Rule] | None = None

    @property
    def at_keyword(self) -> str:
        return str(self.node.lower_at_keyword) if self.node.type == "at-rule" else ""

    @property
    def is_style(self) -> bool:
        return bool(self.node.type == "qualified-rule")

    @property
    def prelude(self) -> str:
        """What comes before the block (or the ``;``), as written."""
        if self.node.type == "comment":
            return str(self.node.serialize())
        text = serialize(self.node.prelude)
        if self.node.type == "at-rule":
            text = "@" + tinycss2.serialize_identifier(self.node.at_keyword) + text
        return text.strip()

    def selectors(self) -> list[list[Any]]:
        """A style rule's selectors, each as its tokens."""
        return split(self.node.prelude, ",")

    def set_selectors(self, selectors: Iterable[Sequence[Any]]) -> None:
        self.node.prelude = join([strip(s) for s in selectors], ",")

    def declarations(self) -> list[Declaration]:
        """The declarations of the rule's block, in order."""
        found = []
        for part in split(self.node.content or (), ";"):
            colon = next((i for i, token in enumerate(part) if token == ":"), None)
            if colon is None:
                continue
            written = strip(part[:colon])
            if len(written) == 1 and written[0].type == "ident":
                name = written[0].value
            else:  # a hack such as *zoom, or nothing
                name = serialize(written)
            if name:
                found.append(Declaration(name, strip(part[colon + 1 :]), written))
        return found

    def set_declarations(self, declarations: Iterable[Declaration]) -> None:
        """Make the block these declarations, written ``name:value;name:value``."""
        self.node.content = join([d.tokens() for d in declarations], ";")

    def walk(self) -> Iterator[Rule]:
        yield self
        for child in self.children or []:
            yield from child.walk()


def serialize_rules(rules: Iterable[Rule]) -> str:
    """Rules as CSS, one a line; a ``/*!`` notice on lines of its own."""
    out = []
    for rule in rules:
        node = rule.node
        if rule.children is not None:
            out.append(f"{rule.prelude}{{{serialize_rules(rule.children)}}}")
        elif node.type == "comment":
            out.append(f"\n{rule.prelude}\n")
        elif node.content is None:
            out.append(f"{rule.prelude};")
        else:
            out.append(f"{rule.prelude}{{{serialize(node.content)}}}")
    return "\n".join(out)


# --------------------------------------------------------------------------
# Stylesheets of the output: @import inlined, url()s rebased
# --------------------------------------------------------------------------


def _is_local(url: str) -> bool:
    return not re.match(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", url, re.I)


def _url(node: Any) -> str | None:
    """The address of a ``url(...)`` (unquoted or quoted), else ``None``."""
    if node.type == "url":
        return str(node.value)
    if node.type == "function" and node.lower_name == "url":
        arguments = strip(node.arguments)
        if len(arguments) == 1 and arguments[0].type == "string":
            return str(arguments[0].value)
    return None


def _quoted_url(node: Any, address: str) -> FunctionBlock:
    quoted = f'"{serialize_string_value(address)}"'
    string = StringToken(node.source_line, node.source_column, address, quoted)
    return FunctionBlock(node.source_line, node.source_column, "url", [string])


def _import_target(rule: Rule) -> str | None:
    """The address an ``@import "x";`` or ``@import url(x);`` (no media list) imports."""
    prelude = strip(rule.node.prelude)
    if len(prelude) != 1:
        return None
    if prelude[0].type == "string":
        return str(prelude[0].value)
    return _url(prelude[0])


def _rebase(nodes: list[Any], rebase: Callable[[str], str | None]) -> None:
    """Rewrite, in place, each local ``url()`` of ``nodes`` as ``url("<rebase(address)>")``."""
    for i, node in enumerate(nodes):
        kind = node.type
        if kind == "url" or (kind == "function" and node.lower_name == "url"):
            address = _url(node)
            target = rebase(address.strip()) if address is not None else None
            if target is not None:
                nodes[i] = _quoted_url(node, target)
        elif kind in _NESTED:
            for attribute in _NESTED[kind]:
                inner = getattr(node, attribute)
                if inner is not None:
                    _rebase(inner, rebase)


def _rebase_rule(rule: Rule, rebase: Callable[[str], str | None]) -> None:
    if rule.node.type == "comment":
        return
    _rebase(rule.node.prelude, rebase)
    if rule.children is not None:  # the children hold the block's tokens: rebase them once
        for child in rule.children:
            _rebase_rule(child, rebase)
    elif rule.node.content is not None:
        _rebase(rule.node.content, rebase)


def read_stylesheet(
    outdir: Path,
    name: str,
    into: str,
    seen: frozenset[str] = frozenset(),
    read: list[str] | None = None,
) -> list[Rule]:
    """The rules of the stylesheet ``name`` (relative to ``outdir``): its ``@import``\\s
    inlined, without ``@charset``, its local ``url()``\\s made to work from the folder ``into``.

    ``seen`` are the files importing it; ``read`` collects the names of the files read.
    """
    here = PurePosixPath(name).parent
    if read is not None:
        read.append(name)

    def rebase(address: str) -> str | None:
        if not _is_local(address):
            return None
        target = os.path.normpath((here / address).as_posix())
        return os.path.relpath(target, into).replace(os.sep, "/")

    rules: list[Rule] = []
    for rule in parse_stylesheet((outdir / name).read_text(encoding="utf-8")):
        if rule.at_keyword == "charset":
            continue
        address = _import_target(rule) if rule.at_keyword == "import" else None
        if address is not None and _is_local(address):
            target = os.path.normpath((here / address).as_posix())
            if target not in seen and (outdir / target).is_file():
                rules += read_stylesheet(outdir, target, into, seen | {name}, read)
                continue
        _rebase_rule(rule, rebase)
        rules.append(rule)
    return rules
