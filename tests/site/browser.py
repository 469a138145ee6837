"""Serve the built site on 127.0.0.1 and drive it in a real Chromium.

The site is served under ``/handbook/``, the path GitHub Pages gives it, so
that the 404 page's absolute links are exercised as readers get them.
"""

from __future__ import annotations

import functools
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

PREFIX = "/handbook/"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
# Flags for a headless Chromium on a machine with no network: without the
# background-networking ones it keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOW_TO_GET_A_BROWSER = (
    "The browser tests need Chromium. On Debian or Ubuntu run "
    "'sudo apt-get install chromium' (the tests use /usr/bin/chromium); elsewhere run "
    "'.venv/bin/playwright install chromium'."
)


class _Handler(SimpleHTTPRequestHandler):
    """Serve ``directory`` under PREFIX, like GitHub Pages; 404s get the 404 page."""

    def translate_path(self, path: str) -> str:
        inside = path.startswith(PREFIX)
        return super().translate_path("/" + path[len(PREFIX) :] if inside else "/__outside__")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    """Quiet when the browser drops a connection mid-reply (it moved on to another page)."""

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port); yield the site's base URL."""
    handler = functools.partial(_Handler, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def launch_chromium(playwright):
    """Debian's Chromium where it exists, else Playwright's own; fail loudly if neither."""
    options = {"args": CHROMIUM_ARGS, "headless": True}
    if DEBIAN_CHROMIUM.exists():
        options["executable_path"] = str(DEBIAN_CHROMIUM)
    elif shutil.which("chromium"):
        options["executable_path"] = shutil.which("chromium")
    try:
        return playwright.chromium.launch(**options)
    except Exception as error:  # Playwright raises its own Error type
        pytest.fail(f"{HOW_TO_GET_A_BROWSER}\n({error})", pytrace=False)


class Visit:
    """A page opened with every console error, failed and outside request recorded."""

    def __init__(
        self, browser: Browser, base: str, *, width: int = 1280, color_scheme: str = "light"
    ):
        self.base = base
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme=color_scheme
        )
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.outside: list[str] = []
        local = urlsplit(base).netloc
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))

        def guard(route) -> None:
            url = route.request.url
            if urlsplit(url).scheme in {"http", "https"} and urlsplit(url).netloc != local:
                self.outside.append(url)
                route.abort()
            else:
                route.continue_()

        self.page.route("**/*", guard)

    def open(self, path: str) -> Page:
        self.page.goto(self.base + path, wait_until="load")
        return self.page

    def close(self) -> None:
        self.context.close()


def set_scheme(page: Page, scheme: str) -> None:
    """Put the theme in ``scheme`` ("light" or "dark"), as its colour-mode button does."""
    page.evaluate(
        "scheme => { document.documentElement.dataset.theme = scheme;"
        " document.documentElement.dataset.mode = scheme; }",
        scheme,
    )


#: Waits for running CSS transitions and animations (e.g. the theme's 0.15 s
#: colour transition on buttons after a switch to dark mode), so that axe
#: measures the colours a reader sees, not a frame in between.
#: ``getAnimations()`` flushes pending style changes first; endless
#: animations are left alone.
_SETTLE = """() => Promise.all(document.getAnimations()
  .filter(a => Number.isFinite(a.effect?.getComputedTiming().endTime))
  .map(a => a.finished.catch(() => null)))"""


def axe(page: Page) -> list[dict]:
    page.evaluate(_SETTLE)
    page.add_script_tag(path=str(AXE))
    options = {
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        "rules": {"label-content-name-mismatch": {"enabled": True}},
    }
    result = page.evaluate("options => axe.run(document, options)", options)
    return [
        {"id": r["id"], "nodes": [n["target"] for n in r["nodes"]][:5]}
        for r in result["violations"]
    ]
