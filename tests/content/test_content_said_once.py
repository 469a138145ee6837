"""Say it once: the essay and the running example are introduced in one place each, the essay
map leads to the chapters, and the works the essay names are cited where they help."""

from __future__ import annotations

import re

from handbook.paths import DOCS

PAGES = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)
PARTS = ("start", "swe", "pm", "ds")


def occurrences(phrase: str) -> dict[str, int]:
    found = {}
    for page in PAGES:
        count = page.read_text(encoding="utf-8").count(phrase)
        if count:
            found[page.relative_to(DOCS).as_posix()] = count
    return found


def chapters() -> list[str]:
    return [
        p.relative_to(DOCS).with_suffix("").as_posix()
        for p in PAGES
        if p.relative_to(DOCS).parts[0] in PARTS and p.stem != "index"
    ]


def test_the_essay_is_introduced_at_most_twice():
    found = occurrences("The essay behind this handbook")
    assert sum(found.values()) <= 2, found


def test_the_running_example_is_introduced_at_most_three_times():
    found = occurrences("fictional marketplace")
    assert sum(found.values()) <= 3, found


def test_the_essay_map_leads_to_at_least_twelve_chapters():
    text = (DOCS / "start" / "essay.md").read_text(encoding="utf-8")
    body = text.split("## Checklist", 1)[0]
    linked = {m.lstrip("/") for m in re.findall(r"\{doc\}`(?:[^`<]*<)?(/[a-z-]+/[a-z-]+)>?`", body)}
    assert len(linked & set(chapters())) >= 12, sorted(linked)


def test_the_works_the_essay_names_are_cited_by_chapters():
    for key in ("ariga2021shigoto", "ueta2020coursera", "ariga2018shigoto"):
        citing = [
            docname
            for docname in chapters()
            if docname != "start/essay"
            and re.search(
                r"\{cite:[pt]\}`[^`]*\b" + key + r"\b", (DOCS / f"{docname}.md").read_text("utf-8")
            )
        ]
        assert citing, key


def test_the_foundation_model_feature_is_one_story_across_the_three_parts():
    """attribute-extractor: decided in Part II, built in Part I, evaluated in Part III, each
    taking its numbers from relist.yaml and linking the other two."""
    pages = {
        "swe/foundation-model-features": None,
        "pm/choosing-the-approach": None,
        "ds/evaluating-generative-output": None,
    }
    for docname in pages:
        text = (DOCS / f"{docname}.md").read_text(encoding="utf-8")
        assert "attribute-extractor" in text, docname
        assert re.search(r"\{relist\}`fm_", text), docname
        others = [d for d in pages if d != docname]
        for other in others:
            assert f"/{other}" in text, (docname, other)
        assert "{doc}`Relist </start/running-example>`" in text or "/start/running-example" in text
