"""Light pages: what a reader's browser downloads, and when.

A stock sphinx-book-theme page downloads the whole FontAwesome JavaScript
bundle (1.5 MB) to draw about fifteen icons, two icon webfonts, seven
stylesheets (one behind an ``@import``) and a dozen scripts that block the
first paint, among them the full search index.  This extension keeps every
feature and sends much less:

Per page, with Sphinx's own page context (``html-page-context``):

* ``documentation_options.js`` is inlined (a few hundred bytes that every
  other script reads), and every other script is deferred, so no script
  blocks the first paint.  The search page is left as the theme writes it:
  its scripts must run in order before the page is usable anyway.
* ``docs/_templates/layout.html`` drops the theme's FontAwesome script, its
  script preloads and, unless search-as-you-type is on, the search index and
  tools that only ``search.html`` uses.

Once the whole site is written (``build-finished``), because these need it:

* **Icons.** Every ``<i>``/``<span>`` with FontAwesome classes becomes the
  inline ``<svg>`` FontAwesome's script would have made of it in the reader's
  browser, from the icon data of the theme's own copy of FontAwesome, so the
  theme's CSS styles them exactly as before.  Icons that the theme's CSS draws
  with the icon font in pseudo-elements (admonition titles, external links)
  become CSS masks of the same glyphs.  The icon fonts and the script are then
  deleted from the output: nothing refers to them.
* **One stylesheet.** The stylesheets each page links (theme, extensions,
  ours) become one file, ``_static/handbook-<id>.css`` (``<id>`` names the
  list of files it was made from), without the FontAwesome webfont rules, and
  with a ``?v=`` checksum on every page that links it, as Sphinx does for its
  own assets.  Selectors that need a class no page carries, and that no
  script the pages run could add, are dropped (``handbook_prune_css``): most
  of Bootstrap's components.  A class counts as addable if any script names
  it, or builds names that start like it (`` `bs-${...}` ``).
* **Pre-compressed files.** Every text file of 1 KiB or more gets a ``.gz``
  sibling (gzip level 9, reproducible) for hosts that serve them (nginx
  ``gzip_static``, Caddy ``precompressed``); GitHub Pages compresses itself.

Everything here is deterministic and idempotent, so an incremental build
writes the same files as a clean one.  Only HTML builders are touched: the
EPUB keeps Sphinx's own output.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import zlib
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, urlsplit

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.typing import ExtensionMetadata

import handbook

logger = logging.getLogger(__name__)

HTML_BUILDERS = frozenset({"html", "dirhtml"})

#: Where the theme keeps FontAwesome's script, relative to a theme's ``static``.
FONTAWESOME_JS = "scripts/fontawesome.js"
#: Output files of the theme's FontAwesome that nothing needs once icons are inline.
FONTAWESOME_OUTPUT = (
    "_static/scripts/fontawesome.js",
    "_static/scripts/fontawesome.js.map",
    "_static/scripts/fontawesome.js.LICENSE.txt",
    "_static/vendor/fontawesome",
)
#: Folders of the output that hold no pages.
NOT_PAGES = frozenset({"_static", "_sources", "_images", "_downloads"})
BUNDLE_PREFIX = "_static/handbook-"
BUNDLE_RE = re.compile(r"_static/handbook-([0-9a-f]{12})\.css(?:\?v=[0-9a-f]+)?")
BUNDLE_HEADER = "/* handbook.sphinxext.assets bundle of: "

#: Text files worth pre-compressing, and the size below which gzip cannot help.
COMPRESSIBLE = frozenset({".html", ".css", ".js", ".svg", ".xml", ".txt", ".json"})
COMPRESS_MIN_BYTES = 1024


# --------------------------------------------------------------------------
# FontAwesome's icon data
# --------------------------------------------------------------------------

#: CSS classes naming an icon family, and the prefix FontAwesome's data uses.
FAMILY_CLASSES = {
    "fa": "fas",
    "fas": "fas",
    "fa-solid": "fas",
    "far": "far",
    "fa-regular": "far",
    "fab": "fab",
    "fa-brands": "fab",
}
STYLE_CLASSES = frozenset({*FAMILY_CLASSES, "fa-classic"})
#: Which family a pseudo-element's ``font: var(--fa-font-*)`` draws from.
FONT_FAMILIES = {"solid": "fas", "regular": "far", "brands": "fab"}

_ICON_ENTRY = re.compile(
    r'(?:"(?P<quoted>[a-z0-9-]+)"|(?P<bare>[a-z0-9_$]+)):'
    r"\[(?P<width>\d+),(?P<height>\d+),\[(?P<aliases>[^\]]*)\],"
    r'"(?P<unicode>[0-9a-f]+)",(?P<path>"(?:[^"\\]|\\.)*"|\[[^\]]*\])\]'
)
_ICON_PACK = re.compile(r'\("(fas|far|fab)",\s*[A-Za-z_$][\w$]*\)')
_JS_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SVG_CSS = re.compile(r'"((?:[^"\\]|\\.)*\.svg-inline--fa \{(?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Icon:
    """One FontAwesome glyph: its family prefix, canonical name, box and path."""

    prefix: str
    name: str
    width: int
    height: int
    path: str

    def svg(self, classes: Sequence[str], attributes: Sequence[tuple[str, str | None]]) -> str:
        """The element FontAwesome's script makes of an ``<i>``: its other classes and
        attributes kept, hidden from assistive technology unless it has a title."""
        names = " ".join(["svg-inline--fa", f"fa-{self.name}", *classes])
        extra = "".join(f' {k}="{v}"' if v is not None else f" {k}" for k, v in attributes)
        keys = {k for k, _ in attributes}
        hidden = "" if keys & {"title", "aria-hidden"} else ' aria-hidden="true"'
        return (
            f'<svg class="{names}"{extra} data-prefix="{self.prefix}" data-icon="{self.name}"'
            f' role="img" viewBox="0 0 {self.width} {self.height}"{hidden}>'
            f'<path fill="currentColor" d="{self.path}"/></svg>'
        )

    def mask(self) -> str:
        """The glyph as a CSS ``url()`` of an SVG, for ``mask-image``."""
        svg = (
            f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {self.width} {self.height}'>"
            f"<path d='{self.path}'/></svg>"
        )
        return 'url("data:image/svg+xml,' + quote(svg, safe=" /:=',.-") + '")'


@dataclass
class IconSet:
    """FontAwesome's free icons by family prefix and name (aliases included) and by code point."""

    by_name: dict[str, dict[str, Icon]] = field(default_factory=dict)
    by_codepoint: dict[str, dict[int, Icon]] = field(default_factory=dict)
    license: str = ""
    svg_css: str = ""

    def __bool__(self) -> bool:
        return bool(self.by_name)

    @classmethod
    def from_file(cls, script: Path) -> IconSet:
        """The icons of ``fontawesome.js``, with the notice of its ``.LICENSE.txt`` if present."""
        icons = cls.from_script(script.read_text(encoding="utf-8"))
        notice = script.with_name(script.name + ".LICENSE.txt")
        if notice.is_file():
            text = notice.read_text(encoding="utf-8")
            lines = [ln.strip(" /*!") for ln in text.splitlines()]
            icons.license = " ".join(ln for ln in lines if ln)
        return icons

    @classmethod
    def from_script(cls, source: str) -> IconSet:
        """Read the icon packs out of the theme's ``fontawesome.js`` (no JavaScript runs).

        Each pack is an object literal ``{name: [width, height, [aliases],
        unicode, path], ...}`` registered by a call like ``p("fas", b)``; an
        entry belongs to the first registration that follows it.
        """
        packs = [(m.start(), m.group(1)) for m in _ICON_PACK.finditer(source)]
        icons = cls()
        for match in _ICON_ENTRY.finditer(source):
            prefix = next((p for start, p in packs if start > match.start()), None)
            if prefix is None:
                continue
            name = match.group("quoted") or match.group("bare")
            path = match.group("path")
            try:
                if path.startswith("["):  # duotone: [secondary, primary]; the free set has none
                    parts = [json.loads(f'"{s}"') for s in _JS_STRING.findall(path)]
                    path_data = " ".join(p for p in parts if p)
                else:
                    path_data = json.loads(path)
            except ValueError:
                continue
            icon = Icon(
                prefix, name, int(match.group("width")), int(match.group("height")), path_data
            )
            names = icons.by_name.setdefault(prefix, {})
            names.setdefault(name, icon)
            for alias in _JS_STRING.findall(match.group("aliases")):
                names.setdefault(alias, icon)
            icons.by_codepoint.setdefault(prefix, {}).setdefault(
                int(match.group("unicode"), 16), icon
            )
        icons.license = "Font Awesome Free, https://fontawesome.com/license/free"
        css = _SVG_CSS.search(source)
        try:
            icons.svg_css = json.loads(f'"{css.group(1)}"') if css else ""
        except ValueError:  # a JavaScript escape JSON does not know: use the fallback rule
            icons.svg_css = ""
        return icons

    def for_codepoint(self, codepoint: int, prefer: str = "fas") -> Icon | None:
        """The glyph at ``codepoint``, from ``prefer``'s family first."""
        for prefix in (prefer, "fas", "fab", "far"):
            icon = self.by_codepoint.get(prefix, {}).get(codepoint)
            if icon:
                return icon
        return None


