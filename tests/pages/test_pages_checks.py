"""``handbook check-pages``: every fixture page reports exactly the findings it states.

The fixtures under tests/pages/fixtures/docs form a small docs tree.  Each file
lists its expected findings in comments, ``<!-- expect: LINE: CODE -->`` (one per
finding), or says ``<!-- expect: nothing -->``.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from handbook import myst
from handbook.pages import checks, markdown
from handbook.pages.checks import CHECKS, main
from handbook.paths import DOCS

FIXTURES = Path(__file__).parent / "fixtures" / "docs"
EXPECT = re.compile(r"expect:\s*(\d+):\s*(PAGE\d{3})")


def expected_findings() -> dict[str, list[tuple[int, str]]]:
    expected: dict[str, list[tuple[int, str]]] = {}
    for path in checks.discover(FIXTURES):
        text = path.read_text(encoding="utf-8")
        assert "expect:" in text, f"{path} states no expected findings"
        found = sorted((int(line), code) for line, code in EXPECT.findall(text))
        if found:
            expected[path.relative_to(FIXTURES).as_posix()] = found
    return expected


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def in_fixtures(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(FIXTURES)
    return FIXTURES


def test_every_fixture_reports_exactly_what_it_states(in_fixtures, capsys):
    status, out, err = run(capsys, "--docs", ".", "--format", "json")
    actual: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for finding in json.loads(out):
        actual[finding["path"]].append((finding["line"], finding["code"]))
    assert (status, err) == (1, "")
    assert dict(actual) == expected_findings()


def test_every_check_has_a_fixture_that_triggers_it():
    codes = {code for found in expected_findings().values() for _, code in found}
    assert codes == set(CHECKS)


def test_templates_folder_is_never_read(in_fixtures, capsys):
    assert "_templates/layout.md" not in run(capsys, "--docs", ".")[1]
    status, out, err = run(capsys, "--docs", ".", "_templates/layout.md")
    assert (status, out) == (2, "")
    assert err == "_templates/layout.md:1: INPUT nothing under docs/_templates is a page\n"


def test_text_output_is_sorted_path_line_code_message(in_fixtures, capsys):
    status, out, err = run(capsys, "--docs", ".", "raw.md", "yaml-error.md")
    assert (status, err) == (1, "")
    assert out == (
        "raw.md:9: PAGE014 `{raw}` puts unchecked HTML in the page\n"
        "raw.md:13: PAGE014 `{eval-rst}` bypasses the Markdown checks; write MyST Markdown\n"
        "raw.md:17: PAGE014 `{raw}` puts unchecked HTML in the page\n"
        "yaml-error.md:4: PAGE002 front matter is not valid YAML: "
        "expected ',' or ']', but got ':'\n"
    )


def test_github_format(in_fixtures, capsys):
    status, out, _ = run(capsys, "--docs", ".", "--format", "github", "no-front-matter.md")
    assert status == 1
    assert out == (
        "::error file=no-front-matter.md,line=1::PAGE002 page has no front matter; "
        "start it with a --- block of title, description, roles, level and last_reviewed\n"
    )


def test_clean_chapter_exits_0_silently(in_fixtures, capsys):
    assert run(capsys, "--docs", ".", "swe/good-chapter.md") == (0, "", "")
    assert run(capsys, "--docs", ".", "--format", "json", "toc/a.md") == (0, "[]\n", "")


def test_a_page_brings_the_svg_files_it_shows(in_fixtures, capsys):
    status, out, _ = run(capsys, "--docs", ".", "--format", "json", "svg-page.md")
    assert status == 1
    assert {f["path"] for f in json.loads(out)} == {"figures/bad.svg"}


def test_a_folder_is_every_page_and_svg_in_it(in_fixtures, capsys):
    status, out, _ = run(capsys, "--docs", ".", "--format", "json", "figures")
    paths = {f["path"] for f in json.loads(out)}
    assert (status, paths) == (1, {"figures/bad.svg", "figures/broken.svg", "figures/entity.svg"})


def test_missing_path_exits_2_and_still_reports_the_others(in_fixtures, capsys):
    status, out, err = run(capsys, "--docs", ".", "nowhere.md", "lost.md")
    assert status == 2
    assert out == (
        "lost.md:1: PAGE001 page is in no toctree; add `lost` to a toctree or set `orphan: true`\n"
    )
    assert err == "nowhere.md:1: INPUT no such file\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "latin1.md",
            "---\ntitle: \xe9t\xe9\n".encode("latin-1"),
            "latin1.md:2: INPUT not UTF-8 (invalid byte 0xe9)",
        ),
        ("notes.txt", b"text\n", "notes.txt:1: INPUT not a Markdown page or an SVG file"),
    ],
)
def test_unusable_files_exit_2(tmp_path, monkeypatch, capsys, name, content, message):
    (tmp_path / name).write_bytes(content)
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "--docs", ".", name) == (2, "", f"{message}\n")


def test_unusable_file_in_a_default_run_exits_2(tmp_path, monkeypatch, capsys):
    shutil.copy(FIXTURES / "toc" / "a.md", tmp_path / "index.md")
    (tmp_path / "broken.md").write_bytes(b"\xff\xfe\n")
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, "--docs", ".")
    assert (status, out) == (2, "")
    assert err == "broken.md:1: INPUT not UTF-8 (invalid byte 0xff)\n"


BAD_DATE_PAGE = """\
---
title: Bad date
description: A page whose review date does not exist.
roles: [pm]
level: intro
last_reviewed: 2026-02-30
---

