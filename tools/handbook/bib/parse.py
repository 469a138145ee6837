"""Parse a ``.bib`` file with pybtex's own scanner, keeping what pybtex drops.

pybtex's :class:`~pybtex.database.input.bibtex.LowLevelParser` is the grammar
every pybtex user (sphinxcontrib-bibtex included) reads ``references.bib``
with, and it already tracks the line and offset it is at. Its high-level
``Parser`` then throws that away and turns names into ``Person`` objects. This
module subclasses the low-level parser instead and records, for every entry
and every field, the line it starts on and the value's text exactly as
written, so that

* the checks report ``path:line`` of the entry or field at fault,
* syntax errors become findings at their real line instead of tracebacks,
* the formatter can lay entries out again without round-tripping values
  through pybtex's name parsing (which would lose braces and spacing).

``@comment`` is BibTeX's comment command. pybtex stops reading it right after
``@comment{`` and scans its body for the next ``@`` like any text between
entries; this module does exactly the same (so the entries are the ones
sphinxcontrib-bibtex sees) but also notes where the body ends, so that the
text of a comment command is known for what it is (:attr:`GapLine.comment`):
at its balanced closing brace (for ``@comment(...)``, the first ``)`` outside
braces), or where pybtex reads an entry, ``@string`` or ``@preamble`` in it,
or at the end of the file, whichever comes first.

The file is parsed once; checks and the formatter share the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from pybtex.database.input.bibtex import LowLevelParser, SkipEntry, UndefinedMacro, month_names
from pybtex.scanner import PrematureEOF, PybtexSyntaxError, TokenRequired
from pybtex.textutils import normalize_whitespace
from pybtex.utils import CaseInsensitiveDict

from handbook.files import read_text

BOM = "\ufeff"


class GapLine(NamedTuple):
    """A line of the text between items (see :attr:`Item.before`)."""

    line: int
    #: The line with surrounding white space trimmed; ``""`` for a blank line.
    #: A comment command is a piece of its own, verbatim (LF line endings) and
    #: possibly over several lines.
    text: str
    #: ``text`` is a ``@comment`` command with its body (or the part of its
    #: body outside an entry pybtex found in it).
    comment: bool = False


def _gap_line(values: tuple[int, str, bool]) -> GapLine:
    """``GapLine(*values)``, made twice as fast (it is made for every line between items)."""
    return tuple.__new__(GapLine, values)


@dataclass(frozen=True, slots=True)
class Field:
    """One ``name = value`` of an entry."""

    #: Lower-case field name.
    name: str
    #: The value as pybtex sees it: parts joined, macros expanded, whitespace
    #: normalised, outer delimiters removed (inner braces kept).
    value: str
    #: The value exactly as written, delimiters included: ``{Ries, Eric}``,
    #: ``2011``, ``jan # {~1}``.
    raw: str
    #: The text to put between ``{`` and ``}`` in the canonical layout, or
    #: ``None`` when the value cannot be braced as is (a macro or a ``#``
    #: concatenation), in which case ``raw`` is kept.
    inner: str | None
    #: Line of the field name.
    line: int


@dataclass(slots=True)
class Item:
    """A top-level ``@command``: an entry, ``@string`` or ``@preamble``."""

    #: Lower-case command: the entry type (``book``) or ``string``/``preamble``.
    kind: str
    #: Line of the ``@``.
    line: int
    #: Offsets of the ``@`` and just past the closing delimiter in the text.
    start: int
    end: int
    #: Entry key (``None`` for ``@string`` and ``@preamble``).
    key: str | None = None
    fields: list[Field] = field(default_factory=list)
    #: A syntax error interrupted this item; checks skip it.
    broken: bool = False
    #: The lines between the previous item (or the start of the file) and
    #: this one; blank lines have ``text == ""``.
    before: list[GapLine] = field(default_factory=list)
    #: A syntax error just before this item left unparsed text in ``before``.
    after_error: bool = False
    _index: dict[str, Field] = field(default_factory=dict, repr=False)

    @property
    def is_entry(self) -> bool:
        return self.kind not in {"string", "preamble"}

    def get(self, name: str) -> Field | None:
        """The first field called ``name`` (lower-case), if any."""
        return self._index.get(name)

    def value(self, name: str) -> str | None:
        """The value of the first field called ``name``, if any."""
        found = self._index.get(name)
        return None if found is None else found.value


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    """Text pybtex cannot parse, at its real line."""

    line: int
    message: str


@dataclass(slots=True)
class Bibliography:
    """A parsed ``.bib`` file."""

    #: The path as it is to be printed.
    path: str
    #: The file's text exactly as read.
    text: str
    #: Entries, ``@string`` and ``@preamble`` commands, in file order.
    items: list[Item]
    errors: list[SyntaxProblem]
    #: The lines after the last item.
    trailing: list[GapLine]
    #: A syntax error left unparsed text in ``trailing``.
    trailing_after_error: bool = False

    @property
    def entries(self) -> list[Item]:
        return [item for item in self.items if item.is_entry]


def read_source(path: Path, display: str | None = None) -> str:
    """The text of ``path``, or :class:`~handbook.files.UnusableInputError` with a one-line reason.

    Read by :func:`handbook.files.read_text`, as every ``handbook`` tool reads
    its input: the message is ``path:line: INPUT ...``.
    """
    return read_text(path, display if display is not None else str(path))


_SNIPPET = re.compile(r"[^\s]{1,20}")
#: A field assignment inside a value: the value ran on past its entry's end.
_RUN_ON = re.compile(r"\n\s*[A-Za-z]+\s*=\s*[{\"0-9]")
#: What ends a comment command's body: braces, and for ``@comment(...)`` a ``)``.
_BRACES = re.compile(r"[{}]")
_BRACES_PAREN = re.compile(r"[{})]")


def _comment_end(text: str, pos: int, opener: str) -> int:
    """Just past the end of the body of a comment command that opens before ``pos``.

    A braced body ends at its balanced ``}``, a parenthesised one at the first
    ``)`` outside braces; an unclosed body runs to the end of the text (the
    parser cuts it at the next item it reads).
    """
    depth = 1 if opener == "{" else 0
    for found in (_BRACES if opener == "{" else _BRACES_PAREN).finditer(text, pos):
        char = found.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0 and opener == "{":
                return found.end()
            depth = max(depth, 0)
        elif depth == 0:
            return found.end()
    return len(text)


class _Unclosed(PybtexSyntaxError):
    """The next ``@`` came before this entry's closing ``}``."""


