"""Benchmark the handbook build: stock theme navigation against ``handbook.sphinxext.fastnav``.

Makes synthetic books of 50, 200 and 500 pages from the handbook's own page
template (``tools/handbook/pages/template.md``), configuration (``docs/conf.py``,
``docs/_static``, ``docs/_templates``) and reading list (``references.bib``,
cited from every chapter and listed on a ``readinglist`` page), then builds
each book twice side by side, once with ``HANDBOOK_FAST_NAV=0`` (the theme's
own sidebar) and once with the defaults, each with the strict build command
(``handbook.build``):

* a clean build;
* a no-op rebuild (nothing changed);
* an edit-one-page rebuild (one sentence of one chapter's body changed).

Clean builds run once; the rebuilds run ``--repeat`` times (default 3; the
edit goes back and forth) and the best time counts, which tames the noise of
a shared machine.

It prints the times, the ratios, the growth exponent of the clean build (the
slope of log(time) against log(pages) from the smallest to the largest book)
and checks that

* both variants write byte-identical output (every file), after every step;
* the rebuilt site equals a clean build of the edited book, file for file
  (incremental builds are correct);
* the targets hold: the largest clean build is at least 6x faster with
  fastnav; the growth exponent with fastnav is at most 1.1; editing one page
  rebuilds in at most 1.3x the time of a no-op rebuild.

Then it builds the real handbook (a snapshot of ``docs/`` and
``references.bib``) as ``make html`` does, side by side: a clean
English-only build (``make html LANGS=en``) against a clean build of every
language (``make html``), ``--repeat`` times each, best time counting, and
checks that the bilingual site takes at most 1.8x the English-only one and
is byte-identical from run to run.  ``--languages-only`` runs just that part
(about two minutes).

The handbook package and the docs configuration are copied first, so every
build of a run uses the same code even if the working tree changes meanwhile.
It exits 1 if a check fails.  No network; not part of the test suite.  A full
run takes about ten minutes on a 2-core machine.  Run::

    .venv/bin/python benchmarks/build.py                 # 50, 200, 500 pages
    .venv/bin/python benchmarks/build.py --pages 50 100  # other sizes
    .venv/bin/python benchmarks/build.py --profile 500   # cProfile one clean build
    .venv/bin/python benchmarks/build.py --profile 500 --variant stock
"""

from __future__ import annotations

import argparse
import cProfile
import filecmp
import json
import math
import os
import pstats
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from handbook.build import LANGUAGES, build_site, run_build  # noqa: E402
from handbook.paths import DOCS  # noqa: E402

#: Targets from the issue.
TARGET_SPEEDUP = 6.0
TARGET_EXPONENT = 1.1
TARGET_EDIT_RATIO = 1.3
TARGET_LANGUAGES_RATIO = 1.8

#: Chapters per part: the shape of the real handbook (a part index and its chapters).
CHAPTERS_PER_PART = 10
#: Works each chapter cites (the template asks for at least three).
CITES_PER_CHAPTER = 3

TOPICS = [
    "Feature pipelines",
    "Model serving",
    "Offline evaluation",
    "Online experiments",
    "Data contracts",
    "Monitoring drift",
    "Label quality",
    "Cost of inference",
    "Shadow deployments",
    "Stakeholder reviews",
    "Error analysis",
    "Retraining cadence",
]

#: The sentence the edit-one-page step changes (it is in the template's body).
EDIT_FROM = "Open with the situation the reader is in and what getting it wrong costs."
EDIT_TO = "Open with the reader's situation and with what getting it wrong costs them."


# -- the synthetic book -------------------------------------------------------


def bib_keys(bib: Path) -> list[str]:
    """The entry keys of a .bib file, in file order."""
    return re.findall(r"^@\w+\{([^,\s]+),", bib.read_text(encoding="utf-8"), flags=re.MULTILINE)


def front_matter(title: str, description: str, roles: str = "[swe, pm, ds]") -> str:
    return (
        f"---\ntitle: {json.dumps(title)}\ndescription: {json.dumps(description)}\n"
        f"roles: {roles}\n"
        "level: intro\nlast_reviewed: 2026-11-27\n---\n"
    )


