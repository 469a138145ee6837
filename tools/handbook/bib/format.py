"""The canonical layout of a ``.bib`` file, and writing it safely.

The layout::

    % A preamble comment stays at the top, followed by one blank line.

    % A comment directly above an entry travels with the entry.
    @book{ries2011lean,
      author = {Ries, Eric},
      title = {The Lean Startup},
      ...
    }

* ``@string`` and ``@preamble`` commands first (in file order, verbatim),
  then the entries sorted by key, case-insensitively (ties keep file order),
  except that an entry another one cross-references (``crossref``) is moved
  after every entry that refers to it, as BibTeX needs: a topological order
  with ties broken by key (crossref keys match case-insensitively, as in
  BibTeX; a crossref to a missing key, or a cycle, falls back to key order);
* entry type and field names in lower case, fields in :data:`FIELD_ORDER`
  (unknown fields after them, alphabetically; a repeated field keeps its
  place after the first), two-space indentation, ``name = {value},`` with a
  comma after the last field too, ``}`` alone on the last line;
* one blank line between blocks, a newline at the end, no other blank lines.

Values are laid out from their text as written (:attr:`Field.inner
<handbook.bib.parse.Field.inner>`): ``"..."`` and bare numbers get braces,
a macro or a ``#`` concatenation is kept as it is, and nothing inside a value
changes but its line endings (made LF, as everywhere in the file). Comments
are every line outside the entries: the lines between two entries go with the
entry below them (blank lines between them dropped); the lines at the top
that are separated from the first entry by a blank line are the preamble; the
lines after the last entry stay at the end. A ``@comment`` command (JabRef
keeps its settings in them) is a comment like the others, kept verbatim with
its whole body, blank lines and indentation included.
"""

from __future__ import annotations

import difflib
import heapq

from handbook.bib.parse import Bibliography, GapLine, Item

#: The order of fields inside an entry; others follow alphabetically.
FIELD_ORDER: tuple[str, ...] = (
    "author",
    "translator",
    "editor",
    "title",
    "titleaddon",
    "subtitle",
    "booktitle",
    "journal",
    "journaltitle",
    "edition",
    "volume",
    "number",
    "pages",
    "publisher",
    "address",
    "organization",
    "institution",
    "howpublished",
    "year",
    "month",
    "date",
    "isbn",
    "doi",
    "url",
    "urldate",
    "keywords",
    "language",
    "annotation",
    "verified",
    "unverified",
)

_RANK = {name: rank for rank, name in enumerate(FIELD_ORDER)}
_LAST = len(FIELD_ORDER)


class FormatRefused(Exception):
    """The file does not parse, so it is not laid out (or written)."""


def _field_rank(name: str) -> tuple[int, str]:
    return (_RANK.get(name, _LAST), name)


def render_entry(entry: Item) -> str:
    """One entry in the canonical layout (no trailing newline)."""
    fields = sorted(entry.fields, key=lambda fld: _field_rank(fld.name))
    lines = [f"@{entry.kind}{{{entry.key},"]
    for fld in fields:
        value = fld.raw if fld.inner is None else "{" + fld.inner + "}"
        lines.append(f"  {fld.name} = {_lf(value)},")
    lines.append("}")
    return "\n".join(lines)


def _lf(text: str) -> str:
    """``text`` with LF line endings."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _comments(lines: list[GapLine]) -> list[str]:
    return [gap.text for gap in lines if gap.text]


def _paragraphs(lines: list[GapLine]) -> list[str]:
    """Non-blank lines with each run of blank lines between them made one."""
    out: list[str] = []
    for gap in lines:
        if gap.text or (out and out[-1]):
            out.append(gap.text)
    while out and not out[-1]:
        out.pop()
    return out


def _split_first_gap(lines: list[GapLine]) -> tuple[list[str], list[str]]:
    """The top of the file: (preamble, comments directly above the first item)."""
    cut = len(lines)
    while cut and lines[cut - 1].text:
        cut -= 1
    return _paragraphs(lines[:cut]), _comments(lines[cut:])


def entry_order(entries: list[Item]) -> list[int]:
    """The indices of ``entries`` in their canonical order (see the module docstring).

    Sorted by key, case-insensitively (ties in file order), except that an
    entry named in another's ``crossref`` comes after every entry naming it:
    the topological order that takes, at each step, the first entry in key
    order that no entry still to come cross-references. A crossref to a key
    not in the list, or to the entry itself, is no constraint; when a cycle
    leaves no such entry, the first remaining one in key order is taken.
    """
    count = len(entries)
    folded = [(entry.key or "").casefold() for entry in entries]
    rank = sorted(range(count), key=lambda i: (folded[i], i))
    targets: dict[str, list[int]] = {}
    wanted: dict[int, str] = {}
    for index, entry in enumerate(entries):
        targets.setdefault(folded[index], []).append(index)
        crossref = entry.value("crossref")
        if crossref is not None:
            wanted[index] = crossref.strip().casefold()
    if not wanted:
        return rank
    waiting = [0] * count
    parents: dict[int, list[int]] = {}
    for child, key in wanted.items():
        found = parents[child] = [index for index in targets.get(key, ()) if index != child]
        for parent in found:
            waiting[parent] += 1
    position = [0] * count
    for place, index in enumerate(rank):
        position[index] = place
    ready = [position[i] for i in range(count) if not waiting[i]]
    heapq.heapify(ready)
    placed = [False] * count
    order: list[int] = []
    first_left = 0
    while len(order) < count:
        if ready:
            index = rank[heapq.heappop(ready)]
            if placed[index]:
                continue
        else:  # a cycle: fall back to key order
            while placed[rank[first_left]]:
                first_left += 1
            index = rank[first_left]
        placed[index] = True
        order.append(index)
        for parent in parents.get(index, ()):
            waiting[parent] -= 1
            if not waiting[parent] and not placed[parent]:
                heapq.heappush(ready, position[parent])
    return order


def canonical_text(bib: Bibliography) -> str:
    """The whole file in the canonical layout.

    Raises :class:`FormatRefused` when the file has syntax errors.
    """
    if bib.errors:
        raise FormatRefused(f"{bib.path} does not parse")
    blocks: list[str] = []
    if not bib.items:
        preamble = _paragraphs(bib.trailing)
        return "\n".join(preamble) + "\n" if preamble else ""
    preamble, first_comments = _split_first_gap(bib.items[0].before)
    if preamble:
        blocks.append("\n".join(preamble))
    commands: list[tuple[list[str], Item]] = []
    entries: list[tuple[list[str], Item]] = []
    for n, item in enumerate(bib.items):
        comments = first_comments if n == 0 else _comments(item.before)
        (entries if item.is_entry else commands).append((comments, item))
    entries = [entries[index] for index in entry_order([item for _, item in entries])]
    for comments, item in commands:
        raw = _lf(bib.text[item.start : item.end])
        blocks.append("\n".join([*comments, raw]))
    for comments, item in entries:
        blocks.append("\n".join([*comments, render_entry(item)]))
    trailing = _paragraphs(bib.trailing)
    if trailing:
        blocks.append("\n".join(trailing))
    return "\n\n".join(blocks) + "\n"


def first_difference(old: str, new: str) -> int:
    """The first line (1-based) where ``old`` and ``new`` differ."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    for number, (a, b) in enumerate(zip(old_lines, new_lines, strict=False), start=1):
        if a != b:
            return number
    return min(len(old_lines), len(new_lines)) + 1


def unified_diff(old: str, new: str, path: str) -> str:
    """A unified diff from the file as it is to its canonical layout."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=path,
            tofile=f"{path} (formatted)",
        )
    )