def find_fontawesome(app: Sphinx) -> Path | None:
    """The theme's ``fontawesome.js``: the copy in the output, else the theme's own."""
    copied = Path(app.outdir) / "_static" / FONTAWESOME_JS
    if copied.is_file():
        return copied
    theme = getattr(app.builder, "theme", None)
    for directory in theme.get_theme_dirs() if theme else []:
        candidate = Path(directory) / "static" / FONTAWESOME_JS
        if candidate.is_file():
            return candidate
    return None


# --------------------------------------------------------------------------
# Icons in HTML: <i class="fa-solid fa-bars"></i> -> <svg ...>
# --------------------------------------------------------------------------

_ICON_ELEMENT = re.compile(r"<(i|span)\b([^<>]*\bfa[^<>]*)>\s*</\1>")
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def _attributes(text: str) -> list[tuple[str, str | None]]:
    found = []
    for match in _ATTRIBUTE.finditer(text):
        value = next((v for v in match.groups()[1:] if v is not None), None)
        found.append((match.group(1), value))
    return found


def inline_icons(page: str, icons: IconSet, unknown: set[str]) -> str:
    """Replace every empty FontAwesome ``<i>``/``<span>`` in ``page`` with its inline SVG.

    Elements whose classes name no icon of their family are added to
    ``unknown`` (as their class attribute) and left alone.
    """

    def replace(match: re.Match[str]) -> str:
        attributes = _attributes(match.group(2))
        classes = next((v or "" for k, v in attributes if k == "class"), "").split()
        family = next((FAMILY_CLASSES[c] for c in classes if c in FAMILY_CLASSES), None)
        names = [c for c in classes if c.startswith("fa-") and c not in STYLE_CLASSES]
        if family is None and not names:
            return match.group(0)  # no FontAwesome element, only a word starting with "fa"
        table = icons.by_name.get(family or "fas", {})
        named = next((c for c in names if c[3:] in table), None)
        if named is None:
            unknown.add(" ".join(classes))
            return match.group(0)
        keep = [c for c in classes if c not in STYLE_CLASSES and c != named]
        others = [(k, v) for k, v in attributes if k != "class"]
        return table[named[3:]].svg(keep, others)

    return _ICON_ELEMENT.sub(replace, page)


