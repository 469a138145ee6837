"""The engine against servers on 127.0.0.1: every verdict, every failure mode.

Nothing here leaves the machine: URLs are 127.0.0.1 literals let through by
``--allow 127.0.0.1:PORT``, or names that the injected
:class:`~handbook.linkcheck.guard.StaticResolver` maps to 127.0.0.1.

No assertion here depends on how fast the machine is.  What the engine does
with time (the spacing of request starts, ``Retry-After`` pauses, the overall
deadline) runs on a :class:`~lc_support.VirtualClock` and is asserted exactly
in engine time; servers that must not answer block until the test ends.
"""

from __future__ import annotations

import asyncio
import io
import json
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import replace
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from lc_support import (
    ENGINE,
    Handler,
    ServerThread,
    VirtualClock,
    check,
    page,
    records,
    redirect,
    run_engine,
    run_linkcheck,
    status,
    verdicts,
    write_urls,
)

from handbook.linkcheck import resolver as resolver_module
from handbook.linkcheck.cli import main
from handbook.linkcheck.resolver import StaticResolver, lookup_failed_error
from handbook.linkcheck.verdicts import Verdict

#: A fixed wall clock, for ``Retry-After`` given as an HTTP date.
NOW = 1_800_000_000.0


# -- plain statuses ---------------------------------------------------------


