"""``--offline``: syntax, identifiers and internal targets, with no request at all.

The handbook as it stands passes ``handbook linkcheck --offline``; this test
runs it (as a subprocess, on the doctrees of the session's strict build), so
``make test`` does too.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lc_support import run_linkcheck, write_urls

from handbook.linkcheck.extract import (
    Occurrence,
    _missing,
    _PendingRef,
    from_doctrees,
    from_markdown,
)
from handbook.paths import ROOT

HANDBOOK = Path(sys.executable).parent / "handbook"


def test_the_handbook_passes_offline(built_site, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    done = subprocess.run(
        [
            str(HANDBOOK),
            "linkcheck",
            "--offline",
            "--doctrees",
            str(built_site.doctrees),
            "--cache",
            str(tmp_path / "cache.sqlite3"),
            "--no-progress",
            "--format",
            "json",
            "--output",
            str(report),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(report.read_text(encoding="utf-8"))
    counts = {name: n for name, n in doc["summary"].items() if n}
    assert set(counts) <= {"ok", "unchecked", "ignored"}, counts
    # ignored: pyproject's [[tool.handbook.linkcheck.ignore]] rules, each with its reason
    # (the Editions page's EPUB, which exists once its release is published)
    ignored = [r for r in doc["records"] if r["verdict"] == "ignored"]
    assert [r["message"] for r in ignored] == [
        "ignored: an edition's EPUB: published by the release workflow after its tag"
    ] * len(ignored)
    assert counts.get("ignored", 0) == len(ignored)
    external = sum(1 for r in doc["records"] if r["kind"] in ("url", "doi"))
    assert counts["unchecked"] == external - len(ignored)
    internal = sum(1 for r in doc["records"] if r["kind"] == "internal")
    assert internal > 100  # {doc}, {ref}, {term} and {cite} all judged
    total = len(doc["records"])
    skipped = f"{len(ignored)} ignored, " if ignored else ""
    summary = (
        f"linkcheck: {total} links: {counts['ok']} ok, {skipped}{counts['unchecked']} unchecked; "
        "none fails the run (fail on: broken, unsafe)"
    )
    lines = done.stderr.splitlines()
    assert lines[0] == ("offline (--offline): links that need the network are reported unchecked")
    assert summary in lines
    assert lines[-1].startswith("0 HTTP request(s), 0 answered; 0 result(s) from the cache; ")


def test_offline_sends_nothing_and_judges_identifiers(tmp_path: Path) -> None:
    urls = write_urls(
        tmp_path,
        "https://example.com/",
        "http://127.0.0.1:9/never",
        "doi:10.1000/182",
        "doi:11.1000/bad",
        "isbn:9780306406157",
        "isbn:9780306406158",
        "https://exa mple.com/",
    )
    run = run_linkcheck([str(urls), "--offline"], tmp_path=tmp_path)
    codes = [line.split(" ")[1] for line in run.lines]
    assert codes == ["LINKUNSAFE", "DOISYNTAX", "ISBNSUM", "LINKURL"]
    assert run.code == 1
    assert "offline (--offline)" in run.stderr


SPHINX_CONF = """\
extensions = ["myst_parser"]
myst_heading_anchors = 2
"""

INDEX = """\
# Home

```{toctree}
other
```

(a-label)=
## Section

See {doc}`other`, {doc}`/missing-page`, {ref}`a-label`, {ref}`no-label`,
{term}`Data drift`, {term}`data  DRIFT` and {term}`Unknown term`.
Sphinx also resolves {doc}`/other/`, {doc}`./other` and {doc}`sub/../other`,
but not {doc}`other.md` and {ref}`No-Label`.
"""

OTHER = """\
# Other

```{glossary}
Data drift
  The inputs change.

Twyman's law
  Figures that look interesting are usually wrong.
```

