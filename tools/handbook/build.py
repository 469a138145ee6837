"""The one strict Sphinx build command, shared by the Makefile's flags, the
tests and the benchmarks; and the bilingual site built from it.

Keep ``STRICT_FLAGS`` in step with ``SPHINXBUILD`` in the Makefile (a test
checks that they agree).

The site (``make html``, ``handbook build``) is one strict build per language,
each into its own output folder (our post-processing rewrites every page
under its output folder, so two languages must never share one), run side by
side where there are cores for it; then the outputs are assembled into one
site, the source language at the root and each other language under its
prefix (``docs/_build/html/`` and ``docs/_build/html/ja/``).  The assembled
site replaces the previous one only when every build succeeded, so a failed
build never leaves half a site behind.

Usage::

    handbook build                      # English and Japanese, into docs/_build/html
    handbook build --languages en       # English only (make html LANGS=en)
    handbook build --out DIR --work DIR # elsewhere (the tests)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from handbook import paths

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


#: The languages of the site and where each lives under its root; the source
#: language first.  Keep in step with ``handbook_languages`` in docs/conf.py
#: (a test checks that they agree).
LANGUAGES: dict[str, str] = {"en": "", "ja": "ja/"}


@dataclass(frozen=True)
class LanguageBuild:
    """One language's strict build: where it goes and how it went."""

    language: str
    out: Path
    doctrees: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def language_dirs(work: Path, language: str) -> tuple[Path, Path]:
    """``(output folder, doctrees)`` of one language's build under ``work``."""
    return work / language / "html", work / language / "doctrees"


def build_languages(
    source: Path,
    work: Path,
    languages: Sequence[str],
    *,
    jobs: int | None = None,
    doctrees: Mapping[str, Path] | None = None,
    extra: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> list[LanguageBuild]:
    """Run each language's strict build, ``jobs`` at a time (default: one per core)."""
    jobs = max(1, jobs or min(len(languages), os.cpu_count() or 1))
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    pending = list(languages)
    running: dict[str, tuple[subprocess.Popen[str], float, Path, Path]] = {}
    done: dict[str, LanguageBuild] = {}
    while pending or running:
        while pending and len(running) < jobs:
            language = pending.pop(0)
            out, trees = language_dirs(work, language)
            trees = (doctrees or {}).get(language, trees)
            command = sphinx_command(
                source, out, doctrees=trees, extra=[*extra, "-D", f"language={language}"]
            )
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full_env
            )
            running[language] = (process, time.perf_counter(), out, trees)
        language = next(iter(running))
        process, started, out, trees = running.pop(language)
        stdout, stderr = process.communicate()
        done[language] = LanguageBuild(
            language, out, trees, process.returncode, stdout, stderr, time.perf_counter() - started
        )
    return [done[language] for language in languages]


def assemble(builds: Sequence[LanguageBuild], out: Path, prefixes: Mapping[str, str]) -> None:
    """Copy each language's output under its prefix into ``out``, replacing it whole."""
    staging = out.with_name(f".{out.name}.assembling")
    shutil.rmtree(staging, ignore_errors=True)
    for build in builds:
        target = staging / prefixes[build.language] if prefixes[build.language] else staging
        shutil.copytree(build.out, target, dirs_exist_ok=True)
    previous = out.with_name(f".{out.name}.previous")
    shutil.rmtree(previous, ignore_errors=True)
    if out.exists():
        out.rename(previous)
    staging.rename(out)
    shutil.rmtree(previous, ignore_errors=True)


def build_site(
    source: Path,
    out: Path,
    *,
    work: Path,
    languages: Sequence[str] = tuple(LANGUAGES),
    jobs: int | None = None,
    doctrees: Mapping[str, Path] | None = None,
    extra: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> list[LanguageBuild]:
    """Build every language strictly and, if all succeeded, assemble the site at ``out``."""
    unknown = [language for language in languages if language not in LANGUAGES]
    if unknown:
        raise ValueError(f"unknown language {unknown[0]!r}: the site has {', '.join(LANGUAGES)}")
    ordered = [language for language in LANGUAGES if language in languages]
    builds = build_languages(
        source, work, ordered, jobs=jobs, doctrees=doctrees, extra=extra, env=env
    )
    if all(build.returncode == 0 for build in builds):
        assemble(builds, out, LANGUAGES)
    return builds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="handbook build",
        description="Build the site strictly, every language, and assemble it.",
    )
    parser.add_argument(
        "--languages",
        nargs="+",
        default=list(LANGUAGES),
        choices=list(LANGUAGES),
        metavar="LANG",
        help=f"languages to build (default: {' '.join(LANGUAGES)})",
    )
    parser.add_argument("--source", type=Path, default=paths.DOCS, help="the Sphinx sources")
    build_dir = paths.DOCS / "_build"
    parser.add_argument("--out", type=Path, default=build_dir / "html", help="the assembled site")
    parser.add_argument(
        "--work",
        type=Path,
        default=build_dir / "languages",
        help="where each language's own build goes (LANG/html, LANG/doctrees)",
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="builds at a time (default: one per core)"
    )
    parser.add_argument(
        "sphinx_options",
        nargs="*",
        metavar="-- SPHINXOPTS",
        help="extra options for sphinx-build (after --)",
    )
    args = parser.parse_args(argv)
    # The source language's doctrees stay where the link checker reads them.
    doctrees = {"en": build_dir / "doctrees"} if args.out == build_dir / "html" else None
    builds = build_site(
        args.source,
        args.out,
        work=args.work,
        languages=args.languages,
        jobs=args.jobs,
        doctrees=doctrees,
        extra=args.sphinx_options,
    )
    for build in builds:
        sys.stdout.write(build.stdout)
        sys.stderr.write(build.stderr)
        verdict = "built" if build.returncode == 0 else f"FAILED (exit {build.returncode})"
        print(
            f"handbook build: {build.language}: {verdict} in {build.seconds:.1f} s", file=sys.stderr
        )
    if any(build.returncode != 0 for build in builds):
        print(f"handbook build: not assembled; {args.out} is unchanged", file=sys.stderr)
        return 1
    print(f"handbook build: site assembled in {args.out}")
    return 0
