"""The running example's facts, ``docs/_data/relist.yaml``: schema, arithmetic and checks.

Relist, the fictional marketplace every chapter follows, has numbers that
recur across chapters (listings a day, the automatic-setting threshold, the
sell-through baseline, ...).  Each is stated once, here, and pages take it with
the ``{relist}`` role (:mod:`handbook.sphinxext.relist`), so a number cannot
say one thing in one chapter and another elsewhere::

    facts:
      new_listings_per_day:
        value: 120000
        about: New listings created a day.
      miscategorised_share:
        value: 14
        unit: "%"
        about: Share of new listings in the wrong leaf category.
      miscategorised_per_day:
        expr: new_listings_per_day * miscategorised_share / 100
        about: New listings a day in the wrong leaf category.

A fact is a ``value`` or an ``expr``: arithmetic over other facts, evaluated by
simpleeval (numbers, names, ``+ - * / // % **``, ``round``, ``min``, ``max``),
rounded to ``round`` decimals (0 unless given), so that a derived number is
computed, never retyped; ``round`` also sets the decimals a ``value`` shows
(``0.40``).  ``unit`` follows the number ("%" directly, any other word after a
space) or, for "$", comes before it; ``format: plain`` drops the thousands
separators (years).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import Field, StrictFloat, StrictInt, StrictStr, StringConstraints, model_validator
from simpleeval import InvalidExpression, SimpleEval

from handbook.data.schema import (
    Check,
    Place,
    Problem,
    Registry,
    Strict,
    rule,
    run_checks,
)
from handbook.data.schema import schema_problems as shared_schema_problems
from handbook.data.source import Loc, Source

#: A fact's key: what ``{relist}`key``` names.
KEY = re.compile(r"^[a-z][a-z0-9_]*$")

Number = StrictInt | StrictFloat
About = Annotated[
    StrictStr,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    rule(r"^[^\n]+$", "must be one line"),
]
Unit = Annotated[
    StrictStr,
    StringConstraints(min_length=1, max_length=20),
    rule(
        r"^(%|\$|[a-z]+(?: [a-z]+)*)$", "must be %, $ or a word in lower case, like ms or million"
    ),
]


FactKey = Annotated[StrictStr, rule(KEY.pattern, "must be lower_case_with_underscores")]


class Fact(Strict):
    """One number of the running example: given, or computed from others."""

    value: Number | None = None
    expr: StrictStr | None = None
    round: Annotated[StrictInt, Field(ge=0, le=6)] | None = None
    unit: Unit | None = None
    format: Literal["number", "plain"] = "number"
    about: About

    @model_validator(mode="after")
    def _value_or_expr(self) -> Fact:
        if (self.value is None) == (self.expr is None):
            raise ValueError("give either `value` or `expr`")
        return self


class RelistFile(Strict):
    """The whole file."""

    facts: dict[
        Annotated[StrictStr, rule(KEY.pattern, "must be lower_case_with_underscores")], Fact
    ]


def schema_problems(source: Source) -> tuple[RelistFile | None, list[tuple[Loc, str]]]:
    """The file as :class:`RelistFile`, or None and what breaks the schema (by location)."""
    return shared_schema_problems(RelistFile, source)


# -- The arithmetic --------------------------------------------------------------------


class FactError(Exception):
    """A fact that cannot be computed: its key, and the message says why."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


#: The functions an ``expr`` may call.
FUNCTIONS: dict[str, Callable[..., float]] = {"round": round, "min": min, "max": max}


def _names(expr: str) -> list[str]:
    """The facts an ``expr`` names (its words that are not functions)."""
    return sorted(set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expr)) - FUNCTIONS.keys())


def _evaluator(names: dict[str, float]) -> SimpleEval:
    return SimpleEval(names=names, functions=FUNCTIONS)


