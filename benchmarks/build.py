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

It prints the times, the ratios, the growth exponent of the clean build (the
slope of log(time) against log(pages) from the smallest to the largest book)
and checks that

* both variants write byte-identical HTML, after every step;
* the rebuilt site equals a clean build of the edited book (incremental
  builds are correct);
* the targets hold: the largest clean build is at least 6x faster with
  fastnav; the growth exponent with fastnav is at most 1.1; editing one page
  rebuilds in at most 1.3x the time of a no-op rebuild.

It exits 1 if a check fails.  No network; not part of the test suite.  A full
run takes several minutes on a 2-core machine.  Run::

    .venv/bin/python benchmarks/build.py                 # 50, 200, 500 pages
    .venv/bin/python benchmarks/build.py --pages 50 100  # other sizes
    .venv/bin/python benchmarks/build.py --profile 500   # cProfile one clean build
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
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from handbook.build import DOCS, run_build, sphinx_command  # noqa: E402

#: Targets from the issue.
TARGET_SPEEDUP = 6.0
TARGET_EXPONENT = 1.1
TARGET_EDIT_RATIO = 1.3

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
        description=json.dumps(f"Chapter {number}: {topic.lower()} for machine-learning engineers."),
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


def make_book(dest: Path, pages: int) -> list[str]:
    """Write a book of ``pages`` pages into ``dest`` (``dest/docs`` and ``dest/references.bib``).

    Returns the docnames of the chapters, in reading order.
    """
    if pages < 4:
        raise ValueError("a book needs at least 4 pages")
    docs = dest / "docs"
    docs.mkdir(parents=True)
    shutil.copy2(ROOT / "references.bib", dest / "references.bib")
    shutil.copy2(DOCS / "conf.py", docs / "conf.py")
    for folder in ("_static", "_templates"):
        shutil.copytree(DOCS / folder, docs / folder)
    template = Template(
        (ROOT / "tools" / "handbook" / "pages" / "template.md").read_text(encoding="utf-8")
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
