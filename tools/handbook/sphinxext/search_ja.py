"""Japanese search whose query, in the browser, is split exactly as the index was.

Sphinx's Japanese search (:class:`sphinx.search.ja.SearchJapanese`) splits the
index with TinySegmenter, a statistical word segmenter, but gives the browser
no ``splitQuery`` of its own: ``searchtools.js`` keeps 機械学習 as one term
while the index holds 機械 and 学習, so searching 機械学習 finds nothing.  A
segmenter ported to JavaScript would not cure it: where a segmenter cuts
depends on the context, so a query typed on its own is cut differently from the
same words in a sentence.

For ``language = "ja"`` only (``html_search_language`` falls back to
``language``), this extension registers :class:`SearchJapaneseBigram`, whose
Python :meth:`~SearchJapaneseBigram.split` (the index) and JavaScript
``splitQuery`` (the query, in ``language_data.js``) are one rule written
twice, and free of context:

* A run of Japanese characters (kana with ー and the iteration marks,
  half-width katakana, the CJK ideographs with 々 〆 〇) gives each of its
  characters and each pair of neighbouring characters:
  機械学習 → 機 械 学 習 機械 械学 学習.  The characters and pairs of a
  substring are always among those of the text, so a query that occurs
  literally in a page finds that page, whatever surrounds it.
* Every other run of word characters is one term, as in Sphinx's default.  The
  word characters are one explicit set on both sides: the ranges of Python's
  ``\\w`` (letters, digits, ``_``), without the Japanese characters, taken
  from the Python that runs the build and written into the JavaScript (some
  12 KB of ``language_data.js``, which only the search page loads).  Sphinx's
  default pair does not agree (JavaScript's ``\\p{Letter}`` follows the
  browser's Unicode version and its class counts emoji); these two cannot
  drift apart.
* Full-width Latin letters and digits (ＳＱＬ, ２０２１) are read as their ASCII
  twins on both sides: a Japanese keyboard types either.

Why the single characters as well as the pairs: ``searchtools.js`` requires
every term of a query (a term missing from the index drops every page), and a
query's run can be one character (品, 第1章, AIで) where the page's run is
longer (品質, 第1章を, AIで学ぶ).  Were single characters indexed only where
they stand alone, such a query would find nothing; dropped on both sides, a
one-kanji query would find nothing.  With them a one-character query finds
every page with that character, and a longer query finds what its pairs find
(its characters come with its pairs); the price is a bigger index.  The index
keeps every term except ASCII digits, which ``searchtools.js`` drops from
queries too, and there are no stopwords.  The registration is global, as
``app.add_search_language`` is, and affects the language ``ja`` only; the
class holds no state, so the extension is parallel-safe.

Limits (the first three are ``searchtools.js``'s, which is left as it is):

* A query that also has a term longer than two characters finds, besides the
  pages with all its terms, the pages with only its long terms:
  ``Python 機械学習`` also finds pages with ``python`` and no 機械学習.
  Ideographs beyond the BMP are two JavaScript characters each, so their
  pairs count as long terms.  Japanese alone is matched strictly.
* Pairs are not words: 京都 finds 東京都, and a one-character query finds
  many pages.  A result page highlights each query character and pair
  wherever it occurs.
* A query must hold whole non-Japanese words, as in every Sphinx language
  (``searchtools.js`` also looks for a term of three characters or more
  inside longer index terms).
* Half-width katakana (ｶﾀｶﾅ) is indexed as written, not as カタカナ.
"""

from __future__ import annotations

import functools
import operator
import re
from typing import TYPE_CHECKING

from sphinx.search import SearchLanguage

import handbook

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

Ranges = tuple[tuple[int, int], ...]

#: The Japanese characters (first, last code point): a run of them gives its
#: characters and their pairs.  Punctuation such as 、。「」・〜 is not here:
#: it separates words, as spaces do.
JAPANESE: Ranges = (
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3031, 0x3035),  # vertical kana repeat marks 〱 〲 〳 〴 〵
    (0x303B, 0x303C),  # 〻 〼
    (0x3041, 0x309F),  # hiragana, the (semi-)voiced sound marks, ゝ ゞ ゟ
    (0x30A1, 0x30FA),  # katakana (not the double hyphen ゠)
    (0x30FC, 0x30FF),  # ー ヽ ヾ ヿ (not the middle dot ・)
    (0x31F0, 0x31FF),  # small katakana for Ainu
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width katakana with ｰ ﾞ ﾟ
    (0x1AFF0, 0x1B16F),  # kana supplement and extensions (hentaigana, small kana)
    (0x20000, 0x3FFFF),  # CJK extensions B and later, compatibility supplement
)