# --------------------------------------------------------------------------
# A small CSS reader: enough structure to edit rules, nothing more
# --------------------------------------------------------------------------

#: At-rules whose block holds rules (parsed); other blocks are kept as written.
NESTING_AT_RULES = frozenset({"media", "supports", "layer", "container", "document", "scope"})


@dataclass
class Rule:
    """A CSS statement: a style rule, an at-rule with a block, or a bare statement.

    ``block`` is the text between the braces; ``children`` the parsed rules of
    a nesting at-rule (``@media``...); ``block is None`` for ``@import ...;``.
    """

    prelude: str
    block: str | None = None
    children: list[Rule] | None = None

    @property
    def at_keyword(self) -> str:
        match = re.match(r"@([\w-]+)", self.prelude)
        return match.group(1).lower() if match else ""

    def declarations(self) -> list[tuple[str, str]]:
        """The ``(property, value)`` pairs of a style rule's block."""
        result = []
        for part in _split_declarations(self.block or ""):
            name, colon, value = part.partition(":")
            if colon and name.strip():
                result.append((name.strip(), value.strip()))
        return result

    def set_declarations(self, declarations: Iterable[tuple[str, str]]) -> None:
        self.block = ";".join(f"{k}:{v}" for k, v in declarations)

    def walk(self) -> Iterator[Rule]:
        yield self
        for child in self.children or []:
            yield from child.walk()