Text.
"""


def test_a_date_that_is_not_a_date_is_a_finding_and_the_other_pages_are_checked(
    tmp_path, monkeypatch, capsys
):
    """PyYAML raises ValueError for 2026-02-30; one page must not stop the run."""
    shutil.copytree(FIXTURES / "toc", tmp_path / "toc")
    (tmp_path / "index.md").write_text(
        (FIXTURES / "toc" / "a.md").read_text(encoding="utf-8")
        + "\n```{toctree}\ntoc/a\ntoc/b\nbad\n```\n",
        encoding="utf-8",
    )
    (tmp_path / "bad.md").write_text(BAD_DATE_PAGE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    # every page: the bad one gets its finding, the others are still checked
    assert run(capsys, "--docs", ".") == (
        1,
        "bad.md:6: PAGE004 `last_reviewed` '2026-02-30' is not a real date\n",
        "",
    )
    # another page alone (the whole tree is still read, for its toctrees): clean
    assert run(capsys, "--docs", ".", "toc/a.md") == (0, "", "")


def test_path_outside_the_docs_directory_exits_2(in_fixtures, capsys):
    status, out, err = run(capsys, "--docs", "swe", "index.md")
    assert (status, out) == (2, "")
    assert err == "index.md:1: INPUT not under the docs directory swe\n"


def test_docs_directory_must_exist(tmp_path, capsys):
    status, out, err = run(capsys, "--docs", str(tmp_path / "nope"))
    assert (status, out) == (2, "")
    assert err == f"{tmp_path / 'nope'}:1: INPUT not a directory\n"


def test_list_checks_names_every_code(capsys):
    status, out, _ = run(capsys, "--list-checks")
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()] == sorted(CHECKS)


def test_registry_codes_are_consecutive_and_documented():
    assert sorted(CHECKS) == [f"PAGE{n:03d}" for n in range(1, len(CHECKS) + 1)]
    for entry in CHECKS.values():
        doc = entry.func.__doc__ or ""
        assert "Bad:" in doc and "Good:" in doc, entry.code
    assert len({entry.name for entry in CHECKS.values()}) == len(CHECKS)


def _conf_value(name: str) -> object:
    tree = ast.parse((DOCS / "conf.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"docs/conf.py sets no {name}")


def test_parser_uses_the_builds_myst_extensions():
    """Pages are read with docs/conf.py's MyST settings, read from it, as the build reads them."""
    extensions = _conf_value("myst_enable_extensions")
    assert isinstance(extensions, list)
    settings = myst.settings(DOCS / "conf.py")
    assert settings.enable_extensions == set(extensions)
    assert settings.heading_anchors == _conf_value("myst_heading_anchors")
    assert myst.settings() is settings  # the default, and what check-pages reads docs/ with
    page = markdown.parse_document(":::{note}\nTerm\n: its definition\n:::\n", "swe/x")
    assert [(d.name, d.line) for d in page.directives] == [("note", 1)]
    assert [(i.context, i.line) for i in page.inlines] == [("term", 2), ("paragraph", 3)]


