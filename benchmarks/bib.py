"""Benchmark ``handbook bib check`` against a bare pybtex parse of the same file.

Generates a 10,000-entry ``.bib`` file of realistic entries in the
handbook's layout (in a temporary directory), then times

* in process: ``pybtex.database.parse_file`` vs ``handbook.bib.cli.main``
  (``check``), each warmed up once, best of ``--repeat`` runs;
* as subprocesses, interpreter start-up included: ``python -c`` running the
  same pybtex parse vs ``python -m handbook.cli bib check``.

The target is check <= 2x the bare parse in both rows. No network; not part
of the test suite. Run: ``.venv/bin/python benchmarks/bib.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from stdnum import ean
from stdnum import isbn as stdnum_isbn

TARGET = 2.0

SURNAMES = [
    "ries",
    "sculley",
    "breck",
    "amershi",
    "huyen",
    "kleppmann",
    "forsgren",
    "kohavi",
    "provost",
    "mitchell",
    "gebru",
    "polyzotis",
    "chen",
    "beyer",
    "burkov",
    "ameisen",
    "lakshmanan",
    "cagan",
    "agrawal",
    "hernan",
    "cunningham",
    "zinkevich",
    "paleyes",
]
FIRST = ["Eric", "Chip", "Martin", "Nicole", "Ron", "Foster", "Margaret", "Timnit", "Saleema"]
WORDS = [
    "machine",
    "learning",
    "systems",
    "production",
    "data",
    "design",
    "testing",
    "debt",
    "reliable",
    "experiments",
    "causal",
    "inference",
    "product",
    "operations",
    "deployment",
    "monitoring",
    "validation",
    "features",
    "pipelines",
    "engineering",
]
PUBLISHERS = ["O'Reilly Media", "Manning Publications", "Wiley", "Cambridge University Press"]
ROLES = ["swe", "pm", "ds"]
LEVELS = ["intro", "practitioner", "advanced"]
#: ISBN-13 stems (prefix, group and publisher) that python-stdnum's range data knows.
ISBN_STEMS = ["9781492", "9781098", "9780307", "9784873", "9781119"]


def _isbn(rng: random.Random) -> str:
    stem = rng.choice(ISBN_STEMS)
    body = stem + "".join(rng.choice("0123456789") for _ in range(12 - len(stem)))
    number = body + ean.calc_check_digit(body)
    assert stdnum_isbn.is_valid(number)
    return number


def _authors(rng: random.Random) -> str:
    count = rng.randint(1, 4)
    people = [f"{rng.choice(SURNAMES).capitalize()}, {rng.choice(FIRST)}" for _ in range(count)]
    return " and ".join(people)


def _title(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(3, 8))
    return " ".join(words).capitalize() + ": " + " ".join(rng.sample(WORDS, 3))


def _annotation(rng: random.Random) -> str:
    sentences = [
        "It explains how " + " ".join(rng.sample(WORDS, 5)) + " fit together in practice.",
        "Read it for the chapters on " + ", ".join(rng.sample(WORDS, 3)) + ".",
        "An ML engineer gets a shared vocabulary with product and data colleagues from it.",
    ]
    return " ".join(sentences)


def entry(n: int, rng: random.Random) -> str:
    """One realistic entry in the canonical layout."""
    kind = rng.choice(["book", "book", "inproceedings", "article", "online", "misc"])
    year = rng.randint(1995, 2025)
    key = f"{rng.choice(SURNAMES)}{year}{rng.choice(WORDS)}{n}"
    roles = ", ".join(rng.sample(ROLES, rng.randint(1, 3)))
    fmt = {"book": "book", "inproceedings": "paper", "article": "paper"}.get(kind, "post")
    language = "ja" if n % 10 == 0 else "en"
    fields = [("author", _authors(rng)), ("title", _title(rng))]
    if language == "ja":
        fields.append(("titleaddon", _title(rng)))
    if kind == "book":
        fields += [("publisher", rng.choice(PUBLISHERS)), ("year", str(year))]
        fields += [("isbn", _isbn(rng))]
    elif kind == "inproceedings":
        fields += [("booktitle", f"Proceedings of {_title(rng)}"), ("pages", "1-12")]
        fields += [("year", str(year)), ("doi", f"10.1145/{rng.randint(1000000, 9999999)}")]
    elif kind == "article":
        fields += [("journal", "Communications of the ACM"), ("volume", str(rng.randint(1, 70)))]
        fields += [("year", str(year)), ("doi", f"10.1109/ACCESS.{year}.{n}")]
    else:
        fields += [("howpublished", "Engineering blog"), ("year", str(year))]
    fields += [("url", f"https://example.org/{kind}/{key}")]
    if kind in {"online", "misc"}:
        fields.append(("urldate", "2025-11-27"))
    fields += [
        ("keywords", f"{roles}, {rng.choice(LEVELS)}, {fmt}"),
        ("language", language),
        ("annotation", _annotation(rng)),
        ("verified", f"https://example.org/catalogue/{key}; https://example.com/review/{n}"),
    ]
    body = "\n".join(f"  {name} = {{{value}}}," for name, value in fields)
    comment = f"% Entry {n}: checked against the publisher's page.\n" if n % 25 == 0 else ""
    return f"{comment}@{kind}{{{key},\n{body}\n}}\n"


def generate(path: Path, count: int, seed: int = 2026) -> None:
    """Write ``count`` entries to ``path``, sorted by key as the formatter would."""
    rng = random.Random(seed)
    entries = [entry(n, rng) for n in range(count)]
    path.write_text("% Generated for benchmarks/bib.py.\n\n" + "\n".join(entries), encoding="utf-8")


def best_of(repeat: int, func: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from pybtex.database import parse_file
    from pybtex.database.input.bibtex import LowLevelParser, month_names

    from handbook.bib import cli

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "references.bib"
        generate(path, args.entries)
        size = path.stat().st_size

        def check_in_process() -> None:
            with contextlib.redirect_stdout(io.StringIO()) as out:
                status = cli.main(["check", str(path)])
            if status != 0:
                raise SystemExit(f"check found problems in the generated file:\n{out.getvalue()}")

        def parse_in_process() -> None:
            parse_file(str(path), bib_format="bibtex")

        def scan_in_process() -> None:
            text = path.read_text(encoding="utf-8")
            for _ in LowLevelParser(text, macros=dict(month_names)):
                pass

        scan_in_process()
        scan_s = best_of(args.repeat, scan_in_process)
        check_in_process()  # warm-up: imports, regexes, ISBN range data
        parse_in_process()
        rows = [("in process", best_of(args.repeat, parse_in_process))]
        rows[0] += (best_of(args.repeat, check_in_process),)

        python = sys.executable
        bare = [
            python,
            "-c",
            "import sys; from pybtex.database import parse_file; "
            "parse_file(sys.argv[1], bib_format='bibtex')",
            str(path),
        ]
        check = [python, "-m", "handbook.cli", "bib", "check", str(path)]

        def run(cmd: list[str]) -> Callable[[], None]:
            return lambda: subprocess.run(cmd, check=True, capture_output=True)

        run(bare)()
        run(check)()
        bare_times, check_times = [], []
        for _ in range(args.repeat):  # interleaved, so that load on the machine hits both
            bare_times.append(best_of(1, run(bare)))
            check_times.append(best_of(1, run(check)))
        rows.append(("subprocess", min(bare_times), min(check_times)))

    print(f"{args.entries:,} entries, {size / 1e6:.1f} MB; target: check <= {TARGET:.0f}x parse\n")
    header = f"{'':<12} {'pybtex parse':>13} {'bib check':>11} {'ratio':>7}  verdict"
    print(header)
    print("-" * len(header))
    ok = True
    for name, parse_s, check_s in rows:
        ratio = check_s / parse_s
        ok &= ratio <= TARGET
        verdict = "ok" if ratio <= TARGET else "TOO SLOW"
        print(f"{name:<12} {parse_s:>12.3f}s {check_s:>10.3f}s {ratio:>6.2f}x  {verdict}")
    print(f"\n(best of {args.repeat} runs each; subprocess runs interleaved)")
    print(
        f"for reference, pybtex's low-level scanner alone (which check builds on,"
        f" without the name parsing of parse_file): {scan_s:.3f}s in process"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
