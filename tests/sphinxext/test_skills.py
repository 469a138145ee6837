"""handbook.sphinxext.skills: the matrix pages, the chapters' back-links, and a build that
fails at the YAML line.

The root ``tests/roots/test-skills`` is built once as it is; the failure tests
build a copy with one thing broken in ``_data/skills.yaml``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinxext_support import BuildRoot, Built, build_root

from handbook.paths import ROOT

pytestmark = [pytest.mark.sphinx]


@pytest.fixture(scope="module")
def site(build: BuildRoot) -> Built:
    return build("test-skills")


def soup(site: Built, page: str) -> BeautifulSoup:
    return BeautifulSoup(site.html(page), "html.parser")


def test_build_has_no_warnings(site: Built):
    assert site.warnings == ""


def test_a_roles_page_shows_each_skill_with_its_four_statements(site: Built):
    page = soup(site, "swe")
    area = page.select_one("section#swe-shipping")
    assert area.h2.get_text(strip=True).rstrip("¶") == "Shipping and rollout"
    skill = area.select_one("section.handbook-skill#swe-rollout")
    assert skill.h3.get_text(strip=True).rstrip("¶") == "Staged rollouts"
    levels = [
        (dt.get_text(), dd.get_text(strip=True))
        for dt, dd in zip(skill.select("dl dt"), skill.select("dl dd"), strict=True)
    ]
    assert levels == [
        (
            "Entry",
            "Can follow a written rollout plan for a model and report what each stage showed.",
        ),
        ("Independent", "Can plan a staged rollout with go and no-go criteria and run it alone."),
        ("Senior", "Can set the rollout policy for a team’s models and review others’ plans."),
        ("Lead", "Can make staged rollouts the default for every model in the organisation."),
    ]


def test_a_skill_links_the_sections_and_the_reading_that_teach_it(site: Built):
    skill = soup(site, "swe").select_one("section#swe-rollout")
    taught = skill.select_one("p.handbook-skill-taught")
    assert taught.get_text() == ("Taught in: Shipping models (Rollout strategies, Rolling back).")
    assert [a["href"] for a in taught.select("a")] == [
        "chapter.html",
        "chapter.html#swe-shipping-rollout",
        "chapter.html#swe-shipping-rollback",
    ]
    reading = skill.select_one("p.handbook-skill-reading")
    assert reading.get_text(" ", strip=True).startswith("Reading: Kohavi et al. [ 2020 ]")
    assert [a["href"] for a in reading.select("a")] == ["index.html#id2", "index.html#id3"]


def test_a_retired_skill_keeps_its_anchor_and_names_its_replacement(site: Built):
    retired = soup(site, "swe").select_one("li#swe-canary")
    assert retired.get_text() == "Canary releases is now part of Staged rollouts."
    assert retired.a["href"] == "#swe-rollout"


def test_the_overview_shows_the_levels_and_every_skill_by_role(site: Built):
    page = soup(site, "overview")
    levels = page.select_one("section#skill-levels")
    assert [dt.get_text() for dt in levels.select("dt")] == [
        "Entry",
        "Independent",
        "Senior",
        "Lead",
    ]
    assert levels.select("dd")[0].get_text(strip=True) == "Does well-scoped work with guidance."
    swe = page.select_one("section#skills-swe")
    assert swe.h2.get_text(strip=True).rstrip("¶") == "Software engineer"
    assert swe.li.get_text() == "Shipping and rollout: Staged rollouts."
    assert swe.li.a["href"] == "swe.html#swe-rollout"


def test_a_chapter_lists_the_skills_it_builds_at_the_end_of_in_short(site: Built):
    page = soup(site, "chapter")
    in_short = page.select_one("section#in-short")
    built = in_short.find_all(recursive=False)[-1]
    assert built.name == "p" and built["class"] == ["handbook-skills-built"]
    assert built.get_text() == "Skills this chapter builds: Staged rollouts."
    assert built.a["href"] == "swe.html#swe-rollout"


def test_the_skill_role_links_the_matrix_with_the_skills_name(site: Built):
    section = soup(site, "chapter").select_one("section#swe-shipping-rollout")
    link = section.find("a", href="swe.html#swe-rollout")
    assert link.get_text() == "Staged rollouts"


def test_the_matrix_text_comes_from_the_yaml_for_translation(site: Built, tmp_path: Path):
    """gettext extracts the statements with the YAML file and line as their place."""
    built = build_root(ROOT / "tests" / "roots", "test-skills", tmp_path, builder="gettext")
    catalogue = (built.outdir / "swe.pot").read_text(encoding="utf-8")
    assert re.search(
        r'#: [^\n]*_data/skills\.yaml:22\nmsgid "Can follow a written rollout plan', catalogue
    )


# -- failures ----------------------------------------------------------------------------


def broken(tmp_path: Path, old: str, new: str) -> tuple[Built, Path]:
    """A build of a copy of the root with ``old`` replaced by ``new`` in the YAML file."""
    roots = tmp_path / "roots"
    shutil.copytree(ROOT / "tests" / "roots" / "test-skills", roots / "test-skills")
    data = roots / "test-skills" / "_data" / "skills.yaml"
    text = data.read_text(encoding="utf-8")
    assert old in text
    data.write_text(text.replace(old, new), encoding="utf-8")
    built = build_root(roots, "test-skills", tmp_path / "out")
    return built, built.srcdir / "_data" / "skills.yaml"


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "chapter#swe-shipping-rollback",
            "chapter#swe-shipping-rolback",
            28,
            "DATA007 skills[0].chapters[1]: no label `swe-shipping-rolback` "
            "(write `(swe-shipping-rolback)=` above a heading)",
        ),
        (
            "chapter#swe-shipping-rollback",
            "index#swe-shipping-rollback",
            28,
            "DATA007 skills[0].chapters[1]: the label `swe-shipping-rollback` is in `chapter`, "
            "not `index`",
        ),
        (
            "      - sculley2015hidden\n",
            "      - sculley2015hiden\n",
            31,
            "DATA008 skills[0].reading[1]: no entry `sculley2015hiden` in references.bib",
        ),
        (
            "    name: Staged rollouts\n",
            "    name: Staged rollouts\n    owner: nobody\n",
            21,
            "DATA002 skills[0].owner: unknown key",
        ),
    ],
)
def test_a_broken_link_or_key_fails_the_build_at_its_yaml_line(
    tmp_path: Path, old: str, new: str, line: int, message: str
):
    built, data = broken(tmp_path, old, new)
    assert f"{data}:{line}: WARNING: {message} [handbook.skills]" in built.warnings.splitlines()
    assert "undefined label" not in built.warnings