def chapter_text(template: Template, number: int, keys: list[str]) -> str:
    """One chapter: the page template filled in, citing ``CITES_PER_CHAPTER`` works."""
    topic = TOPICS[number % len(TOPICS)]
    text = template.substitute(
        title=f"{topic} {number}",
        description=json.dumps(
            f"Chapter {number}: {topic.lower()} for machine-learning engineers."
        ),
        roles="[swe, ds]",
        level="practitioner",
        last_reviewed="2026-11-27",
    )
    cited = [keys[(number * CITES_PER_CHAPTER + i) % len(keys)] for i in range(CITES_PER_CHAPTER)]
    reading = "\n".join(f"- {{cite:t}}`{key}`: what to read it for." for key in cited)
    text = text.replace(
        "- Cite at least three works from the reading list with the `{cite:t}` role, "
        "each with one line on what to read it for.",
        reading,
    )
    # one parenthetical citation in the body, like the real chapters
    return text.replace(
        "Give every number or claim a reader might doubt a citation.",
        f"Give every number or claim a reader might doubt a citation {{cite:p}}`{cited[0]}`.",
    )


def snapshot(dest: Path) -> Path:
    """Copy the handbook package and the docs configuration into ``dest``; return ``dest``.

    Every build of one run then uses the same code and configuration, even
    if the working tree changes while the benchmark runs (it takes minutes).
    The builds find the package first through ``PYTHONPATH``.
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "tools" / "handbook", dest / "handbook", ignore=ignore)
    (dest / "docs").mkdir(parents=True)
    shutil.copy2(DOCS / "conf.py", dest / "docs" / "conf.py")
    for folder in ("_static", "_templates"):
        shutil.copytree(DOCS / folder, dest / "docs" / folder)
    shutil.copy2(ROOT / "references.bib", dest / "references.bib")
    return dest


#: Where make_book takes the configuration from (set to a snapshot by main()).
SOURCES = {"docs": DOCS, "tools": ROOT / "tools", "bib": ROOT / "references.bib"}


def make_book(dest: Path, pages: int) -> list[str]:
    """Write a book of ``pages`` pages into ``dest`` (``dest/docs`` and ``dest/references.bib``).

    Returns the docnames of the chapters, in reading order.
    """
    if pages < 4:
        raise ValueError("a book needs at least 4 pages")
    docs = dest / "docs"
    docs.mkdir(parents=True)
    shutil.copy2(SOURCES["bib"], dest / "references.bib")
    shutil.copy2(SOURCES["docs"] / "conf.py", docs / "conf.py")
    for folder in ("_static", "_templates"):
        shutil.copytree(SOURCES["docs"] / folder, docs / folder)
    template = Template(
        (SOURCES["tools"] / "handbook" / "pages" / "template.md").read_text(encoding="utf-8")
    )
    keys = bib_keys(dest / "references.bib")

    # root + reading list + parts + chapters == pages
    remaining = pages - 2
    parts = max(1, math.ceil(remaining / (CHAPTERS_PER_PART + 1)))
    chapters = remaining - parts
    part_names = [f"part{index + 1:02d}" for index in range(parts)]

    root = front_matter("A synthetic handbook", "A synthetic book for the build benchmark.")
    root += "\nThis book exists to time the build.\n\n"
    root += "```{toctree}\n:maxdepth: 1\n:caption: Parts\n\n"
    root += "".join(f"{name}/index\n" for name in part_names)
    root += "```\n\n```{toctree}\n:hidden:\n:caption: Reference\n\nreading-list/index\n```\n"
    (docs / "index.md").write_text(root, encoding="utf-8")

    reading = docs / "reading-list"
    reading.mkdir()
    (reading / "index.md").write_text(
        front_matter("Reading list", "Every work the book cites.")
        + "\nEvery work the book cites.\n\n```{readinglist}\n:all:\n```\n",
        encoding="utf-8",
    )

    chapter_names: list[str] = []
    number = 0
    for part_index, name in enumerate(part_names):
        folder = docs / name
        folder.mkdir()
        count = chapters // parts + (1 if part_index < chapters % parts else 0)
        names = [f"chapter-{number + i + 1:04d}" for i in range(count)]
        index = front_matter(
            f"Part {part_index + 1}", f"Part {part_index + 1} of the synthetic book."
        )
        index += f"\nThe chapters of part {part_index + 1}.\n\n```{{toctree}}\n:maxdepth: 1\n\n"
        index += "".join(f"{chapter}\n" for chapter in names) + "```\n"
        (folder / "index.md").write_text(index, encoding="utf-8")
        for chapter in names:
            number += 1
            (folder / f"{chapter}.md").write_text(
                chapter_text(template, number, keys), encoding="utf-8"
            )
            chapter_names.append(f"{name}/{chapter}")
    return chapter_names


# -- building and comparing -----------------------------------------------------

VARIANTS: dict[str, dict[str, str]] = {
    "stock": {"HANDBOOK_FAST_NAV": "0"},
    "fastnav": {"HANDBOOK_FAST_NAV": "1"},
}
STEPS = ("clean", "no-op", "edit one page")
#: Pages every build writes (generated, not documents).
GENERATED = frozenset({"genindex", "search", "404"})


@dataclass
class Result:
    seconds: float
    written: int  # documents whose HTML this build rewrote


def html_times(out: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in out.rglob("*.html")}


def timed_build(src: Path, out: Path, variant: str) -> Result:
    """Run the strict build (``handbook.build``) of ``src`` into ``out``; time it."""
    before = html_times(out) if out.exists() else {}
    started = time.perf_counter()
    done = run_build(src, out, doctrees=out.parent / f"{out.name}.doctrees", env=VARIANTS[variant])
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"build of {src} ({variant}) failed:\n{done.stdout}\n{done.stderr}")
    after = html_times(out)
    written = sum(
        1
        for path, mtime in after.items()
        if before.get(path) != mtime and path.relative_to(out).with_suffix("").name not in GENERATED
    )
    return Result(seconds, written)


def differences(left: Path, right: Path) -> list[str]:
    """Files that differ between two output trees."""
    found: list[str] = []

    def walk(comparison: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(f"{prefix}{name} (one side only)" for name in comparison.left_only)
        found.extend(f"{prefix}{name} (one side only)" for name in comparison.right_only)
        for name in comparison.common_files:
            if not filecmp.cmp(left / prefix / name, right / prefix / name, shallow=False):
                found.append(f"{prefix}{name}")
        for name, sub in comparison.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right), "")
    return found


@dataclass
class Book:
    pages: int
    times: dict[tuple[str, str], Result] = field(default_factory=dict)
    #: (what was compared, differing files)
    checks: list[tuple[str, list[str]]] = field(default_factory=list)


def toggle_edit(page: Path) -> None:
    """Change one sentence of ``page``'s body (back and forth on repeated calls)."""
    text = page.read_text(encoding="utf-8")
    if EDIT_FROM in text:
        page.write_text(text.replace(EDIT_FROM, EDIT_TO), encoding="utf-8")
    elif EDIT_TO in text:
        page.write_text(text.replace(EDIT_TO, EDIT_FROM), encoding="utf-8")
    else:
        sys.exit(f"{page}: the page template changed; update EDIT_FROM")


