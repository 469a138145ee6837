"""``--offline``: syntax, identifiers and internal targets, with no request at all.

The handbook as it stands passes ``handbook linkcheck --offline``; this test
runs it (as a subprocess, on the doctrees of the session's strict build), so
``make test`` does too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from lc_support import run_linkcheck, write_urls

from handbook.build import ROOT
from handbook.linkcheck.extract import (
    Occurrence,
    _judge_ref,
    _PendingRef,
    _Targets,
    from_doctrees,
    from_markdown,
)

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
    assert set(counts) <= {"ok", "unchecked"}, counts
    assert counts["unchecked"] == sum(1 for r in doc["records"] if r["kind"] in ("url", "doi"))
    internal = sum(1 for r in doc["records"] if r["kind"] == "internal")
    assert internal > 100  # {doc}, {ref}, {term} and {cite} all judged
    total = len(doc["records"])
    summary = (
        f"linkcheck: {total} links: {counts['ok']} ok, {counts['unchecked']} unchecked; "
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
    subprocess.run(
        [
            str(Path(sys.executable).parent / "sphinx-build"),
            "-q",
            "-b",
            "dummy",
            "-d",
            str(doctrees),
            str(src),
            str(base / "out"),
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )
    return doctrees


def test_internal_targets_in_doctrees(tiny_doctrees: Path) -> None:
    found = from_doctrees(tiny_doctrees, tiny_doctrees.parent)
    judged = sorted(
        (ref.occurrence.path, ref.occurrence.line, ref.text, ref.missing) for ref in found.internal
    )
    assert judged == [
        ("docs/index.md", 10, "{doc}`/missing-page`", "no page 'missing-page' in the handbook"),
        ("docs/index.md", 10, "{doc}`other`", None),
        ("docs/index.md", 10, "{ref}`a-label`", None),
        ("docs/index.md", 10, "{ref}`no-label`", "no label 'no-label' in the handbook"),
        ("docs/index.md", 10, "{term}`Data drift`", None),
        ("docs/index.md", 10, "{term}`Unknown term`", "no glossary term 'Unknown term'"),
        ("docs/index.md", 10, "{term}`data DRIFT`", None),  # spacing as Sphinx reads it
        ("docs/other.md", 11, "{doc}`index`", None),
        ("docs/other.md", 11, "{term}`Twyman's law`", None),
    ]


def test_internal_targets_in_the_cli(tiny_doctrees: Path, tmp_path: Path) -> None:
    run = run_linkcheck(["--offline", "--doctrees", str(tiny_doctrees)], tmp_path=tmp_path)
    assert [line.split(": ", 1)[1] for line in run.lines] == [
        "LINKTARGET {doc}`/missing-page`: no page 'missing-page' in the handbook",
        "LINKTARGET {ref}`no-label`: no label 'no-label' in the handbook",
        "LINKTARGET {term}`Unknown term`: no glossary term 'Unknown term'",
    ]
    assert run.code == 1


def test_citations_are_judged_against_the_bibliography() -> None:
    where = Occurrence("docs/a.md", 3)
    targets = _Targets(cite_keys={"known2020"})
    known = _judge_ref(_PendingRef("cite:p", "known2020", "a", where), targets)
    unknown = _judge_ref(_PendingRef("cite:t", "nope2021", "a", where), targets)
    assert known.missing is None
    assert unknown.missing == "no entry 'nope2021' in references.bib"
    unchecked = _judge_ref(_PendingRef("cite:p", "x", "a", where), _Targets(cite_keys=None))
    assert unchecked.missing is None  # no readable bibliography: nothing to judge against


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