class _PositionParser(LowLevelParser):
    """pybtex's low-level BibTeX parser, recording lines and raw value text."""

    def __init__(self, text: str) -> None:
        # A fresh macro table: pybtex's default is a module-level dict that
        # @string commands would otherwise write into.
        super().__init__(text, macros=CaseInsensitiveDict(month_names))
        self.errors: list[SyntaxProblem] = []
        #: ``(start, end)`` offsets of each comment command, in file order.
        self.comments: list[tuple[int, int]] = []
        self._failed = False
        self._item_line = 0
        self._value_line: int | None = None
        self._value_kinds: list[str] = []
        self._value_start = 0
        self.trailing_after_error = False

    # -- pybtex hooks -----------------------------------------------------

    def handle_error(self, error: PybtexSyntaxError) -> None:
        self._failed = True
        self.errors.append(self._describe(error))

    def parse_entry_fields(self) -> None:
        while True:
            self.current_field_name = None
            self.current_value: list[str] = []
            name = self.optional([self.NAME])
            if name and name.value.startswith("@"):  # the next entry: this one is not closed
                self.pos -= len(name.value)
                raise _Unclosed("'}' expected", self)
            if name:
                line = self.lineno
                self.current_field_name = name.value
                self.required([self.EQUALS])
                self.parse_value()
                raw = self.text[self._value_start : self.pos].rstrip()
                self.current_fields.append(
                    Field(
                        name=name.value.lower(),
                        value=normalize_whitespace("".join(self.current_value)),
                        raw=raw,
                        inner=_inner(raw, self._value_kinds),
                        line=line,
                    )
                )
            if not self.optional([self.COMMA]):
                return

    def parse_value(self) -> None:
        self._value_line = self.lineno
        self._value_kinds = []
        parts: list[str] = []
        while True:
            if parts and not self.optional([self.HASH]):
                break
            parts.append(self._value_part())
        self.current_value = parts
        self._value_line = None

    def _value_part(self) -> str:
        token = self.required(
            [self.QUOTE, self.LBRACE, self.NUMBER, self.NAME], description="field value"
        )
        if not self._value_kinds:
            self._value_start = self.pos - len(token.value)
        if token.pattern is self.QUOTE:
            self._value_kinds.append("quote")
            return self.flatten_string(self.parse_string(string_end=self.QUOTE))
        if token.pattern is self.LBRACE:
            self._value_kinds.append("brace")
            return self.flatten_string(self.parse_string(string_end=self.RBRACE))
        if token.pattern is self.NUMBER:
            self._value_kinds.append("number")
            return token.value
        self._value_kinds.append("name")
        return self.substitute_macro(token.value)

    # -- driving ----------------------------------------------------------

    def run(self) -> tuple[list[Item], list[GapLine]]:
        """Parse the whole text: the items and the lines after the last one."""
        items: list[Item] = []
        gap_start = 0
        gap_line = 1
        dirty = False
        gaps = _Gaps(self.text, self.comments)
        while self.skip_to([self.AT]):
            start = self.pos - 1
            self.command_start = start
            self._item_line = self.lineno
            self._failed = False
            try:
                command, body = self.parse_command()
            except SkipEntry:  # @comment: pybtex leaves its body to the gap text
                end = _comment_end(self.text, self.pos, self.text[self.pos - 1])
                if self.comments and start < self.comments[-1][1]:  # one inside another
                    last = self.comments[-1]
                    self.comments[-1] = (last[0], max(last[1], end))
                else:
                    self.comments.append((start, end))
                continue
            except PybtexSyntaxError as error:  # before the body: not an entry at all
                self._failed = True
                self.errors.append(self._describe(error, at_command=True))
                dirty = True
                continue
            if self.comments and self.comments[-1][1] > start:  # pybtex read this in its body
                self.comments[-1] = (self.comments[-1][0], start)
            item = Item(kind=command.lower(), line=self._item_line, start=start, end=self.pos)
            item.broken = self._failed
            item.before = gaps.lines(gap_start, start, gap_line)
            item.after_error = dirty
            dirty = self._failed
            if item.is_entry:
                item.key, item.fields = body[0] or "", list(body[1])
                index: dict[str, Field] = {}
                for fld in item.fields:
                    index.setdefault(fld.name, fld)
                item._index = index
            items.append(item)
            gap_start, gap_line = self.pos, self.lineno
        self.trailing_after_error = dirty
        return items, gaps.lines(gap_start, len(self.text), gap_line)

    def _describe(self, error: PybtexSyntaxError, *, at_command: bool = False) -> SyntaxProblem:
        key = self.current_entry_key
        where = f" in entry '{key}'" if key else ""
        if isinstance(error, PrematureEOF):
            if self._value_line is not None:
                name = self.current_field_name or "?"
                return SyntaxProblem(
                    self._value_line,
                    f"value of field '{name}'{where} is never closed "
                    "(unbalanced braces or quotes; end of file reached)",
                )
            return SyntaxProblem(
                self._item_line, f"entry '{key or '?'}' is never closed (end of file reached)"
            )
        if isinstance(error, UndefinedMacro):
            return SyntaxProblem(
                error.lineno, f"undefined macro '{error.args[0]}'{where} (brace the value)"
            )
        found = _SNIPPET.match(self.text, self.pos)
        if not at_command and (
            isinstance(error, _Unclosed) or (found and found.group().startswith("@"))
        ):
            fields = self.current_fields or []
            last = fields[-1] if fields and isinstance(fields[-1], Field) else None
            if last is not None and _RUN_ON.search(last.raw):
                return SyntaxProblem(
                    last.line,
                    f"value of field '{last.name}'{where} runs on to line {error.lineno}:"
                    " a brace or quote in it is not closed",
                )
            return SyntaxProblem(
                self._item_line,
                f"entry '{key}' is not closed before the next entry at line {error.lineno}"
                " (missing '}')",
            )
        message = str(error.args[0]) if error.args else str(error)
        if isinstance(error, TokenRequired):
            message += f", found {found.group()!r}" if found else ", found end of file"
            if found and message.startswith(("'}' expected", "')' expected")):
                message += " (a comma missing after the previous field?)"
        if not at_command:
            return SyntaxProblem(error.lineno, f"syntax error{where}: {message}")
        line_start = self.text.rfind("\n", 0, self.command_start) + 1
        if "%" in self.text[line_start : self.command_start]:
            message += " ('@' after a % still starts an entry in BibTeX: remove it)"
        return SyntaxProblem(self._item_line, f"syntax error after '@': {message}")


