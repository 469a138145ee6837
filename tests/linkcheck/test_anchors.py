"""``#fragment`` targets are found by parsing HTML, not by a regex over bytes.

Only the ``id`` attribute of a real element and the ``name`` attribute of
``<a>`` are anchors (what a browser scrolls to): not text, not comments, not
``<script>``/``<style>`` content, not other attributes' values.  Pages are
served by a local aiohttp server on 127.0.0.1; the scanner's chunk handling
is also checked directly, at every possible split point.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from lc_support import Handler, ServerThread, check, page, run_linkcheck, verdicts, write_urls

from handbook.linkcheck.fetch import AnchorScanner

#: (page, fragment, verdict): one page per case, so that each verdict has one cause.
CASES: list[tuple[str, str, str]] = [
    ('<p><a href="?name=results">next</a></p>', "results", "broken"),
    ('<p><a href="/x#results">x</a> name="results" id=results</p>', "results", "broken"),
    ('<!-- id="hidden" --><p>nothing</p>', "hidden", "broken"),
    ('<!-- <div id="hidden"> --><p>nothing</p>', "hidden", "broken"),
    ("<script>var s='id=\"x\"'; document.write('<div id=\"x\">')</script>", "x", "broken"),
    ('<style>/* id="x" */ #x { color: red }</style>', "x", "broken"),
    ('<div data-id="x" aria-describedby="x" class="x"></div>', "x", "broken"),
    ('<p name="notanchor">a p has no name anchor</p>', "notanchor", "broken"),
    ('<div id="ok">fine</div>', "ok", "ok"),
    ('<a name="legacy"></a>', "legacy", "ok"),
    ('<A NAME="upper"></A>', "upper", "ok"),
    ('<section ID="sec-2">', "sec-2", "ok"),
    ("<div id=bare class=x>", "bare", "ok"),
    ('<img id="self-closing"/>', "self-closing", "ok"),
    ('<p id="caf&eacute;">entity</p>', "caf%C3%A9", "ok"),
    ('<p id="a&amp;b">entity</p>', "a&b", "ok"),
    ("<script>var x = 1;</script><h2 id='after-script'>h</h2>", "after-script", "ok"),
    ('<![if !IE]><div id="after-bogus-section"></div>', "after-bogus-section", "ok"),
]


@pytest.mark.parametrize(("body", "fragment", "expected"), CASES)
def test_what_counts_as_an_anchor(
    servers: ServerThread, tmp_path: Path, body: str, fragment: str, expected: str
) -> None:
    s = servers.web({"/p": page(f"<!doctype html><html><body>{body}</body></html>")})
    url = f"{s.url('/p')}#{fragment}"
    code, found, _ = check(tmp_path, [url], s.netloc)
    want = (expected, None if expected == "ok" else "LINKANCHOR")
    assert verdicts(found) == {url: want}
    assert code == (0 if expected == "ok" else 1)


def test_the_finding_line_for_an_anchor_only_in_an_href(
    servers: ServerThread, tmp_path: Path
) -> None:
    s = servers.web({"/p": page('<a href="?name=results">more</a>')})
    path = write_urls(tmp_path, s.url("/p") + "#results")
    run = run_linkcheck([str(path), "--allow", s.netloc], tmp_path=tmp_path)
    assert run.lines == [
        f"{path}:1: LINKANCHOR {s.url('/p')}#results: "
        "#results not found on the page (no id= or name= 'results')"
    ]
    assert run.code == 1


def _chunks(*parts: bytes, content_type: str = "text/html; charset=utf-8") -> Handler:
    """A page streamed in these chunks, each flushed on its own."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": content_type})
        await response.prepare(request)
        for part in parts:
            await response.write(part)
            await asyncio.sleep(0)
        await response.write_eof()
        return response

    return handler


