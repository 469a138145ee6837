"""Lighthouse on the site readers get, beside a stock sphinx-book-theme build of the same sources.

Builds the bilingual site from ``docs/`` twice, as ``make html`` does
(``handbook.build.build_site``: one strict build per language, each into its
own folder, assembled with English at the root and Japanese under ``ja/``),
into a temporary folder:

* **ours**: the handbook as published;
* **stock**: ``HANDBOOK_STOCK=1``, which ``docs/conf.py`` reads to drop our
  presentation extensions (front matter, accessibility, SEO, assets), our
  templates, CSS and JavaScript: the theme as it comes (the translations and
  the language switcher stay, so both sites have the same pages).

Both are built with ``HANDBOOK_BASEURL`` set to the address they are served
at (the site's root; the Japanese build derives ``.../ja/`` from it), so
canonical URLs, hreflang alternates, ``og:url`` and the sitemaps point where
Lighthouse loads the pages (a canonical URL on another host would make
Lighthouse's SEO audits measure something else).  Each is served under ``/handbook/`` (the path
GitHub Pages gives the site) by a small HTTP server on 127.0.0.1 that gzips
text responses on the fly, as GitHub Pages does; both builds are served the
same way, and the ``.gz`` files our build writes are not used.

Lighthouse 12.2.3 (``npm ci`` installs it from ``package-lock.json``) then
loads four pages: the landing page and one chapter in English
(``index.html``, ``swe/testing.html``) and the same two in Japanese
(``ja/index.html``, ``ja/swe/testing.html``), each as a phone (simulated throttling,
Lighthouse's default) and as a desktop (``--preset=desktop``), ``--runs``
times each (default 3), ours and stock in turn, in Debian's Chromium with the
flags the browser tests use.  It prints the median of every measure (rows
labelled by language and page: ``en landing``, ``ja chapter``...), the
transfer of ours as a share of stock, the scored audits below 1 per build and
language, and checks the same targets for every one of our pages, English
and Japanese, on a phone: performance >= 0.95; accessibility, best practices
and SEO 1.0; first-load transfer <= 35% of stock.  It exits 1 if a target is
missed.

No network: every request goes to the two servers on 127.0.0.1.  Not part of
the test suite; a full run takes a few minutes.  Run::

    .venv/bin/python benchmarks/reader.py
    .venv/bin/python benchmarks/reader.py --runs 5 --keep /tmp/lighthouse
    .venv/bin/python benchmarks/reader.py --no-gzip   # as the stock page was first measured
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from handbook.build import LANGUAGES, build_site  # noqa: E402
from handbook.paths import DOCS  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / "lighthouse"
LIGHTHOUSE_VERSION = "12.2.3"
PREFIX = "/handbook/"
#: The pages measured, by (language, page): the same two pages in each language,
#: at the paths the assembled site gives them (Japanese under ``ja/``).
PAGES = {
    (language, page): prefix + path
    for language, prefix in LANGUAGES.items()
    for page, path in (("landing", "index.html"), ("chapter", "swe/testing.html"))
}
FORM_FACTORS = ("mobile", "desktop")
BUILDS = ("ours", "stock")
CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {
    "FCP": "first-contentful-paint",
    "LCP": "largest-contentful-paint",
    "TBT": "total-blocking-time",
    "CLS": "cumulative-layout-shift",
    "SI": "speed-index",
}
#: Targets from the issue, for our pages on a phone.
TARGETS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}
TARGET_TRANSFER_SHARE = 0.35
#: What a text response is, for gzip.
TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/xml")
TEXT_TYPES_EXACT = ("image/svg+xml",)


# --------------------------------------------------------------------------
# A static server that compresses like GitHub Pages
# --------------------------------------------------------------------------


class GzipHandler(SimpleHTTPRequestHandler):
    """Serve ``directory`` under PREFIX; gzip text if the client accepts it; 404 page."""

    compress = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _file(self) -> Path | None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(PREFIX):
            return None
        local = Path(self.translate_path("/" + path[len(PREFIX) :]))
        if local.is_dir():
            local = local / "index.html"
        return local if local.is_file() else None

    def _send(self, head_only: bool) -> None:
        path, status = self._file(), 200
        if path is None:
            path, status = Path(self.directory) / "404.html", 404
            if not path.is_file():
                self.send_error(404)
                return
        body = path.read_bytes()
        kind = self.guess_type(str(path))
        if kind.startswith("text/") or kind in ("application/javascript",):
            kind += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", "max-age=600")  # what GitHub Pages sends
        textual = kind.startswith(TEXT_TYPES) or kind.startswith(TEXT_TYPES_EXACT)
        if self.compress and textual and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=6)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def do_GET(self) -> None:
        self._send(head_only=False)

    def do_HEAD(self) -> None:
        self._send(head_only=True)


@contextmanager
def listening() -> Iterator[ThreadingHTTPServer]:
    """A server bound to a free port on 127.0.0.1; it serves once ``directory`` is set."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), GzipHandler)
    try:
        yield server
    finally:
        if getattr(server, "started", False):
            server.shutdown()  # waits for serve_forever, so only once it runs
        server.server_close()