_COMMENT = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|/\*(?!!).*?\*/""", re.S)
_TOKEN = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|/\*!.*?\*/|[{}();]""", re.S)
_DECLARATION_TOKEN = re.compile(r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|[()\[\]{};,]""", re.S)


def _split_declarations(block: str, separator: str = ";") -> list[str]:
    """Split a block at the semicolons (or commas) outside strings and brackets."""
    parts, depth, start = [], 0, 0
    for match in _DECLARATION_TOKEN.finditer(block):
        if match.group(1):
            continue
        char = match.group(0)
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and char == separator:
            parts.append(block[start : match.start()])
            start = match.end()
    parts.append(block[start:])
    return parts


def parse_css(text: str) -> list[Rule]:
    """Parse a stylesheet into rules; comments are dropped, except ``/*!`` notices between rules."""
    return _parse(_COMMENT.sub(lambda m: m.group(1) or "", text))


def _parse(text: str) -> list[Rule]:
    rules: list[Rule] = []
    depth = parens = start = opened = 0
    for match in _TOKEN.finditer(text):
        if match.group(1):
            continue
        token = match.group(0)
        if token.startswith("/*"):
            if depth == 0 and not text[start : match.start()].strip():
                rules.append(Rule(token))
                start = match.end()
            continue
        if depth == 0 and token in "()":
            parens = max(0, parens + (1 if token == "(" else -1))
        elif token == "{":
            if depth == 0:
                opened = match.end()
            depth += 1
        elif token == "}":
            if depth == 0:  # stray: skip it
                start = match.end()
                continue
            depth -= 1
            if depth == 0:
                rule = Rule(text[start : opened - 1].strip(), text[opened : match.start()])
                if rule.at_keyword in NESTING_AT_RULES:
                    rule.children, rule.block = _parse(rule.block or ""), None
                rules.append(rule)
                start = match.end()
        elif token == ";" and depth == 0 and parens == 0:
            statement = text[start : match.start()].strip()
            if statement:
                rules.append(Rule(statement))
            start = match.end()
    return rules


def serialize_css(rules: Iterable[Rule]) -> str:
    out = []
    for rule in rules:
        if rule.children is not None:
            out.append(f"{rule.prelude}{{{serialize_css(rule.children)}}}")
        elif rule.block is not None:
            out.append(f"{rule.prelude}{{{rule.block}}}")
        elif rule.prelude.startswith("/*"):
            out.append(f"\n{rule.prelude}\n")
        else:
            out.append(f"{rule.prelude};")
    return "\n".join(out)


# --------------------------------------------------------------------------
# The stylesheet bundle
# --------------------------------------------------------------------------

_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")
_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']([^"']+)["']\s*\)?\s*;""")
_SOURCE_MAP = re.compile(r"/\*[#@]\s*sourceMappingURL=[^*]*\*/")
_CHARSET = re.compile(r"@charset\s+[^;]+;")
_CSS_STRING = re.compile(r"""^(["'])(.*)\1$""", re.S)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.S)
_VAR = re.compile(r"^var\(\s*(--[\w-]+)\s*(?:,[^)]*)?\)(?:\s*/\s*(?:\"\"|''))?$")
_FA_FONT = re.compile(r"var\(\s*--fa-font-(solid|regular|brands)\s*\)")


def _is_local(url: str) -> bool:
    return not re.match(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", url, re.I)


def _relative(target: PurePosixPath, start: PurePosixPath) -> str:
    return os.path.relpath(target.as_posix(), start.as_posix()).replace(os.sep, "/")


def read_stylesheet(outdir: Path, name: str, into: str, seen: frozenset[str] = frozenset()) -> str:
    """The stylesheet ``name`` (relative to ``outdir``), ``@import``\\s inlined,
    with its ``url()``\\s rewritten to work from the folder ``into``."""
    here = PurePosixPath(name).parent
    text = (outdir / name).read_text(encoding="utf-8")
    text = _SOURCE_MAP.sub("", _CHARSET.sub("", text))

    def rebase(match: re.Match[str]) -> str:
        url = match.group(2).strip()
        if not _is_local(url):
            return match.group(0)
        target = PurePosixPath(os.path.normpath((here / url).as_posix()))
        return f'url("{_relative(target, PurePosixPath(into))}")'

    def inline(match: re.Match[str]) -> str:
        url = match.group(1)
        target = os.path.normpath((here / url).as_posix())
        if not _is_local(url) or target in seen or not (outdir / target).is_file():
            return match.group(0)
        return read_stylesheet(outdir, target, into, seen | {name})

    return _URL.sub(rebase, _IMPORT.sub(inline, text))


def _css_string_codepoint(value: str) -> int | None:
    """The code point of a one-character CSS string such as ``"\\f05a"``."""
    match = _CSS_STRING.match(value.strip())
    if not match:
        return None
    text = _CSS_ESCAPE.sub(
        lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), match.group(2)
    )
    return ord(text) if len(text) == 1 else None


def _is_private_use(codepoint: int | None) -> bool:
    return codepoint is not None and (0xE000 <= codepoint <= 0xF8FF or codepoint >= 0xF0000)


def strip_icon_font(rules: list[Rule]) -> list[Rule]:
    """Drop the icon font: its ``@font-face`` rules and the per-icon code point rules."""
    kept = []
    for rule in rules:
        if rule.children is not None:
            rule.children = strip_icon_font(rule.children)
            kept.append(rule)
            continue
        if rule.at_keyword == "font-face" and "font awesome" in (rule.block or "").lower():
            continue
        if rule.block is not None and not rule.at_keyword:
            declarations = rule.declarations()
            if declarations and all(k in {"--fa", "--fa--fa"} for k, _ in declarations):
                continue
        kept.append(rule)
    return kept


