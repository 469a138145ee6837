"""handbook.sphinxext.assets.prune: CSS pruned by the set of classes pages and scripts produce."""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook.sphinxext.assets.css import parse_stylesheet, parse_values, serialize_rules
from handbook.sphinxext.assets.prune import (
    UsedNames,
    prune_unused,
    required_classes,
    selector_may_match,
    used_names,
)
from handbook.sphinxext.assets.site import Site

USED = UsedNames(words={"nav", "show", "card"}, prefixes={"bs-"})


@pytest.mark.parametrize(
    ("selector", "classes"),
    [
        ("div.nav > .show:hover", ["nav", "show"]),
        ("a:not(.off):is(.x, .y) .on", ["on"]),
        ('[class~="off"] .on[data-x=".off"]', ["on"]),
        ("li:nth-child(2n+1)", []),
        ("::part(.off)", []),
    ],
)
def test_required_classes(selector: str, classes: list[str]):
    assert required_classes(parse_values(selector)) == classes


@pytest.mark.parametrize(
    ("selector", "may_match"),
    [
        (".nav .show", True),
        (".nav .accordion", False),
        (".bs-tooltip-auto", True),  # a script builds `bs-${...}`
        (".card:not(.accordion)", True),
        (".sm\\:flex", True),  # escaped: not a name a script or page spells the same
        ("a", True),
    ],
)
def test_selector_may_match(selector: str, may_match: bool):
    assert selector_may_match(parse_values(selector), USED) is may_match


def test_prune_keeps_what_may_match_as_written():
    css = (
        ".nav , .accordion , .show{x:y}\n"
        ".nav , .show{x:y}\n"
        ".accordion{x:y}\n"
        "@media print{.accordion{x:y}}\n"
        "@media print{.accordion{x:y}.card{x:y}}\n"
        "@layer empty{.accordion{x:y}}\n"
        "@font-face{font-family:X}\n"
        "/*! notice */"
    )
    rules = prune_unused(parse_stylesheet(css), USED)
    assert serialize_rules(rules) == (
        ".nav,.show{x:y}\n"  # some selectors dropped: the rest joined tightly
        ".nav , .show{x:y}\n"  # none dropped: as written
        "@media print{.card{x:y}}\n"
        "@layer empty{}\n"  # a layer keeps its place in the cascade order
        "@font-face{font-family:X}\n"
        "\n/*! notice */\n"
    )


def test_used_names_reads_pages_and_the_scripts_they_run(tmp_path: Path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "app.js").write_text(
        'el.classList.add("from-file"); const c = "pre-" + x; const d = `tpl-${y}`;'
    )
    (tmp_path / "index.html").write_text(
        "<html><head><script src='_static/app.js'></script>"
        "<script>el.className = 'inline-word'</script></head>"
        "<body class=\"page a-b\"><p class='single'>x</p></body></html>"
    )
    site = Site(tmp_path, ["/"])
    used = used_names(site, site.pages())
    for name in ("page", "a-b", "single", "from-file", "inline-word", "pre-x", "tpl-y"):
        assert name in used, name
    assert "absent" not in used
