"""handbook.sphinxext.search_ja: the browser splits a Japanese query as the index
was split, so a query that occurs in a page finds that page.

``tests/roots/test-search-ja`` is built once with ``language="ja"``.  The
browser's side is the built search page's own scripts (``searchtools.js``,
``language_data.js``, ``searchindex.js``), run in node: one node process per
test, every example in one batch.
"""

from __future__ import annotations

import json
import operator
import shutil
import subprocess
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sphinx.search import js_index, languages
from sphinx.search.en import SearchEnglish
from sphinxext_support import BuildRoot, Built

from handbook.sphinxext.search_ja import SearchJapaneseBigram

pytestmark = [pytest.mark.sphinx]

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(
    NODE is None, reason="node is not installed: the browser's splitQuery cannot be run"
)
JAPANESE = SearchJapaneseBigram({})

#: Loads the built search page's scripts in its order into one global scope (a
#: browser's, with what searchtools.js reads outside the search stubbed), then
#: prints ``program``, a JavaScript expression of ``input``, as JSON.
SEARCH_PAGE = r"""
const fs = require("fs");
const path = require("path");
const vm = require("vm");
const { outdir, program, input } = JSON.parse(fs.readFileSync(0, "utf8"));
const page = {
  _ready: () => {},
  SPHINX_HIGHLIGHT_ENABLED: false,
  document: { getElementById: () => null },
};
page.window = page;
vm.createContext(page);
for (const script of ["_static/searchtools.js", "_static/language_data.js", "searchindex.js"]) {
  const code = fs.readFileSync(path.join(outdir, script), "utf8");
  vm.runInContext(code, page, { filename: script });
}
const run = vm.runInContext(`(input) => ${program}`, page);
process.stdout.write(JSON.stringify(run(input)));
"""


def in_search_page(site: Built, program: str, input: Any) -> Any:
    """``program`` (a JavaScript expression of ``input``) on the built search page, in node."""
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", SEARCH_PAGE],
        input=json.dumps({"outdir": str(site.outdir), "program": program, "input": input}),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def query_terms(site: Built, queries: list[str]) -> list[set[str]]:
    """The terms searchtools.js requires for each query (split, lowercased, filtered)."""
    found = in_search_page(site, "input.map((q) => [...Search._parseQuery(q)[1]])", queries)
    return [set(terms) for terms in found]


def index_terms(text: str) -> set[str]:
    """The index's terms for a page of ``text``, as Sphinx's ``IndexBuilder.feed``
    makes them: split, stemmed (no stemmer for Japanese), lowercased, filtered."""
    words = (JAPANESE.stem(word).lower() for word in JAPANESE.split(text))
    return {word for word in words if JAPANESE.word_filter(word)}