def values(model: RelistFile) -> dict[str, float | int]:
    """Every fact's number (an ``expr`` computed and rounded); :class:`FactError` for the
    first that cannot be."""
    found: dict[str, float | int] = {}

    def value(key: str, path: tuple[str, ...]) -> float | int:
        if key in found:
            return found[key]
        fact = model.facts[key]
        if fact.value is not None:
            found[key] = fact.value
            return fact.value
        assert fact.expr is not None
        if key in path:
            chain = " -> ".join((*path[path.index(key) :], key))
            raise FactError(key, f"{key}: `expr` depends on itself ({chain})")
        names: dict[str, float] = {}
        for name in _names(fact.expr):
            if name in model.facts:
                names[name] = value(name, (*path, key))
        try:
            result = _evaluator(names).eval(fact.expr)
        except InvalidExpression as exc:
            raise FactError(key, f"{key}: `expr` {fact.expr!r}: {exc}") from None
        except (ArithmeticError, TypeError, SyntaxError) as exc:
            raise FactError(key, f"{key}: `expr` {fact.expr!r} cannot be computed: {exc}") from None
        if not isinstance(result, int | float) or isinstance(result, bool):
            raise FactError(key, f"{key}: `expr` {fact.expr!r} is not a number")
        digits = fact.round or 0
        rounded = round(result, digits)
        found[key] = int(rounded) if digits == 0 else rounded
        return found[key]

    for key in model.facts:
        value(key, ())
    return found


def render(model: RelistFile, key: str, computed: dict[str, float | int]) -> str:
    """A fact as a page shows it: ``120,000``, ``14%``, ``150 ms``, ``9 million``."""
    fact = model.facts[key]
    number = computed[key]
    if fact.format == "plain":
        text = str(number)
    else:
        if fact.round is not None:
            decimals = fact.round
        else:
            decimals = 0 if fact.expr is not None else _decimals(fact.value)
        text = f"{number:,.{decimals}f}"
    if fact.unit is None:
        return text
    if fact.unit == "$":
        return f"${text}"
    return f"{text}%" if fact.unit == "%" else f"{text} {fact.unit}"


def _decimals(value: float | int | None) -> int:
    """How many decimals a number was written with (``0.9`` has one)."""
    if value is None or isinstance(value, int) or not math.isfinite(value):
        return 0
    written = repr(value)
    return len(written.split(".", 1)[1]) if "." in written else 0


# -- The checks ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A page's ``{relist}`key```: where it is and the key it names."""

    path: str
    line: int
    key: str


@dataclass
class Context:
    """What the checks compare the file with: the pages' ``{relist}`` roles (None: unknown)."""

    references: list[Reference] | None = field(default=None)


Problems = Iterator[tuple[Loc | Place, str]]
CheckFunc = Callable[[RelistFile, Context], Problems]

_registry: Registry[CheckFunc] = Registry()
CHECKS: dict[str, Check[CheckFunc]] = _registry.checks
check = _registry.check


@check("DATA026")
def check_expressions(relist: RelistFile, context: Context) -> Problems:
    """Every ``expr`` names facts of the file and computes a number, without a cycle.

    Bad:  ``expr: listings_per_day * share`` when there is no ``share``
    Good: ``expr: new_listings_per_day * miscategorised_share / 100``
    """
    unknown = False
    for key, fact in relist.facts.items():
        for name in _names(fact.expr or ""):
            if name not in relist.facts:
                unknown = True
                yield ("facts", key, "expr"), f"{key}: `expr` names `{name}`, which is not a fact"
    if unknown:
        return
    try:
        values(relist)
    except FactError as exc:
        yield ("facts", exc.key, "expr"), str(exc)


@check("DATA027")
def check_page_references(relist: RelistFile, context: Context) -> Problems:
    """Every ``{relist}`` role of a page names a fact of the file.

    Bad:  ``{relist}`listings_a_day``` when the fact is ``new_listings_per_day``
    Good: ``{relist}`new_listings_per_day```
    """
    for reference in context.references or ():
        if reference.key not in relist.facts:
            close = _closest(reference.key, relist.facts)
            hint = f"; did you mean `{close}`?" if close else ""
            yield reference, f"{{relist}} names `{reference.key}`, which is not a fact{hint}"


def _closest(key: str, facts: dict[str, Fact]) -> str | None:
    import difflib

    found = difflib.get_close_matches(key, list(facts), n=1, cutoff=0.6)
    return found[0] if found else None


def validate(
    source: Source, context: Context | None = None
) -> tuple[RelistFile | None, list[Problem]]:
    """The file as a model (None when the schema refuses it) and every problem, by line
    (a page's unknown fact is a problem of that page, at its line)."""
    model, schema = schema_problems(source)
    return model, run_checks(source, model, schema, CHECKS, context or Context())
