"""What every file under ``docs/_data/`` is checked with: the schema's pieces and the registry.

Each kind of file (:mod:`handbook.data.skills`, :mod:`handbook.data.mixes`) is
a pydantic model for its shape and a registry of small checks for what the
shape cannot say.  They share

* the codes of YAML that does not parse and of what the schema refuses
  (:data:`SYNTAX_CODE`, :data:`SCHEMA_CODE`), and one numbering of the codes:
  a code is registered once, whatever the file;
* :func:`rule` (a string that must match a pattern, with a message) and
  :class:`Strict` (no unknown keys, frozen);
* :func:`schema_errors`, the model or pydantic's errors located in the file,
  and :func:`message`, their wording;
* :class:`Registry`, where ``check_<name>`` functions are registered under a
  code, each with a docstring that says what it wants and gives a Bad and a
  Good example;
* :class:`Problem`, a finding in a data file, and :func:`run_checks`, which
  turns the schema's refusals and the registered checks' findings into them;
* :func:`yaml_files`, the files of a folder of data (mixes, worksheets).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from handbook.data.source import Loc, Source, dotted

#: The codes of YAML that does not parse, and of what a schema itself refuses.
SYNTAX_CODE, SCHEMA_CODE = "DATA001", "DATA002"
#: Every code given so far, by every registry: one numbering for ``check-data``.
_CODES: set[str] = {SYNTAX_CODE, SCHEMA_CODE}


def rule(pattern: str, message: str) -> AfterValidator:
    """A string that must match ``pattern`` (searched), with ``message`` when it does not."""
    compiled = re.compile(pattern)

    def validate(value: str) -> str:
        if not compiled.search(value):
            raise ValueError(message)
        return value

    return AfterValidator(validate)


class Strict(BaseModel):
    """A part of a file: the keys it declares and no other; read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)


M = TypeVar("M", bound=BaseModel)


def schema_errors(
    model: type[M], source: Source, tags: frozenset[str] = frozenset()
) -> tuple[M | None, list[tuple[Loc, ErrorDetails]]]:
    """``source`` as ``model``, or None and pydantic's errors, each with its location
    in the file (``tags``, the names pydantic gives a union's branches, left out)."""
    try:
        return model.model_validate(source.data), []
    except ValidationError as exc:
        return None, [
            (tuple(part for part in error["loc"] if part not in tags), error)
            for error in exc.errors(include_url=False)
        ]


def repeated_keys(source: Source) -> list[tuple[Loc, str]]:
    """A problem for each key given twice in one mapping (YAML keeps the last)."""
    return [
        (loc, f"{dotted(loc)}: given twice; YAML keeps only the last")
        for loc, _line in source.repeated_keys
    ]


def shown(value: Any) -> str:
    """A value as YAML writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def value_message(error: Mapping[str, Any], loc: Loc) -> str | None:
    """pydantic's error about a value in words that name the key and the value (empty,
    not text, not a whole number, too long, out of range, not a list), or None."""
    where = dotted(loc) or "the file"
    kind, value = error["type"], error.get("input")
    limits = error.get("ctx") or {}
    if (kind in ("string_type", "int_type") and value is None) or kind == "string_too_short":
        return f"{where}: empty"
    if kind == "string_type":
        return f"{where}: must be text, not `{shown(value)}`"
    if kind in ("int_type", "int_from_float", "int_parsing"):
        return f"{where}: `{shown(value)}` is not a whole number"
    if kind == "string_too_long":
        return f"{where}: {len(str(value).strip())} characters; at most {limits['max_length']}"
    if kind == "less_than_equal":
        return f"{where}: {shown(value)} is more than {limits['le']}"
    if kind == "greater_than_equal":
        return f"{where}: {shown(value)} is less than {limits['ge']}"
    if kind == "too_short" and isinstance(value, list):
        return f"{where}: give at least one"
    if kind == "list_type":
        return f"{where}: must be a list"
    return None


def schema_problems(
    model: type[M],
    source: Source,
    wording: Callable[[Mapping[str, Any], Loc], str] | None = None,
    tags: frozenset[str] = frozenset(),
) -> tuple[M | None, list[tuple[Loc, str]]]:
    """``source`` as ``model``, or None and every problem of its shape, by location: keys
    given twice, and pydantic's errors in ``wording`` (default :func:`message`).  An error
    about a mapping's key is placed at the key."""
    problems = repeated_keys(source)
    found, errors = schema_errors(model, source, tags)
    for loc, error in errors:
        if loc and loc[-1] == "[key]":  # pydantic's place for a mapping's key: the key's own
            loc = loc[:-1]
        problems.append((loc, (wording or message)(error, loc)))
    return found, problems


