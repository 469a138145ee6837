"""Helpers for the extension tests: build a copy of a test root under ``tests/roots``.

The ``build`` fixture (``conftest.py``) builds one root once per test module.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.testing.util import SphinxTestApp


def plain(output: str) -> str:
    """Sphinx's console output without colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", output)


@dataclass
class Built:
    """The output of one build of a test root."""

    srcdir: Path
    outdir: Path
    status: str
    warnings: str

    def text(self, path: str) -> str:
        """An output file, e.g. ``built.text("robots.txt")``."""
        return (self.outdir / path).read_text(encoding="utf-8")

    def html(self, page: str) -> str:
        """A page of an HTML build, e.g. ``built.html("index")``."""
        return self.text(f"{page}.html")


BuildRoot = Callable[..., Built]


def build_root(
    rootdir: Path,
    name: str,
    dest: Path,
    *,
    builder: str = "html",
    srcdir: Path | None = None,
    **confoverrides: Any,
) -> Built:
    """Copy ``tests/roots/<name>`` to ``srcdir`` (default ``dest/src``) and build it."""
    srcdir = srcdir or dest / "src"
    shutil.copytree(rootdir / name, srcdir)
    app = SphinxTestApp(
        builder, srcdir=srcdir, builddir=dest / "_build", confoverrides=confoverrides
    )
    try:
        app.build()
    finally:
        app.cleanup()
    return Built(
        srcdir, Path(app.outdir), plain(app.status.getvalue()), plain(app.warning.getvalue())
    )
