"""The Japanese edition against its terminology list, ``docs/_data/terminology.yaml``.

The pages listed complete in ``docs/_data/translations.yaml`` use the listed
Japanese term wherever their English uses a listed term, keep the English's
roles, placeholders and code spans, and the glossary's terms are the list's
(``handbook i18n status --check`` reports the same, I18N004-I18N006).  The
checks themselves are tried on small messages below.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog

from handbook.data import terminology as data
from handbook.data import translations
from handbook.data.source import load
from handbook.i18n.catalogs import read_catalogue
from handbook.i18n.terminology import (
    GLOSSARY,
    MARKUP,
    TERMS,
    Terminology,
    check_catalogue,
    expected_glossary_term,
    roles,
)
from handbook.paths import DOCS

LIST = DOCS / "_data" / "terminology.yaml"
GLOSSARY_SOURCES = [DOCS / "glossary.md", *sorted((DOCS / "_glossary").glob("*.md"))]


def _model() -> data.TerminologyFile:
    model, problems = data.validate(load(LIST, "docs/_data/terminology.yaml"))
    assert model is not None and problems == []
    return model


def _complete() -> list[str]:
    source = load(DOCS / "_data" / "translations.yaml", "translations.yaml")
    model, _problems = translations.validate(source)
    assert model is not None
    return [entry.page for entry in translations.complete_pages(source, model, "ja")]


@pytest.mark.parametrize("page", _complete())
def test_each_complete_page_uses_the_listed_terms(page: str):
    catalogue = read_catalogue(translations.catalogue_path(DOCS, "ja", page))
    terms = Terminology(_model().terms)
    problems = check_catalogue(catalogue, terms, glossary=page == "glossary")
    assert [f"{p.line}: {p.code} {p.message}" for p in problems] == []


def _glossary_terms() -> list[str]:
    """The glossary's terms as its sources write them: inside a ``{glossary}`` fence,
    each line that is not indented (an entry's terms, one a line), options aside."""
    terms: list[str] = []
    for path in GLOSSARY_SOURCES:
        for block in re.findall(
            r"^```\{glossary\}\n(.*?)^```", path.read_text("utf-8"), re.M | re.S
        ):
            terms += [line for line in block.splitlines() if line.strip() and line[0] not in " :"]
    return terms


def test_the_list_names_every_glossary_term_and_only_those():
    listed = {term.en for term in _model().terms if term.glossary}
    assert set(_glossary_terms()) == listed


def test_the_japanese_glossary_gives_each_term_as_the_list_does():
    if "glossary" not in _complete():
        pytest.skip("the glossary is not translated yet")  # pragma: no cover
    catalogue = read_catalogue(translations.catalogue_path(DOCS, "ja", "glossary"))
    given = {str(m.id): str(m.string) for m in catalogue if m.id}
    for term in _model().terms:
        if term.glossary:
            assert given.get(term.en) == expected_glossary_term(term), term.en


# -- The checks, on small messages -------------------------------------------------------

TERMS_LIST = Terminology(
    [
        data.Term(en="Guardrail metric", ja="ガードレール指標", reading="がーどれーるしひょう"),
        data.Term(en="Experiment", ja="実験", reading="じっけん", glossary=True),
        data.Term(en="Feature", ja="特徴量", reading="とくちょうりょう", loose="a product's"),
    ]
)


def _problems(english: str, japanese: str, *, glossary: bool = False) -> list[tuple[str, str]]:
    catalogue = Catalog(locale="ja")
    catalogue.add(english, japanese, lineno=7)
    return [(p.code, p.message) for p in check_catalogue(catalogue, TERMS_LIST, glossary=glossary)]


def test_a_listed_term_in_the_english_needs_the_listed_japanese():
    assert _problems("Two guardrail metrics held.", "2つの安全指標は維持されました。") == [
        (
            TERMS,
            "'Guardrail metric' is translated as 「ガードレール指標」 "
            "(docs/_data/terminology.yaml)",
        )
    ]
    assert _problems("Two guardrail metrics held.", "2つのガードレール指標は維持されました。") == []


def test_kept_english_a_loose_term_and_identifiers_are_not_held_to_the_list():
    # a title kept in English; a loose word in its everyday sense; a term only in a target
    assert _problems("*Guardrail Metrics in Practice*", "*Guardrail Metrics in Practice*") == []
    assert _problems("A new feature for sellers.", "出品者向けの新機能です。") == []
    assert (
        _problems(
            "See {doc}`the plan <guardrail-metrics>`.", "{doc}`計画 <guardrail-metrics>` を参照。"
        )
        == []
    )


def test_the_roles_targets_placeholders_and_code_spans_must_match():
    english = "An {term}`experiment` with {count} arms, see {cite:p}`kohavi2020` and `cfg.yaml`."
    right = "{count} 群の {term}`実験 <experiment>` です（{cite:p}`kohavi2020`、`cfg.yaml`）。"
    assert _problems(english, right) == []
    wrong = "{n} 群の {term}`実験 <experiments>` です（{cite:t}`kohavi2020`）。"
    assert _problems(english, wrong) == [
        (MARKUP, "{cite:p}`kohavi2020` is in the English 1 more time(s) than here"),
        (MARKUP, "{term}`experiment` is in the English 1 more time(s) than here"),
        (MARKUP, "{cite:t}`kohavi2020` is not in the English (or is there fewer times)"),
        (MARKUP, "{term}`experiments` is not in the English (or is there fewer times)"),
        (MARKUP, "the {placeholders} differ from the English's"),
        (MARKUP, "the code span `cfg.yaml` is missing"),
    ]


def test_a_role_without_text_and_one_with_text_have_the_same_target():
    assert roles("{term}`Experiment`") == roles("{term}`実験 <experiment>`")
    assert roles("{doc}`start/index`") == roles("{doc}`はじめに <start/index>`")


def test_a_glossary_term_reads_as_the_list_gives_it():
    assert _problems("Experiment", "実験（Experiment）", glossary=True) == []
    assert _problems("Experiment", "試験（Experiment）", glossary=True) == [
        (GLOSSARY, "the glossary term 'Experiment' reads 「実験（Experiment）」")
    ]
