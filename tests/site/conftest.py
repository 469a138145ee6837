"""Fixtures shared by the tests of the built site: a local server and a browser."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # makes tests/site/browser.py importable

from browser import Visit, launch_chromium, serve
from playwright.sync_api import Browser, sync_playwright


@pytest.fixture(scope="module")
def site(built_site) -> Iterator[str]:
    """The built site, served on 127.0.0.1 under /handbook/; yields its base URL."""
    with serve(built_site.out) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (or Playwright's), headless, with no background networking."""
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def visit(browser: Browser, site: str) -> Iterator:
    """Open pages in fresh browser contexts (each closed after the test)."""
    visits: list[Visit] = []

    def _visit(**options) -> Visit:
        v = Visit(browser, site, **options)
        visits.append(v)
        return v

    yield _visit
    for v in visits:
        v.close()
