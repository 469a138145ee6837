"""handbook.sphinxext.assets.bundle: each page's stylesheets as one versioned file."""

from __future__ import annotations

import gc
import json
import zlib
from pathlib import Path

import pytest

from handbook.sphinxext.assets.bundle import (
    BUNDLE_HEADER,
    bundle_id,
    bundle_sources,
    link_stylesheets,
    make_bundle,
    write_bundles,
)
from handbook.sphinxext.assets.icons import IconSet
from handbook.sphinxext.assets.prune import UsedNames
from handbook.sphinxext.assets.site import Site

SOURCES = ["_static/theme.css", "_static/ours.css"]


@pytest.fixture
def outdir(tmp_path: Path) -> Path:
    static = tmp_path / "_static"
    static.mkdir()
    (static / "theme.css").write_text(".nav{x:1}\n.unused{x:2}\n", encoding="utf-8")
    (static / "ours.css").write_text("/*! ours */\n.nav .mine{x:3}\n", encoding="utf-8")
    (tmp_path / "part").mkdir()
    for page, root in (("index.html", ""), ("part/page.html", "../")):
        (tmp_path / page).write_text(
            "<html><head>\n"
            f'  <link rel="stylesheet" href="{root}_static/theme.css?v=1" />\n'
            f'  <link rel="stylesheet" href="{root}_static/print.css" media="print" />\n'
            '  <link rel="stylesheet" href="https://example.org/x.css" />\n'
            f'  <link rel="stylesheet" type="text/css" href="{root}_static/ours.css" />\n'
            '</head><body class="nav mine"></body></html>',
            encoding="utf-8",
        )
    (static / "print.css").write_text("")
    return tmp_path


def test_link_stylesheets_links_one_bundle_in_place_of_the_local_screen_ones(outdir: Path):
    site = Site(outdir, ["/"])
    page = next(p for p in site.pages() if p.rel.as_posix() == "part/page.html")
    assert link_stylesheets(site, page) == SOURCES
    assert page.text.startswith(
        "<html><head>\n"
        f'  <link rel="stylesheet" href="../_static/handbook-{bundle_id(SOURCES)}.css" />\n'
        '  <link rel="stylesheet" href="../_static/print.css" media="print" />\n'
        '  <link rel="stylesheet" href="https://example.org/x.css" />\n'
        "</head>"
    )
    assert link_stylesheets(site, page) is None  # bundled already


def test_make_bundle(outdir: Path):
    header = BUNDLE_HEADER + " ".join(SOURCES) + " */"
    assert make_bundle(outdir, SOURCES, IconSet()) == (
        f"{header}\n.nav{{x:1}}\n.unused{{x:2}}\n\n/*! ours */\n\n.nav .mine{{x:3}}\n"
    )
    used = UsedNames(words={"nav", "mine"})
    assert make_bundle(outdir, SOURCES, IconSet(), used) == (
        f"{header}\n.nav{{x:1}}\n\n/*! ours */\n\n.nav .mine{{x:3}}\n"
    )
    assert gc.isenabled()  # paused while parsing only


def test_write_bundles_versions_the_links_and_reuses_what_it_made(outdir: Path):
    site = Site(outdir, ["/"])
    cache_file = outdir.parent / "cache.json"
    used = UsedNames(words={"nav", "mine"})

    def build(used: UsedNames = used) -> dict[str, str]:
        pages = site.pages()
        wanted = {}
        for page in pages:
            sources = link_stylesheets(site, page)
            if sources:
                wanted[bundle_id(sources)] = sources
        written = write_bundles(outdir, pages, wanted, IconSet(), used, cache_file)
        for page in pages:
            page.path.write_text(page.text, encoding="utf-8")
        return written

    ident = bundle_id(SOURCES)
    bundle = outdir / "_static" / f"handbook-{ident}.css"
    (outdir / "_static" / "handbook-0123456789ab.css").write_text("stale")
    [(written_id, text)] = build().items()
    assert written_id == ident and bundle.read_text(encoding="utf-8") == text
    assert bundle_sources(bundle) == SOURCES
    assert not (outdir / "_static" / "handbook-0123456789ab.css").exists()
    checksum = f"{zlib.crc32(text.encode()):08x}"
    assert f"_static/handbook-{ident}.css?v={checksum}" in (outdir / "index.html").read_text()
    entry = json.loads(cache_file.read_text())["bundles"][ident]
    assert entry["files"] == SOURCES and entry["checksum"] == checksum
    assert entry["answers"] == {"nav": True, "unused": False, "mine": True}

    # the pages link the bundle now: it is rebuilt from its first line, or reused
    mtime = bundle.stat().st_mtime_ns
    assert build() == {ident: text}
    assert bundle.stat().st_mtime_ns == mtime
    # a word no selector asks about changes nothing either
    assert build(UsedNames(words={"nav", "mine", "search-term"})) == {ident: text}
    assert bundle.stat().st_mtime_ns == mtime
    # a class a selector asks about: made again
    assert ".unused{x:2}" in build(UsedNames(words={"nav", "mine", "unused"}))[ident]
    # a source changed: made again
    (outdir / "_static" / "ours.css").write_text(".mine{x:4}\n")
    assert build()[ident].endswith("\n.nav{x:1}\n.mine{x:4}\n")
    # the bundle edited by hand (its first line kept): made again from that line
    bundle.write_text(text.splitlines()[0] + "\nedited\n", encoding="utf-8")
    assert build()[ident].endswith("\n.nav{x:1}\n.mine{x:4}\n")