def bench_book(work: Path, pages: int, repeat: int) -> Book:
    """Build one book in both variants: clean once, then the rebuilds ``repeat`` times."""
    book = Book(pages)
    src = work / "docs"
    chapters = make_book(work, pages)
    edited = src / f"{chapters[len(chapters) // 2]}.md"
    outs = {variant: work / variant / "html" for variant in VARIANTS}
    print(f"\n{pages} pages ({src})", flush=True)
    for step in STEPS:
        rounds = 1 if step == "clean" else repeat
        if step == "edit one page" and rounds % 2 == 0:
            rounds += 1  # an odd number of edits leaves the page edited
        for _ in range(rounds):
            if step == "edit one page":
                toggle_edit(edited)
            for variant, out in outs.items():
                result = timed_build(src, out, variant)
                best = book.times.get((step, variant))
                if best is None or result.seconds < best.seconds:
                    book.times[(step, variant)] = result
                print(
                    f"  {step:<14} {variant:<8} {result.seconds:8.2f} s  "
                    f"({result.written} pages written)",
                    flush=True,
                )
        book.checks.append((f"{step}: stock and fastnav outputs", differences(*outs.values())))
    clean = work / "clean-after-edit" / "html"
    timed_build(src, clean, "fastnav")
    for variant, out in outs.items():
        book.checks.append((f"incremental ({variant}) equals clean", differences(out, clean)))
    return book


