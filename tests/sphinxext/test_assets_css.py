"""handbook.sphinxext.assets.css: stylesheets read with tinycss2 and written back as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook.sphinxext.assets.css import (
    Declaration,
    parse_stylesheet,
    parse_values,
    read_stylesheet,
    serialize,
    serialize_rules,
    split,
)


def roundtrip(text: str) -> str:
    return serialize_rules(parse_stylesheet(text))


@pytest.mark.parametrize(
    "css",
    [
        # strings keep their quotes and escapes (tinycss2 alone writes "x" and the raw character)
        ".a{content:'x'}",
        '.a{content:"\\f05a"}',
        ".a{content:'it\\'s'}",
        '.a::after{content:"\\2192 " attr(title)}',
        # url()s keep their spelling, quoted or not
        ".a{background:url( 'i.png' )}",
        ".a{background:url(i.png)}",
        # no /**/ between tokens that could merge (tinycss2.serialize writes 2n/**/+1)
        "li:nth-child(2n+1){color:red}",
        # whitespace, !important and odd spacing inside blocks are kept
        ".a{ color : red ! important ; }",
        # selectors with attribute selectors, functions and escapes
        '.a[data-x="}"],.b:is(.c, .d) > e{x:y}',
        ".sm\\:flex{display:flex}",
        # at-rules without a block
        "@import url(other.css) screen;",
        "@layer base, components;",
    ],
)
def test_roundtrip_is_the_source(css: str):
    assert roundtrip(css) == css


def test_comments_go_and_notices_stay():
    css = (
        "/*! licence */\n"
        "/* a comment */ .a /* in a selector */ { color: red; /* in a block */ }\n"
        ".b{x:y/*!kept where it is*/}"
    )
    assert roundtrip(css) == (
        "\n/*! licence */\n\n.a{ color: red;  }\n.b{x:y/*!kept where it is*/}"
    )


def test_comments_are_not_read_inside_strings():
    assert roundtrip('.a{content:"/* not a comment */"}') == '.a{content:"/* not a comment */"}'


def test_nesting_at_rules_have_children_and_others_keep_their_block():
    rules = parse_stylesheet(
        "@media (min-width: 10em) { .a{x:y} @supports (display:grid) { .b{x:y} } }"
        "@keyframes spin { from { x: 0 } to { x: 1 } }"
        "@font-face { font-family: X }"
    )
    media, keyframes, font_face = rules
    assert media.at_keyword == "media" and media.children is not None
    assert [c.prelude for c in media.children] == [".a", "@supports (display:grid)"]
    assert keyframes.children is None and font_face.children is None
    assert serialize_rules(rules) == (
        "@media (min-width: 10em){.a{x:y}\n@supports (display:grid){.b{x:y}}}\n"
        "@keyframes spin{ from { x: 0 } to { x: 1 } }\n"
        "@font-face{ font-family: X }"
    )


def test_rules_are_written_one_a_line_with_stripped_preludes():
    css = "\n\n  .a ,\n .b  {x:y}\n\n@media   print  {\n  .c{x:y}\n}\n"
    assert roundtrip(css) == ".a ,\n .b{x:y}\n@media   print{.c{x:y}}"


def test_a_line_end_is_a_newline():
    assert roundtrip(".a{\r\n  x: y;\r\n}") == ".a{\n  x: y;\n}"


def test_a_url_written_with_an_escape_keeps_tinycss2_spelling():
    # ``u\72l(x)`` is a url token too; where its source is not found, tinycss2's spelling stays
    assert roundtrip(".a{b:u\\72l(x)}") == ".a{b:url(x)}"


def test_declarations():
    [rule] = parse_stylesheet(
        ".a{ color : red !important; --x:'a;b' ; *zoom: 1; ; background: url(a;b.png) }"
    )
    found = [(d.name, d.text) for d in rule.declarations()]
    assert found == [
        ("color", "red !important"),
        ("--x", "'a;b'"),
        ("*zoom", "1"),
        ("background", "url(a;b.png)"),
    ]


def test_set_declarations_writes_them_tightly_and_keeps_each_as_written():
    [rule] = parse_stylesheet(".a{ color : red ; content:'\\f05a' }")
    declarations = rule.declarations()
    rule.set_declarations([*declarations, Declaration.parse("mask-image", 'url("i.svg")')])
    assert serialize_rules([rule]) == """.a{color:red;content:'\\f05a';mask-image:url("i.svg")}"""


def test_split_and_values():
    values = parse_values("a, b(c, d), [e,f] , 'g,h'")
    assert [serialize(part) for part in split(values, ",")] == [
        "a",
        " b(c, d)",
        " [e,f] ",
        " 'g,h'",
    ]


def test_read_stylesheet_inlines_imports_rebases_urls_and_drops_charset(tmp_path: Path):
    static = tmp_path / "_static"
    (static / "styles" / "img").mkdir(parents=True)
    (static / "styles" / "theme.css").write_text(
        '@charset "utf-8";\n@import "../base.css";\n@import url(https://example.org/x.css);\n'
        ".t{background:url(img/t.png)}\n",
        encoding="utf-8",
    )
    (static / "base.css").write_text(
        "@import 'styles/theme.css';\n"  # a cycle: imported once, then left as it is
        ".b{background:url('img/b.png'),url(data:image/png;base64,AA==),url(#m)}\n",
        encoding="utf-8",
    )
    read: list[str] = []
    rules = read_stylesheet(tmp_path, "_static/styles/theme.css", "_static", read=read)
    assert serialize_rules(rules) == (
        "@import 'styles/theme.css';\n"
        '.b{background:url("img/b.png"),url(data:image/png;base64,AA==),url(#m)}\n'
        "@import url(https://example.org/x.css);\n"
        '.t{background:url("styles/img/t.png")}'
    )
    assert read == ["_static/styles/theme.css", "_static/base.css"]


def test_an_imported_stylesheet_is_rebased_once(tmp_path: Path):
    # the hand-written reader rebased an imported file's url()s twice: styles/img/b.png
    (tmp_path / "_static" / "styles").mkdir(parents=True)
    (tmp_path / "_static" / "styles" / "theme.css").write_text('@import "../base.css";')
    (tmp_path / "_static" / "base.css").write_text(".b{background:url(img/b.png)}")
    rules = read_stylesheet(tmp_path, "_static/styles/theme.css", "_static")
    assert serialize_rules(rules) == '.b{background:url("img/b.png")}'