def start(server: ThreadingHTTPServer, directory: Path, *, compress: bool) -> None:
    handler = type("Handler", (GzipHandler,), {"compress": compress})
    server.RequestHandlerClass = functools.partial(handler, directory=str(directory))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.started = True  # type: ignore[attr-defined]


def base_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}{PREFIX}"


# --------------------------------------------------------------------------
# Lighthouse
# --------------------------------------------------------------------------


@dataclass
class Run:
    scores: dict[str, float]
    metrics: dict[str, float]
    transfer: int
    requests: int
    failing: list[str]


def chromium() -> str:
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    sys.exit("No Chromium: install Debian's chromium (apt-get install chromium).")


def lighthouse(url: str, form_factor: str, report: Path) -> Run:
    command = [
        "node",
        str(LIGHTHOUSE / "cli" / "index.js"),
        url,
        "--output=json",
        f"--output-path={report}",
        "--quiet",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
    ]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": chromium()}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0 or not report.is_file():
        sys.exit(f"Lighthouse failed on {url}:\n{done.stderr[-3000:]}")
    result = json.loads(report.read_text(encoding="utf-8"))
    if result.get("runtimeError"):
        sys.exit(f"Lighthouse could not load {url}: {result['runtimeError']}")
    audits = result["audits"]
    failing = []
    for category in result["categories"].values():
        for ref in category["auditRefs"]:
            audit = audits[ref["id"]]
            if ref.get("weight") and audit.get("score") is not None and audit["score"] < 1:
                failing.append(f"{category['id']}:{ref['id']}={audit['score']}")
    return Run(
        scores={k: result["categories"][k]["score"] for k in CATEGORIES},
        metrics={name: audits[key]["numericValue"] for name, key in METRICS.items()},
        transfer=int(audits["total-byte-weight"]["numericValue"]),
        requests=len(audits["network-requests"]["details"]["items"]),
        failing=failing,
    )


@dataclass
class Summary:
    scores: dict[str, float]
    metrics: dict[str, float]
    transfer: float
    requests: float
    failing: list[str]


def median(runs: list[Run]) -> Summary:
    failing = sorted({f for run in runs for f in run.failing})
    return Summary(
        scores={k: statistics.median(r.scores[k] for r in runs) for k in CATEGORIES},
        metrics={k: statistics.median(r.metrics[k] for r in runs) for k in METRICS},
        transfer=statistics.median(r.transfer for r in runs),
        requests=statistics.median(r.requests for r in runs),
        failing=failing,
    )


# --------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------


def build(kind: str, url: str, work: Path) -> Path:
    """Build and assemble the site, every language, as ``kind``; its root folder."""
    out = work / kind / "html"
    env = {"HANDBOOK_BASEURL": url, "HANDBOOK_STOCK": "1" if kind == "stock" else "0"}
    site_work = work / kind / "languages"
    builds = build_site(DOCS, out, work=site_work, languages=list(LANGUAGES), env=env)
    failed = [b for b in builds if b.returncode != 0]
    if failed:
        sys.exit("\n".join(f"The {kind} build ({b.language}) failed:\n{b.stderr}" for b in failed))
    missing = [path for path in PAGES.values() if not (out / path).is_file()]
    if missing:
        sys.exit(f"The {kind} site has no {', '.join(missing)}")
    return out


def label(key: tuple[str, str]) -> str:
    """How a page's rows are labelled: ``en landing``, ``ja chapter``."""
    language, page = key
    return f"{language} {page}"


def print_table(results: dict[tuple[str, str, str], Summary], runs: int, compress: bool) -> None:
    served = "gzipped on the fly" if compress else "uncompressed"
    print(
        f"Lighthouse {LIGHTHOUSE_VERSION}, median of {runs} runs; "
        f"served {served} from 127.0.0.1 under {PREFIX}\n"
    )
    header = (
        f"{'page':<12}{'path':<21}{'device':<9}{'build':<7}{'perf':>6}{'a11y':>6}{'bp':>6}{'seo':>6}"
        f"{'FCP ms':>8}{'LCP ms':>8}{'TBT ms':>8}{'CLS':>7}{'SI ms':>8}{'bytes':>10}{'reqs':>6}"
    )
    print(header)
    print("-" * len(header))
    for key, page in PAGES.items():
        for device in FORM_FACTORS:
            for kind in BUILDS:
                s = results[(page, device, kind)]
                m = s.metrics
                print(
                    f"{label(key):<12}{page:<21}{device:<9}{kind:<7}"
                    + "".join(f"{s.scores[c]:>6.2f}" for c in CATEGORIES)
                    + f"{m['FCP']:>8.0f}{m['LCP']:>8.0f}{m['TBT']:>8.0f}{m['CLS']:>7.3f}"
                    + f"{m['SI']:>8.0f}{s.transfer:>10,.0f}{s.requests:>6.0f}"
                )
        print()


