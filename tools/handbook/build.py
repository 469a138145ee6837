"""The one strict Sphinx build command, shared by the Makefile's flags, the
tests and the benchmarks.

Keep ``STRICT_FLAGS`` in step with ``SPHINXBUILD`` in the Makefile (a test
checks that they agree).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

#: -n: warn about every missing reference; -W: warnings are errors;
#: --keep-going: report all warnings before failing; -q: print only problems.
STRICT_FLAGS: tuple[str, ...] = ("-nW", "--keep-going", "-q")


def sphinx_command(
    source: Path,
    out: Path,
    *,
    builder: str = "html",
    doctrees: Path | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    """The argument vector of the strict build of ``source`` into ``out``."""
    doctree_dir = doctrees if doctrees is not None else out.parent / "doctrees"
    return [
        sys.executable,
        "-m",
        "sphinx",
        *STRICT_FLAGS,
        *extra,
        "-b",
        builder,
        "-d",
        str(doctree_dir),
        str(source),
        str(out),
    ]


def run_build(
    source: Path,
    out: Path,
    *,
    builder: str = "html",
    doctrees: Path | None = None,
    extra: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the strict build and return the finished process (output captured)."""
    # Output is captured for comparison, never shown on a terminal: no colour
    # codes, even where Sphinx would add them (it does when CI=true).
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        sphinx_command(source, out, builder=builder, doctrees=doctrees, extra=extra),
        capture_output=True,
        text=True,
        env=full_env,
        check=False,
    )