def examples(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """``count`` examples of ``strategy`` (deterministic: the handbook profile), to
    send to node in one batch."""
    found: list[Any] = []

    @settings(max_examples=count)
    @given(strategy)
    def collect(example: Any) -> None:
        found.append(example)

    collect()
    return found


@pytest.fixture(scope="module")
def site(build: BuildRoot) -> Built:
    return build("test-search-ja")


def search_index(site: Built) -> dict[str, Any]:
    return js_index.loads(site.text("searchindex.js"))


def pages_with(index: dict[str, Any], term: str) -> set[str]:
    """The pages whose text or titles hold ``term``."""
    found: set[str] = set()
    for table in (index["terms"], index["titleterms"]):
        ids = table.get(term, [])
        found |= {index["docnames"][i] for i in ([ids] if isinstance(ids, int) else ids)}
    return found


# -- The rule ------------------------------------------------------------------


def test_a_run_of_japanese_gives_its_characters_then_their_pairs():
    assert JAPANESE.split("機械学習の実験") == [
        *"機械学習の実験",
        *["機械", "械学", "学習", "習の", "の実", "実験"],
    ]
    assert JAPANESE.split("品") == ["品"]  # a run of one character stays one character


def test_other_runs_of_word_characters_are_whole_terms():
    assert JAPANESE.split("AIで、第1章を") == ["AI", "で", "第", "1", "章", "を", "章を"]
    assert JAPANESE.split("snake_case, e.g. 😀x") == ["snake_case", "e", "g", "x"]  # emoji separate


def test_punctuation_separates_and_full_width_latin_reads_as_ascii():
    data, science = [*"データ", "デー", "ータ"], [*"サイエンス", "サイ", "イエ", "エン", "ンス"]
    assert JAPANESE.split("データ・サイエンス") == data + science  # ・ separates words
    assert JAPANESE.split("ＳＱＬで２０２１年") == ["SQL", "で", "2021", "年"]


def test_the_index_leaves_out_only_what_queries_leave_out():
    assert not JAPANESE.word_filter("2021")  # searchtools.js drops /^\d+$/ from queries
    assert JAPANESE.word_filter("²")  # which are ASCII digits only
    assert JAPANESE.word_filter("の")
    assert JAPANESE.word_filter("a")
    assert JAPANESE.stopwords == frozenset()


# -- The built site --------------------------------------------------------------


def test_the_index_holds_characters_and_pairs_on_their_pages(site: Built):
    assert site.warnings == ""
    index = search_index(site)
    expected = {
        "機械": {"ml", "quality"},
        "械学": {"ml"},
        "学習": {"ml", "quality"},
        "実験": {"ml"},
        "品質": {"quality"},
        "品": {"quality"},
        "タ品": {"quality"},  # the title データ品質
        "試験": {"index"},
        "sql": {"quality"},  # written ＳＱＬ
        "pipeline": {"ml"},
    }
    assert {term: pages_with(index, term) for term in expected} == expected
    # TinySegmenter's words are not there, nor the ASCII digits queries drop.
    assert {"機械学習", "実験は", "1"}.isdisjoint(
        index["terms"].keys() | index["titleterms"].keys()
    )


def test_language_data_carries_the_splitter(site: Built):
    code = JAPANESE.js_splitter_code
    assert code.startswith("/**\n * handbook.sphinxext.search_ja")
    assert "function splitQuery(query)" in code
    assert code in site.text("_static/language_data.js")


def test_other_languages_are_left_alone(build: BuildRoot):
    english = build("test-search-ja", language="en")
    assert languages["en"] is SearchEnglish
    assert languages["ja"] is SearchJapaneseBigram
    assert "search_ja" not in english.text("_static/language_data.js")
    index = search_index(english)
    assert pages_with(index, "機械学習の実験は") == {"ml"}  # Sphinx's default split: \w+
    assert pages_with(index, "機械") == set()


# -- The browser's side, in node ------------------------------------------------

#: Strings that reach every branch and the places where Python and JavaScript
#: differ: emoji (JavaScript's default class has them), letters newer than this
#: Python's Unicode (Kawi U+11F00), ideographs beyond the BMP (surrogate pairs in
#: JavaScript), combining marks, other scripts' digits, cased letters whose
#: lowercase is longer or depends on context.
EXAMPLES = [
    "",
    "機械学習の実験",
    "品質",
    "品",
    "AIで分類する",
    "第1章を読む",
    "ＳＱＬで２０２１年",
    "データ・サイエンス",
    "ｶﾀｶﾅとﾃﾞｰﾀ",
    "𠮷野家の牛丼",
    "々〆〇ゝヽ",
    "か\u3099き\u309a",
    "snake_case e.g. x_1",
    "😀 👍🏽 ❤️ 1️⃣",
    "\U00011f00\U00011f01 Kawi",
    "\U00031350\U00031351",
    "café naïve Ǆ ﬁ İstanbul ΣΊΣΥΦΟΣ ß",
    "² ١٢٣ ५ 〡",
    "「機械学習」、『品質』。（注）〜",
    "A/Bテスト",
    "Pythonで機械学習",
]

ALPHABET = st.one_of(
    st.sampled_from("ー・々〆〇ゝヽ゛゠、。「」〜_-.' ｰﾞﾟ！＿\u3000²١𠮷😀\u0301\u200d"),
    st.sampled_from("İΣßǅﬁ\U00011f00\U00031350"),  # cased; newer than this Python
    # Either side of the ends of the Japanese ranges.
    st.sampled_from("\u3004\u3008\u3036\u303d\u31ef\u3400\u4dbf\u9fff\ua000\uf8ff\ufb00"),
    st.sampled_from("\U0001afef\U0001aff0\U0001b16f\U0001b170\U0001ffff\U0003ffff\U00040000"),
    st.characters(min_codepoint=0x3041, max_codepoint=0x30FF),  # kana
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),  # kanji
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF9F),  # full- and half-width forms
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),  # ASCII
    st.characters(exclude_categories=("Cs",)),  # anything a page can hold
)
TEXT = st.text(ALPHABET, max_size=24)