def check_targets(results: dict[tuple[str, str, str], Summary]) -> list[str]:
    print("Transfer of a first load, ours as a share of stock:")
    missed = []
    for key, page in PAGES.items():
        for device in FORM_FACTORS:
            ours, stock = results[(page, device, "ours")], results[(page, device, "stock")]
            share = ours.transfer / stock.transfer
            print(
                f"  {label(key):<12}{page:<21}{device:<9}"
                f"{ours.transfer:>10,.0f} / {stock.transfer:>10,.0f} bytes"
                f" = {share:6.1%}   requests {ours.requests:.0f} / {stock.requests:.0f}"
            )
            if device == "mobile" and share > TARGET_TRANSFER_SHARE:
                missed.append(
                    f"{label(key)} ({page}) mobile transfer {share:.1%}"
                    f" > {TARGET_TRANSFER_SHARE:.0%}"
                )
    print("\nTargets for our pages on a phone (median):")
    for key, page in PAGES.items():
        ours = results[(page, "mobile", "ours")]
        for category, target in TARGETS.items():
            score = ours.scores[category]
            verdict = "ok" if score >= target else "MISSED"
            print(
                f"  {label(key):<12}{page:<21}{category:<16}{score:5.2f} (>= {target:.2f})"
                f"  {verdict}"
            )
            if score < target:
                missed.append(f"{label(key)} ({page}) mobile {category} {score:.2f} < {target:.2f}")
        share = ours.transfer / results[(page, "mobile", "stock")].transfer
        verdict = "ok" if share <= TARGET_TRANSFER_SHARE else "MISSED"
        print(
            f"  {label(key):<12}{page:<21}{'transfer':<16}{share:5.1%}"
            f" (<= {TARGET_TRANSFER_SHARE:.0%})  {verdict}"
        )
    language_of = {page: language for (language, _), page in PAGES.items()}
    for kind in BUILDS:
        for language in LANGUAGES:
            lowest: dict[str, float] = {}
            for (page, _, k), summary in results.items():
                if k != kind or language_of[page] != language:
                    continue
                for failing in summary.failing:
                    audit, score = failing.rsplit("=", 1)
                    lowest[audit] = min(lowest.get(audit, 1.0), float(score))
            listed = ", ".join(f"{a} (lowest {v:.2f})" for a, v in sorted(lowest.items()))
            print(
                f"\nScored audits below 1 in some run ({kind}, {language} pages): "
                f"{listed or 'none'}"
            )
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page and device")
    parser.add_argument("--keep", type=Path, help="keep the builds and Lighthouse reports here")
    parser.add_argument(
        "--no-gzip", dest="gzip", action="store_false", help="serve without compression"
    )
    args = parser.parse_args(argv)

    package = LIGHTHOUSE / "package.json"
    if not package.is_file():
        sys.exit("Lighthouse is not installed: run 'npm ci' at the repository's root.")
    version = json.loads(package.read_text(encoding="utf-8"))["version"]
    if version != LIGHTHOUSE_VERSION:
        sys.exit(f"Lighthouse {version} is installed, {LIGHTHOUSE_VERSION} expected: run 'npm ci'.")

    with ExitStack() as stack:
        if args.keep:
            work = args.keep
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="reader-")))
        servers = {kind: stack.enter_context(listening()) for kind in BUILDS}
        for kind, server in servers.items():
            url = base_url(server)
            print(f"building {kind} for {url} ...", flush=True)
            start(server, build(kind, url, work), compress=args.gzip)

        reports = work / "lighthouse"
        reports.mkdir(exist_ok=True)
        runs: dict[tuple[str, str, str], list[Run]] = {}
        for key, page in PAGES.items():
            for device in FORM_FACTORS:
                for n in range(args.runs):
                    for kind in BUILDS:  # in turn, so that both see the same machine
                        name = f"{kind}-{device}-{page.replace('/', '_')}-{n}.json"
                        url = base_url(servers[kind]) + page
                        print(
                            f"lighthouse {kind:<5} {device:<7} {label(key):<11} {page} run {n + 1}",
                            flush=True,
                        )
                        run = lighthouse(url, device, reports / name)
                        runs.setdefault((page, device, kind), []).append(run)
        print()
        results = {key: median(value) for key, value in runs.items()}
        print_table(results, args.runs, args.gzip)
        missed = check_targets(results)
    if missed:
        print("\nMISSED: " + "; ".join(missed))
        return 1
    print("\nAll targets met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