def icon_font_to_masks(rules: list[Rule], icons: IconSet) -> None:
    """Draw the theme's pseudo-element icons (``content: "\\f05a"`` in the icon font) as masks.

    A custom property holding a glyph (``--pst-icon-info-circle: "\\f05a"``)
    gets a twin ``--hbm-pst-icon-info-circle: url(<svg>)``; one that refers to
    another (``var(--pst-icon-info-circle)``) a twin referring to the other's
    twin.  A ``content`` that draws a glyph becomes an empty box masked by it,
    and a rule that sets the icon font gives that box a size and the text
    colour.  Rules are edited in place, so the cascade is as before.
    """
    style_rules = [
        r for top in rules for r in top.walk() if r.block is not None and not r.at_keyword
    ]
    glyphs: dict[str, Icon] = {}
    aliases: dict[str, str] = {}
    for rule in style_rules:
        for name, value in rule.declarations():
            if not name.startswith("--"):
                continue
            codepoint = _css_string_codepoint(value)
            if _is_private_use(codepoint):
                icon = icons.for_codepoint(codepoint or 0)
                if icon:
                    glyphs[name] = icon
            elif var := _VAR.match(value):
                aliases[name] = var.group(1)

    def is_glyph(name: str, depth: int = 0) -> bool:
        return name in glyphs or (
            depth < 10 and name in aliases and is_glyph(aliases[name], depth + 1)
        )

    def twin(name: str) -> str:
        return "--hbm-" + name[2:]

    for rule in style_rules:
        declarations = rule.declarations()
        font = next((_FA_FONT.search(v) for k, v in declarations if k == "font"), None)
        prefer = FONT_FAMILIES[font.group(1)] if font else "fas"
        names = {k for k, _ in declarations}
        edited: list[tuple[str, str]] = []
        for name, value in declarations:
            edited.append((name, value))
            if name.startswith("--") and name in glyphs:
                edited.append((twin(name), glyphs[name].mask()))
            elif name.startswith("--") and name in aliases and is_glyph(name):
                edited.append((twin(name), f"var({twin(aliases[name])})"))
            elif name == "content":
                var = _VAR.match(value)
                codepoint = _css_string_codepoint(value)
                if var and is_glyph(var.group(1)):
                    image = f"var({twin(var.group(1))})"
                elif _is_private_use(codepoint) and (
                    icon := icons.for_codepoint(codepoint or 0, prefer)
                ):
                    image = icon.mask()
                else:
                    continue
                edited[-1] = ("content", '""')
                edited += [("-webkit-mask-image", image), ("mask-image", image)]
        if font:
            # A glyph sits in its line box, whatever height the box is given:
            # a box one line high, the mask centred, puts the icon where it was.
            box = [("display", "inline-block"), ("width", "1em"), ("vertical-align", "-.125em")]
            edited += [(k, v) for k, v in box if k not in names]
            edited += [
                ("height", "1lh"),
                ("background-color", "currentColor"),
                ("-webkit-mask-repeat", "no-repeat"),
                ("mask-repeat", "no-repeat"),
                ("-webkit-mask-position", "center"),
                ("mask-position", "center"),
                ("-webkit-mask-size", "contain"),
                ("mask-size", "contain"),
            ]
        if edited != declarations:
            rule.set_declarations(edited)


_CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
_WORD = re.compile(r"[A-Za-z_][\w-]*")
#: A class name a script builds: `prefix-${...}`, "prefix-" + ..., "prefix-".concat(...).
_DYNAMIC_CLASS = re.compile(
    r"""`([A-Za-z][\w-]*-)\$\{|["']([A-Za-z][\w-]*-)["']\s*(?:\+|\.concat\()"""
)
_SELECTOR_NOISE = re.compile(r"""\[[^\]]*\]|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'""")
_INNERMOST_PARENTHESES = re.compile(r"\([^()]*\)")
_CLASS_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


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
            source = dict(_attributes(match.group(1))).get("src")
            if source:
                resolved = site.resolve(page, source)
                if resolved:
                    scripts.add(resolved[0])
            else:
                used.add_script(match.group(2))
    for name in sorted(scripts):
        used.add_script((site.outdir / name).read_text(encoding="utf-8", errors="replace"))
    return used