def test_only_folders_the_build_excludes_are_skipped():
    """Skipped folders are never built; other _folders (fragments) are checked for safety."""
    patterns = _conf_value("exclude_patterns")
    assert isinstance(patterns, list)
    assert set(patterns) >= markdown.SKIPPED_DIRS


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Top-3 accuracy is 91%, e.g. Aiko's model.", 7),
        ("One — two… three", 3),
        ("", 0),
    ],
)
def test_count_words(text, words):
    assert markdown.count_words(text) == words


def test_prose_excludes_code_citations_tables_and_headings():
    doc = markdown.parse_document(
        "## Four heading words here\n\n"
        "Five words {cite:p}`key` of `code` prose and {term}`two words`.\n\n"
        "| a | b |\n|---|---|\n| c | d |\n\n"
        "```{note}\n:class: x\n\nThree more words.\n```\n",
        "swe/x",
    )
    prose = [markdown.visible_text(i.token) for i in doc.inlines if i.context == "paragraph"]
    assert sum(markdown.count_words(text) for text in prose) == 10


TOCTREE = """\
```{toctree}
:glob:

testing
/pm/lean-ml
../ds/metrics.md
A title <monitoring>
Home <https://example.com/>
https://example.com/page
self
metric*
```
"""


def test_toctree_entries_are_read_as_sphinx_reads_them():
    """Sphinx's own patterns and docname_join (imported, not copied): this fails if they change."""
    (toctree,) = markdown.parse_document(TOCTREE, "swe/index").directives
    docnames = {"swe/index", "swe/metrics", "swe/metrics-2", "swe/testing", "pm/metrics"}
    assert sorted(checks.toctree_entries(toctree, "swe/index", docnames)) == [
        "ds/metrics",  # ../ds/metrics.md
        "pm/lean-ml",  # /pm/lean-ml
        "swe/metrics",  # metric*
        "swe/metrics-2",  # metric*
        "swe/monitoring",  # A title <monitoring>
        "swe/testing",  # no URL, no self
    ]


def test_citation_keys_split_commas_and_drop_notes():
    doc = markdown.parse_document(
        "{cite:p}`a, b` {cite:t}`a` {cite}`c` {footcite}`d` {cite:ps}`{see}e{p. 3}` {ref}`f`\n",
        "swe/x",
    )
    assert checks.citation_keys(doc) == {"a", "b", "c", "d", "e"}


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "JAVA\tSCRIPT:x",
        "&#106;avascript:x",
        "vbscript:x",
        "data:text/html,x",
    ],
)
def test_script_url(text):
    assert checks.script_url(text) is not None


@pytest.mark.parametrize("url", ["https://a.b/c.png", "//a.b/c.png", "HTTP://A.B", "ftp://a"])
def test_is_remote(url):
    assert checks.is_remote(url)


@pytest.mark.parametrize(
    "url", ["figures/a.svg", "/figures/a.svg", "#id", "data:image/png;base64,x"]
)
def test_is_not_remote(url):
    assert not checks.is_remote(url)


def test_list_items_count_only_top_level_bullets_with_their_own_text():
    doc = markdown.parse_document(
        "## S\n\n- [ ] one\n  - nested\n- \n  two\n- ```\n  code\n  ```\n\n1. ordered\n",
        "swe/x",
    )
    assert markdown.top_level_items(markdown.sections(doc)[0].tokens) == [
        (3, "[ ] one"),
        (5, "two"),
        (7, ""),
    ]


def test_a_page_in_a_symlinked_folder_is_still_checked(tmp_path, monkeypatch, capsys):
    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES / "toc", tmp_path / "elsewhere")
    docs.mkdir()
    (docs / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    monkeypatch.chdir(docs)
    status, out, err = run(capsys, "--docs", ".", "linked/a.md")
    assert (status, err) == (1, "")
    assert out == (
        "linked/a.md:1: PAGE001 page is in no toctree; "
        "add `linked/a` to a toctree or set `orphan: true`\n"
    )