def test_an_id_split_across_chunks(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/split": _chunks(b"<p>start</p><div i", b'd="spl', b'it">x</div>')})
    url = s.url("/split") + "#split"
    code, found, _ = check(tmp_path, [url], s.netloc)
    assert verdicts(found) == {url: ("ok", None)}
    assert code == 0


def test_the_response_charset_decodes_the_page(servers: ServerThread, tmp_path: Path) -> None:
    latin = '<p id="café">'.encode("iso-8859-1")
    s = servers.web(
        {
            "/latin": _chunks(latin, content_type="text/html; charset=ISO-8859-1"),
            "/unknown": _chunks('<p id="café">'.encode(), content_type="text/html; charset=nope"),
        }
    )
    urls = [s.url("/latin") + "#caf%C3%A9", s.url("/unknown") + "#caf%C3%A9"]
    code, found, _ = check(tmp_path, urls, s.netloc)
    assert verdicts(found) == dict.fromkeys(urls, ("ok", None))  # unknown charset: utf-8
    assert code == 0


def test_reading_stops_once_every_anchor_is_seen(servers: ServerThread, tmp_path: Path) -> None:
    never = threading.Event()
    state: dict[str, Any] = {"rest_sent": False}

    async def stalls(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        await response.write(b'<h1 id="top">T</h1><h2 id="second">S</h2>')
        while not never.is_set():  # the rest of the page never comes
            await asyncio.sleep(0.05)
        state["rest_sent"] = True
        return response

    s = servers.web({"/stalls": stalls})
    urls = [s.url("/stalls") + "#top", s.url("/stalls") + "#second"]
    # A scan that waited for the end of the body would end in LINKTIMEOUT.
    code, found, _ = check(tmp_path, urls, s.netloc, extra=["--timeout", "30"])
    assert verdicts(found) == dict.fromkeys(urls, ("ok", None))
    assert not state["rest_sent"]
    assert code == 0
    never.set()


# -- the scanner itself, at every split point -----------------------------------


def _scan(chunks: list[bytes], anchors: set[str], charset: str | None = "utf-8") -> set[str]:
    scanner = AnchorScanner({a: a for a in anchors}, charset)
    for chunk in chunks:
        scanner.feed(chunk)
        if scanner.complete:
            break
    scanner.close()
    return scanner.found


PAGE = (
    '<!doctype html><!-- id="comment" --><script>var a = "<p id=\'script\'>";</script>'
    '<p>id="text" name="text"</p><a href="?name=href">h</a>'
    '<h2 id="über-uns">Ü</h2><a name="named"></a><p name="pname"></p>'
)
FOUND = {"über-uns", "named"}
WANTED = {"comment", "script", "text", "href", "über-uns", "named", "pname"}


@pytest.mark.parametrize("charset", ["utf-8", "utf-16-le", "iso-8859-1"])
def test_the_scanner_at_every_split_point(charset: str) -> None:
    data = PAGE.encode(charset)
    assert _scan([data], WANTED, charset) == FOUND
    for cut in range(1, len(data)):
        got = _scan([data[:cut], data[cut:]], WANTED, charset)
        assert got == FOUND, f"split at byte {cut}: {data[:cut]!r} | {data[cut:]!r}"


def test_the_scanner_one_byte_at_a_time() -> None:
    data = PAGE.encode("utf-8")
    assert _scan([data[i : i + 1] for i in range(len(data))], WANTED) == FOUND


def test_the_scanner_without_a_charset_uses_utf8_with_replacement() -> None:
    data = '<p id="naïve">'.encode() + b'\xff<p id="after-bad-byte">'
    assert _scan([data], {"naïve", "after-bad-byte"}, None) == {"naïve", "after-bad-byte"}
    assert _scan([data], {"naïve"}, "no-such-codec") == {"naïve"}


def test_the_scanner_says_when_it_has_everything() -> None:
    scanner = AnchorScanner({"a": "a", "b": "b"}, "utf-8")
    scanner.feed(b'<p id="a">')
    assert not scanner.complete
    scanner.feed(b'<p id="b">')
    assert scanner.complete
    assert scanner.found == {"a", "b"}