def selector_may_match(selector: str, used: UsedNames) -> bool:
    """False only if the selector needs a class no page can have.

    Classes inside ``:not()``, ``:is()``, ``:has()``... and attribute
    selectors are not required; an escaped name keeps the selector."""
    if "\\" in selector:
        return True
    text = _SELECTOR_NOISE.sub("", selector)
    while True:
        stripped = _INNERMOST_PARENTHESES.sub("", text)
        if stripped == text:
            break
        text = stripped
    return all(name in used for name in _CLASS_SELECTOR.findall(text))


def prune_unused(rules: list[Rule], used: UsedNames) -> list[Rule]:
    """Drop the selectors no page can match, and the rules left without one."""
    kept = []
    for rule in rules:
        if rule.children is not None:
            rule.children = prune_unused(rule.children, used)
            if rule.children or rule.at_keyword == "layer":
                kept.append(rule)
            continue
        if rule.block is None or rule.at_keyword or rule.prelude.startswith("/*"):
            kept.append(rule)
            continue
        selectors = _split_declarations(rule.prelude, ",")
        alive = [s for s in selectors if selector_may_match(s, used)]
        if len(alive) != len(selectors):
            rule.prelude = ",".join(a.strip() for a in alive)
        if alive:
            kept.append(rule)
    return kept


def svg_icon_rules(icons: IconSet) -> str:
    """The rules of FontAwesome's own stylesheet for inline SVG icons (``.svg-inline--fa``)."""
    kept = [
        r
        for r in parse_css(icons.svg_css)
        if r.block is not None and "svg-inline--fa" in r.prelude and not r.at_keyword
    ]
    for rule in kept:
        rule.prelude = " ".join(rule.prelude.split())
        rule.set_declarations(rule.declarations())
    if not kept:  # an unexpected fontawesome.js: the essential rule
        kept = parse_css(
            ".svg-inline--fa{box-sizing:content-box;display:var(--fa-display,inline-block);"
            "height:1em;overflow:visible;vertical-align:-.125em;width:var(--fa-width,1.25em)}"
        )
    return serialize_css(kept)


def make_bundle(
    outdir: Path, sources: Sequence[str], icons: IconSet, used: UsedNames | None = None
) -> str:
    """One stylesheet from ``sources`` (in order), for ``_static/``; without the
    rules no page can use if ``used`` says which class names pages can have."""
    text = "\n".join(read_stylesheet(outdir, name, "_static") for name in sources)
    rules = parse_css(text)
    if icons:
        rules = strip_icon_font(rules)
        icon_font_to_masks(rules, icons)
    header = BUNDLE_HEADER + " ".join(sources) + " */"
    parts = [header]
    if icons:
        svg_rules = parse_css(svg_icon_rules(icons))
        parts += [f"/*! Icons: {icons.license.strip()} */", serialize_css(svg_rules)]
    if used is not None:
        rules = prune_unused(rules, used)
        if icons:
            parts[-1] = serialize_css(prune_unused(svg_rules, used))
    parts.append(serialize_css(rules))
    return "\n".join(parts) + "\n"


def bundle_id(sources: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sources).encode()).hexdigest()[:12]


def bundle_sources(bundle: Path) -> list[str] | None:
    """The list of stylesheets an existing bundle was made from (its first line)."""
    try:
        with bundle.open(encoding="utf-8") as f:
            first = f.readline().strip()
    except OSError:
        return None
    if first.startswith(BUNDLE_HEADER) and first.endswith("*/"):
        return first[len(BUNDLE_HEADER) : -2].split()
    return None


# --------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------

_HEAD_END = re.compile(r"</head\s*>", re.I)
_LINK = re.compile(r"[ \t]*<link\b([^<>]*)>\n?", re.I)


@dataclass
class Page:
    path: Path
    rel: PurePosixPath  # relative to the output folder
    text: str
    original: str


class Site:
    """The written HTML site: resolves a page's links to files in the output."""

    def __init__(self, outdir: Path, prefixes: Iterable[str]) -> None:
        self.outdir = outdir
        self.prefixes = sorted({p if p.endswith("/") else p + "/" for p in prefixes if p}, key=len)[
            ::-1
        ]

    def pages(self) -> list[Page]:
        found = []
        for path in sorted(self.outdir.rglob("*.html")):
            rel = PurePosixPath(path.relative_to(self.outdir).as_posix())
            if rel.parts[0] in NOT_PAGES:
                continue
            text = path.read_text(encoding="utf-8")
            found.append(Page(path, rel, text, text))
        return found

    def resolve(self, page: Page, href: str) -> tuple[str, str] | None:
        """For a link to a file of the site: ``(the file, relative to the output;
        the href's part that leads to the output's root)``.  Else ``None``."""
        url = urlsplit(href)
        if url.scheme or url.netloc or not url.path:
            return None
        path = url.path
        if path.startswith("/"):
            prefix = next((p for p in self.prefixes if path.startswith(p)), None)
            if prefix is None:
                return None
            target = path[len(prefix) :]
        else:
            target = os.path.normpath((page.rel.parent / path).as_posix()).replace(os.sep, "/")
        if target.startswith("../") or not (self.outdir / target).is_file():
            return None
        if path.endswith(target):
            return target, path[: len(path) - len(target)]
        return target, "../" * (len(page.rel.parts) - 1)


