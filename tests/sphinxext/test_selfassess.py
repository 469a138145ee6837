"""handbook.sphinxext.selfassess: the form's HTML, its words, and the mistakes it names.

The root ``tests/roots/test-selfassess`` is built once as it is (the browser
tests in ``tests/site/test_selfassessment.py`` drive the real page); each
mistake is a copy with ``assess.md`` changed.
"""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinxext_support import BuildRoot, Built, build_root

from handbook.paths import ROOT
from handbook.sphinxext import selfassess

pytestmark = [pytest.mark.sphinx]

STATEMENTS = {
    "Entry": "Can follow a written rollout plan for a model and report what each stage showed.",
    "Independent": "Can plan a staged rollout with go and no-go criteria and run it alone.",
    "Senior": "Can set the rollout policy for a team’s models and review others’ plans.",
    "Lead": "Can make staged rollouts the default for every model in the organisation.",
}


@pytest.fixture(scope="module")
def site(build: BuildRoot) -> Built:
    return build("test-selfassess")


def soup(site: Built, page: str) -> BeautifulSoup:
    return BeautifulSoup(site.html(page), "html.parser")


def test_build_has_no_warnings(site: Built):
    assert site.warnings == ""


def test_each_skill_in_use_is_a_fieldset_with_labelled_choices_and_statements(site: Built):
    page = soup(site, "assess")
    fieldsets = page.select("fieldset.sa-skill")
    assert [(f["data-sa-skill"], f["data-sa-role"]) for f in fieldsets] == [
        ("swe-rollout", "swe"),
        ("ds-abtest", "ds"),
    ]  # the retired skill is not rated
    rollout = fieldsets[0]
    assert rollout.legend.get_text() == "Staged rollouts"
    choices = []
    for radio in rollout.select("input[type=radio]"):
        label = rollout.select_one(f"label[for={radio['id']}]").get_text()
        described = radio.get("aria-describedby")
        says = rollout.select_one(f"#{described}").get_text() if described else None
        choices.append((radio["name"], radio["value"], label, says))
    assert choices == [
        ("sa-swe-rollout", "0", "Not yet", None),
        *(
            ("sa-swe-rollout", str(n), level, statement)
            for n, (level, statement) in enumerate(STATEMENTS.items(), start=1)
        ),
    ]
    learn = rollout.select_one("details.sa-learn")
    assert learn.summary.get_text() == "Where to learn it"
    assert learn.select_one("p.handbook-skill-taught").get_text() == (
        "Taught in: Another page (Rollouts)."
    )
    assert learn.select_one("p.handbook-skill-reading").get_text() == (
        "Reading: Kohavi et al. [2020]."
    )


def test_roles_are_sections_named_by_the_words(site: Built):
    page = soup(site, "assess")
    titles = [s.h3.get_text().rstrip("#¶") for s in page.select("section[id^=sa-skills-]")]
    assert titles == ["Software engineer", "Product manager", "Data scientist"]


def test_the_target_has_a_labelled_field_per_role_with_the_default(site: Built):
    page = soup(site, "assess")
    form = page.select_one("div.sa-form")
    assert form["data-sa-default"] == "50/20/30"
    assert form["data-sa-storage"] == "handbook-self-assessment"
    fields = [
        (page.select_one(f"label[for={i['id']}]").get_text(), i["type"], i["value"])
        for i in page.select("fieldset.sa-target input")
    ]
    assert fields == [
        ("Software engineer", "number", "50"),
        ("Product manager", "number", "20"),
        ("Data scientist", "number", "30"),
    ]
    assert page.select_one("fieldset.sa-target legend").get_text() == (
        "Your target mix, in percent"
    )


def test_the_results_table_has_its_caption_columns_and_a_row_per_role(site: Built):
    table = soup(site, "assess").select_one("table.sa-table")
    assert table.caption.get_text() == "Your skill mix"
    assert [th.get_text() for th in table.select("thead th")] == [
        "Role",
        "Coverage",
        "Your mix",
        "Target",
    ]
    assert [(tr["data-sa-role"], tr.th.get_text()) for tr in table.select("tbody tr")] == [
        ("swe", "Software engineer"),
        ("pm", "Product manager"),
        ("ds", "Data scientist"),
    ]


def test_the_scripts_words_are_in_the_page_hidden_and_each_is_used(site: Built):
    page = soup(site, "assess")
    box = page.select_one("div.sa-messages")
    assert box["hidden"] == "hidden"
    words = {span["data-sa-word"]: span.get_text() for span in box.select("[data-sa-word]")}
    assert set(words) == selfassess.SCRIPT_WORDS
    assert (
        words["weakest"]
        == "Your weakest third is {role}: with your target, a gap there hurts most."
    )
    script = (selfassess.STATIC / selfassess.SCRIPT).read_text(encoding="utf-8")
    used = set(re.findall(r"""word\("([a-z-]+)\"""", script))
    assert used == selfassess.SCRIPT_WORDS


