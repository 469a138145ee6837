"""The ``handbook`` pybtex formatting style, used by sphinxcontrib-bibtex.

It is pybtex's ``unsrt`` style with the changes a reading list needs:

* titles are kept as written (``unsrt`` lower-cases them, which breaks "AI",
  "MLOps" and every proper noun);
* ``titleaddon`` follows the title in brackets, so a Japanese work shows its
  original title and then the English rendering;
* works not in English say so ("In Japanese.");
* a DOI is printed and linked as ``https://doi.org/…``; a URL is printed with
  the date it was accessed (``urldate``), unless it only repeats the DOI;
* an ISBN is printed hyphenated (python-stdnum) and for every entry type;
* ``edition`` reads "2nd edition", ``translator`` reads "Translated by …";
* labels are author–year ("Sculley et al., 2015", with a, b, … when two works
  share one), and entries sort by author, year and title.

In-text citations use the ``handbook`` *reference* style: sphinxcontrib-bibtex's
``author_year`` with the year taken from the entry's label, so that "Ueta,
2020a" in the text is "Ueta, 2020a" in the list (the stock style prints the
bare year, which cannot tell two works of one author and year apart).

Both are registered under the name :data:`STYLE_NAME` by :func:`register`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from string import ascii_lowercase
from typing import Any

from pybtex.database import Entry, Person
from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.formatting.unsrt import date, pages
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitleSortingStyle
from pybtex.style.template import (
    field,
    first_of,
    href,
    join,
    node,
    optional,
    optional_field,
    sentence,
    tag,
    words,
)
from sphinxcontrib.bibtex.plugin import register_plugin as register_reference_style
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
    BasicAuthorYearParentheticalReferenceStyle,
    BasicAuthorYearTextualReferenceStyle,
)
from sphinxcontrib.bibtex.style.template import join as ref_join
from sphinxcontrib.bibtex.style.template import join2, post_text, pre_text, reference
from sphinxcontrib.bibtex.style.template import year as ref_year
from stdnum import isbn as stdnum_isbn

#: The name under which :func:`register` makes the style known to pybtex.
STYLE_NAME = "handbook"

#: ``language`` codes that get an "In <language>." note; English gets none.
LANGUAGE_NAMES: dict[str, str] = {
    "ja": "Japanese",
    "de": "German",
    "fr": "French",
    "zh": "Chinese",
    "ko": "Korean",
    "es": "Spanish",
}

DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/")

#: Pybtex templates are untyped node trees; this alias only documents intent.
Template = Any


def latex_text(value: str) -> Text:
    """A bib field as rich text; a bare ``%`` is a per cent sign, not a LaTeX comment.

    Prose fields such as ``annotation`` say "40% of the job"; pybtex's LaTeX
    reader would drop everything after the ``%``.
    """
    return Text.from_latex(re.sub(r"(?<!\\)%", r"\\%", value))


def _plain(latex: str) -> str:
    """A LaTeX-ish bib value as plain text (``{Google Cloud}`` -> ``Google Cloud``)."""
    return str(Text.from_latex(latex).render_as("text"))


def _last_names(person: Person) -> str:
    return _plain(" ".join(person.prelast_names + person.last_names))


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def format_edition(value: str) -> str:
    """``"2"`` -> ``"2nd edition"``; words are kept (``"Revised"`` -> ``"Revised edition"``)."""
    value = value.strip()
    if value.isdigit():
        return f"{_ordinal(int(value))} edition"
    return value if value.lower().endswith("edition") else f"{value} edition"


def format_isbn(value: str) -> str:
    """Hyphenate a valid ISBN (``9780307887894`` -> ``978-0-307-88789-4``); keep others."""
    value = value.strip()
    if stdnum_isbn.is_valid(value):
        return str(stdnum_isbn.format(value))
    return value


def doi_url(doi: str) -> str:
    """The resolver URL of a DOI, whether the field holds a bare DOI or a URL."""
    doi = doi.strip()
    for prefix in DOI_PREFIXES:
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix) :]
            break
    return "https://doi.org/" + doi


def label_for(entry: Entry) -> str:
    """The author–year label of an entry, before disambiguation."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    if not persons:
        names = _plain(entry.fields.get("title", entry.key))
    elif len(persons) == 1:
        names = _last_names(persons[0])
    elif len(persons) == 2:
        names = f"{_last_names(persons[0])} and {_last_names(persons[1])}"
    else:
        names = f"{_last_names(persons[0])} et al."
    year = entry.fields.get("year", "").strip() or "n.d."
    return f"{names}, {year}"


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels such as "Kohavi et al., 2020"; equal labels get a, b, c, … in sort order."""

    def format_labels(self, sorted_entries: Iterable[Entry]) -> Iterator[str]:
        labels = [label_for(entry) for entry in sorted_entries]
        counts = Counter(labels)
        seen: Counter[str] = Counter()
        for label in labels:
            if counts[label] == 1:
                yield label
            else:
                yield label + ascii_lowercase[seen[label] % len(ascii_lowercase)]
                seen[label] += 1


class AuthorYearTitleSorting(AuthorYearTitleSortingStyle):
    """pybtex's author-year-title order, ignoring braces (``{Google Cloud}`` sorts under G)."""

    def person_key(self, person: Person) -> str:
        return _plain(super().person_key(person)).lower()