def _inner(raw: str, kinds: list[str]) -> str | None:
    """What goes between braces in the canonical layout (see :attr:`Field.inner`)."""
    if len(kinds) != 1 or kinds[0] == "name":
        return None
    return raw if kinds[0] == "number" else raw[1:-1]


_TRIM = " \t\f\v" + BOM


def _lines(text: str, start: int, end: int, first_line: int) -> list[GapLine]:
    """The lines of ``text[start:end]``, whitespace-trimmed.

    Blank lines keep their place as ``""``. The gap's first piece is the rest
    of the previous item's last line and its last piece the start of the next
    item's first line: they are left out when empty.
    """
    if start >= end:
        return []
    chunk = text[start:end]
    if "\r" in chunk:
        chunk = chunk.replace("\r\n", "\n").replace("\r", "\n")
    pieces = chunk.split("\n")
    last = len(pieces) - 1
    if not chunk.strip(_TRIM + "\n"):  # blank lines only (between most entries)
        first = 1 if start > 0 else 0
        return [_gap_line((first_line + n, "", False)) for n in range(first, last)]
    lines = [
        _gap_line((first_line + n, piece.strip(_TRIM), False)) for n, piece in enumerate(pieces)
    ]
    if start > 0 and not lines[0].text:
        del lines[0]
    if lines and not lines[-1].text:
        del lines[-1]
    return lines