@needs_node
def test_the_query_splits_as_the_index_on_examples(site: Built):
    assert in_search_page(site, "input.map(splitQuery)", EXAMPLES) == [
        JAPANESE.split(text) for text in EXAMPLES
    ]


@needs_node
def test_the_query_splits_as_the_index_on_random_text(site: Built):
    texts = examples(TEXT, 400)
    browser = in_search_page(site, "input.map(splitQuery)", texts)
    differ = [
        (text, python, js)
        for text, js in zip(texts, browser, strict=True)
        if (python := JAPANESE.split(text)) != js
    ]
    assert differ == []


#: A character that never continues a non-Japanese word: a separator or a
#: Japanese character.  A query cut there holds whole words only.
EDGE = st.sampled_from(" 、。・!😀\u0301機の")
#: A page's text with a query inside it: (before, query, after).
PLACED = st.tuples(
    st.one_of(st.just(""), st.builds(operator.add, TEXT, EDGE)),
    TEXT,
    st.one_of(st.just(""), st.builds(operator.add, EDGE, TEXT)),
)


@needs_node
def test_a_query_found_in_a_page_asks_only_for_the_pages_terms(site: Built):
    placed = examples(PLACED, 400)
    required = query_terms(site, [query for _, query, _ in placed])
    missing = [
        (before, query, after, sorted(terms - index_terms(before + query + after)))
        for (before, query, after), terms in zip(placed, required, strict=True)
        if not terms <= index_terms(before + query + after)
    ]
    assert missing == []


#: Queries and the pages the built search must find: exactly those that hold them
#: (but for the last).
FINDS = {
    "機械学習": {"ml"},
    "実験": {"ml"},
    "機械学習の実験": {"ml"},
    "機械": {"ml", "quality"},  # quality has 機械 and 学習 apart ...
    "学習": {"ml", "quality"},  # ... but not 機械学習
    "品質": {"quality"},
    "品": {"quality"},  # one kanji, inside 品質
    "データ品質": {"quality"},
    "第1章": {"quality"},  # single kanji beside a digit, in 第1章を
    "AIで": {"quality"},  # in AIで分類する
    "ｓｑｌ": {"quality"},  # written ＳＱＬ
    "SQL": {"quality"},
    "試験": {"index"},  # in the title 検索の試験
    "pipeline": {"ml"},
    "機械学習 品質": set(),  # no page has both
    "学習 品質": {"quality"},
    # A limit of searchtools.js: with a term longer than two characters, a page
    # that has only the long terms is found too.
    "pipeline 品質": {"ml"},
}


@needs_node
def test_the_built_search_finds_the_pages_that_hold_the_query(site: Built):
    found = in_search_page(
        site,
        """input.map((q) => ({
          terms: [...Search._parseQuery(q)[1]],
          pages: Search._performSearch(...Search._parseQuery(q)).map((result) => result[0]),
        }))""",
        list(FINDS),
    )
    results = dict(zip(FINDS, found, strict=True))
    assert {query: set(result["pages"]) for query, result in results.items()} == FINDS
    assert set(results["機械学習"]["terms"]) == {*"機械学習", "機械", "械学", "学習"}
    assert set(results["実験"]["terms"]) == {"実", "験", "実験"}
    index = search_index(site)
    for query in ("機械学習", "実験"):
        assert [t for t in results[query]["terms"] if "ml" not in pages_with(index, t)] == []


@needs_node
def test_the_search_page_uses_our_splitter(site: Built):
    # searchtools.js defines a default splitQuery only when none is defined yet,
    # and the theme loads it before language_data.js: ours must still win.
    code = JAPANESE.js_splitter_code
    ours = code[code.index("function splitQuery") :].rstrip()
    assert in_search_page(site, "splitQuery.toString()", None) == ours