# -- report ----------------------------------------------------------------------


def exponent(books: list[Book], variant: str) -> float:
    small, large = books[0], books[-1]
    ratio = large.times[("clean", variant)].seconds / small.times[("clean", variant)].seconds
    return math.log(ratio) / math.log(large.pages / small.pages)


def report(books: list[Book]) -> bool:
    print("\n## Times (seconds, serial strict build; rebuilds: best of --repeat runs)\n")
    print(f"{'pages':>5}  {'step':<14} {'stock':>8} {'fastnav':>8} {'speed-up':>9}  written")
    for book in books:
        for step in STEPS:
            stock, fast = book.times[(step, "stock")], book.times[(step, "fastnav")]
            print(
                f"{book.pages:>5}  {step:<14} {stock.seconds:8.2f} {fast.seconds:8.2f} "
                f"{stock.seconds / fast.seconds:8.2f}x  {stock.written}/{fast.written}"
            )
    print("\n## Ratios\n")
    for book in books:
        for variant in VARIANTS:
            edit = book.times[("edit one page", variant)].seconds
            noop = book.times[("no-op", variant)].seconds
            print(f"{book.pages:>5} pages, {variant:<8} edit one page / no-op: {edit / noop:.2f}")
    ok = True
    targets: list[tuple[str, bool]] = []
    if len(books) >= 2:
        first, last = books[0].pages, books[-1].pages
        print(f"\n## Growth exponent of the clean build, {first} -> {last} pages\n")
        for variant in VARIANTS:
            print(f"  {variant:<8} {exponent(books, variant):.2f}")
        targets.append(
            (
                f"growth exponent with fastnav <= {TARGET_EXPONENT}",
                exponent(books, "fastnav") <= TARGET_EXPONENT,
            )
        )
    largest = books[-1]
    speedup = (
        largest.times[("clean", "stock")].seconds / largest.times[("clean", "fastnav")].seconds
    )
    targets.append(
        (
            f"{largest.pages} pages clean build >= {TARGET_SPEEDUP}x faster "
            f"(measured {speedup:.2f}x)",
            speedup >= TARGET_SPEEDUP,
        )
    )
    for book in books:
        edit = book.times[("edit one page", "fastnav")].seconds
        noop = book.times[("no-op", "fastnav")].seconds
        targets.append(
            (
                f"{book.pages} pages: edit one page <= {TARGET_EDIT_RATIO}x no-op "
                f"(measured {edit / noop:.2f}x)",
                edit / noop <= TARGET_EDIT_RATIO,
            )
        )
    print("\n## Checks\n")
    for book in books:
        for what, differing in book.checks:
            passed = not differing
            ok &= passed
            shown = "" if passed else f": {len(differing)} files differ, e.g. {differing[:5]}"
            verdict = "PASS" if passed else "FAIL"
            print(f"  {verdict}  {book.pages} pages, {what} byte-identical{shown}")
    print("\n## Targets\n")
    for what, passed in targets:
        ok &= passed
        print(f"  {'PASS' if passed else 'FAIL'}  {what}")
    return ok


# -- profiling -------------------------------------------------------------------


