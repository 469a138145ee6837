"""Shared test configuration: Sphinx's own testing fixtures and test roots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests are deterministic (the same examples on every machine), keep no
# example database in the working tree, and carry no timing assertion (no deadline).
settings.register_profile("handbook", derandomize=True, database=None, deadline=None)
settings.load_profile("handbook")

# Sphinx colours its output when CI=true; tests compare messages as plain text.
os.environ["NO_COLOR"] = "1"

pytest_plugins = ["sphinx.testing.fixtures"]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where ``sphinx.testing`` finds ``tests/roots/test-*``."""
    return ROOT / "tests" / "roots"


class BuiltSite:
    """The real handbook, built once per test session with the strict command."""

    def __init__(self, out: Path, doctrees: Path, stdout: str, stderr: str, returncode: int):
        self.out = out
        self.doctrees = doctrees
        self.stdout = stdout
        self.stderr = stderr
        self.returncode = returncode

    def html(self, page: str) -> str:
        """The HTML of a built page, e.g. ``site.html("swe/index")``."""
        return (self.out / f"{page}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """Build ``docs/`` into a temporary directory, exactly as ``make html`` does:
    every language, strictly, assembled into one site (Japanese under ``ja/``)."""
    from handbook.build import build_site
    from handbook.paths import DOCS

    base = tmp_path_factory.mktemp("site")
    out, work = base / "html", base / "languages"
    builds = build_site(DOCS, out, work=work)
    returncode = max(build.returncode for build in builds)
    stdout = "".join(build.stdout for build in builds)
    stderr = "".join(build.stderr for build in builds)
    return BuiltSite(out, builds[0].doctrees, stdout, stderr, returncode)