#: Full-width digits and Latin letters, each read as the ASCII character 0xFEE0 below it.
FULL_WIDTH: Ranges = ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
FULL_WIDTH_OFFSET = 0xFEE0
_TO_ASCII = {
    code: code - FULL_WIDTH_OFFSET for first, last in FULL_WIDTH for code in range(first, last + 1)
}

#: Terms the index leaves out: ``searchtools.js`` drops them from queries (``/^\d+$/``).
_ASCII_DIGITS = re.compile(r"[0-9]+")


def _python_class(ranges: Ranges) -> str:
    return "".join(
        f"\\U{first:08X}" if first == last else f"\\U{first:08X}-\\U{last:08X}"
        for first, last in ranges
    )


def _javascript_class(ranges: Ranges) -> str:
    return "".join(
        f"\\u{{{first:X}}}" if first == last else f"\\u{{{first:X}}}-\\u{{{last:X}}}"
        for first, last in ranges
    )


@functools.cache
def word_ranges() -> Ranges:
    """The other word characters: Python's ``\\w`` without :data:`JAPANESE`, as ranges."""
    every = "".join(map(chr, range(0x110000)))
    every = re.sub(f"[{_python_class(JAPANESE)}]", " ", every)
    return tuple((run.start(), run.end() - 1) for run in re.finditer(r"\w+", every))


@functools.cache
def _runs() -> re.Pattern[str]:
    japanese, other = _python_class(JAPANESE), _python_class(word_ranges())
    return re.compile(f"(?P<japanese>[{japanese}]+)|[{other}]+")


@functools.cache
def js_splitter() -> str:
    """``splitQuery`` for ``language_data.js``: :meth:`SearchJapaneseBigram.split` in JavaScript."""
    return f"""\
/**
 * handbook.sphinxext.search_ja: a query's terms, split as the index was.
 * A run of Japanese characters gives each character, then each pair of
 * neighbours; every other run of word characters is one term.  Full-width
 * Latin letters and digits are read as ASCII.
 */
function splitQuery(query) {{
  const text = query.replace(/[{_javascript_class(FULL_WIDTH)}]/gu, (c) =>
    String.fromCharCode(c.charCodeAt(0) - 0x{FULL_WIDTH_OFFSET:X}),
  );
  const terms = [];
  const runs = /([{_javascript_class(JAPANESE)}]+)|[{_javascript_class(word_ranges())}]+/gu;
  for (const [run, japanese] of text.matchAll(runs)) {{
    if (japanese === undefined) {{
      terms.push(run);
      continue;
    }}
    const chars = Array.from(run);
    terms.push(...chars);
    for (let i = 1; i < chars.length; i++) terms.push(chars[i - 1] + chars[i]);
  }}
  return terms;
}}
"""


class SearchJapaneseBigram(SearchLanguage):
    """Japanese search by characters and pairs of characters, the same in the
    index and in the browser (``html_search_options`` are not used)."""

    lang = "ja"
    language_name = "Japanese"

    def __init__(self, options: dict[str, str]) -> None:
        super().__init__(options)
        self.js_splitter_code = js_splitter()

    def split(self, input: str) -> list[str]:
        terms: list[str] = []
        for run in _runs().finditer(input.translate(_TO_ASCII)):
            text = run.group()
            if run.group("japanese") is None:
                terms.append(text)
            else:
                terms.extend(text)
                terms.extend(map(operator.add, text, text[1:]))
        return terms

    def word_filter(self, word: str) -> bool:
        return _ASCII_DIGITS.fullmatch(word) is None


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_search_language(SearchJapaneseBigram)
    return {
        "version": handbook.__version__,
        # Sphinx keeps the index in the environment: a new version of the split
        # must re-read every page, or an incremental build mixes the two.
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
