"""``handbook new-page``: the template, the toctree entry, refusals, and a strict build."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from handbook.build import run_build
from handbook.pages import checks, scaffold
from handbook.pages.scaffold import Refused, add_to_toctree, main
from handbook.paths import DOCS, ROOT

TEMPLATE = (Path(scaffold.__file__).parent / "template.md").read_text(encoding="utf-8")
TEMPLATE_BODY = TEMPLATE.split("---\n", 2)[2]
TODAY = dt.date.today().isoformat()


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


FRONT = """---
title: {title}
description: {description}
roles: [swe]
level: intro
last_reviewed: 2026-01-15
---
"""

PART_INDEX = (
    FRONT.format(title="Part", description="A part.")
    + """
Intro.

```{toctree}
:maxdepth: 1

existing-chapter
```
"""
)


@pytest.fixture
def minimal_docs(tmp_path: Path) -> Path:
    """The smallest copy of the handbook that builds: conf.py, _static, two indexes, one chapter."""
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    shutil.copy(DOCS / "conf.py", docs / "conf.py")
    shutil.copytree(DOCS / "_static", docs / "_static")
    if (DOCS / "_templates").is_dir():
        shutil.copytree(DOCS / "_templates", docs / "_templates")
    write(
        docs / "index.md",
        FRONT.format(title="Handbook", description="The root.")
        + "\nThe root page.\n\n```{toctree}\n:caption: Parts\n\n"
        + "start/running-example\nswe/index\n```\n",
    )
    # every chapter links the running example (the template says so)
    write(
        docs / "start" / "running-example.md",
        FRONT.format(title="The running example", description="Relist.") + "\nRelist.\n",
    )
    write(docs / "swe" / "index.md", PART_INDEX)
    write(
        docs / "swe" / "existing-chapter.md",
        FRONT.format(title="Existing chapter", description="A chapter.")
        + "\n## In short\n\nText.\n",
    )
    return docs


@pytest.fixture
def docs_copy(tmp_path: Path) -> Path:
    """A copy of the real docs/ (without its build output)."""
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs, ignore=shutil.ignore_patterns("_build"))
    return docs


RECORD = (DOCS / "_data" / "checks.yaml").read_text(encoding="utf-8")


def test_new_page_in_a_copy_of_the_real_docs(docs_copy, capsys):
    index = docs_copy / "pm" / "index.md"
    before = index.read_text(encoding="utf-8")
    status, out, err = run(
        capsys,
        "pm",
        "pricing-ml-features",
        "--title",
        "Pricing ML features",
        "--description",
        "How to price a feature whose cost grows with its use.",
        "--level",
        "practitioner",
        "--docs",
        str(docs_copy),
    )
    page = docs_copy / "pm" / "pricing-ml-features.md"
    assert (status, out) == (0, f"{page}\n")
    assert err == f"handbook new-page: pricing-ml-features added to the toctree of {index}\n"
    assert page.read_text(encoding="utf-8") == (
        "---\n"
        "title: Pricing ML features\n"
        "description: How to price a feature whose cost grows with its use.\n"
        "roles: [pm]\n"
        "level: practitioner\n"
        f"last_reviewed: {TODAY}\n"
        "---\n" + TEMPLATE_BODY.replace("${code}", "PM-PRICING")
    )
    # the chapter's check code is recorded, its two template items issued, after the others
    record = (docs_copy / "_data" / "checks.yaml").read_text(encoding="utf-8")
    assert record == RECORD.replace(
        "\nretired:",
        "  - page: pm/pricing-ml-features\n    code: PM-PRICING\n    issued: 2\n\nretired:",
    ).replace("\n\n  - page: pm/pricing", "\n  - page: pm/pricing")
    # exactly one line added, right after the last entry of the first toctree
    after = index.read_text(encoding="utf-8").splitlines()
    diff = [d for d in difflib.ndiff(before.splitlines(), after) if d[:1] in "+-"]
    assert diff == ["+ pricing-ml-features"]
    added = after.index("pricing-ml-features")
    closing = next(i for i in range(added, len(after)) if after[i].startswith("```"))
    assert closing == added + 1 and after[added - 1].strip() not in {"", "```{toctree}"}


def test_new_page_passes_every_check_but_length_and_citations(docs_copy, capsys):
    status, _, _ = run(
        capsys, "swe", "feature-stores", "--title", "Feature stores", "--docs", str(docs_copy)
    )
    assert status == 0
    findings, errors = checks.check_paths(docs_copy, [docs_copy / "swe" / "feature-stores.md"])
    assert errors == []
    assert [(f.line, f.code) for f in findings] == [(1, "PAGE009"), (1, "PAGE010")]


def test_second_new_page_with_the_same_slug_exits_2_and_changes_nothing(minimal_docs, capsys):
    argv = ("swe", "feature-stores", "--title", "Feature stores", "--docs", str(minimal_docs))
    assert run(capsys, *argv)[0] == 0
    before = snapshot(minimal_docs)
    status, out, err = run(capsys, *argv[:3], "Another title", *argv[4:])
    page = minimal_docs / "swe" / "feature-stores.md"
    assert (status, out) == (2, "")
    assert err == f"handbook new-page: {page} already exists; new-page never overwrites a page\n"
    assert snapshot(minimal_docs) == before


def test_strict_build_shows_the_new_page_in_the_sidebar(minimal_docs, tmp_path, capsys):
    status, _, _ = run(
        capsys, "swe", "feature-stores", "--title", "Feature stores", "--docs", str(minimal_docs)
    )
    assert status == 0
    assert (
        (minimal_docs / "swe" / "index.md")
        .read_text(encoding="utf-8")
        .endswith("existing-chapter\nfeature-stores\n```\n")
    )
    out = tmp_path / "out"
    done = run_build(minimal_docs, out / "html", doctrees=out / "doctrees")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    soup = BeautifulSoup((out / "html" / "index.html").read_text(encoding="utf-8"), "html.parser")
    # the theme's primary sidebar: a home-link list, then the toctree's list
    links = {a["href"]: a.get_text(strip=True) for a in soup.select(".bd-sidenav a[href]")}
    assert links.get("swe/feature-stores.html") == "Feature stores"
    page = BeautifulSoup(
        (out / "html" / "swe" / "feature-stores.html").read_text(encoding="utf-8"), "html.parser"
    )
    headings = [h.get_text(strip=True).rstrip("#") for h in page.select("article.bd-article h2")]
    sections = "In short|Why it matters|How to do it|Anti-patterns|Checklist|Further reading"
    assert headings == sections.split("|")


def test_slug_already_listed_leaves_the_index_alone(minimal_docs, capsys):
    index = minimal_docs / "swe" / "index.md"
    before = index.read_bytes()
    (minimal_docs / "swe" / "existing-chapter.md").unlink()
    status, out, err = run(
        capsys, "swe", "existing-chapter", "--title", "Existing", "--docs", str(minimal_docs)
    )
    assert (status, out) == (0, f"{minimal_docs / 'swe' / 'existing-chapter.md'}\n")
    assert err == f"handbook new-page: existing-chapter already listed in the toctree of {index}\n"
    assert index.read_bytes() == before


def test_start_pages_are_for_every_role_and_roles_can_be_given(minimal_docs, capsys):
    shutil.copytree(minimal_docs / "swe", minimal_docs / "start", dirs_exist_ok=True)
    docs = str(minimal_docs)
    assert run(capsys, "start", "a", "--title", "A", "--docs", docs)[0] == 0
    assert (
        run(
            capsys, "start", "b", "--title", "B", "--role", "ds,pm", "--role", "swe", "--docs", docs
        )[0]
        == 0
    )
    assert "\nroles: [swe, pm, ds]\n" in (minimal_docs / "start" / "a.md").read_text(
        encoding="utf-8"
    )
    assert "\nroles: [ds, pm, swe]\n" in (minimal_docs / "start" / "b.md").read_text(
        encoding="utf-8"
    )


def test_default_description_and_quoted_title(minimal_docs, capsys):
    status, _, _ = run(
        capsys, "swe", "x", "--title", "Tests: the #1 habit", "--docs", str(minimal_docs)
    )
    assert status == 0
    text = (minimal_docs / "swe" / "x.md").read_text(encoding="utf-8")
    assert "\ntitle: 'Tests: the #1 habit'\n" in text
    assert (
        "\ndescription: 'Tests: the #1 habit: what it means for a machine-learning engineer and "
        "how to put it into practice.'\n"
    ) in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["swe", "Feature_Stores", "--title", "T"],
            "slug 'Feature_Stores' must be lowercase words joined by hyphens, like feature-stores",
        ),
        (["swe", "index", "--title", "T"], "slug 'index' is the part's own page"),
        (["swe", "ok", "--title", " "], "--title must not be empty"),
        (
            ["swe", "ok", "--title", "T", "--description", "No full stop"],
            "`description` must end with a full stop",
        ),
        (["swe", "ok", "--title", "T", "--role", "qa"], "--role qa: use swe, pm, ds"),
    ],
)
def test_invalid_options_exit_2_and_change_nothing(minimal_docs, capsys, argv, message):
    before = snapshot(minimal_docs)
    assert run(capsys, *argv, "--docs", str(minimal_docs)) == (
        2,
        "",
        f"handbook new-page: {message}\n",
    )
    assert snapshot(minimal_docs) == before


def test_unknown_part_is_a_usage_error(minimal_docs, capsys):
    status, out, err = run(capsys, "qa", "x", "--title", "T", "--docs", str(minimal_docs))
    assert (status, out) == (2, "")
    assert "argument part: invalid choice: 'qa'" in err


def test_part_without_index_exits_2_and_changes_nothing(minimal_docs, capsys):
    (minimal_docs / "swe" / "index.md").unlink()
    before = snapshot(minimal_docs)
    status, out, err = run(capsys, "swe", "x", "--title", "X", "--docs", str(minimal_docs))
    index = minimal_docs / "swe" / "index.md"
    assert (status, out) == (2, "")
    assert err == f"{index}:1: INPUT no such file\n"
    assert snapshot(minimal_docs) == before


def test_index_not_utf8_exits_2_with_the_one_input_message(minimal_docs, capsys):
    index = minimal_docs / "swe" / "index.md"
    index.write_bytes(index.read_bytes() + b"caf\xe9\n")
    line = index.read_bytes().count(b"\n")
    before = snapshot(minimal_docs)
    status, out, err = run(capsys, "swe", "x", "--title", "X", "--docs", str(minimal_docs))
    assert (status, out) == (2, "")
    assert err == f"{index}:{line}: INPUT not UTF-8 (invalid byte 0xe9)\n"
    assert snapshot(minimal_docs) == before


def test_unwritable_part_exits_2_without_a_traceback(minimal_docs, capsys, monkeypatch):
    """A write that fails (patched, so that the test means the same as root): exit 2, no
    traceback, nothing half-done."""
    from handbook.pages import scaffold

    def refuse(path, text, **_options):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(scaffold, "write_atomically", refuse)
    before = snapshot(minimal_docs)
    status, out, err = run(capsys, "swe", "x", "--title", "X", "--docs", str(minimal_docs))
    page = minimal_docs / "swe" / "x.md"
    assert (status, out) == (2, "")
    assert err == f"handbook new-page: cannot write {page}: Permission denied\n"
    assert snapshot(minimal_docs) == before


def test_index_without_toctree_exits_2_and_changes_nothing(minimal_docs, capsys):
    index = minimal_docs / "swe" / "index.md"
    index.write_text(FRONT.format(title="Part", description="A part.") + "\nNo toctree.\n")
    before = snapshot(minimal_docs)
    status, out, err = run(capsys, "swe", "x", "--title", "X", "--docs", str(minimal_docs))
    assert (status, out) == (2, "")
    assert err == f"handbook new-page: {index} has no {{toctree}} to add the page to\n"
    assert snapshot(minimal_docs) == before


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # after the last entry, keeping blank lines before the fence
        (
            "```{toctree}\n:maxdepth: 1\n\na\nb\n\n```\n",
            "```{toctree}\n:maxdepth: 1\n\na\nb\nnew\n\n```\n",
        ),
        # only options: a blank line, then the first entry
        ("```{toctree}\n:maxdepth: 1\n```\n", "```{toctree}\n:maxdepth: 1\n\nnew\n```\n"),
        # empty
        ("```{toctree}\n```\n", "```{toctree}\nnew\n```\n"),
        # colon fence, explicit titles, CRLF line endings
        (":::{toctree}\r\nA <a>\r\n:::\r\n", ":::{toctree}\r\nA <a>\r\nnew\r\n:::\r\n"),
        # only the first toctree grows, even inside a list item; its indentation is kept
        (
            "- item\n\n  ```{toctree}\n  a\n  ```\n\n```{toctree}\nb\n```\n",
            "- item\n\n  ```{toctree}\n  a\n  new\n  ```\n\n```{toctree}\nb\n```\n",
        ),
    ],
)
def test_add_to_toctree(before, after):
    assert add_to_toctree(before, "new", "swe/index") == after


@pytest.mark.parametrize("listed", ["new", "new.md", "Title <new>", "/swe/new", "../swe/new"])
def test_add_to_toctree_leaves_listed_slugs(listed):
    text = f"```{{toctree}}\na\n```\n\n```{{toctree}}\n{listed}\n```\n"
    assert add_to_toctree(text, "new", "swe/index") is None


def test_add_to_toctree_needs_a_top_level_toctree():
    with pytest.raises(Refused):
        add_to_toctree("```{note}\n```{toctree}\na\n```\n```\n", "new", "swe/index")


def test_template_has_every_placeholder_and_no_stray_dollar():
    names = {"title", "description", "roles", "level", "last_reviewed"}
    found = [
        m.group("named") or m.group("braced")
        for m in scaffold.template().pattern.finditer(TEMPLATE)
    ]
    assert set(found) - {None} == names | {"code"}
    # each front-matter key once, the check code once per template checklist item
    assert json.dumps(TEMPLATE).count("$") == len(names) + scaffold.TEMPLATE_CHECKS


def test_new_page_takes_a_check_code_and_refuses_one_in_use(docs_copy, capsys):
    before = snapshot(docs_copy)
    status, out, err = run(
        capsys, "swe", "ship-again", "--title", "Shipping again", "--docs", str(docs_copy)
    )
    record = docs_copy / "_data" / "checks.yaml"
    assert (status, out) == (2, "")
    assert (
        err
        == (
            f"handbook new-page: check code SWE-SHIP is swe/shipping's in {record}; "
            "choose another with --code\n"
        )
        or "SWE-SHIP" in err
    )
    assert snapshot(docs_copy) == before
    status, out, err = run(
        capsys,
        "swe",
        "shipping-again",
        "--title",
        "Shipping again",
        "--code",
        "PM-AGAIN",
        "--docs",
        str(docs_copy),
    )
    assert (status, err) == (
        2,
        "handbook new-page: --code 'PM-AGAIN' must be SWE- and a short name in capitals, "
        "like SWE-FEATURE\n",
    )
    assert snapshot(docs_copy) == before
    status, out, err = run(
        capsys,
        "swe",
        "shipping-again",
        "--title",
        "Shipping again",
        "--code",
        "SWE-AGAIN",
        "--docs",
        str(docs_copy),
    )
    assert status == 0
    page = (docs_copy / "swe" / "shipping-again.md").read_text(encoding="utf-8")
    assert "- [ ] SWE-AGAIN-1: " in page and "- [ ] SWE-AGAIN-2: " in page
    assert "  - page: swe/shipping-again\n    code: SWE-AGAIN\n    issued: 2\n" in record.read_text(
        encoding="utf-8"
    )


def test_the_template_links_the_running_example_instead_of_introducing_it():
    """A new chapter says "Relist" and links its page; the introduction lives there only."""
    assert "{doc}`Relist </start/running-example>`" in TEMPLATE
    assert "fictional" not in TEMPLATE and "The essay behind this handbook" not in TEMPLATE