def message(error: Mapping[str, Any], loc: Loc) -> str:
    """pydantic's error as a finding's message: the key, then what is wrong."""
    where = dotted(loc) or "the file"
    kind = error["type"]
    if kind == "missing":
        return f"{where}: required"
    if kind == "extra_forbidden":
        return f"{where}: unknown key"
    text = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {text[:1].lower()}{text[1:]}"


@dataclass(frozen=True)
class Problem:
    """A finding: its code, where (the YAML file's line, or a page's ``path``) and the message."""

    code: str
    line: int
    message: str
    #: None: in the YAML file; else the page that names a skill
    path: str | None = None


F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Check(Generic[F]):
    """A registered check: its code, its name (``check_<name>``, hyphenated) and the function."""

    code: str
    name: str
    func: F

    @property
    def summary(self) -> str:
        return inspect.cleandoc(self.func.__doc__ or "").splitlines()[0]


class Registry(Generic[F]):
    """The checks of one kind of file, by code, in the order they were registered."""

    def __init__(self) -> None:
        self.checks: dict[str, Check[F]] = {}

    def check(self, code: str) -> Callable[[F], F]:
        """Register ``check_<name>`` under ``code``; it yields ``(where, message)``."""

        def register(func: F) -> F:
            if not func.__name__.startswith("check_"):
                raise ValueError(f"check {func.__name__} must be named check_<name>")
            if code in _CODES:
                raise ValueError(f"check code {code} is registered twice")
            if "Bad:" not in (func.__doc__ or "") or "Good:" not in (func.__doc__ or ""):
                raise ValueError(f"check {func.__name__} needs a docstring with Bad: and Good:")
            _CODES.add(code)
            name = func.__name__.removeprefix("check_").replace("_", "-")
            self.checks[code] = Check(code, name, func)
            return func

        return register


class Place(Protocol):
    """Where a check found something outside the data file: a page's path and line."""

    @property
    def path(self) -> str: ...

    @property
    def line(self) -> int: ...


def run_checks(
    source: Source,
    model: Any,
    schema: Iterable[tuple[Loc, str]],
    checks: Mapping[str, Check[Any]],
    context: Any,
) -> list[Problem]:
    """Every problem of a file, by place: what the schema refuses (``SCHEMA_CODE``) and,
    once it accepts the file (``model`` not None), what each registered check finds.

    A check yields ``(where, message)``: ``where`` is a location in the file (its
    line is the source's; an empty one is the file's first line) or a
    :class:`Place` in a page, for what a page says about the file."""
    problems = [Problem(SCHEMA_CODE, source.line(loc), message) for loc, message in schema]
    if model is not None:
        for entry in checks.values():
            for where, message in entry.func(model, context):
                if isinstance(where, tuple):
                    line = source.line(where) if where else 1
                    problems.append(Problem(entry.code, line, message))
                else:
                    problems.append(Problem(entry.code, where.line, message, where.path))
    return sorted(problems, key=lambda p: (p.path or "", p.line, p.code, p.message))


def is_yaml_file(path: Path) -> bool:
    """A data file: YAML by its suffix (``.yaml`` or ``.yml``, any case), not hidden."""
    return path.suffix.lower() in (".yaml", ".yml") and not path.name.startswith(".")


def yaml_files(directory: Path) -> list[Path]:
    """The data files of ``directory``, by name (none if it does not exist)."""
    if not directory.is_dir():
        return []
    return sorted(
        (p for p in directory.iterdir() if p.is_file() and is_yaml_file(p)), key=lambda p: p.name
    )
