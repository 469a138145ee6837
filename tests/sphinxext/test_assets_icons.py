"""handbook.sphinxext.assets.icons: FontAwesome icons as inline SVG and CSS masks."""

from __future__ import annotations

from pathlib import Path

from handbook.sphinxext.assets.css import parse_stylesheet, serialize_rules
from handbook.sphinxext.assets.icons import (
    IconSet,
    icon_font_to_masks,
    inline_icons,
    remove_fontawesome,
    strip_icon_font,
    svg_icon_rules,
)

#: The shape of the theme's fontawesome.js: icon packs registered by family, and the CSS
#: for inline SVG icons in a string.
SCRIPT = (
    r'var b={"bars":[448,512,["navicon"],"f0c9","M0 96h448z"],'
    r'"circle-info":[512,512,[],"f05a","M3 4z"]};p("fas",b);'
    r'var c={github:[496,512,[],"f09b","M1 2z"]};p("fab",c);'
    r'var s=".svg-inline--fa {\n  display: var(--fa-display, inline-block);\n  height: 1em;\n}'
    r"\n.fa-layers svg.svg-inline--fa {\n  position:   absolute;\n}"
    r'\n.fa-spin {\n  animation: x;\n}";'
)
ICONS = IconSet.from_script(SCRIPT)


def test_icon_data_is_read_from_the_script():
    assert set(ICONS.by_name["fas"]) == {"bars", "navicon", "circle-info"}
    assert ICONS.by_name["fab"]["github"].width == 496
    assert ICONS.for_codepoint(0xF05A).name == "circle-info"
    assert ICONS.for_codepoint(0xF09B, prefer="fab").prefix == "fab"
    assert ICONS.for_codepoint(0xE000) is None
    assert ICONS.digest and IconSet.from_script(SCRIPT + " ").digest != ICONS.digest


def test_icon_elements_become_inline_svg():
    unknown: set[str] = set()
    page = (
        '<i class="fa-solid fa-navicon"></i>'
        '<span class="fab fa-github extra" title="GitHub"> </span>'
        '<i class="fa-solid fa-nope"></i>'
        '<i class="fancy"></i>'
    )
    assert inline_icons(page, ICONS, unknown) == (
        '<svg class="svg-inline--fa fa-bars" data-prefix="fas" data-icon="bars" role="img"'
        ' viewBox="0 0 448 512" aria-hidden="true"><path fill="currentColor" d="M0 96h448z"/></svg>'
        '<svg class="svg-inline--fa fa-github extra" title="GitHub" data-prefix="fab"'
        ' data-icon="github" role="img" viewBox="0 0 496 512">'
        '<path fill="currentColor" d="M1 2z"/></svg>'
        '<i class="fa-solid fa-nope"></i>'
        '<i class="fancy"></i>'
    )
    assert unknown == {"fa-solid fa-nope"}


def test_a_glyph_as_a_mask():
    assert ICONS.by_name["fas"]["circle-info"].mask() == (
        "url(\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 512 512'"
        "%3E%3Cpath d='M3 4z'/%3E%3C/svg%3E\")"
    )


def test_the_icon_font_goes_and_its_glyphs_become_masks():
    css = (
        ':root{--pst-icon-info: "\\f05a";--pst-icon-alias:var(--pst-icon-info)}\n'
        ".title::after{content:var(--pst-icon-alias);font:var(--fa-font-solid);width:2em}\n"
        'a.external::after{content:"\\f09b";font:var(--fa-font-brands)}\n'
        '.fa-bars{--fa:"\\f0c9"}\n'
        '@media print{.fa-github{--fa:"\\f09b"}.text{content: "x" }}\n'
        '@font-face{font-family:"Font Awesome 7 Free";src:url(fa.woff2)}\n'
        "@font-face{font-family:Other}"
    )
    rules = strip_icon_font(parse_stylesheet(css))
    icon_font_to_masks(rules, ICONS)
    info = ICONS.by_name["fas"]["circle-info"].mask()
    github = ICONS.by_name["fab"]["github"].mask()
    box = (
        "height:1lh;background-color:currentColor;-webkit-mask-repeat:no-repeat;"
        "mask-repeat:no-repeat;-webkit-mask-position:center;mask-position:center;"
        "-webkit-mask-size:contain;mask-size:contain"
    )
    assert serialize_rules(rules) == (
        f':root{{--pst-icon-info:"\\f05a";--hbm-pst-icon-info:{info};'
        "--pst-icon-alias:var(--pst-icon-info);--hbm-pst-icon-alias:var(--hbm-pst-icon-info)}\n"
        '.title::after{content:"";-webkit-mask-image:var(--hbm-pst-icon-alias);'
        "mask-image:var(--hbm-pst-icon-alias);font:var(--fa-font-solid);width:2em;"
        f"display:inline-block;vertical-align:-.125em;{box}}}\n"
        f'a.external::after{{content:"";-webkit-mask-image:{github};mask-image:{github};'
        f"font:var(--fa-font-brands);display:inline-block;width:1em;vertical-align:-.125em;{box}}}\n"
        '@media print{.text{content: "x" }}\n'
        "@font-face{font-family:Other}"
    )


def test_the_svg_icon_rules_are_fontawesomes_own_minified():
    assert serialize_rules(svg_icon_rules(ICONS)) == (
        ".svg-inline--fa{display:var(--fa-display, inline-block);height:1em}\n"
        ".fa-layers svg.svg-inline--fa{position:absolute}"
    )
    assert serialize_rules(svg_icon_rules(IconSet())).startswith(
        ".svg-inline--fa{box-sizing:content-box;"
    )


def test_fontawesome_leaves_the_output_unless_something_refers_to_it(tmp_path: Path):
    scripts = tmp_path / "_static" / "scripts"
    fonts = tmp_path / "_static" / "vendor" / "fontawesome" / "webfonts"
    fonts.mkdir(parents=True)
    scripts.mkdir(parents=True)
    for path in (scripts / "fontawesome.js", scripts / "other.js", fonts / "fa.woff2"):
        path.write_text("x")
    remove_fontawesome(tmp_path, ['<script src="_static/scripts/fontawesome.js"></script>'])
    assert (scripts / "fontawesome.js").exists()
    remove_fontawesome(tmp_path, ["<p>no icon script</p>"])
    assert not (scripts / "fontawesome.js").exists()
    assert (scripts / "other.js").exists()
    assert not (tmp_path / "_static" / "vendor").exists()
