"""FontAwesome without its script or fonts: icons as inline SVG in pages, and as CSS masks.

The theme draws icons with FontAwesome's JavaScript bundle (1.5 MB), which
swaps each ``<i class="fa-...">`` for an ``<svg>`` in the reader's browser,
and with the icon font in CSS pseudo-elements (admonition titles, external
links).  Here, from the icon data of the theme's own copy of FontAwesome:

* every ``<i>``/``<span>`` with FontAwesome classes becomes the ``<svg>`` the
  script would have made of it (:func:`inline_icons`), so the theme's CSS
  styles it exactly as before, and FontAwesome's own rules for inline SVG
  join the stylesheet (:func:`svg_icon_rules`);
* the icon font's rules go (:func:`strip_icon_font`), and a pseudo-element
  that drew a glyph of it becomes an empty box masked by that glyph
  (:func:`icon_font_to_masks`);
* the script and the fonts are deleted from the output
  (:func:`remove_fontawesome`): nothing refers to them any more.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sphinx.application import Sphinx

from .css import (
    Declaration,
    Rule,
    collapse_whitespace,
    parse_stylesheet,
    serialize,
    strip,
)
from .site import attributes

#: Where the theme keeps FontAwesome's script, relative to a theme's ``static``.
FONTAWESOME_JS = "scripts/fontawesome.js"
#: Output files of the theme's FontAwesome that nothing needs once icons are inline.
FONTAWESOME_OUTPUT = (
    "_static/scripts/fontawesome.js",
    "_static/scripts/fontawesome.js.map",
    "_static/scripts/fontawesome.js.LICENSE.txt",
    "_static/vendor/fontawesome",
)

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
    #: A digest of what the set was read from, so that a cache can tell sets apart.
    digest: str = ""

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
        icons.digest = hashlib.sha256(f"{icons.digest}\0{icons.license}".encode()).hexdigest()
        return icons

    @classmethod
    def from_script(cls, source: str) -> IconSet:
        """Read the icon packs out of the theme's ``fontawesome.js`` (no JavaScript runs).

        Each pack is an object literal ``{name: [width, height, [aliases],
        unicode, path], ...}`` registered by a call like ``p("fas", b)``; an
        entry belongs to the first registration that follows it.
        """
        packs = [(m.start(), m.group(1)) for m in _ICON_PACK.finditer(source)]
        icons = cls(digest=hashlib.sha256(source.encode()).hexdigest())
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
                prefix,
                name,
                int(match.group("width")),
                int(match.group("height")),
                path_data,
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


def remove_fontawesome(outdir: Path, texts: Iterable[str]) -> None:
    """Delete FontAwesome's script and fonts from the output, unless one of ``texts``
    (the pages and stylesheets) still refers to them."""
    still_used = ("scripts/fontawesome.js", "vendor/fontawesome")
    if any(u in text for text in texts for u in still_used):
        return
    for name in FONTAWESOME_OUTPUT:
        target = outdir / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.is_file():
            target.unlink()
        folder = target.parent
        if folder != outdir and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


# --------------------------------------------------------------------------
# Icons in HTML: <i class="fa-solid fa-bars"></i> -> <svg ...>
# --------------------------------------------------------------------------

_ICON_ELEMENT = re.compile(r"<(i|span)\b([^<>]*\bfa[^<>]*)>\s*</\1>")


def inline_icons(page: str, icons: IconSet, unknown: set[str]) -> str:
    """Replace every empty FontAwesome ``<i>``/``<span>`` in ``page`` with its inline SVG.

    Elements whose classes name no icon of their family are added to
    ``unknown`` (as their class attribute) and left alone.
    """

    def replace(match: re.Match[str]) -> str:
        found = attributes(match.group(2))
        classes = next((v or "" for k, v in found if k == "class"), "").split()
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
        others = [(k, v) for k, v in found if k != "class"]
        return table[named[3:]].svg(keep, others)

    return _ICON_ELEMENT.sub(replace, page)


# --------------------------------------------------------------------------
# Icons in CSS: the icon font's rules go, its glyphs become masks
# --------------------------------------------------------------------------


def _glyph(value: Sequence[Any]) -> int | None:
    """The code point of a value that is a one-character string such as ``"\\f05a"``."""
    if len(value) == 1 and value[0].type == "string" and len(value[0].value) == 1:
        return ord(value[0].value)
    return None


def _is_private_use(codepoint: int | None) -> bool:
    return codepoint is not None and (0xE000 <= codepoint <= 0xF8FF or codepoint >= 0xF0000)


def _var(value: Sequence[Any]) -> str | None:
    """The custom property a value is, if it is ``var(--name)`` (a fallback allowed),
    alone or followed by ``/ ""`` (the empty alternative text of ``content``)."""
    tokens = [t for t in value if t.type != "whitespace"]
    if not tokens or tokens[0].type != "function" or tokens[0].lower_name != "var":
        return None
    rest = tokens[1:]
    if rest and not (len(rest) == 2 and rest[0] == "/" and rest[1].type == "string"):
        return None
    if rest and rest[1].value:
        return None
    arguments = strip(tokens[0].arguments)
    if not arguments or arguments[0].type != "ident" or not arguments[0].value.startswith("--"):
        return None
    after = strip(arguments[1:])
    return str(arguments[0].value) if not after or after[0] == "," else None


def _icon_font(value: Sequence[Any]) -> str | None:
    """The family (``fas``...) of a ``font`` value that sets ``var(--fa-font-solid)``..."""
    for token in value:
        if token.type == "function":
            if token.lower_name == "var":
                arguments = strip(token.arguments)
                if len(arguments) == 1 and arguments[0].type == "ident":
                    name = arguments[0].value
                    if name.startswith("--fa-font-") and name[10:] in FONT_FAMILIES:
                        return FONT_FAMILIES[name[10:]]
            found = _icon_font(token.arguments)
            if found:
                return found
    return None


#: What a pseudo-element that drew a glyph of the icon font gets, unless it sets it itself:
#: a glyph sits in its line box, whatever height the box is given.
_GLYPH_BOX = [("display", "inline-block"), ("width", "1em"), ("vertical-align", "-.125em")]
#: ... and what it always gets: a box one line high, the mask centred, puts the icon where it was.
_GLYPH_MASK = [
    ("height", "1lh"),
    ("background-color", "currentColor"),
    ("-webkit-mask-repeat", "no-repeat"),
    ("mask-repeat", "no-repeat"),
    ("-webkit-mask-position", "center"),
    ("mask-position", "center"),
    ("-webkit-mask-size", "contain"),
    ("mask-size", "contain"),
]


def strip_icon_font(rules: list[Rule]) -> list[Rule]:
    """Drop the icon font: its ``@font-face`` rules and the per-icon code point rules."""
    kept = []
    for rule in rules:
        if rule.children is not None:
            rule.children = strip_icon_font(rule.children)
            kept.append(rule)
            continue
        if rule.at_keyword == "font-face":
            if "font awesome" in serialize(rule.node.content or ()).lower():
                continue
        elif rule.is_style:
            declarations = rule.declarations()
            if declarations and all(d.name in {"--fa", "--fa--fa"} for d in declarations):
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
    style_rules = [(r, r.declarations()) for top in rules for r in top.walk() if r.is_style]
    glyphs: dict[str, Icon] = {}
    aliases: dict[str, str] = {}
    for _, declarations in style_rules:
        for declaration in declarations:
            if not declaration.name.startswith("--"):
                continue
            codepoint = _glyph(declaration.value)
            if _is_private_use(codepoint):
                icon = icons.for_codepoint(codepoint or 0)
                if icon:
                    glyphs[declaration.name] = icon
            elif target := _var(declaration.value):
                aliases[declaration.name] = target

    def is_glyph(name: str, depth: int = 0) -> bool:
        return name in glyphs or (
            depth < 10 and name in aliases and is_glyph(aliases[name], depth + 1)
        )

    def twin(name: str) -> str:
        return "--hbm-" + name[2:]

    for rule, declarations in style_rules:
        font = next((_icon_font(d.value) for d in declarations if d.name == "font"), None)
        edited: list[Declaration] = []
        for declaration in declarations:
            name = declaration.name
            edited.append(declaration)
            if name.startswith("--") and name in glyphs:
                edited.append(Declaration.parse(twin(name), glyphs[name].mask()))
            elif name.startswith("--") and name in aliases and is_glyph(name):
                edited.append(Declaration.parse(twin(name), f"var({twin(aliases[name])})"))
            elif name == "content":
                var = _var(declaration.value)
                codepoint = _glyph(declaration.value)
                if var and is_glyph(var):
                    image = f"var({twin(var)})"
                elif _is_private_use(codepoint) and (
                    icon := icons.for_codepoint(codepoint or 0, font or "fas")
                ):
                    image = icon.mask()
                else:
                    continue
                edited[-1] = Declaration.parse("content", '""')
                edited.append(Declaration.parse("-webkit-mask-image", image))
                edited.append(Declaration.parse("mask-image", image))
        if font:
            names = {d.name for d in declarations}
            edited += [Declaration.parse(k, v) for k, v in _GLYPH_BOX if k not in names]
            edited += [Declaration.parse(k, v) for k, v in _GLYPH_MASK]
        if len(edited) != len(declarations) or any(
            new is not old for new, old in zip(edited, declarations, strict=True)
        ):
            rule.set_declarations(edited)


#: FontAwesome's essential rule for inline SVG icons, if its script has none to read.
_SVG_FALLBACK = (
    ".svg-inline--fa{box-sizing:content-box;display:var(--fa-display,inline-block);"
    "height:1em;overflow:visible;vertical-align:-.125em;width:var(--fa-width,1.25em)}"
)


def svg_icon_rules(icons: IconSet) -> list[Rule]:
    """The rules of FontAwesome's own stylesheet for inline SVG icons (``.svg-inline--fa``),
    minified: one space between a selector's parts, no space in a block."""
    kept = [
        r for r in parse_stylesheet(icons.svg_css) if r.is_style and "svg-inline--fa" in r.prelude
    ]
    for rule in kept:
        rule.node.prelude = collapse_whitespace(rule.node.prelude)
        rule.set_declarations(rule.declarations())
    return kept or parse_stylesheet(_SVG_FALLBACK)
