"""``handbook bib`` on arbitrary input: findings, never a traceback; formatting is stable.

The text is built from pieces that reach the tricky paths: ``@comment`` bodies
(braced, parenthesised, unclosed, holding an entry), ``crossref`` chains and
cycles, odd keys and names, DOIs, TeX escapes and line endings.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from handbook.bib import checks
from handbook.bib.format import FormatRefused, canonical_text
from handbook.bib.parse import parse_text

KEYS = ["a2020x", "B2020y", "vand95", "ries:2011", "zinkevichndrules", "c2020z", "nd", "x"]
FIELDS = st.sampled_from(
    [
        "author = {van Dyke, Jan}",
        'author = {M{\\"u}ller, Hans and Other, A}',
        "author = {{有賀康顕}}",
        "author = {a, b, c, d}",
        "editor = {\\}",
        "title = {The {L}ean \\emph{Startup}}",
        "title = {仕事}",
        "title = {}",
        "year = {1995}",
        "year = 2020",
        "year = {20x}",
        "date = {2011-09-13}",
        "date = {sometime}",
        "journaltitle = {J}",
        "doi = {10.1007/978-3-642-22438-6\\_17}",
        "doi = {https://doi.org/10.1002/(SICI)1096-987X(199803)19:4<377::AID-JCC1>3.0.CO;2-P}",
        "doi = {doi:}",
        "doi = {10.1145 3533378}",
        "unverified = {year, date}",
        "keywords = {swe, intro, book}",
    ]
    + [f"crossref = {{{key}}}" for key in KEYS]
)
ENTRIES = st.builds(
    lambda kind, key, fields: f"@{kind}{{{key},\n  " + ",\n  ".join(fields) + "\n}\n",
    st.sampled_from(["book", "inproceedings", "article", "misc", "online", "incollection"]),
    st.sampled_from(KEYS),
    st.lists(FIELDS, max_size=6),
)
OTHER = st.sampled_from(
    [
        "@comment{jabref-meta: databaseType:bibtex;}\n",
        "@Comment{jabref-meta: grouping:\n0 AllEntriesGroup:;\n\n  1 StaticGroup:Foo\\;0\\;;\n}\n",
        "@comment(paren {)} body)\n",
        "@comment{unclosed\n",
        "@comment{ @misc{inside2020x, title = {T}} }\n",
        "@COMMENT {a} tail text\n",
        "% a comment\n",
        "stray text\n",
        "\n",
        "\r\n",
        "}\n",
        '@string{acm = "ACM"}\n',
        "@preamble{ {x} }\n",
        "\ufeff",
    ]
)
TEXTS = st.lists(st.one_of(ENTRIES, OTHER), max_size=8).map("".join)


@settings(max_examples=300)
@given(TEXTS)
def test_checks_and_format_never_crash_and_format_is_idempotent(text: str) -> None:
    bib = parse_text(text, "refs.bib")
    for biblatex in (True, False):
        for finding in checks.run_checks(bib, biblatex=biblatex):
            assert finding.line >= 1
            assert "\n" not in finding.message
    try:
        once = canonical_text(bib)
    except FormatRefused:
        assert bib.errors
        return
    again = parse_text(once, "refs.bib")
    assert not again.errors
    assert [e.key for e in sorted(again.entries, key=lambda e: e.key or "")] == [
        e.key for e in sorted(bib.entries, key=lambda e: e.key or "")
    ]
    assert canonical_text(again) == once


@settings(max_examples=200)
@given(st.text(alphabet=st.sampled_from('@{}()%\\,="#\n ab1comentCOMENT'), max_size=80))
def test_arbitrary_text_never_crashes(text: str) -> None:
    bib = parse_text(text, "refs.bib")
    checks.run_checks(bib)
    if not bib.errors:
        once = canonical_text(bib)
        assert canonical_text(parse_text(once)) == once
