"""A YAML file with the line of every key and item, for findings that point at them.

PyYAML's composer knows where each node starts; :func:`load` keeps that as a
map from a key path (``("skills", 3, "statements", "Entry")``) to its 1-based
line, so that a schema error or a check can name the line a reviewer must
change.  Values are constructed as ``yaml.safe_load`` constructs them, except
that a key given twice in one mapping is reported (PyYAML keeps the last one
silently) and a value PyYAML cannot construct stays the text it was written as.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from handbook.files import read_text

#: A path into the data: mapping keys and sequence indexes.
Loc = tuple[str | int, ...]


class Loader(yaml.SafeLoader):
    """``yaml.safe_load``'s loader, except that a value is never an exception.

    PyYAML raises ``ValueError`` (not a ``YAMLError``) for a timestamp that is
    not a real date (``2026-02-30``), and ``ValueError`` or ``IndexError`` for an
    explicit ``!!int`` or ``!!float`` that is not a number.  Such a value stays
    the string it was written as, so that a check reports it at its line like
    any other value the schema does not expect (front matter, ``docs/_data``).
    """


def _lenient(tag: str) -> None:
    strict = yaml.SafeLoader.yaml_constructors[tag]

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        try:
            return strict(loader, node)
        except Exception:  # whatever PyYAML's constructor raises: keep the text
            return loader.construct_scalar(node)  # type: ignore[arg-type]

    Loader.add_constructor(tag, construct)


for _tag in ("timestamp", "int", "float"):
    _lenient(f"tag:yaml.org,2002:{_tag}")


class YamlSyntaxError(Exception):
    """The text is not YAML; ``line`` is where the parser gave up."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Source:
    """A YAML document: its data, and where each part of it is written."""

    path: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    #: ``(loc, line)`` of each key given a second time in its mapping.
    repeated_keys: list[tuple[Loc, int]] = field(default_factory=list)

    def line(self, loc: Iterable[str | int]) -> int:
        """The line of ``loc``, or of the nearest enclosing key or item that has one."""
        path = tuple(loc)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def dotted(loc: Iterable[str | int]) -> str:
    """``("skills", 3, "name")`` -> ``skills[3].name``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _index(node: yaml.Node, loc: Loc, source: Source) -> None:
    source.lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            where = (*loc, key)
            if key in seen:
                source.repeated_keys.append((where, key_node.start_mark.line + 1))
                continue
            seen.add(key)
            source.lines[where] = key_node.start_mark.line + 1
            _index(value_node, where, source)
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value):
            _index(item, (*loc, number), source)


def parse(text: str, path: str) -> Source:
    """Parse ``text`` (the YAML of ``path``); :class:`YamlSyntaxError` if it is not YAML."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlSyntaxError(mark.line + 1 if mark else 1, f"not valid YAML: {problem}") from None
    except RecursionError:
        raise YamlSyntaxError(1, "not readable: the YAML nests too deeply") from None
    finally:
        loader.dispose()
    source = Source(path, data)
    if node is not None:
        _index(node, (), source)
    return source


def load(path: Path, display: str | None = None) -> Source:
    """Read and parse ``path``: :class:`~handbook.files.UnusableInputError` when it
    cannot be read, :class:`YamlSyntaxError` when it is not YAML."""
    shown = display if display is not None else path.as_posix()
    return parse(read_text(path, shown).removeprefix("\ufeff"), shown)
