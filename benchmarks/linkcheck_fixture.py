"""Time ``handbook linkcheck`` on a local fixture: cold run, then warm (cached) run.

The fixture: 400 links on 40 "hosts" (40 aiohttp servers, each on its own
port of 127.0.0.1), every answer 100 ms late.  The mix, fixed by a seed:

* 90 % 200 OK,
* 5 % 404 Not Found,
* 3 % 301 Moved Permanently (to a 200 on the same host),
* 2 % 429 Too Many Requests with ``Retry-After: 1`` on the first request to
  that URL, 200 once the pause is over (a rate limit that clears).

``handbook linkcheck`` runs as a subprocess, as a user would run it, on a
``.txt`` of the URLs with ``--allow 127.0.0.1:PORT`` for each fixture port and
its cache in a temporary directory: once cold, once warm.  The servers count
every request they receive.  Nothing leaves 127.0.0.1.

With the default politeness (2 requests at a time per host, 50 ms between
starts), a host's ten links need at least 10 x 100 ms / 2 = 0.5 s; a host
with a 429 link also waits out its Retry-After (1 s) for the whole host.

Usage::

    .venv/bin/python benchmarks/linkcheck_fixture.py [--hosts 40] [--per-host-links 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import web

LOCAL = "127.0.0.1"


class Fixture:
    """The servers, in one event loop in a background thread."""

    def __init__(self, hosts: int, links_per_host: int, latency: float, seed: int) -> None:
        self.hosts = hosts
        self.links_per_host = links_per_host
        self.latency = latency
        self.rng = random.Random(seed)
        self.kinds: dict[tuple[int, str], str] = {}  # (port, path) -> kind
        self.requests: Counter[str] = Counter()  # by kind of answer
        self.limited: set[tuple[int, str]] = set()
        self.ports: list[int] = []
        self._runners: list[web.AppRunner] = []
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def mix(self) -> list[str]:
        total = self.hosts * self.links_per_host
        n404, n301, n429 = round(total * 0.05), round(total * 0.03), round(total * 0.02)
        kinds = ["404"] * n404 + ["301"] * n301 + ["429"] * n429
        kinds += ["200"] * (total - len(kinds))
        self.rng.shuffle(kinds)
        return kinds

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        port = request.transport.get_extra_info("sockname")[1]  # type: ignore[union-attr]
        kind = self.kinds.get((port, request.path), "200")
        await asyncio.sleep(self.latency)
        if kind == "404":
            self.requests["404"] += 1
            return web.Response(status=404, text="not found")
        if kind == "301":
            self.requests["301"] += 1
            return web.Response(status=301, headers={"Location": request.path + "-moved"})
        if kind == "429" and (port, request.path) not in self.limited:
            self.limited.add((port, request.path))
            self.requests["429"] += 1
            return web.Response(status=429, headers={"Retry-After": "1"})
        self.requests["200"] += 1
        return web.Response(
            text="<!doctype html><title>ok</title><p>ok</p>", content_type="text/html"
        )

    async def _start(self) -> list[str]:
        urls: list[str] = []
        kinds = iter(self.mix())
        for _ in range(self.hosts):
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", self._handle)
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
            await runner.setup()
            site = web.TCPSite(runner, LOCAL, 0, backlog=256)
            await site.start()
            server: Any = site._server
            port = server.sockets[0].getsockname()[1]
            self._runners.append(runner)
            self.ports.append(port)
            for i in range(self.links_per_host):
                path = f"/page/{i}"
                self.kinds[(port, path)] = next(kinds)
                urls.append(f"http://{LOCAL}:{port}{path}")
        return urls

    def start(self) -> list[str]:
        self._thread.start()
        return asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)

    def reset(self) -> None:
        self.requests.clear()

    def stop(self) -> None:
        async def cleanup() -> None:
            for runner in self._runners:
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


def run_checker(
    urls_file: Path, ports: list[int], workdir: Path, extra: list[str]
) -> dict[str, Any]:
    report = workdir / "report.json"
    command = [
        sys.executable,
        "-m",
        "handbook.cli",
        "linkcheck",
        str(urls_file),
        "--format",
        "json",
        "--output",
        str(report),
        "--cache",
        str(workdir / "linkcheck.sqlite3"),
        "--root",
        str(workdir),
        "--no-progress",
        *extra,
    ]
    for port in ports:
        command += ["--allow", f"{LOCAL}:{port}"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"handbook linkcheck failed ({done.returncode}):\n{done.stderr}")
    doc = json.loads(report.read_text(encoding="utf-8"))
    summary = {k: n for k, n in doc["summary"].items() if n}
    cached = sum(1 for record in doc["records"] if record["cached"])
    # The summary's last line ends with the time the check itself took.
    inner = re.search(r"([0-9.]+) s\s*$", done.stderr)
    return {
        "seconds": seconds,
        "inner": float(inner.group(1)) if inner else float("nan"),
        "exit": done.returncode,
        "summary": summary,
        "cached": cached,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=40)
    parser.add_argument("--per-host-links", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per answer")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "checker_args", nargs="*", help="extra handbook linkcheck options, after --"
    )
    args = parser.parse_args(argv)

    fixture = Fixture(args.hosts, args.per_host_links, args.latency, args.seed)
    urls = fixture.start()
    try:
        with tempfile.TemporaryDirectory(prefix="linkcheck-bench-") as tmp:
            workdir = Path(tmp)
            urls_file = workdir / "urls.txt"
            urls_file.write_text("".join(f"{url}\n" for url in urls), encoding="utf-8")
            mix = Counter(fixture.kinds.values())
            print(
                f"fixture: {len(urls)} links on {args.hosts} hosts (127.0.0.1, distinct ports), "
                f"{args.latency * 1000:.0f} ms per answer"
            )
            print(
                "mix: "
                + ", ".join(f"{mix[k]} x {k}" for k in ("200", "404", "301", "429"))
                + " (429: Retry-After: 1, then 200)"
            )
            bound = args.per_host_links * args.latency / 2
            print(f"lower bound per host at 2 in flight: {bound:.2f} s (+1 s on hosts with a 429)")
            for label in ("cold", "warm"):
                fixture.reset()
                result = run_checker(urls_file, fixture.ports, workdir, args.checker_args)
                requests = sum(fixture.requests.values())
                by_answer = dict(sorted(fixture.requests.items()))
                print(
                    f"{label} run: {result['seconds']:.2f} s wall "
                    f"({result['inner']:.2f} s checking, the rest process start-up), "
                    f"{requests} requests {by_answer}, {result['cached']} from cache, "
                    f"verdicts {result['summary']}, exit {result['exit']}"
                )
    finally:
        fixture.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