def profile(pages: int, variant: str, work: Path, top: int) -> None:
    """cProfile one clean build, in this process, and print the costliest calls."""
    from sphinx.cmd.build import build_main

    make_book(work, pages)
    os.environ.update(VARIANTS[variant])
    profiler = cProfile.Profile()
    profiler.enable()
    status = build_main(
        ["-b", "html", "-q", "-d", str(work / "doctrees"), str(work / "docs"), str(work / "html")]
    )
    profiler.disable()
    profiler.dump_stats(work / "profile.out")
    stats = pstats.Stats(profiler)
    print(f"\n{pages} pages, {variant}, exit status {status}; stats in {work / 'profile.out'}")
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


# -- every language against English only ---------------------------------------


def site_snapshot(dest: Path) -> Path:
    """Copy the handbook's sources (``docs/`` without build output, ``references.bib``)."""
    shutil.copytree(DOCS, dest / "docs", ignore=shutil.ignore_patterns("_build", "*.mo"))
    shutil.copy2(ROOT / "references.bib", dest / "references.bib")
    return dest / "docs"


def timed_site(source: Path, out: Path, work: Path, languages: list[str]) -> float:
    """One clean build of the site (every output removed first); its wall-clock time."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    for compiled in source.rglob("*.mo"):
        compiled.unlink()
    start = time.perf_counter()
    builds = build_site(source, out, work=work, languages=languages)
    seconds = time.perf_counter() - start
    for build in builds:
        if build.returncode != 0:
            sys.exit(f"{build.language} build failed:\n{build.stderr}")
    return seconds


def bench_languages(work: Path, repeat: int) -> bool:
    """English only against every language, on the real handbook; True if the targets hold."""
    source = site_snapshot(work / "site")
    out, builds = work / "html", work / "languages"
    everything = list(LANGUAGES)
    english: list[float] = []
    both: list[float] = []
    kept: Path | None = None
    for _ in range(repeat):
        english.append(timed_site(source, out, builds, ["en"]))
        both.append(timed_site(source, out, builds, everything))
        if kept is None:
            kept = work / "html-first"
            shutil.rmtree(kept, ignore_errors=True)
            out.rename(kept)
    assert kept is not None
    if repeat < 2:
        both.append(timed_site(source, out, builds, everything))
    changed = differences(kept, out)
    ratio = min(both) / min(english)
    print()
    print(f"The handbook, clean builds (best of {repeat}), {os.cpu_count()} CPUs:")
    print(f"  English only (make html LANGS=en)  {min(english):7.1f} s")
    print(f"  {' and '.join(everything):<33}  {min(both):7.1f} s   {ratio:.2f}x")
    ok_ratio = ratio <= TARGET_LANGUAGES_RATIO
    print(f"  target: at most {TARGET_LANGUAGES_RATIO}x ... {'ok' if ok_ratio else 'MISSED'}")
    print(
        "  byte-identical from run to run ... "
        + ("ok" if not changed else f"DIFFERS: {', '.join(changed[:10])}")
    )
    return ok_ratio and not changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--workdir", type=Path, help="keep the books here (default: a temp dir)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each rebuild (the best counts)"
    )
    parser.add_argument("--profile", type=int, metavar="PAGES", help="profile one clean build")
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="fastnav")
    parser.add_argument("--top", type=int, default=40, help="rows of the profile to print")
    parser.add_argument(
        "--languages-only",
        action="store_true",
        help="only compare the bilingual site with English only",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="handbook-bench-") as temporary:
        work = args.workdir or Path(temporary)
        if args.workdir and work.exists():
            shutil.rmtree(work)
        frozen = snapshot(work / "snapshot")
        SOURCES.update(docs=frozen / "docs", tools=frozen, bib=frozen / "references.bib")
        python_path = [str(frozen), *filter(None, [os.environ.get("PYTHONPATH")])]
        os.environ["PYTHONPATH"] = os.pathsep.join(python_path)
        if args.profile:
            profile(args.profile, args.variant, work / "profile", args.top)
            return 0
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; books in {work}")
        ok = True
        if not args.languages_only:
            books = [
                bench_book(work / f"book-{pages}", pages, args.repeat)
                for pages in sorted(args.pages)
            ]
            ok = report(books)
        ok = bench_languages(work / "languages", args.repeat) and ok
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
