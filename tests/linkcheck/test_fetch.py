"""The engine against servers on 127.0.0.1: every verdict, every failure mode.

Nothing here leaves the machine: URLs are 127.0.0.1 literals let through by
``--allow 127.0.0.1:PORT``, or names that the injected
:class:`~handbook.linkcheck.guard.StaticResolver` maps to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import socket
import struct
import time
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from lc_support import (
    Handler,
    ServerThread,
    page,
    redirect,
    run_linkcheck,
    status,
    write_urls,
)

from handbook.linkcheck import resolver as resolver_module
from handbook.linkcheck.cli import main
from handbook.linkcheck.resolver import StaticResolver, lookup_failed_error


def records(run_stdout: str) -> dict[str, dict[str, Any]]:
    doc = json.loads(run_stdout)
    return {record["url"]: record for record in doc["records"]}


def check(
    tmp_path: Path, urls: list[str], *allow: str, resolver: Any = None, extra: list[str] = ()
) -> tuple[int, dict[str, dict[str, Any]], str]:
    path = write_urls(tmp_path, *urls)
    args = [str(path), "--format", "json", *extra]
    for netloc in allow:
        args += ["--allow", netloc]
    run = run_linkcheck(args, tmp_path=tmp_path, resolver=resolver)
    return run.code, records(run.stdout), run.stderr


def verdicts(found: dict[str, dict[str, Any]]) -> dict[str, tuple[str, str | None]]:
    return {url: (rec["verdict"], rec["code"]) for url, rec in found.items()}


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
<p>id="fake" in text is enough for a crude scan but attributes matter more</p>
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

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        chunk = b"<p>" + b"x" * 65530 + b"</p>"
        for _ in range(600):  # ~40 MB: more than any socket buffer
            await response.write(chunk)
            sent["chunks"] += 1
        sent["finished"] = True
        return response

    s = servers.web({"/huge": huge})
    started = time.monotonic()
    code, found, _ = check(
        tmp_path, [s.url("/huge#end")], s.netloc, extra=["--anchor-cap", "131072"]
    )
    assert verdicts(found) == {s.url("/huge#end"): ("error", "LINKCAP")}
    assert "131072 bytes" in found[s.url("/huge#end")]["message"]
    assert time.monotonic() - started < 5
    time.sleep(0.2)
    assert not sent["finished"]
    assert code == 0


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


def _limited_once(retry_after: str | None, times: list[float]) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        times.append(time.monotonic())
        if len(times) == 1:
            headers = {"Retry-After": retry_after} if retry_after else {}
            return web.Response(status=429, headers=headers)
        return web.Response(text="ok")

    return handler


def test_429_with_retry_after_in_seconds(servers: ServerThread, tmp_path: Path) -> None:
    times: list[float] = []
    s = servers.web({"/limited": _limited_once("1", times)})
    _code, found, _ = check(tmp_path, [s.url("/limited")], s.netloc)
    assert found[s.url("/limited")]["verdict"] == "ok"
    assert len(times) == 2
    assert times[1] - times[0] >= 0.95


def test_429_with_retry_after_as_an_http_date(servers: ServerThread, tmp_path: Path) -> None:
    times: list[float] = []
    when = formatdate(time.time() + 2, usegmt=True)  # whole seconds: waits 1 to 2 s
    s = servers.web({"/limited": _limited_once(when, times)})
    _code, found, _ = check(tmp_path, [s.url("/limited")], s.netloc, extra=["--timeout", "3"])
    assert found[s.url("/limited")]["verdict"] == "ok"
    assert len(times) == 2
    assert 0.9 <= times[1] - times[0] <= 3.0


def test_retry_after_beyond_the_cap_gives_up_at_once(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/later": status(429, {"Retry-After": "3600"})})
    started = time.monotonic()
    code, found, _ = check(tmp_path, [s.url("/later")], s.netloc, extra=["--retry-after-cap", "5"])
    record = found[s.url("/later")]
    assert (record["verdict"], record["code"]) == ("rate_limited", "LINK429")
    assert "3600 s" in record["message"]
    assert s.total == 1
    assert time.monotonic() - started < 2
    assert code == 0


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
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 600\r\n\r\n")
        for _ in range(600):
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(1)

    s = servers.raw(drip)
    started = time.monotonic()
    code, found, _ = check(
        tmp_path, [s.url("/#anchor")], s.netloc, extra=["--timeout", "0.6", "--retries", "0"]
    )
    elapsed = time.monotonic() - started
    assert verdicts(found) == {s.url("/#anchor"): ("timeout", "LINKTIMEOUT")}
    assert elapsed < 0.6 * 1.25 + 0.6  # within the per-request timeout (and its guard)
    assert code == 0


def test_a_server_that_never_answers(servers: ServerThread, tmp_path: Path) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        await asyncio.sleep(3600)

    s = servers.raw(silent)
    started = time.monotonic()
    code, found, _ = check(tmp_path, [s.url("/")], s.netloc, extra=["--timeout", "0.5"])
    assert verdicts(found) == {s.url("/"): ("timeout", "LINKTIMEOUT")}
    assert s.connections == 2  # retried once
    assert time.monotonic() - started < 3
    assert code == 0


def test_the_overall_deadline_reports_the_rest_unchecked(
    servers: ServerThread, tmp_path: Path
) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        await asyncio.sleep(3600)

    slow = servers.raw(silent)
    fast = servers.web({"/ok": page("x")})
    started = time.monotonic()
    code, found, _ = check(
        tmp_path,
        [slow.url("/1"), slow.url("/2"), fast.url("/ok")],
        slow.netloc,
        fast.netloc,
        extra=["--timeout", "10", "--deadline", "0.7"],
    )
    assert time.monotonic() - started < 3
    assert found[fast.url("/ok")]["verdict"] == "ok"
    for url in (slow.url("/1"), slow.url("/2")):
        assert (found[url]["verdict"], found[url]["code"]) == ("unchecked", "LINKUNCHECKED")
        assert "deadline" in found[url]["message"]
    assert code == 0


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


def _slow(state: dict[str, Any], delay: float = 0.1) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        state["starts"].append(time.monotonic())
        state["now"] += 1
        state["max"] = max(state["max"], state["now"])
        try:
            await asyncio.sleep(delay)
        finally:
            state["now"] -= 1
        return web.Response(text="ok")

    return handler


def test_per_host_concurrency_limit(servers: ServerThread, tmp_path: Path) -> None:
    state: dict[str, Any] = {"now": 0, "max": 0, "starts": []}
    s = servers.web({f"/{i}": _slow(state) for i in range(8)})
    urls = [s.url(f"/{i}") for i in range(8)]
    started = time.monotonic()
    _code, found, _ = check(tmp_path, urls, s.netloc, extra=["--per-host", "2"])
    assert {r["verdict"] for r in found.values()} == {"ok"}
    assert state["max"] == 2
    assert time.monotonic() - started >= 0.35  # 8 requests, 2 at a time, 0.1 s each


def test_minimum_interval_per_host(servers: ServerThread, tmp_path: Path) -> None:
    state: dict[str, Any] = {"now": 0, "max": 0, "starts": []}
    s = servers.web({f"/{i}": _slow(state, 0.0) for i in range(4)})
    urls = [s.url(f"/{i}") for i in range(4)]
    path = write_urls(tmp_path, *urls)
    args = [str(path), "--allow", s.netloc, "--host-interval", "0.2", "--per-host", "4"]
    run = run_linkcheck(args, tmp_path=tmp_path, fast=False)
    assert run.code == 0
    starts = sorted(state["starts"])
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 4 and min(gaps) >= 0.18


def test_ignore(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/x": page("x")})
    _code, found, _ = check(tmp_path, [s.url("/x")], s.netloc, extra=["--ignore", r"/x$"])
    assert verdicts(found) == {s.url("/x"): ("ignored", "LINKIGNORED")}
    assert s.total == 0


# -- the default (system) resolver, with getaddrinfo replaced: no real look-up ----


def _fake_getaddrinfo(
    host: str, port: int, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
) -> list[tuple[Any, ...]]:
    if host == "local.test":
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
    if host == "stuck.test":
        time.sleep(3)  # a dead name server
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def test_the_system_resolver_goes_through_the_guard(
    servers: ServerThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resolver_module.socket, "getaddrinfo", _fake_getaddrinfo)
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


def test_a_stuck_look_up_does_not_outlive_the_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resolver_module.socket, "getaddrinfo", _fake_getaddrinfo)
    path = write_urls(tmp_path, "https://stuck.test/")
    started = time.monotonic()
    code = main(
        [str(path), "--deadline", "0.5", "--no-cache", "--quiet", "--no-progress"],
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert time.monotonic() - started < 1.5  # not the 3 s the look-up takes
    assert code == 0


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