Back to {doc}`index`, and {term}`Twyman's law`.
"""


@pytest.fixture(scope="module")
def tiny_doctrees(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("tiny")
    src = base / "docs"
    src.mkdir()
    (src / "conf.py").write_text(SPHINX_CONF, encoding="utf-8")
    (src / "index.md").write_text(INDEX, encoding="utf-8")
    (src / "other.md").write_text(OTHER, encoding="utf-8")
    doctrees = base / "doctrees"
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "sphinx-build"),
            "-n",
            "-q",
            "-b",
            "dummy",
            "-d",
            str(doctrees),
            str(src),
            str(base / "out"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=True,
        timeout=300,
    )
    (doctrees / "warnings.txt").write_text(done.stderr, encoding="utf-8")
    return doctrees


def test_internal_targets_in_doctrees(tiny_doctrees: Path) -> None:
    found = from_doctrees(tiny_doctrees, tiny_doctrees.parent)
    judged = sorted(
        (ref.occurrence.path, ref.occurrence.line, ref.text, ref.missing) for ref in found.internal
    )
    # each on the line it is written on (Sphinx's own warnings name the paragraph's first)
    assert judged == [
        ("docs/index.md", 10, "{doc}`/missing-page`", "no page 'missing-page' in the handbook"),
        ("docs/index.md", 10, "{doc}`other`", None),
        ("docs/index.md", 10, "{ref}`a-label`", None),
        ("docs/index.md", 10, "{ref}`no-label`", "no label 'no-label' in the handbook"),
        ("docs/index.md", 11, "{term}`Data drift`", None),
        ("docs/index.md", 11, "{term}`Unknown term`", "no glossary term 'Unknown term'"),
        ("docs/index.md", 11, "{term}`data DRIFT`", None),  # spacing as Sphinx reads it
        ("docs/index.md", 12, "{doc}`./other`", None),
        ("docs/index.md", 12, "{doc}`/other/`", None),  # a trailing slash, as make html
        ("docs/index.md", 12, "{doc}`sub/../other`", None),
        ("docs/index.md", 13, "{doc}`other.md`", "no page 'other.md' in the handbook"),
        ("docs/index.md", 13, "{ref}`no-label`", "no label 'no-label' in the handbook"),
        ("docs/other.md", 11, "{doc}`index`", None),
        ("docs/other.md", 11, "{term}`Twyman's law`", None),
    ]


def test_internal_targets_are_judged_as_the_build_judges_them(tiny_doctrees: Path) -> None:
    """Every reference the strict build warns about, and no other, is missing, on its line."""
    found = from_doctrees(tiny_doctrees, tiny_doctrees.parent)
    ours = sorted(
        (ref.occurrence.path, ref.text.split("`")[1].lower())
        for ref in found.internal
        if ref.missing
    )
    warned = sorted(
        ("docs/" + Path(path).name, target.lower())
        for path, target in re.findall(
            r"^(\S+?):\d+: WARNING: (?:unknown document|undefined label|term not in glossary): "
            r"'([^']*)'",
            tiny_doctrees.joinpath("warnings.txt").read_text(encoding="utf-8"),
            re.M,
        )
    )
    assert ours == warned
    assert len(warned) == 5  # /missing-page, no-label twice, Unknown term, other.md


def test_internal_targets_in_the_cli(tiny_doctrees: Path, tmp_path: Path) -> None:
    run = run_linkcheck(["--offline", "--doctrees", str(tiny_doctrees)], tmp_path=tmp_path)
    assert [line[line.index("docs/index.md") :] for line in run.lines] == [
        "docs/index.md:10: LINKTARGET {doc}`/missing-page`: no page 'missing-page' in the handbook",
        "docs/index.md:10: LINKTARGET {ref}`no-label`: no label 'no-label' in the handbook",
        "docs/index.md:11: LINKTARGET {term}`Unknown term`: no glossary term 'Unknown term'",
        "docs/index.md:13: LINKTARGET {doc}`other.md`: no page 'other.md' in the handbook",
        "docs/index.md:13: LINKTARGET {ref}`no-label`: no label 'no-label' in the handbook",
    ]
    assert run.code == 1


def test_a_trailing_slash_is_a_page_link_sphinx_accepts(tmp_path: Path) -> None:
    """``{doc}`/pm/data-first/``` builds without a warning: linkcheck agrees (exit 0)."""
    src = tmp_path / "docs"
    (src / "pm").mkdir(parents=True)
    (src / "conf.py").write_text(SPHINX_CONF, encoding="utf-8")
    (src / "index.md").write_text(
        "# Home\n\n```{toctree}\npm/data-first\n```\n\nFirst line.\nSee {doc}`/pm/data-first/`.\n",
        encoding="utf-8",
    )
    (src / "pm" / "data-first.md").write_text("# Data first\n", encoding="utf-8")
    doctrees = tmp_path / "doctrees"
    build = subprocess.run(
        [
            *(str(Path(sys.executable).parent / "sphinx-build"), "-nW", "-q", "-b", "dummy"),
            *("-d", str(doctrees), str(src), str(tmp_path / "out")),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert (build.returncode, build.stderr) == (0, "")
    run = run_linkcheck(["--offline", "--doctrees", str(doctrees)], tmp_path=tmp_path)
    assert (run.code, run.lines) == (0, [])
    found = from_doctrees(doctrees, tmp_path)
    assert [(r.occurrence.line, r.text, r.missing) for r in found.internal] == [
        (8, "{doc}`/pm/data-first/`", None)
    ]
    assert [(r.text, r.missing) for r in from_markdown(src / "index.md").internal] == [
        ("{doc}`/pm/data-first/`", None)
    ]


def test_citations_are_judged_against_the_bibliography(tiny_doctrees: Path) -> None:
    found = from_doctrees(tiny_doctrees, tiny_doctrees.parent, cite_keys={"known2020"})
    assert not [ref for ref in found.internal if ref.text.startswith("{cite")]
    where = Occurrence("docs/a.md", 3)
    known = _PendingRef(None, "cite:p", "known2020", "a", where)
    unknown = _PendingRef(None, "cite:t", "nope2021", "a", where)
    assert _missing(known, None, {"known2020"}) is None
    assert _missing(unknown, None, {"known2020"}) == "no entry 'nope2021' in references.bib"
    assert _missing(unknown, None, None) is None  # no readable bibliography: nothing to judge


def test_relative_links_and_doc_roles_in_pages(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "part").mkdir(parents=True)
    (docs / "conf.py").write_text("", encoding="utf-8")
    (docs / "part" / "there.md").write_text("# There\n", encoding="utf-8")
    (docs / "part" / "figure.svg").write_text("<svg/>", encoding="utf-8")
    page = docs / "part" / "page.md"
    page.write_text(
        "# Page\n\n"
        "[a](there.md#x) [b](figure.svg) [c](gone.md) [d](#local) [e](mailto:x@example.com)\n"
        "{doc}`there` {doc}`/part/there` {doc}`Title <../nowhere>`\n",
        encoding="utf-8",
    )
    found = from_markdown(page, root=tmp_path)
    assert [(ref.text, ref.missing) for ref in found.internal] == [
        ("there.md#x", None),
        ("figure.svg", None),
        ("gone.md", "no file docs/part/gone.md"),
        ("{doc}`there`", None),
        ("{doc}`/part/there`", None),
        ("{doc}`../nowhere`", "no page docs/nowhere.md"),
    ]
    assert found.links == []
