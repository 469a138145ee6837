"""handbook.sphinxext.relist: facts shown as the file states them, and each mistake a warning
at its line (the page's for a key, the file's for the file).

The root ``tests/roots/test-relist`` is built once as it is; the mistakes are
copies with one file changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp
from sphinxext_support import BuildRoot, Built, build_root

from handbook.paths import ROOT

pytestmark = [pytest.mark.sphinx]
ROOTS = ROOT / "tests" / "roots"


@pytest.fixture(scope="module")
def site(build: BuildRoot) -> Built:
    return build("test-relist")


def text(site: Built) -> str:
    return BeautifulSoup(site.html("index"), "html.parser").select_one("section p").get_text()


def test_each_fact_is_shown_as_the_file_states_it(site: Built):
    assert site.warnings == ""
    assert text(site) == (
        "Of 120,000 new listings a day, 55% (66,000) are set automatically.\n"
        "The service answers within 150 ms, and corrections are logged since 2021."
    )


def broken(tmp_path: Path, path: str, old: str, new: str) -> Built:
    shutil.copytree(ROOTS / "test-relist", tmp_path / "roots" / "test-relist")
    target = tmp_path / "roots" / "test-relist" / path
    content = target.read_text(encoding="utf-8")
    assert old in content
    target.write_text(content.replace(old, new, 1), encoding="utf-8")
    return build_root(tmp_path / "roots", "test-relist", tmp_path / "out")


def test_a_key_that_is_not_a_fact_fails_at_the_pages_line(tmp_path):
    site = broken(tmp_path, "index.md", "{relist}`p99_budget_ms`", "{relist}`p99_budget`")
    assert site.warnings.splitlines() == [
        f"{site.srcdir / 'index.md'}:6: WARNING: DATA027 {{relist}} names `p99_budget`, "
        "which is not a fact of relist.yaml [handbook.relist]"
    ]


def test_a_broken_expression_fails_at_the_files_line(tmp_path):
    site = broken(
        tmp_path,
        "_data/relist.yaml",
        "new_listings_per_day * auto_set_share / 100",
        "new_listings_per_day * auto_share / 100",
    )
    assert (
        f"{site.srcdir / '_data' / 'relist.yaml'}:10: WARNING: DATA026 auto_set_per_day: "
        "`expr` names `auto_share`, which is not a fact [handbook.relist]"
    ) in site.warnings


def test_changing_a_fact_rebuilds_the_pages_that_show_it(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-relist", src)

    def build() -> str:
        app = SphinxTestApp("html", srcdir=src, builddir=tmp_path / "_build")
        try:
            app.build()
        finally:
            app.cleanup()
        return (Path(app.outdir) / "index.html").read_text(encoding="utf-8")

    assert "120,000 new listings" in build()
    facts = src / "_data" / "relist.yaml"
    facts.write_text(facts.read_text("utf-8").replace("value: 120000", "value: 130000"), "utf-8")
    page = build()
    assert "130,000 new listings" in page and "71,500" in page  # the derived fact follows


def test_a_scale_is_written_as_the_language_writes_large_numbers(site: Built, build: BuildRoot):
    paragraphs = BeautifulSoup(site.html("index"), "html.parser").select("section p")
    assert paragraphs[-1].get_text() == "About 9 million listings are active."
    japanese = build("test-relist", language="ja")
    assert japanese.warnings == ""
    paragraphs = BeautifulSoup(japanese.html("index"), "html.parser").select("section p")
    assert paragraphs[-1].get_text() == "About 900万 listings are active."  # CLDR's compact form