def link_stylesheets(site: Site, page: Page) -> list[str] | None:
    """Replace the page's local stylesheet links with one link to their bundle.

    The link has no ``?v=`` yet.  Returns the files the bundle holds, in
    order, or ``None`` if the page links no local stylesheet.
    """
    head_end = _HEAD_END.search(page.text)
    if not head_end:
        return None
    head = page.text[: head_end.start()]
    sources: list[str] = []
    pieces: list[str] = []
    slot, root, indent, last = -1, "", "", 0
    for match in _LINK.finditer(head):
        attributes = {k.lower(): v for k, v in _attributes(match.group(1))}
        media = (attributes.get("media") or "all").strip().lower()
        if (attributes.get("rel") or "").lower() != "stylesheet" or media not in {"all", "screen"}:
            continue
        resolved = site.resolve(page, attributes.get("href") or "")
        if resolved is None or resolved[0].startswith(BUNDLE_PREFIX):
            continue
        pieces.append(head[last : match.start()])
        if slot < 0:
            slot, root = len(pieces), resolved[1]
            indent = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip(" \t"))]
            pieces.append("")
        sources.append(resolved[0])
        last = match.end()
    if slot < 0:
        return None
    pieces.append(head[last:])
    href = f"{root}{BUNDLE_PREFIX}{bundle_id(sources)}.css"
    pieces[slot] = f'{indent}<link rel="stylesheet" href="{href}" />\n'
    page.text = "".join(pieces) + page.text[head_end.start() :]
    return sources


def _write_if_changed(path: Path, text: str) -> bool:
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except OSError:
        pass
    path.write_text(text, encoding="utf-8")
    return True


def _checksum(text: str) -> str:
    return f"{zlib.crc32(text.encode('utf-8')):08x}"


def precompress(outdir: Path, *, level: int = 9) -> int:
    """Write ``X.gz`` next to every compressible file ``X`` of the output; return how many.

    A ``.gz`` newer than its file is kept; one whose file is gone is removed.
    The archives carry no name and no time, so the same file gives the same bytes.
    """
    todo: list[tuple[Path, Path]] = []
    for path in outdir.rglob("*"):
        if path.suffix == ".gz":
            source = path.with_suffix("")
            if not source.is_file() or source.stat().st_size < COMPRESS_MIN_BYTES:
                path.unlink()
            continue
        if path.suffix not in COMPRESSIBLE or not path.is_file():
            continue
        if path.stat().st_size < COMPRESS_MIN_BYTES:
            continue
        archive = path.with_name(path.name + ".gz")
        if archive.is_file() and archive.stat().st_mtime_ns >= path.stat().st_mtime_ns:
            continue
        todo.append((path, archive))

    def compress(job: tuple[Path, Path]) -> None:
        source, archive = job
        data = gzip.compress(source.read_bytes(), compresslevel=level, mtime=0)
        temporary = archive.with_name(archive.name + ".tmp")
        temporary.write_bytes(data)
        temporary.replace(archive)

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        list(pool.map(compress, todo))
    return len(todo)


# --------------------------------------------------------------------------
# Sphinx hooks
# --------------------------------------------------------------------------


def is_lean(app: Sphinx) -> bool:
    """Whether this build gets light pages: an HTML builder with a PyData-based theme."""
    if app.builder.name not in HTML_BUILDERS or not app.config.handbook_light_pages:
        return False
    theme = getattr(app.builder, "theme", None)
    dirs = theme.get_theme_dirs() if theme else []
    return any(Path(d).name == "pydata_sphinx_theme" for d in dirs)


def on_builder_inited(app: Sphinx) -> None:
    app.builder._handbook_lean = is_lean(app)  # type: ignore[attr-defined]
    app.builder._handbook_options_js = None  # type: ignore[attr-defined]


def _options_script(app: Sphinx) -> str | None:
    cached = getattr(app.builder, "_handbook_options_js", None)
    if cached is None:
        path = Path(app.outdir) / "_static" / "documentation_options.js"
        cached = path.read_text(encoding="utf-8").strip() if path.is_file() else ""
        app.builder._handbook_options_js = cached  # type: ignore[attr-defined]
    return cached or None