class HandbookStyle(UnsrtStyle):
    """pybtex's ``unsrt`` adapted to the handbook's reading list (see module docstring)."""

    default_label_style = AuthorYearLabelStyle
    default_sorting_style = AuthorYearTitleSorting

    # -- titles ------------------------------------------------------------
    def _with_addon(self, title: Template, which_field: str) -> Template:
        if which_field != "title":
            return title
        return join(sep=" ")[title, optional[join["[", field("titleaddon"), "]"]]]

    def format_title(self, e: Entry, which_field: str, as_sentence: bool = True) -> Template:
        title = self._with_addon(field(which_field), which_field)
        return sentence[title] if as_sentence else title

    def format_btitle(self, e: Entry, which_field: str, as_sentence: bool = True) -> Template:
        title = self._with_addon(tag("em")[field(which_field)], which_field)
        return sentence[title] if as_sentence else title

    # -- details -----------------------------------------------------------
    def format_edition(self, e: Entry) -> Template:
        return optional[field("edition", raw=True, apply_func=format_edition)]

    def format_isbn(self, e: Entry) -> Template:
        return join(sep=" ")["ISBN", field("isbn", raw=True, apply_func=format_isbn)]

    def format_extras(self, e: Entry) -> Template:
        """Translator, language and ISBN: the sentences every entry type ends with."""
        parts: list[Template] = []
        if "translator" in e.fields:
            parts.append(sentence[words["Translated by", field("translator")]])
        language = LANGUAGE_NAMES.get(e.fields.get("language", "").strip().lower())
        if language:
            parts.append(sentence[f"In {language}"])
        if "isbn" in e.fields:
            parts.append(sentence[self.format_isbn(e)])
        return join(sep=" ")[parts] if parts else optional[""]

    # -- links -------------------------------------------------------------
    def format_doi(self, e: Entry) -> Template:
        url = doi_url(e.fields["doi"])
        return href(url)[url]

    def format_url(self, e: Entry) -> Template:
        url = field("url", raw=True)
        return words[href(url)[url], optional["(accessed ", field("urldate", raw=True), ")"]]

    def format_web_refs(self, e: Entry) -> Template:
        doi = e.fields.get("doi", "").strip()
        url = e.fields.get("url", "").strip()
        links: list[Template] = []
        if doi:
            links.append(self.format_doi(e))
        if url and not (doi and doi_url(url) == doi_url(doi)):
            links.append(self.format_url(e))
        if "eprint" in e.fields:
            links.append(self.format_eprint(e))
        return sentence[links] if links else optional[""]

    # -- entry types ---------------------------------------------------------
    def get_article_template(self, e: Entry) -> Template:
        volume_and_pages = first_of[
            optional[
                join[
                    field("volume"),
                    optional["(", field("number"), ")"],
                    optional[":", pages],
                ]
            ],
            optional[words["pages", pages]],
        ]
        return toplevel[
            self.format_names("author"),
            self.format_title(e, "title"),
            sentence[tag("em")[field("journal")], volume_and_pages, date],
            sentence[optional_field("note")],
            self.format_extras(e),
            self.format_web_refs(e),
        ]

    def get_book_template(self, e: Entry) -> Template:
        return toplevel[
            self.format_author_or_editor(e),
            self.format_btitle(e, "title"),
            self.format_volume_and_series(e),
            sentence[
                optional_field("publisher"),
                optional_field("address"),
                self.format_edition(e),
                optional[date],
            ],
            sentence[optional_field("note")],
            self.format_extras(e),
            self.format_web_refs(e),
        ]

    def get_inproceedings_template(self, e: Entry) -> Template:
        return toplevel[
            sentence[self.format_names("author")],
            self.format_title(e, "title"),
            words[
                "In",
                sentence[
                    optional[self.format_editor(e, as_sentence=False)],
                    self.format_btitle(e, "booktitle", as_sentence=False),
                    self.format_volume_and_series(e, as_sentence=False),
                    optional[pages],
                ],
                self.format_address_organization_publisher_date(e),
            ],
            sentence[optional_field("note")],
            self.format_extras(e),
            self.format_web_refs(e),
        ]

    def get_misc_template(self, e: Entry) -> Template:
        return toplevel[
            optional[sentence[self.format_names("author")]],
            optional[self.format_title(e, "title")],
            sentence[optional_field("howpublished"), optional[date]],
            sentence[optional_field("note")],
            self.format_extras(e),
            self.format_web_refs(e),
        ]

    def get_online_template(self, e: Entry) -> Template:
        return self.get_misc_template(e)


