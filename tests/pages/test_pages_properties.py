"""``check-pages`` answers any front matter with findings, never a traceback.

Hypothesis writes front-matter values as YAML text (dates that are not dates,
explicit tags, nested lists and mappings, arbitrary characters) under every key of
the vocabulary, and the whole page goes through the same path as
``handbook check-pages``.  The profile in tests/conftest.py makes the examples the
same on every machine.
"""

from __future__ import annotations

import datetime as dt

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from handbook.pages import checks, markdown
from handbook.pages.frontmatter import OPTIONAL_KEYS, REQUIRED_KEYS, FrontMatterError, parse

KEYS = [*REQUIRED_KEYS, *OPTIONAL_KEYS, "last_reveiwed", "1", "null"]

#: Python values, written as YAML by PyYAML itself.
dumped = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.dates()
    | st.datetimes(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
).map(lambda value: yaml.safe_dump(value, default_flow_style=True, width=10**6).strip())

#: YAML text a person might write, right or wrong.
written = st.one_of(
    st.from_regex(r"\A[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?\Z"),
    st.from_regex(
        r"\A!!(int|float|bool|null|str|timestamp|binary|set|omap|pairs|seq|map) [ -~]{0,12}\Z"
    ),
    st.from_regex(r"\A[\[{]{1,4}[ -~]{0,10}\Z"),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30).map(
        lambda text: text.replace("\n", " ")
    ),
)


def front_matter(pairs: list[tuple[str, str]]) -> str:
    return "".join(f"{key}: {value}\n" for key, value in pairs)


pairs = st.lists(st.tuples(st.sampled_from(KEYS), st.one_of(dumped, written)), max_size=8)


@settings(max_examples=300)
@given(pairs)
def test_any_front_matter_is_parsed_or_refused_with_a_line(items: list[tuple[str, str]]) -> None:
    text = front_matter(items)
    try:
        parsed = parse(text)
    except FrontMatterError as exc:
        assert 1 <= exc.line <= text.count("\n") + 2
        assert exc.message.startswith("front matter ")
        return
    from handbook.pages.frontmatter import validate

    for problem in validate(parsed, today=dt.date(2026, 12, 1)):
        assert 1 <= problem.line <= text.count("\n") + 2
        assert problem.message


@settings(max_examples=300)
@given(pairs)
def test_any_front_matter_gives_check_pages_findings(items: list[tuple[str, str]]) -> None:
    text = "---\n" + front_matter(items) + "---\n\nA paragraph.\n"
    doc = markdown.parse_document(text, "swe/page", display="swe/page.md")
    site = checks.Site(doc.docs_root, {doc.path: doc}, today=dt.date(2026, 12, 1))
    for finding in checks.run_checks(doc, site):
        assert finding.path == "swe/page.md"
        assert finding.code.startswith("PAGE")
        assert 1 <= finding.line <= text.count("\n") + 1


#: Pieces of MyST Markdown, right and wrong, for pages put together at random.
PIECES = [
    "## In short\n",
    "## Checklist\n",
    "## Further reading\n",
    "# Title\n",
    "- [ ] item\n",
    "- item {cite:p}`a,b`\n",
    "```{note}\n",
    "```{figure} figures/x.svg\n:alt:\n",
    "```{include} ../../x.md\n",
    "```{toctree}\n:glob:\n*\n",
    "```\n",
    ":::{card}\n:img-top: https://x\n",
    ":::\n",
    "<img src=x onerror=y>\n",
    "<!-- comment\n",
    "-->\n",
    "[link](javascript:alert(1))\n",
    "![](http://x/y.png)\n",
    "{doc}`/swe/`\n",
    "---\n",
    "| a | b |\n|---|---|\n",
    "Term\n: definition\n",
    "TODO lorem ipsum\n",
    "\n",
]


@settings(max_examples=200)
@given(
    st.lists(
        st.one_of(st.sampled_from(PIECES), st.text(max_size=12)),
        max_size=25,
    )
)
def test_any_page_body_gives_findings_not_exceptions(pieces: list[str]) -> None:
    text = "".join(pieces)
    doc = markdown.parse_document(text, "swe/page", display="swe/page.md")
    site = checks.Site(doc.docs_root, {doc.path: doc}, today=dt.date(2026, 12, 1))
    for finding in checks.run_checks(doc, site):
        assert finding.code.startswith("PAGE")
        assert finding.line >= 1