def test_statuses_map_to_verdicts(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web(
        {
            "/ok": page("<p>fine</p>"),
            "/nocontent": status(204),
            "/gone": status(410),
            "/auth": status(401),
            "/forbidden": status(403),
            "/legal": status(451),
            "/linkedin": status(999),
            "/cf": status(403, {"cf-mitigated": "challenge", "Server": "cloudflare"}),
            "/waf": status(202, {"x-amzn-waf-action": "challenge"}),
            "/bad": status(400),
        }
    )
    urls = {p: s.url(p) for p in s.routes} | {"/missing": s.url("/missing")}
    code, found, _ = check(tmp_path, list(urls.values()), s.netloc)
    assert verdicts(found) == {
        urls["/ok"]: ("ok", None),
        urls["/nocontent"]: ("ok", None),
        urls["/missing"]: ("broken", "LINK404"),
        urls["/gone"]: ("broken", "LINK410"),
        urls["/auth"]: ("blocked", "LINK401"),
        urls["/forbidden"]: ("blocked", "LINK403"),
        urls["/legal"]: ("blocked", "LINK451"),
        urls["/linkedin"]: ("blocked", "LINK999"),
        urls["/cf"]: ("blocked", "LINKBOT"),
        urls["/waf"]: ("blocked", "LINKBOT"),
        urls["/bad"]: ("error", "LINK400"),
    }
    assert code == 1  # broken links fail the run
    assert found[urls["/ok"]]["status"] == 200


def test_blocked_alone_does_not_fail(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/forbidden": status(403), "/ok": page("x")})
    code, found, _ = check(tmp_path, [s.url("/forbidden"), s.url("/ok")], s.netloc)
    assert code == 0
    assert found[s.url("/forbidden")]["verdict"] == "blocked"


def test_head_refused_then_get(servers: ServerThread, tmp_path: Path) -> None:
    async def head_refused(request: web.Request) -> web.StreamResponse:
        if request.method == "HEAD":
            return web.Response(status=405)
        return web.Response(text="ok")

    s = servers.web({"/page": head_refused, "/ok": page("x")})
    code, found, _ = check(tmp_path, [s.url("/page"), s.url("/ok")], s.netloc)
    assert code == 0
    assert found[s.url("/page")]["verdict"] == "ok"
    assert ("HEAD", "/page") in s.methods and ("GET", "/page") in s.methods
    assert s.methods.count(("HEAD", "/ok")) == 1 and ("GET", "/ok") not in s.methods


def test_duplicates_are_requested_once(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/p": page('<h2 id="a">A</h2><h2 id="b">B</h2>')})
    url = s.url("/p")
    path = write_urls(tmp_path, url, url, f"{url}#a", url, f"{url}#b", f"{url}#a")
    run = run_linkcheck([str(path), "--allow", s.netloc, "--format", "json"], tmp_path=tmp_path)
    found = records(run.stdout)
    assert s.hits["/p"] == 1  # one GET serves the bare link and both anchors
    assert {u: r["verdict"] for u, r in found.items()} == {
        url: "ok",
        f"{url}#a": "ok",
        f"{url}#b": "ok",
    }
    assert [o["line"] for o in found[url]["occurrences"]] == [1, 2, 4]
    assert [o["line"] for o in found[f"{url}#a"]["occurrences"]] == [3, 6]


# -- anchors -------------------------------------------------------------------

ANCHORS = """<!doctype html><html><body>
<h1 id="intro">Intro</h1>
<a name='legacy'></a>
<div id=bare class="x"></div>
<div data-id="notananchor"></div>
<p id="caf&eacute;">entity</p>
<p>id="fake" in text is not an anchor: only attributes are</p>
</body></html>
"""


def test_anchors_present_and_missing(servers: ServerThread, tmp_path: Path) -> None:
    pdf: Handler = page("%PDF-1.4", content_type="application/pdf")
    s = servers.web({"/page": page(ANCHORS), "/doc.pdf": pdf})
    base = s.url("/page")
    urls = [
        f"{base}#intro",
        f"{base}#legacy",
        f"{base}#bare",
        f"{base}#caf%C3%A9",
        f"{base}#notananchor",
        f"{base}#missing",
        f"{base}#fake",
        f"{base}#/client/route",
        s.url("/doc.pdf") + "#page=2",
    ]
    code, found, _ = check(tmp_path, urls, s.netloc)
    assert verdicts(found) == {
        f"{base}#intro": ("ok", None),
        f"{base}#legacy": ("ok", None),
        f"{base}#bare": ("ok", None),
        f"{base}#caf%C3%A9": ("ok", None),
        f"{base}#notananchor": ("broken", "LINKANCHOR"),
        f"{base}#missing": ("broken", "LINKANCHOR"),
        f"{base}#fake": ("broken", "LINKANCHOR"),
        f"{base}#/client/route": ("ok", None),
        s.url("/doc.pdf") + "#page=2": ("ok", None),
    }
    assert "not an HTML page" in found[s.url("/doc.pdf") + "#page=2"]["message"]
    assert code == 1
    assert s.hits["/page"] == 1


def test_github_user_content_anchors(servers: ServerThread, tmp_path: Path) -> None:
    readme = '<article><h2 id="user-content-install">Install</h2></article>'
    s = servers.web({"/o/r": page(readme)})
    resolver = StaticResolver({"github.com": ["127.0.0.1"]})
    base = f"http://github.com:{s.port}/o/r"
    urls = [f"{base}#install", f"{base}#missing", f"{base}#L10-L20"]
    _code, found, _ = check(tmp_path, urls, s.netloc, resolver=resolver)
    assert verdicts(found) == {
        f"{base}#install": ("ok", None),
        f"{base}#missing": ("broken", "LINKANCHOR"),
        f"{base}#L10-L20": ("ok", None),
    }


def test_a_body_larger_than_the_cap(servers: ServerThread, tmp_path: Path) -> None:
    sent = {"chunks": 0, "finished": False}
    ended = threading.Event()

    async def huge(request: web.Request) -> web.StreamResponse:
        try:
            response = web.StreamResponse(headers={"Content-Type": "text/html"})
            await response.prepare(request)
            chunk = b"<p>" + b"x" * 65530 + b"</p>"
            for _ in range(600):  # ~40 MB: more than any socket buffer
                await response.write(chunk)
                sent["chunks"] += 1
            sent["finished"] = True
            return response
        finally:
            ended.set()

    s = servers.web({"/huge": huge})
    code, found, _ = check(
        tmp_path, [s.url("/huge#end")], s.netloc, extra=["--anchor-cap", "131072"]
    )
    assert verdicts(found) == {s.url("/huge#end"): ("error", "LINKCAP")}
    assert "131072 bytes" in found[s.url("/huge#end")]["message"]
    assert code == 0
    # The checker hung up at the cap: the server could not send the whole page.
    assert ended.wait(30), "the server is still sending"
    assert not sent["finished"]
    assert sent["chunks"] < 600


# -- redirects ------------------------------------------------------------------


def test_redirects_permanent_and_temporary(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web(
        {
            "/old": redirect(301, "/new"),
            "/perm": redirect(308, "/new"),
            "/tmp": redirect(302, "/new"),
            "/chain1": redirect(301, "/chain2"),
            "/chain2": redirect(308, "/chain3"),
            "/chain3": redirect(302, "/new"),
            "/to-missing": redirect(301, "/nowhere"),
            "/new": page('<p id="here">new</p>'),
        }
    )
    urls = [s.url(p) for p in ("/old", "/perm", "/tmp", "/chain1", "/to-missing")]
    urls.append(s.url("/old") + "#here")
    code, found, _ = check(tmp_path, urls, s.netloc)
    old = found[s.url("/old")]
    assert (old["verdict"], old["code"], old["final_url"], old["suggestion"]) == (
        "redirected",
        "LINK301",
        s.url("/new"),
        s.url("/new"),
    )
    assert old["redirects"] == [{"status": 301, "url": s.url("/new")}]
    assert "update the link" in old["message"]
    assert found[s.url("/perm")]["code"] == "LINK308"
    tmp = found[s.url("/tmp")]
    assert (tmp["verdict"], tmp["code"], tmp["suggestion"]) == ("redirected", "LINK302", None)
    chain = found[s.url("/chain1")]
    assert [hop["status"] for hop in chain["redirects"]] == [301, 308, 302]
    assert chain["suggestion"] == s.url("/chain3")  # where the permanent part ends
    assert chain["final_url"] == s.url("/new")
    missing = found[s.url("/to-missing")]
    assert (missing["verdict"], missing["code"], missing["final_url"]) == (
        "broken",
        "LINK404",
        s.url("/nowhere"),
    )
    assert found[s.url("/old") + "#here"]["verdict"] == "redirected"
    assert code == 1


def test_redirect_loops(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web(
        {
            "/a": redirect(302, "/b"),
            "/b": redirect(302, "/a"),
            "/self": redirect(301, "/self"),
            **{f"/n{i}": redirect(302, f"/n{i + 1}") for i in range(6)},
            "/n6": page("end"),
        }
    )
    urls = [s.url("/a"), s.url("/self"), s.url("/n0")]
    code, found, _ = check(tmp_path, urls, s.netloc, extra=["--max-redirects", "4"])
    assert verdicts(found) == {
        s.url("/a"): ("error", "LINKLOOP"),
        s.url("/self"): ("error", "LINKLOOP"),
        s.url("/n0"): ("error", "LINKLOOP"),
    }
    assert "more than 4 redirects" in found[s.url("/n0")]["message"]
    assert code == 0


def test_redirect_to_a_loopback_port_that_is_not_allowed(
    servers: ServerThread, tmp_path: Path
) -> None:
    target = servers.web({"/secret": page("internal")})
    s = servers.web(
        {
            "/direct": redirect(302, target.url("/secret")),
            "/numeric": redirect(301, f"http://0x7f.1:{target.port}/secret"),
            "/named": redirect(302, f"http://internal.test:{target.port}/secret"),
            "/mapped": redirect(302, f"http://[::ffff:127.0.0.1]:{target.port}/secret"),
            "/scheme": redirect(302, "file:///etc/passwd"),
        }
    )
    resolver = StaticResolver({"internal.test": ["127.0.0.1"]})
    urls = [s.url(p) for p in ("/direct", "/numeric", "/named", "/mapped", "/scheme")]
    code, found, _ = check(tmp_path, urls, s.netloc, resolver=resolver)
    assert {u: r["verdict"] for u, r in found.items()} == dict.fromkeys(urls, "unsafe")
    assert "loopback" in found[s.url("/direct")]["message"]
    assert "scheme 'file'" in found[s.url("/scheme")]["message"]
    assert target.total == 0  # not one request reached the refused server
    assert code == 1


def test_loopback_is_refused_without_allow(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/": page("x")})
    resolver = StaticResolver({"sneaky.test": ["127.0.0.1"], "mixed.test": ["::1", "127.0.0.1"]})
    urls = [
        s.url("/"),
        f"http://sneaky.test:{s.port}/",
        f"http://mixed.test:{s.port}/",
        f"http://2130706433:{s.port}/numeric",
    ]
    other_port = f"127.0.0.1:{s.port + 1 if s.port < 65535 else s.port - 1}"
    code, found, _ = check(tmp_path, urls, other_port, resolver=resolver)
    assert {u: r["verdict"] for u, r in found.items()} == dict.fromkeys(urls, "unsafe")
    assert s.total == 0
    assert code == 1


# -- rate limits and retries -------------------------------------------------------


def _limited_once(retry_after: str | None, hits: list[str]) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        hits.append(request.method)
        if len(hits) == 1:
            headers = {"Retry-After": retry_after} if retry_after else {}
            return web.Response(status=429, headers=headers)
        return web.Response(text="ok")

    return handler


def test_429_with_retry_after_in_seconds(servers: ServerThread) -> None:
    hits: list[str] = []
    s = servers.web({"/limited": _limited_once("1", hits)})
    clock = VirtualClock(stop_at=ENGINE.deadline)
    report = run_engine([s.url("/limited")], allow=[s.netloc], clock=clock)
    assert report.results[s.url("/limited")].verdict is Verdict.OK
    assert hits == ["HEAD", "HEAD"]
    # The host was paused for exactly the second it asked for, then asked again.
    assert clock.waits == [(0.0, 1.0)]


def test_429_with_retry_after_as_an_http_date(servers: ServerThread) -> None:
    hits: list[str] = []
    s = servers.web({"/limited": _limited_once(formatdate(NOW + 2, usegmt=True), hits)})
    clock = VirtualClock(stop_at=ENGINE.deadline)
    report = run_engine([s.url("/limited")], allow=[s.netloc], clock=clock, wall_clock=lambda: NOW)
    assert report.results[s.url("/limited")].verdict is Verdict.OK
    assert hits == ["HEAD", "HEAD"]
    assert clock.waits == [(0.0, 2.0)]


def test_retry_after_beyond_the_cap_gives_up_at_once(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/later": status(429, {"Retry-After": "3600"})})
    code, found, _ = check(tmp_path, [s.url("/later")], s.netloc, extra=["--retry-after-cap", "5"])
    record = found[s.url("/later")]
    assert (record["verdict"], record["code"]) == ("rate_limited", "LINK429")
    assert record["message"] == (
        "429 Too Many Requests: asks to wait 3600 s, more than the 5 s cap"
    )
    assert s.total == 1
    assert code == 0
    # ... and in engine time: not a moment spent waiting.
    clock = VirtualClock(stop_at=ENGINE.deadline)
    report = run_engine([s.url("/later")], allow=[s.netloc], clock=clock)
    assert report.results[s.url("/later")].code == "LINK429"
    assert (clock.waits, clock.now()) == ([], 0.0)


def test_retry_after_beyond_the_deadline_gives_up_at_once(servers: ServerThread) -> None:
    s = servers.web({"/later": status(429, {"Retry-After": "30"})})
    clock = VirtualClock(stop_at=20.0)
    settings = replace(ENGINE, deadline=20.0)
    report = run_engine([s.url("/later")], allow=[s.netloc], clock=clock, settings=settings)
    result = report.results[s.url("/later")]
    assert (result.verdict, result.code) == (Verdict.RATE_LIMITED, "LINK429")
    assert s.total == 1
    assert clock.waits == []


def test_persistent_429_is_rate_limited_after_retries(
    servers: ServerThread, tmp_path: Path
) -> None:
    s = servers.web({"/busy": status(429, {"Retry-After": "0"})})
    code, found, _ = check(tmp_path, [s.url("/busy")], s.netloc, extra=["--retries", "2"])
    assert verdicts(found) == {s.url("/busy"): ("rate_limited", "LINK429")}
    assert s.total == 3
    assert code == 0


def test_5xx_is_retried(servers: ServerThread, tmp_path: Path) -> None:
    flaky_hits: list[int] = []

    async def flaky(request: web.Request) -> web.StreamResponse:
        flaky_hits.append(1)
        return web.Response(status=503 if len(flaky_hits) == 1 else 200)

    s = servers.web({"/down": status(500), "/flaky": flaky})
    code, found, _ = check(tmp_path, [s.url("/down"), s.url("/flaky")], s.netloc)
    assert verdicts(found) == {
        s.url("/down"): ("error", "LINK500"),
        s.url("/flaky"): ("ok", None),
    }
    # HEAD once (HEAD is not retried: a 5xx sends it to GET), then GET and one retry
    assert s.methods.count(("HEAD", "/down")) == 1
    assert s.methods.count(("GET", "/down")) == 2
    assert code == 0


# -- time --------------------------------------------------------------------------


async def _read_request(reader: asyncio.StreamReader) -> None:
    await reader.readuntil(b"\r\n\r\n")


def test_a_body_that_drips_times_out(servers: ServerThread, tmp_path: Path) -> None:
    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
        writer.write(b"Content-Length: 1000000000\r\n\r\n")
        while True:  # a byte at a time, for ever: only the time-out can end it
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(0.01)

    s = servers.raw(drip)
    code, found, _ = check(
        tmp_path, [s.url("/#anchor")], s.netloc, extra=["--timeout", "0.3", "--retries", "0"]
    )
    assert verdicts(found) == {s.url("/#anchor"): ("timeout", "LINKTIMEOUT")}
    assert found[s.url("/#anchor")]["message"] == "no complete answer within 0.3 s"
    assert code == 0


def _silent(arrived: list[int], reached: threading.Event, count: int) -> Any:
    """A raw handler that reads the request and never answers."""

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        arrived.append(1)
        if len(arrived) >= count:
            reached.set()
        await asyncio.Event().wait()  # never set: no answer, ever

    return silent


def test_a_server_that_never_answers(servers: ServerThread, tmp_path: Path) -> None:
    arrived: list[int] = []
    reached = threading.Event()
    s = servers.raw(_silent(arrived, reached, 2))
    code, found, _ = check(tmp_path, [s.url("/")], s.netloc, extra=["--timeout", "0.2"])
    assert verdicts(found) == {s.url("/"): ("timeout", "LINKTIMEOUT")}
    assert found[s.url("/")]["message"] == "no complete answer within 0.2 s"
    assert reached.wait(30)
    assert (len(arrived), s.connections) == (2, 2)  # asked, timed out, asked once more
    assert code == 0


def test_the_overall_deadline_reports_the_rest_unchecked(servers: ServerThread) -> None:
    arrived: list[int] = []
    slow = servers.raw(_silent(arrived, threading.Event(), 2))
    fast = servers.web({"/ok": page("x")})
    clock = VirtualClock(stop_at=ENGINE.deadline)
    # Once the fast link is done, let the deadline come; the slow server never
    # answers and the per-request time-out (30 s of real time) never comes first.
    report = run_engine(
        [slow.url("/1"), slow.url("/2"), fast.url("/ok")],
        allow=[slow.netloc, fast.netloc],
        clock=clock,
        progress=lambda done: clock.release(),
    )
    results = report.results
    assert results[fast.url("/ok")].verdict is Verdict.OK
    for url in (slow.url("/1"), slow.url("/2")):
        assert (results[url].verdict, results[url].code, results[url].message) == (
            Verdict.UNCHECKED,
            "LINKUNCHECKED",
            "not checked: the overall deadline of 100 s ran out",
        )
    # The run ended exactly at the deadline, in engine time.
    assert clock.waits == [(0.0, ENGINE.deadline)]
    assert clock.now() == ENGINE.deadline


def test_a_connection_reset(servers: ServerThread, tmp_path: Path) -> None:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    s = servers.raw(reset)
    code, found, _ = check(tmp_path, [s.url("/")], s.netloc)
    assert verdicts(found) == {s.url("/"): ("error", "LINKCONN")}
    # The first attempt and one retry; aiohttp itself also retries an
    # idempotent request once on a dropped connection (meant for stale
    # pooled connections), so each attempt may be two connections.
    assert s.connections in (2, 4)
    assert code == 0


# -- names, DNS and the network ------------------------------------------------------


def test_dns_name_not_found_is_broken(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/": page("x")})
    resolver = StaticResolver({"good.test": ["127.0.0.1"]})
    urls = [f"http://good.test:{s.port}/", "https://nx.test/page"]
    code, found, stderr = check(tmp_path, urls, s.netloc, resolver=resolver)
    assert verdicts(found) == {
        urls[0]: ("ok", None),
        urls[1]: ("broken", "LINKDNS"),
    }
    assert "no network" not in stderr
    assert code == 1


def test_no_network_says_so_once_and_reports_unchecked(tmp_path: Path) -> None:
    resolver = StaticResolver({}, default=lookup_failed_error("any"))
    path = write_urls(
        tmp_path,
        "https://one.example/a",
        "https://two.example/b#c",
        "http://three.example/",
        "doi:10.1145/3533378",
        "isbn:9780307887894",
    )
    text = run_linkcheck([str(path)], tmp_path=tmp_path, resolver=resolver)
    assert text.code == 0
    assert text.stdout == ""  # no line per unchecked link
    assert text.stderr.count("no network:") == 1
    as_json = run_linkcheck([str(path), "--format", "json"], tmp_path=tmp_path, resolver=resolver)
    doc = json.loads(as_json.stdout)
    assert doc["no_network"].startswith("no network:")
    assert {r["url"]: r["verdict"] for r in doc["records"]} == {
        "https://one.example/a": "unchecked",
        "https://two.example/b#c": "unchecked",
        "http://three.example/": "unchecked",
        "https://doi.org/10.1145/3533378": "unchecked",
        "urn:isbn:9780307887894": "ok",  # offline check still done
    }


def test_every_name_not_found_is_no_network_too(tmp_path: Path) -> None:
    urls = [f"https://site{i}.example/" for i in range(4)]
    code, found, stderr = check(tmp_path, urls, resolver=StaticResolver({}))
    assert {r["verdict"] for r in found.values()} == {"unchecked"}
    assert stderr.count("no network:") == 1
    assert code == 0


# -- DOIs -------------------------------------------------------------------------


def _handle_api(seen: list[str]) -> Handler:
    async def api(request: web.Request) -> web.StreamResponse:
        doi = request.match_info["tail"].removeprefix("api/handles/")
        seen.append(request.raw_path)
        if doi.lower() in ("10.1000/registered", "10.1000/a(b)c;d"):
            return web.json_response({"responseCode": 1, "handle": doi, "values": []})
        if doi == "10.1000/odd":
            return web.json_response({"responseCode": 2, "message": "error"})
        return web.json_response({"responseCode": 100, "handle": doi}, status=404)

    return api


def test_dois_through_the_handle_api(servers: ServerThread, tmp_path: Path) -> None:
    seen: list[str] = []
    api = servers.web()
    api.routes = {}
    handler = _handle_api(seen)

    async def dispatch(request: web.Request) -> web.StreamResponse:
        return await handler(request)

    for doi in ("10.1000/registered", "10.1000/REGISTERED", "10.1000/missing", "10.1000/odd"):
        api.routes[f"/api/handles/{doi}"] = dispatch
    api.routes["/api/handles/10.1000/a(b)c;d"] = dispatch
    landing = servers.web({"/landing": page("paper")})
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{both,\n"
        "  doi = {10.1000/registered},\n"
        f"  url = {{{landing.url('/landing')}}},\n"
        "}\n"
        "@article{missing,\n  doi = {10.1000/missing},\n}\n"
        "@article{odd,\n  doi = {doi:10.1000/odd},\n}\n",
        encoding="utf-8",
    )
    page_md = tmp_path / "page.md"
    page_md.write_text(
        "# P\n\n[same](https://doi.org/10.1000/REGISTERED) [paren](https://doi.org/10.1000/a(b)c;d)\n",
        encoding="utf-8",
    )
    resolver = StaticResolver({"doi-api.test": ["127.0.0.1"]})
    run = run_linkcheck(
        [
            str(bib),
            str(page_md),
            "--format",
            "json",
            "--doi-api",
            f"http://doi-api.test:{api.port}/api/handles/",
            "--allow",
            api.netloc,
            "--allow",
            landing.netloc,
        ],
        tmp_path=tmp_path,
        resolver=resolver,
    )
    found = records(run.stdout)
    registered = found["https://doi.org/10.1000/registered"]
    assert registered["verdict"] == "ok"
    assert {o["path"] for o in registered["occurrences"]} == {str(bib), str(page_md)}
    assert verdicts(found) == {
        "https://doi.org/10.1000/registered": ("ok", None),
        "https://doi.org/10.1000/a(b)c;d": ("ok", None),
        "https://doi.org/10.1000/missing": ("broken", "DOI404"),
        "https://doi.org/10.1000/odd": ("error", "DOIERROR"),
        landing.url("/landing"): ("ok", None),
    }
    assert landing.hits["/landing"] == 1  # the entry's URL is checked as well as its DOI
    assert api.hits["/api/handles/10.1000/registered"] == 1  # one look-up for both spellings
    assert "/api/handles/10.1000/a(b)c;d" in seen
    assert run.code == 1


# -- politeness --------------------------------------------------------------------


def test_per_host_concurrency_limit(servers: ServerThread, tmp_path: Path) -> None:
    state: dict[str, Any] = {"now": 0, "max": 0, "hits": 0}
    together = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        state["hits"] += 1
        state["now"] += 1
        state["max"] = max(state["max"], state["now"])
        try:
            if state["now"] >= 2:
                together.set()
            await together.wait()  # the first request waits for a second one
        finally:
            state["now"] -= 1
        return web.Response(text="ok")

    s = servers.web({f"/{i}": handler for i in range(8)})
    urls = [s.url(f"/{i}") for i in range(8)]
    extra = ["--per-host", "2", "--timeout", "30"]  # however long the second one takes
    _code, found, _ = check(tmp_path, urls, s.netloc, extra=extra)
    assert {r["verdict"] for r in found.values()} == {"ok"}
    assert state["hits"] == 8
    assert state["max"] == 2  # two at once, never three


def test_minimum_interval_per_host(servers: ServerThread) -> None:
    s = servers.web({f"/{i}": page("x") for i in range(4)})
    urls = [s.url(f"/{i}") for i in range(4)]
    clock = VirtualClock(stop_at=ENGINE.deadline)
    settings = replace(ENGINE, host_interval=0.2, per_host=4)
    report = run_engine(urls, allow=[s.netloc], clock=clock, settings=settings)
    assert {r.verdict for r in report.results.values()} == {Verdict.OK}
    assert s.total == 4
    # Four request starts, 0.2 s apart: the first at once, each other one waited.
    assert [began for began, _ in clock.waits] == pytest.approx([0.0, 0.2, 0.4])
    assert [seconds for _, seconds in clock.waits] == pytest.approx([0.2, 0.2, 0.2])
    assert clock.now() == pytest.approx(0.6)


def test_ignore(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/x": page("x")})
    _code, found, _ = check(tmp_path, [s.url("/x")], s.netloc, extra=["--ignore", r"/x$"])
    assert verdicts(found) == {s.url("/x"): ("ignored", "LINKIGNORED")}
    assert s.total == 0


# -- the default (system) resolver, with getaddrinfo replaced: no real look-up ----


def _fake_getaddrinfo(
    entered: threading.Event | None = None, release: threading.Event | None = None
) -> Callable[..., list[tuple[Any, ...]]]:
    """``getaddrinfo`` from a table; ``stuck.test`` hangs like a dead name server."""

    def getaddrinfo(
        host: str, port: int, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> list[tuple[Any, ...]]:
        if host == "local.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        if host == "stuck.test" and entered is not None and release is not None:
            entered.set()
            release.wait(60)  # until the test is over
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    return getaddrinfo


def test_the_system_resolver_goes_through_the_guard(
    servers: ServerThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resolver_module.socket, "getaddrinfo", _fake_getaddrinfo())
    s = servers.web({"/": page("x")})
    path = write_urls(tmp_path, f"http://local.test:{s.port}/", f"http://local.test:{s.port + 1}/")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [str(path), "--format", "json", "--allow", s.netloc, "--no-cache", "--quiet"],
        stdout=out,
        stderr=err,
    )
    found = records(out.getvalue())
    assert verdicts(found) == {
        f"http://local.test:{s.port}/": ("ok", None),
        f"http://local.test:{s.port + 1}/": ("unsafe", "LINKUNSAFE"),
    }
    assert code == 1


def test_a_stuck_look_up_does_not_outlive_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    entered, release = threading.Event(), threading.Event()
    monkeypatch.setattr(resolver_module.socket, "getaddrinfo", _fake_getaddrinfo(entered, release))
    clock = VirtualClock(stop_at=ENGINE.deadline)

    def stuck_then_deadline() -> None:  # in the look-up's thread, once it hangs
        entered.wait(60)
        clock.release_threadsafe()

    watcher = threading.Thread(target=stuck_then_deadline, daemon=True)
    watcher.start()
    try:
        # The system resolver (the engine's default), with getaddrinfo replaced.
        report = run_engine(["https://stuck.test/"], clock=clock, system_resolver=True)
        # The run is over while the look-up still hangs: it did not wait for it.
        assert entered.is_set() and not release.is_set()
    finally:
        release.set()
        watcher.join(5)
    result = report.results["https://stuck.test/"]
    assert (result.verdict, result.code) == (Verdict.UNCHECKED, "LINKUNCHECKED")
    assert "deadline" in result.message
    assert clock.now() == ENGINE.deadline


def test_a_redirect_to_a_malformed_url(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/bad": redirect(302, "http://[::1")})
    _code, found, _ = check(tmp_path, [s.url("/bad")], s.netloc)
    assert verdicts(found) == {s.url("/bad"): ("error", "LINKREDIRECT")}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_connection_is_an_error(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/": page("x")})
    port = _closed_port()
    refused = f"http://127.0.0.1:{port}/"
    _code, found, stderr = check(tmp_path, [refused, s.url("/")], s.netloc, f"127.0.0.1:{port}")
    assert verdicts(found) == {refused: ("error", "LINKCONN"), s.url("/"): ("ok", None)}
    assert "no network" not in stderr


def test_every_connection_failing_is_no_network(tmp_path: Path) -> None:
    ports = [_closed_port(), _closed_port()]
    urls = [f"http://127.0.0.1:{port}/" for port in ports]
    code, found, stderr = check(tmp_path, urls, *(f"127.0.0.1:{p}" for p in ports))
    assert {r["verdict"] for r in found.values()} == {"unchecked"}
    assert stderr.count("no network:") == 1
    assert code == 0