#: The year and its disambiguating letter at the end of a label: ``2020a``, ``n.d.b``.
_LABEL_YEAR = re.compile(r"(\d{4}[a-z]*|n\.d\.[a-z]*)$")


@node
def label_year(children: list[Any], data: dict[str, Any]) -> Text:
    """The year as the entry's label gives it, with its a, b, … (``Ueta, 2020a``)."""
    assert not children
    match = _LABEL_YEAR.search(data["formatted_entry"].label)
    return Text(match.group(1)) if match else ref_year.format_data(data)


class _Parenthetical(BasicAuthorYearParentheticalReferenceStyle):
    def inner(self, role_name: str) -> Template:
        return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text,
            reference[
                ref_join(sep=self.author_year_sep)[
                    self.person.author_or_editor_or_title(full="s" in role_name), label_year
                ]
            ],
            post_text,
        ]


class _Textual(BasicAuthorYearTextualReferenceStyle):
    def inner(self, role_name: str) -> Template:
        return ref_join(sep=self.text_reference_sep)[
            self.person.author_or_editor_or_title(full="s" in role_name),
            ref_join[
                self.bracket.left,
                join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                    pre_text, reference[label_year], post_text
                ],
                self.bracket.right,
            ],
        ]


@dataclass
class HandbookReferenceStyle(AuthorYearReferenceStyle):
    """``author_year`` whose years carry the list's a, b, … (see the module)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        swap = {
            BasicAuthorYearParentheticalReferenceStyle: _Parenthetical,
            BasicAuthorYearTextualReferenceStyle: _Textual,
        }
        self.styles[:] = [
            swap[type(style)](**{f: getattr(style, f) for f in style.__dataclass_fields__})
            if type(style) in swap
            else style
            for style in self.styles
        ]
        self.role_style = {name: style for style in self.styles for name in style.role_names()}


def register() -> None:
    """Make the styles available to pybtex (``bibtex_default_style`` and
    ``bibtex_reference_style``)."""
    register_plugin("pybtex.style.formatting", STYLE_NAME, HandbookStyle)
    # sphinxcontrib-bibtex keeps its own plugin registry for reference styles
    register_reference_style(
        "sphinxcontrib.bibtex.style.referencing", STYLE_NAME, HandbookReferenceStyle
    )
