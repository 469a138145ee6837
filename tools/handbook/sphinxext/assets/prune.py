"""Class-set pruning: drop the CSS selectors that need a class no page can carry.

Selectors are not matched against pages.  A selector is kept unless it needs
a class that is in no page's HTML and that no script the pages run could
add: a class counts as addable if a script names it, or builds names that
start like it (`` `bs-${...}` ``).  So the classes Bootstrap's scripts put
on pages (``show``, ``bs-tooltip-auto``) keep their rules, and most of
Bootstrap's components, which no page uses, go.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from .css import Rule
from .site import Page, Site, attributes

_CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
_WORD = re.compile(r"[A-Za-z_][\w-]*")
#: A class name a script builds: `prefix-${...}`, "prefix-" + ..., "prefix-".concat(...).
_DYNAMIC_CLASS = re.compile(
    r"""`([A-Za-z][\w-]*-)\$\{|["']([A-Za-z][\w-]*-)["']\s*(?:\+|\.concat\()"""
)
#: The class names this judges: plain words, as scripts and class attributes spell them.
#: Others (escaped in the CSS, starting with a digit or ``--``) are taken as present.
_JUDGED = re.compile(r"-?[_a-zA-Z][\w-]*")


@dataclass
class UsedNames:
    """The class names the site's pages can carry: in their HTML, or put there by a script."""

    words: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)

    def add_script(self, text: str) -> None:
        self.words.update(_WORD.findall(text))
        for match in _DYNAMIC_CLASS.finditer(text):
            self.prefixes.add(match.group(1) or match.group(2))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (
            name in self.words or any(name.startswith(p) for p in self.prefixes)
        )


def used_names(site: Site, pages: Sequence[Page]) -> UsedNames:
    """Every class of every page, and every word of the scripts the pages run."""
    used = UsedNames()
    scripts: set[str] = set()
    for page in pages:
        for match in _CLASS_ATTRIBUTE.finditer(page.text):
            used.words.update((match.group(1) or match.group(2) or "").split())
        for match in _SCRIPT.finditer(page.text):
            source = dict(attributes(match.group(1))).get("src")
            if source:
                resolved = site.resolve(page, source)
                if resolved:
                    scripts.add(resolved[0])
            else:
                used.add_script(match.group(2))
    for name in sorted(scripts):
        used.add_script((site.outdir / name).read_text(encoding="utf-8", errors="replace"))
    return used


def required_classes(selector: Sequence[Any]) -> list[str]:
    """The classes a selector (its tokens) needs: ``.name`` outside ``:not()``, ``:is()``,
    ``:has()``... and attribute selectors, which are blocks and functions of their own."""
    return [
        token.value
        for previous, token in pairwise([None, *selector])
        if previous == "." and token.type == "ident"
    ]


def selector_may_match(selector: Sequence[Any], used: UsedNames) -> bool:
    """False only if the selector needs a class no page can have."""
    return all(name in used or not _JUDGED.fullmatch(name) for name in required_classes(selector))


def prune_unused(rules: list[Rule], used: UsedNames) -> list[Rule]:
    """Drop the selectors no page can match, and the rules left without one."""
    kept = []
    for rule in rules:
        if rule.children is not None:
            rule.children = prune_unused(rule.children, used)
            if rule.children or rule.at_keyword == "layer":
                kept.append(rule)
            continue
        if not rule.is_style:
            kept.append(rule)
            continue
        selectors = rule.selectors()
        alive = [s for s in selectors if selector_may_match(s, used)]
        if len(alive) != len(selectors):
            rule.set_selectors(alive)
        if alive:
            kept.append(rule)
    return kept
