"""The chapters' statistics are what the committed scripts compute.

``docs/_scripts/`` holds the scripts behind the statistical figures of the
chapters: the sample size of Relist's A/B test (``sample_size.py``), the A/A
peeking simulation (``aa_peeking.py``) and the audited-precision alert
(``audit_alert.py``).  Each test here runs a script's functions and finds the
figure in the chapter's sentence (one sentence a line), after putting in the
``{relist}`` facts as the build shows them; and each script's inputs must be the
facts of ``docs/_data/relist.yaml``, so that a number changed there fails here
until the script and the prose follow.
"""

from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path
from types import ModuleType

import pytest

from handbook.data import relist
from handbook.data.source import load
from handbook.paths import DOCS

SCRIPTS = DOCS / "_scripts"
ROLE = re.compile(r"\{relist\}`([^`]+)`")
WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def _script(name: str) -> ModuleType:
    """A script of docs/_scripts, imported from its file (it is not a package)."""
    spec = importlib.util.spec_from_file_location(f"content_{name}", SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sizes() -> ModuleType:
    return _script("sample_size")


@pytest.fixture(scope="module")
def peeking() -> ModuleType:
    return _script("aa_peeking")


@pytest.fixture(scope="module")
def audit() -> ModuleType:
    return _script("audit_alert")


class Facts:
    """docs/_data/relist.yaml as the build reads it: each fact's number and its text."""

    def __init__(self, path: Path) -> None:
        model, problems = relist.validate(load(path))
        assert model is not None and not problems, problems
        self.value = relist.values(model)
        self.text = {key: relist.render(model, key, self.value) for key in model.facts}

    def page(self, name: str) -> str:
        """A chapter's Markdown with every ``{relist}`key``` replaced by the fact's text."""
        source = (DOCS / name).read_text(encoding="utf-8")
        return ROLE.sub(lambda match: self.text[match.group(1)], source)


@pytest.fixture(scope="module")
def facts() -> Facts:
    return Facts(DOCS / "_data" / "relist.yaml")


def line_with(page: str, anchor: str) -> str:
    """The one line (one sentence) of ``page`` that contains ``anchor``."""
    found = [line for line in page.splitlines() if anchor in line]
    assert len(found) == 1, f"{len(found)} lines contain {anchor!r}"
    return found[0]


# -- docs/_scripts/sample_size.py and docs/ds/experiments.md ---------------------------


def test_the_sample_size_script_uses_relists_facts(sizes, facts):
    value = facts.value
    assert pytest.approx(value["sell_through_baseline"] / 100) == sizes.P1
    assert pytest.approx(value["mde_points"] / 100) == sizes.DELTA
    assert value["seller_listings_m"] == sizes.M
    assert value["seller_correlation_rho"] == sizes.RHO
    assert value["new_listings_per_day"] == sizes.NEW_LISTINGS_PER_DAY
    assert pytest.approx(value["arm_share"] / 100) == sizes.ARM_SHARE
    assert value["enrolment_days"] == sizes.DAYS
    assert pytest.approx(value["completion_baseline"] / 100) == sizes.COMPLETION
    assert pytest.approx(value["completion_guardrail_points"] / 100) == sizes.COMPLETION_LIMIT
    assert sizes.design_effect() == pytest.approx(value["design_effect"])
    assert sizes.planned_per_arm() == pytest.approx(value["listings_per_arm"])


def test_the_completion_facts_agree_with_the_script(sizes, facts):
    """relist.yaml derives the guardrail's interval itself; it must be the script's."""
    se = 100 * sizes.completion_se(sizes.planned_per_arm(), sizes.design_effect())
    z = sizes.z(1 - sizes.ALPHA / 2)
    assert facts.value["completion_se_points"] == round(se, 3)
    assert facts.value["completion_half_width_points"] == round(z * se, 2)
    assert facts.value["completion_detectable_points"] == round((z + sizes.z(sizes.POWER)) * se, 2)


def test_experiments_states_the_steps_of_the_sample_size(sizes, facts):
    page = facts.page("ds/experiments.md")
    z_a, z_b = sizes.z(1 - sizes.ALPHA / 2), sizes.z(sizes.POWER)
    p1, delta = sizes.P1, sizes.DELTA
    p2 = p1 + delta
    variance = p1 * (1 - p1) + p2 * (1 - p2)
    n, deff = sizes.n_iid(), sizes.design_effect()
    n_arm = math.ceil(n * deff)

    assert f"p1 = {p1}" in line_with(page, "- Baseline rate p1")
    assert f"p2 = {p2:.2f}" in line_with(page, "- Treatment rate to detect")
    assert f"delta = {delta}" in line_with(page, "- Treatment rate to detect")
    assert f"is {z_a:.4f}." in line_with(page, "- z at 0.975 is")
    assert f"is {z_b:.4f}." in line_with(page, "- z at 0.80 is")
    both = line_with(page, "- Their sum is 2")
    assert f"sum is {z_a + z_b:.4f}" in both
    assert f"square is {(z_a + z_b) ** 2:.4f}" in both
    assert f"= {p1 * (1 - p1):.4f}." in line_with(page, "- p1(1 − p1) =")
    assert f"= {p2 * (1 - p2):.4f}." in line_with(page, "- p2(1 − p2) =")
    assert f"sum is {variance:.4f}." in line_with(page, "- Their sum is 0")

    step4 = line_with(page, "- n = ")
    assert f"= {(z_a + z_b) ** 2 * variance / delta**2:,.1f}," in step4
    assert f"**{n:,} listings per arm**, or {2 * n:,} in total" in step4
    assert f"gives {sizes.n_iid_pooled():,}," in line_with(page, "pools the two proportions")

    step5 = line_with(page, "- n per arm = ")
    assert f"= {n:,} × {deff}" in step5
    assert f"**{n_arm:,} listings per arm**, or {2 * n_arm:,} listings in total" in step5
    assert f"DEFF = 1 + ({sizes.M} − 1) × {sizes.RHO} = **{deff}**" in page

    step6 = line_with(page, "If every seller were in the test")
    days = 2 * n_arm / sizes.NEW_LISTINGS_PER_DAY
    assert f"the {2 * n_arm:,} listings would arrive in {2 * n_arm:,} / " in step6
    assert f"≈ {days:.2f} days." in step6
    per_day = n_arm / sizes.DAYS
    daily = line_with(page, "days, each arm needs")
    assert f"{n_arm:,} / {sizes.DAYS} ≈ {per_day:,.0f} listings a day" in daily
    assert f"≈ {per_day / sizes.NEW_LISTINGS_PER_DAY:.1%} of daily listings" in daily


def test_experiments_states_the_power_of_the_planned_test(sizes, facts):
    page = facts.page("ds/experiments.md")
    planned, deff = sizes.planned_per_arm(), sizes.design_effect()
    margin = line_with(page, "the smallest lift detectable at 80% power")
    assert f"{planned:,.0f} listings per arm and DEFF = {deff}" in margin
    assert f"is {sizes.power(planned, deff):.2f} and" in margin
    assert f"about {100 * sizes.detectable(planned, deff):.2f} points." in margin
    stress = line_with(page, "If rho turned out to be")
    deff_2 = sizes.design_effect(rho=0.10)
    assert f"DEFF would be {deff_2:.1f}" in stress
    assert f"power would still be {sizes.power(planned, deff_2):.2f}" in stress
    assert f"rho up to about {sizes.largest_rho(planned):.2f} before" in stress

    figure = line_with(page, ":alt: Two power curves")
    n_arm = math.ceil(sizes.n_iid() * deff)
    assert f"{n_arm:,} listings per arm reaching power {sizes.POWER:.2f}" in figure
    assert f"{planned:,.0f} listings per arm reaching {sizes.power(planned, deff):.2f}" in figure

    naive = line_with(page, "using the naive listing-level test")
    assert f"about {sizes.naive_false_positives(deff):.0%} of the time" in naive


def test_experiments_states_the_size_of_the_completion_guardrail(sizes, facts):
    page = facts.page("ds/experiments.md")
    planned, deff = sizes.planned_per_arm(), sizes.design_effect()
    chance = f"{sizes.completion_power(planned, deff):.0%}"
    assert f"with probability {chance}." in line_with(page, "would come out significant")
    assert f"probability of {chance}." in line_with(page, "protects a harmless release")
    z_sum = sizes.z(1 - sizes.ALPHA / 2) + sizes.z(sizes.POWER)
    assert f"is {z_sum:.4f} × " in line_with(page, "The smallest fall the test detects")


def test_experiments_reproduces_the_script_it_shows(facts):
    """The chapter shows the committed script itself, not a copy that could drift."""
    page = facts.page("ds/experiments.md")
    assert "```{literalinclude} /_scripts/sample_size.py" in page


# -- docs/_scripts/aa_peeking.py and docs/ds/experiments.md ----------------------------


def test_the_peeking_simulation_uses_relists_facts(peeking, facts):
    assert facts.value["listings_per_arm_per_day"] == peeking.LISTINGS_PER_ARM_PER_DAY
    assert pytest.approx(facts.value["sell_through_baseline"] / 100) == peeking.RATE


def test_experiments_states_what_the_peeking_simulation_finds(peeking, facts):
    """The script's full run (its fixed size and seed) takes about half a second."""
    share = peeking.share_declaring_a_winner()
    sentence = line_with(facts.page("ds/experiments.md"), "In our own simulation of")
    assert f"{peeking.TESTS:,} A/A tests" in sentence
    assert f"{peeking.LISTINGS_PER_ARM_PER_DAY:,} listings per arm a day" in sentence
    assert f"for {peeking.DAYS} days" in sentence
    assert f"first p < {peeking.ALPHA}" in sentence
    assert f", {share:.0%} declared a winner" in sentence


# -- docs/_scripts/audit_alert.py, docs/swe/operating.md, docs/pm/human-in-the-loop.md -


def test_the_audit_script_uses_relists_facts(audit, facts):
    value = facts.value
    assert value["auto_audit_per_day"] == audit.AUDITS_PER_DAY
    assert value["auto_audit_window_days"] == audit.WINDOW_DAYS
    assert pytest.approx(value["auto_precision"] / 100) == audit.PRECISION
    assert pytest.approx(value["auto_audit_alert_threshold"] / 100) == audit.THRESHOLD
    assert pytest.approx(value["auto_audit_drop_example"] / 100) == audit.DROP


def test_operating_states_the_alerts_false_alarm_rate_and_speed(audit, facts):
    page = facts.page("swe/operating.md")
    wait = round(audit.old_rule_days_between_false_tickets())
    old_rule = line_with(page, "would fire by chance about once every")
    assert f"about once every {WORDS.get(wait, wait)} days" in old_rule
    chance = line_with(page, "one daily check fires by chance")
    assert f"probability {audit.false_alarm_per_check():.3%}" in chance
    per_year = audit.false_alarms_per_year()
    assert f"at most {per_year:.2f} false tickets a year" in chance
    assert per_year < 0.5, "the text says: fewer than one every two years"
    speed = line_with(page, "if precision drops overnight")
    assert f"second day with probability {audit.detection_on_day(2):.0%}" in speed
    assert f"third day with at least {audit.detection_on_day(3):.0%}" in speed


def test_the_two_chapters_give_the_audit_the_same_size_and_interval(facts):
    """The alert and the audit's sizing state the same volume, window and interval."""
    shared = [
        facts.text["auto_audit_share"],
        facts.text["auto_audit_per_day"],
        facts.text["auto_audit_per_window"],
        facts.text["auto_audit_window_half_width_points"],
        facts.text["auto_audit_alert_threshold"],
    ]
    for name in ("swe/operating.md", "pm/human-in-the-loop.md"):
        page = facts.page(name)
        for text in shared:
            assert text in page, f"{name} does not state {text}"