def _breaks(text: str, start: int, end: int) -> int:
    """How many line breaks (LF, CRLF or CR) ``text[start:end]`` holds."""
    crs = text.count("\r", start, end)
    lfs = text.count("\n", start, end)
    return lfs + crs - text.count("\r\n", start, end) if crs else lfs


class _Gaps:
    """Splits the text between items into :class:`GapLine` s, comment commands apart."""

    def __init__(self, text: str, comments: list[tuple[int, int]]) -> None:
        self.text = text
        #: Filled in by the parser as it goes, each inside the gap it is read in.
        self.comments = comments
        self._next = 0

    def lines(self, start: int, end: int, first_line: int) -> list[GapLine]:
        """The lines of ``text[start:end]`` (see :func:`_lines`); each comment command
        in it is one verbatim piece, and the text before and after it on its first
        and last line pieces of their own."""
        comments = self.comments
        index = self._next
        if index == len(comments) or comments[index][0] >= end:
            return _lines(self.text, start, end, first_line)
        text = self.text
        out: list[GapLine] = []
        pos, line = start, first_line
        while index < len(comments) and comments[index][0] < end:
            begin, stop = comments[index]
            out.extend(_lines(text, pos, begin, line))
            line += _breaks(text, pos, begin)
            piece = text[begin:stop]
            if "\r" in piece:
                piece = piece.replace("\r\n", "\n").replace("\r", "\n")
            out.append(GapLine(line, piece.rstrip(_TRIM + "\n"), comment=True))
            line += _breaks(text, begin, stop)
            pos = stop
            index += 1
        self._next = index
        out.extend(_lines(text, pos, end, line))
        return out


def parse_text(text: str, path: str = "<string>") -> Bibliography:
    """Parse BibTeX source text."""
    parser = _PositionParser(text)
    items, trailing = parser.run()
    return Bibliography(
        path=path,
        text=text,
        items=items,
        errors=parser.errors,
        trailing=trailing,
        trailing_after_error=parser.trailing_after_error,
    )


def parse_file(path: Path, display: str | None = None) -> Bibliography:
    """Read and parse ``path`` (see :func:`read_source` for what can fail)."""
    shown = display if display is not None else str(path)
    return parse_text(read_source(path, shown), shown)