def on_html_page_context(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """Inline ``documentation_options.js`` and defer every other script (not on search.html)."""
    if not getattr(app.builder, "_handbook_lean", False):
        return
    context["handbook_lean"] = True
    if pagename == "search" or templatename == "search.html":
        return
    scripts = context.get("script_files")
    if not scripts:
        return
    options = _options_script(app)
    rewritten = []
    for script in scripts:
        if not hasattr(script, "attributes"):
            rewritten.append(script)  # an old-style string: leave it
            continue
        filename = os.fspath(script.filename or "")
        attributes: dict[str, str] = dict(script.attributes)
        if filename.endswith("_static/documentation_options.js") and options:
            rewritten.append(type(script)("", priority=script.priority, body=options))
        elif (
            filename
            and not {"async", "defer"} & attributes.keys()
            and attributes.get("type") != "module"
        ):
            rewritten.append(
                type(script)(filename, priority=script.priority, **attributes, defer="defer")
            )
        else:
            rewritten.append(script)
    context["script_files"] = rewritten


def site_prefixes(app: Sphinx) -> list[str]:
    """URL paths under which the site's own pages link to it absolutely (the 404 page)."""
    prefixes = [urlsplit(app.config.html_baseurl or "").path or "/"]
    notfound = getattr(app.config, "notfound_urls_prefix", None)
    if notfound:
        prefixes.append(notfound)
    return prefixes


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not getattr(app.builder, "_handbook_lean", False):
        return
    outdir = Path(app.outdir)
    script = find_fontawesome(app)
    icons = IconSet.from_file(script) if script else IconSet()
    if not icons:
        logger.warning(
            "no FontAwesome icon data found in the theme; icons stay as the theme writes them",
            type="handbook",
            subtype="assets",
        )
    site = Site(outdir, site_prefixes(app))
    pages = site.pages()

    unknown: set[str] = set()
    wanted: dict[str, list[str]] = {}
    for page in pages:
        if icons:
            page.text = inline_icons(page.text, icons, unknown)
        sources = link_stylesheets(site, page)
        if sources:
            wanted[bundle_id(sources)] = sources
    for name in sorted(unknown):
        logger.warning("not a FontAwesome icon: %s", name, type="handbook", subtype="assets")

    referenced = {m.group(1) for page in pages for m in BUNDLE_RE.finditer(page.text)}
    used = used_names(site, pages) if app.config.handbook_prune_css else None
    checksums: dict[str, str] = {}
    for ident in sorted(referenced):
        path = outdir / f"{BUNDLE_PREFIX}{ident}.css"
        sources = wanted.get(ident) or bundle_sources(path)
        if sources is None or not all((outdir / s).is_file() for s in sources):
            logger.warning("cannot rebuild %s", path.name, type="handbook", subtype="assets")
            continue
        text = make_bundle(outdir, sources, icons, used)
        _write_if_changed(path, text)
        checksums[ident] = _checksum(text)
    for stale in (outdir / "_static").glob("handbook-*.css"):
        match = re.fullmatch(r"handbook-([0-9a-f]{12})\.css", stale.name)
        if match and match.group(1) not in referenced:
            stale.unlink()

    def versioned(match: re.Match[str]) -> str:
        ident = match.group(1)
        if ident not in checksums:
            return match.group(0)
        return f"{BUNDLE_PREFIX}{ident}.css?v={checksums[ident]}"

    for page in pages:
        page.text = BUNDLE_RE.sub(versioned, page.text)
        if page.text != page.original:
            page.path.write_text(page.text, encoding="utf-8")

    still_used = ("scripts/fontawesome.js", "vendor/fontawesome")
    bundles = [(outdir / f"{BUNDLE_PREFIX}{i}.css").read_text(encoding="utf-8") for i in checksums]
    if icons and not any(u in t for t in [*(p.text for p in pages), *bundles] for u in still_used):
        for name in FONTAWESOME_OUTPUT:
            target = outdir / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.is_file():
                target.unlink()
            folder = target.parent
            if folder != outdir and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()

    if app.config.handbook_precompress:
        precompress(outdir)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("handbook_light_pages", True, "html", types=frozenset({bool}))
    app.add_config_value("handbook_precompress", True, "html", types=frozenset({bool}))
    app.add_config_value("handbook_prune_css", True, "html", types=frozenset({bool}))
    app.connect("builder-inited", on_builder_inited)
    # after the themes and every extension that adds scripts (all at 500 or so)
    app.connect("html-page-context", on_html_page_context, priority=900)
    # after pydata-sphinx-theme rewrites pygments.css and sphinx-sitemap writes sitemap.xml
    app.connect("build-finished", on_build_finished, priority=900)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