def test_the_visible_words_keep_their_markup(site: Built):
    share = soup(site, "assess").select_one("[data-sa-sharebox] p")
    link = share.select_one("a.reference.external")
    assert link.get_text() == "Share your skill mix"
    assert share.select_one("code").get_text() == "docs/_data/mixes/"


def test_only_the_forms_page_loads_the_script_and_stylesheet(site: Built):
    page = soup(site, "assess")
    deferred = page.select_one("script[src^='_static/selfassess.js?v=']")
    assert deferred.has_attr("defer")
    assert page.select_one("link[href^='_static/selfassess.css?v=']")
    other = site.html("other")
    assert "selfassess" not in other
    shipped = site.outdir / "_static" / selfassess.SCRIPT
    assert shipped.read_bytes() == (selfassess.STATIC / selfassess.SCRIPT).read_bytes()


def test_the_script_stays_small():
    """The issue's budget: under 15 KB gzipped."""
    script = (selfassess.STATIC / selfassess.SCRIPT).read_bytes()
    assert len(gzip.compress(script, 9)) < 15 * 1024


def test_the_words_are_extracted_for_translation_and_the_matrix_is_not(build: BuildRoot, tmp_path):
    built = build_root(ROOT / "tests" / "roots", "test-selfassess", tmp_path, builder="gettext")
    catalogue = (built.outdir / "assess.pot").read_text(encoding="utf-8")
    for msgid in (
        "Not yet",
        "Your skill mix",
        "Your weakest third is {role}: with your target, a gap there hurts most.",
        "Software engineer",
    ):
        assert f'msgid "{msgid}"' in catalogue, msgid
    # the matrix's names, levels and statements are its data's, which has no
    # translations: not the page's catalogue's
    for msgid in ("Staged rollouts", STATEMENTS["Entry"], "Senior"):
        assert f'msgid "{msgid}"' not in catalogue, msgid


def test_a_translated_edition_marks_the_matrixs_words_english(build: BuildRoot):
    built = build("test-selfassess", language="ja")
    page = BeautifulSoup(built.html("assess"), "html.parser")
    fieldset = page.select_one("fieldset.sa-skill")
    assert fieldset.legend["lang"] == "en"
    assert {label.get("lang") for label in fieldset.select("label")} == {None, "en"}
    assert all(s["lang"] == "en" for s in fieldset.select(".sa-statement"))
    english = BeautifulSoup(build("test-selfassess").html("assess"), "html.parser")
    assert not english.select("fieldset.sa-skill [lang]")


# -- Mistakes, each named at its line ---------------------------------------------------


def broken(tmp_path: Path, old: str, new: str) -> Built:
    roots = tmp_path / "roots"
    shutil.copytree(ROOT / "tests" / "roots" / "test-selfassess", roots / "test-selfassess")
    page = roots / "test-selfassess" / "assess.md"
    text = page.read_text(encoding="utf-8")
    assert old in text
    page.write_text(text.replace(old, new, 1), encoding="utf-8")
    return build_root(roots, "test-selfassess", tmp_path / "out")


def line_of(site: Built, needle: str) -> int:
    lines = (site.srcdir / "assess.md").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        (
            ":keep: Keep mine\n",
            "",
            ":::{selfassessment} words",
            "{selfassessment} words: missing keep",
        ),
        (
            ":keep: Keep mine\n",
            ":keep: Keep mine\n:kept-too: Also kept\n",
            ":::{selfassessment} words",
            "{selfassessment} words: unknown word 'kept-too'",
        ),
        (
            ":weakest: Your weakest third is {role}:",
            ":weakest: Your weakest third is {name}:",
            ":::{selfassessment} words",
            "{selfassessment} words: 'weakest' must hold {role}",
        ),
        (
            ":::{selfassessment} plan",
            ":::{selfassessment} summary",
            ":::{selfassessment} summary",
            "{selfassessment}: unknown part 'summary' "
            "(one of words, target, skills, results, plan, controls)",
        ),
        (
            ":default: 50/20/30",
            ":default: 50/20/20",
            ":default: 50/20/20",
            "WARNING: 'selfassessment': Invalid option value for 'default': 50/20/20: "
            "50/20/20 adds up to 90, not 100 [myst.directive_option]",
        ),
    ],
    ids=["missing", "unknown", "placeholder", "part", "target"],
)
def test_a_mistake_fails_the_build_at_its_line(tmp_path, old, new, at, message):
    site = broken(tmp_path, old, new)
    line = line_of(site, at)
    if not message.startswith("WARNING"):
        message = "ERROR: " + message
    assert f"assess.md:{line}: {message}" in site.warnings, site.warnings


def test_a_part_before_the_words_is_refused(tmp_path):
    site = broken(tmp_path, ":::{selfassessment} words", ":::{note}")
    line = line_of(site, ":::{selfassessment} target")
    assert (
        f"assess.md:{line}: ERROR: {{selfassessment}}: the `words` part must come first "
        "on the page" in site.warnings
    )
