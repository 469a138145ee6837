"""The page reader: MyST's settings from conf.py, one parse, one walk, every line right."""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook import myst
from handbook.paths import DOCS


def _conf(tmp_path: Path, text: str | bytes) -> Path:
    conf = tmp_path / "conf.py"
    if isinstance(text, bytes):
        conf.write_bytes(text)
    else:
        conf.write_text(text, encoding="utf-8")
    return conf


def test_settings_are_read_from_conf_without_running_it(tmp_path: Path) -> None:
    conf = _conf(
        tmp_path,
        'import sys; sys.exit(1)\nmyst_enable_extensions = ["deflist"]\n'
        "myst_heading_anchors: int = 2\n"
        'myst_fence_as_directive = ["mermaid"]\n'
        'myst_enable_extensions = ["deflist", "colon_fence"]\n',  # the last one wins
    )
    settings = myst.settings(conf)
    assert settings.enable_extensions == {"deflist", "colon_fence"}
    assert settings.heading_anchors == 2
    assert settings.fence_as_directive == {"mermaid"}
    assert myst.reader(conf) is myst.reader(tmp_path / "." / "conf.py")  # read once per path


def test_a_conf_read_as_python_reads_it(tmp_path: Path) -> None:
    """From its bytes: a byte-order mark is no syntax error."""
    conf = _conf(tmp_path, b'\xef\xbb\xbfmyst_enable_extensions = ["deflist"]\n')
    assert myst.settings(conf).enable_extensions == {"deflist"}


def test_settings_conf_does_not_set_are_mysts_defaults(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    unset = _conf(tmp_path / "a", "extensions = ['myst_parser']\n")
    invalid = _conf(tmp_path / "b", 'myst_enable_extensions = ["no-such-extension"]\n')
    assert myst.settings(unset).enable_extensions == set()
    assert myst.settings(invalid).enable_extensions == set()  # as MyST: an error, then defaults


@pytest.mark.parametrize("text", [None, "def (:\n", b"\xff\xfe"])
def test_without_a_usable_conf_the_handbooks_settings(tmp_path: Path, text: str | None) -> None:
    conf = tmp_path / "conf.py" if text is None else _conf(tmp_path, text)
    assert myst.settings(conf) is myst.settings(DOCS / "conf.py")
    assert myst.settings(None) is myst.settings(DOCS / "conf.py")
    assert "colon_fence" in myst.settings(conf).enable_extensions


def test_find_conf(tmp_path: Path) -> None:
    (tmp_path / "docs" / "part").mkdir(parents=True)
    conf = _conf(tmp_path / "docs", "")
    assert myst.find_conf(tmp_path / "docs" / "part" / "page.md") == conf.resolve()
    assert myst.find_conf(tmp_path / "README.md") == conf.resolve()  # docs/ beside it


def _items(text: str, conf: Path | None = None) -> list[tuple[str, int, str]]:
    """(kind, line, what) of every item but inline runs and spans."""
    found = []
    for item in myst.read(text, conf).items:
        if isinstance(item, myst.Link):
            found.append(("link", item.line, item.href))
        elif isinstance(item, myst.Role):
            found.append(("role" + ("-in-alt" if item.in_alt else ""), item.line, item.content))
        elif isinstance(item, myst.Directive):
            found.append((f"{{{item.name}}}", item.line, item.argument))
        elif isinstance(item, myst.Image):
            found.append(("image", item.line, item.src))
    return found


PAGE = """\
---
title: T
---
A [link](https://a.example/) and
{doc}`page` on its second line, <span
class="x"> then [after](https://b.example/).

::::{grid}
:::{grid-item-card}
:img-top: figures/a.svg
One [c](https://c.example/)
:::
:::{grid-item}
Two [d](https://d.example/)
:::
::::

```{note}
---
class: tip
---
Deep {doc}`deep`.
```

```{toctree}
Title <https://not-markdown.example/>
```

```{code-block} md
[code](https://code.example/)
```

![alt {doc}`alt` [in](https://alt.example/)](figures/b.svg)
"""


def test_one_walk_in_document_order_with_page_lines() -> None:
    assert _items(PAGE) == [
        ("link", 4, "https://a.example/"),
        ("role", 5, "page"),
        ("link", 6, "https://b.example/"),  # after an HTML tag over two lines
        ("{grid}", 8, ""),
        ("{grid-item-card}", 9, ""),  # a nested fence is no option
        ("image", 10, "figures/a.svg"),
        ("link", 11, "https://c.example/"),
        ("{grid-item}", 13, ""),
        ("link", 14, "https://d.example/"),
        ("{note}", 18, ""),
        ("role", 22, "deep"),  # after a YAML block of options
        ("{toctree}", 25, ""),  # its body is not Markdown
        ("{code-block}", 29, "md"),
        ("image", 33, "figures/b.svg"),
        ("role-in-alt", 33, "alt"),  # alt text is plain text: no link there
    ]


def test_code_and_literal_directives_are_not_read_as_prose() -> None:
    page = myst.read("```{code-block} md\nTODO\n```\n\n`TODO` {code}`TODO` {abbr}`TODO`\n")
    spans = [
        (item.line, item.text, item.kind) for item in page.items if isinstance(item, myst.Span)
    ]
    assert [span for span in spans if span[1].strip()] == [
        (1, "md", "argument"),
        (5, "TODO", "role"),
    ]
    assert "code-block" in myst.NON_MARKDOWN_DIRECTIVES


def test_the_settings_decide_what_is_a_directive(tmp_path: Path) -> None:
    text = "```mermaid\ngraph\n```\n\n:::{note}\nx\n:::\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    fence = _conf(tmp_path / "a", 'myst_fence_as_directive = ["mermaid"]\n')
    commonmark = _conf(tmp_path / "b", "myst_commonmark_only = True\n")
    assert _items(text, fence) == [("{mermaid}", 1, "")]  # and no colon_fence: a paragraph
    assert _items(text) == [("{note}", 5, "")]
    assert _items("```{note}\nx\n```\n", commonmark) == []


@pytest.mark.parametrize(
    ("body", "options", "content", "content_line"),
    [
        (":class: tip\n:name: x\n\nText", {"class": (10, "tip"), "name": (11, "x")}, "\nText", 12),
        ("  :class: tip\nText", {"class": (10, "tip")}, "Text", 11),
        (":::{note}\n:class: x\n:::", {}, ":::{note}\n:class: x\n:::", 10),
        ("---\nclass: tip\n  more: no\n---\nText", {"class": (11, "tip")}, "Text", 14),
        ("---\nclass: tip", {}, "", 12),  # never closed: no content
        ("Text\n:class: late", {}, "Text\n:class: late", 10),
    ],
)
def test_split_options_as_myst_does(
    body: str, options: dict[str, tuple[int, str]], content: str, content_line: int
) -> None:
    got, got_content, got_line = myst.split_options(body, 10)
    assert {key: (o.line, o.value) for key, o in got.items()} == options
    assert (got_content, got_line) == (content, content_line)
