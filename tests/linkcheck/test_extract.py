"""Where links come from: doctrees, MyST pages, .bib and .txt, with their lines."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from handbook.files import UnusableInputError
from handbook.linkcheck.extract import (
    STAMP,
    Link,
    Occurrence,
    default_inputs,
    doctrees_fresh,
    from_bib,
    from_markdown,
    from_markdown_text,
    from_paths,
    from_text,
    kind_of,
)
from handbook.linkcheck.identifiers import (
    IdentifierError,
    check_isbn,
    doi_api_url,
    doi_key,
    isbn_key,
    normalise_doi,
)
from handbook.linkcheck.verdicts import Verdict

PAGE = """\
---
title: A page
---
# A page

Para with [a link](https://example.com/a) and
a second line with [b](http://example.org/b#frag).

- item <https://auto.example/>
- item [ref][r1]

| a | b |
|---|---|
| [t](https://table.example/) | x |

:::{note}
Note [n](https://note.example/)
:::

```{admonition} Title
:class: tip

Deep [d](https://admonition.example/)
```

```python
not_a_link = "[x](https://code.example/)"
```

```{include} part.md
```

[DOI](https://doi.org/10.1145/3533378) [book](isbn:9780307887894)
[mail](mailto:x@example.com) [rel](other.md) [anchor](#here)

[r1]: https://refdef.example/
"""

PART = """\
Included [link](https://inc.example/x)

second <https://inc2.example/>
"""


def _where(links: list[Link]) -> dict[str, tuple[str, int, str]]:
    return {link.text: (link.occurrence.path, link.occurrence.line, link.kind) for link in links}


def test_markdown_links_with_lines(tmp_path: Path) -> None:
    (tmp_path / "page.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "part.md").write_text(PART, encoding="utf-8")
    conf = tmp_path / "conf.py"
    conf.write_text('myst_enable_extensions = ["colon_fence"]\n', encoding="utf-8")
    found = from_markdown(tmp_path / "page.md", "page.md", conf=conf)
    where = _where(found.links)
    part = (tmp_path / "part.md").as_posix()
    assert where == {
        "https://example.com/a": ("page.md", 6, "url"),
        "http://example.org/b#frag": ("page.md", 7, "url"),
        "https://auto.example/": ("page.md", 9, "url"),
        "https://refdef.example/": ("page.md", 10, "url"),
        "https://table.example/": ("page.md", 14, "url"),
        "https://note.example/": ("page.md", 17, "url"),
        "https://admonition.example/": ("page.md", 23, "url"),
        "https://inc.example/x": (part, 1, "url"),
        "https://inc2.example/": (part, 3, "url"),
        "https://doi.org/10.1145/3533378": ("page.md", 33, "doi"),
        "isbn:9780307887894": ("page.md", 33, "isbn"),
    }


def test_pages_are_read_with_their_projects_myst_settings(tmp_path: Path) -> None:
    """The conf.py of the page's project, found above it, says how to read it: with
    colon_fence (the handbook's, when there is no conf.py) a ``:::{code-block}`` is
    code; without, it is a paragraph and its link a link."""
    text = "Intro.\n\n:::{code-block} md\nSee [x](https://code.example/).\n:::\n"
    (tmp_path / "docs" / "part").mkdir(parents=True)
    page = tmp_path / "docs" / "part" / "page.md"
    page.write_text(text, encoding="utf-8")
    assert from_markdown(page).links == []
    (tmp_path / "docs" / "conf.py").write_text("myst_enable_extensions = []\n")
    assert [(lk.text, lk.occurrence.line) for lk in from_markdown(page).links] == [
        ("https://code.example/", 4)
    ]
    assert [lk.text for lk in from_markdown_text(text, "p.md", page.parent).links] == [
        "https://code.example/"
    ]


BIB = """\
@book{good,
  title = {Good},
  isbn = {9780307887894},
  doi = {10.1145/3533378},
  url = {https://example.com/good},
}

@online{doiurl,
  title = {A DOI as a URL},
  url = {https://doi.org/10.1109/BigData.2017.8258038},
}

@book{two,
  isbn = {978-0-307-88789-4; 0-306-40615-2},
}

@book{broken,
  title = {Unclosed,
}
"""


def test_bib_fields_with_keys_and_lines(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    found = from_bib(path, "refs.bib")
    got = [(link.text, link.kind, link.occurrence) for link in found.links]
    assert got == [
        ("9780307887894", "isbn", Occurrence("refs.bib", 3, "good")),
        ("10.1145/3533378", "doi", Occurrence("refs.bib", 4, "good")),
        ("https://example.com/good", "url", Occurrence("refs.bib", 5, "good")),
        (
            "https://doi.org/10.1109/BigData.2017.8258038",
            "doi",
            Occurrence("refs.bib", 10, "doiurl"),
        ),
        ("978-0-307-88789-4", "isbn", Occurrence("refs.bib", 14, "two")),
        ("0-306-40615-2", "isbn", Occurrence("refs.bib", 14, "two")),
    ]
    assert [(p.path, p.code) for p in found.problems] == [("refs.bib", "LINKINPUT")]
    assert found.problems[0].line >= 18


def test_text_lists(tmp_path: Path) -> None:
    path = tmp_path / "urls.txt"
    path.write_text(
        "# comment\n\nhttps://a.example/\n  doi:10.1/x  \nisbn:0-306-40615-2\nnot a url\n"
    )
    found = from_text(path, "urls.txt")
    assert [(lk.text, lk.kind, lk.occurrence.line) for lk in found.links] == [
        ("https://a.example/", "url", 3),
        ("doi:10.1/x", "doi", 4),
        ("isbn:0-306-40615-2", "isbn", 5),
        ("not a url", "url", 6),
    ]


def test_unusable_paths(tmp_path: Path) -> None:
    with pytest.raises(UnusableInputError, match="no such file"):
        from_paths([tmp_path / "missing.md"])
    other = tmp_path / "x.rst"
    other.write_text("x")
    with pytest.raises(UnusableInputError, match=r"not a \.md, \.bib or \.txt"):
        from_paths([other])


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("https://example.com/", "url"),
        ("HTTP://EXAMPLE.COM/", "url"),
        ("https://doi.org/10.1/x", "doi"),
        ("http://dx.doi.org/10.1/x", "doi"),
        ("doi:10.1/x", "doi"),
        ("urn:isbn:0306406152", "isbn"),
        ("mailto:a@b.c", None),
        ("../page.md", None),
        ("#anchor", None),
        ("ftp://x/", None),
    ],
)
def test_kind_of(text: str, kind: str | None) -> None:
    assert kind_of(text) == kind


# -- identifiers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        ("10.1145/3533378", "10.1145/3533378"),
        ("doi:10.1145/3533378", "10.1145/3533378"),
        ("https://doi.org/10.1145/3533378", "10.1145/3533378"),
        ("http://dx.doi.org/10.1016/0749-5978(85)90049-4", "10.1016/0749-5978(85)90049-4"),
        ("https://doi.org/10.1000/a%2Fb", "10.1000/a/b"),
        ("10.1000.10/xyz", "10.1000.10/xyz"),
    ],
)
def test_normalise_doi(text: str, doi: str) -> None:
    assert normalise_doi(text) == doi


@pytest.mark.parametrize(
    "text", ["11.1145/x", "10.1145", "10./x", "10.abc/x", "", "doi:", "10.1/a b"]
)
def test_malformed_dois(text: str) -> None:
    with pytest.raises(IdentifierError) as info:
        normalise_doi(text)
    assert info.value.code == "DOISYNTAX"


def test_doi_keys_and_api_urls() -> None:
    assert doi_key("10.1145/abc") == doi_key("10.1145/ABC")
    api = "https://doi.org/api/handles/"
    assert doi_api_url(api, "10.1000/a(b)c;d") == api + "10.1000/a(b)c;d"
    assert doi_api_url(api, "10.1000/a#b?c d") == api + "10.1000/a%23b%3Fc%20d"


@pytest.mark.parametrize(
    ("text", "verdict", "code"),
    [
        ("9780307887894", Verdict.OK, None),
        ("978-4-87311-821-5", Verdict.OK, None),
        ("ISBN 978-4-87311-821-5", Verdict.OK, None),
        ("urn:isbn:0306406152", Verdict.OK, None),
        ("0-306-40615-2", Verdict.OK, None),
        ("123456789X", Verdict.OK, None),
        ("978-0-307-88789-5", Verdict.BROKEN, "ISBNSUM"),
        ("0306406153", Verdict.BROKEN, "ISBNSUM"),
        ("97803078878", Verdict.BROKEN, "ISBNSYNTAX"),
        ("978030788789X", Verdict.BROKEN, "ISBNSYNTAX"),
        ("not an isbn", Verdict.BROKEN, "ISBNSYNTAX"),
    ],
)
def test_isbn_check_digits(text: str, verdict: Verdict, code: str | None) -> None:
    result = check_isbn(text)
    assert (result.verdict, result.code) == (verdict, code)


def test_isbn_keys_ignore_spelling() -> None:
    assert isbn_key("978-0-307-88789-4") == isbn_key("ISBN 9780307887894") == "isbn:9780307887894"


# -- doctrees ----------------------------------------------------------------

CONF = 'extensions = ["myst_parser"]\nexclude_patterns = ["_build", "_inc"]\n'
INDEX = """\
# Home

A [link](https://example.com/a) and, on the next
line, [another](https://example.com/b#part).

```{toctree}
other
```

```{include} _inc/part.md
```
"""
OTHER = "# Other\n\nSee <https://other.example/> and [rel](index.md).\n"


def _project(root: Path) -> Path:
    docs = root / "docs"
    (docs / "_inc").mkdir(parents=True)
    (docs / "conf.py").write_text(CONF)
    (docs / "index.md").write_text(INDEX)
    (docs / "other.md").write_text(OTHER)
    (docs / "_inc" / "part.md").write_text("Included [x](https://inc.example/)\n")
    (root / "references.bib").write_text("@misc{k,\n  url = {https://bib.example/},\n}\n")
    return docs


def test_default_inputs_build_then_reuse_then_rebuild(tmp_path: Path) -> None:
    """The strict build's doctrees: built into .cache, reused while fresh, rebuilt after an edit."""
    docs = _project(tmp_path)
    logs: list[str] = []
    found = default_inputs(tmp_path, log=logs.append)
    assert any("building the handbook" in line for line in logs)
    assert not any("failed" in line for line in logs), logs
    where = {
        (lk.text, lk.occurrence.path, lk.occurrence.line, lk.occurrence.key) for lk in found.links
    }
    assert where == {
        ("https://example.com/a", "docs/index.md", 3, None),
        ("https://example.com/b#part", "docs/index.md", 4, None),
        ("https://inc.example/", "docs/_inc/part.md", 1, None),
        ("https://other.example/", "docs/other.md", 3, None),
        ("https://bib.example/", "references.bib", 2, "k"),
    }
    doctrees = tmp_path / ".cache" / "handbook-build" / "doctrees"
    assert doctrees_fresh(doctrees, docs, stamp=STAMP)

    logs.clear()
    again = default_inputs(tmp_path, log=logs.append)
    assert logs == []  # fresh: no build at all
    assert len(again.links) == len(found.links)

    time.sleep(0.01)
    page = docs / "other.md"
    page.write_text(OTHER + "\nNew [n](https://new.example/).\n")
    later = time.time() + 1
    os.utime(page, (later, later))
    assert not doctrees_fresh(doctrees, docs, stamp=STAMP)
    logs.clear()
    rebuilt = default_inputs(tmp_path, log=logs.append)
    assert any("building" in line for line in logs)
    assert "https://new.example/" in {lk.text for lk in rebuilt.links}


def test_doctrees_must_have_a_page(tmp_path: Path) -> None:
    docs, doctrees = tmp_path / "docs", tmp_path / "doctrees"
    docs.mkdir()
    doctrees.mkdir()
    (docs / "index.md").write_text("# x\n")
    (doctrees / "index.doctree").write_bytes(b"")
    (doctrees / "gone.doctree").write_bytes(b"")
    env = doctrees / "environment.pickle"
    env.write_bytes(b"")
    later = time.time() + 5
    os.utime(env, (later, later))
    assert not doctrees_fresh(doctrees, docs)
    (doctrees / "gone.doctree").unlink()
    assert doctrees_fresh(doctrees, docs)


def test_no_doctrees_is_unusable(tmp_path: Path) -> None:
    with pytest.raises(UnusableInputError, match="no Sphinx doctrees"):
        default_inputs(tmp_path, doctrees=tmp_path / "nothing")
