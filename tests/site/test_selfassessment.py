"""The self-assessment page, driven in Chromium as a reader would drive it.

Skills are rated through their fieldsets' legends and the radio buttons'
labels; every number the page shows is compared with the formulas of the
page's "How the numbers are worked out", computed here in exact fractions
from the same ``docs/_data/skills.yaml``.
"""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from browser import AXE, axe, set_scheme
from playwright.sync_api import Page, expect

from handbook.data.cli import main as check_data
from handbook.paths import DOCS
from handbook.vocabulary import ROLES

pytestmark = pytest.mark.browser

PAGE = "skills/self-assessment.html"
DATA = yaml.safe_load((DOCS / "_data" / "skills.yaml").read_text(encoding="utf-8"))
LEVELS = ["Not yet", *(level["name"] for level in DATA["levels"])]
SKILLS = [s for s in DATA["skills"] if not s.get("retired")]
ROLE_NAMES = {"swe": "Software engineer", "pm": "Product manager", "ds": "Data scientist"}


# -- The formulas, exactly -------------------------------------------------------------


def half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def expected(ratings: dict[str, int], target: tuple[int, int, int] = (40, 30, 30)) -> dict:
    """Coverage %, mix % and the weakest third, as the page defines them."""
    top = len(LEVELS) - 1
    coverage = {}
    for role in ROLES:
        mine = [s for s in SKILLS if s["role"] == role]
        coverage[role] = Fraction(sum(ratings.get(s["id"], 0) for s in mine), top * len(mine))
    total = sum(coverage.values())
    mix = None
    if ratings and total:
        shares = {role: 100 * coverage[role] / total for role in ROLES}
        mix = {role: math.floor(share) for role, share in shares.items()}
        left = 100 - sum(mix.values())
        by_remainder = sorted(ROLES, key=lambda r: (-(shares[r] - mix[r]), ROLES.index(r)))
        for role in by_remainder[:left]:
            mix[role] += 1
    priority = {role: t * (1 - coverage[role]) for role, t in zip(ROLES, target, strict=True)}
    best = max(priority.values())
    weakest = next(r for r in ROLES if priority[r] == best) if best > 0 else None
    return {
        "coverage": {r: half_up(100 * c) for r, c in coverage.items()},
        "mix": mix,
        "weakest": weakest,
    }


def test_the_formulas_here_agree_with_the_pages_own_examples():
    """The page says Senior everywhere gives a mix close to a third each."""
    senior = {s["id"]: 3 for s in SKILLS}
    got = expected(senior)
    assert got["coverage"] == {"swe": 75, "pm": 75, "ds": 75}
    assert got["mix"] == {"swe": 34, "pm": 33, "ds": 33}  # the tie goes to swe


# -- Driving the page ------------------------------------------------------------------


def rate(page: Page, ratings: dict[str, int]) -> None:
    names = {s["id"]: s["name"] for s in SKILLS}
    for ident, value in ratings.items():
        group = page.get_by_role("group", name=names[ident], exact=True)
        group.get_by_role("radio", name=LEVELS[value], exact=True).check()


def set_target(page: Page, target: tuple[int, int, int]) -> None:
    for role, value in zip(ROLES, target, strict=True):
        page.get_by_role("spinbutton", name=ROLE_NAMES[role], exact=True).fill(str(value))


def table(page: Page) -> dict[str, list[str]]:
    caption = page.locator("table caption", has_text="Your skill mix")
    rows = caption.locator("xpath=..").locator("tbody tr")
    found = {}
    for n in range(rows.count()):
        cells = [c.strip() for c in rows.nth(n).locator("th, td").all_inner_texts()]
        found[cells[0]] = cells[1:]
    return found


def checked(page: Page) -> dict[str, int]:
    return page.evaluate(
        """() => Object.fromEntries(Array.from(
            document.querySelectorAll('fieldset.sa-skill input:checked'),
            (input) => [input.closest('fieldset').dataset.saSkill, Number(input.value)]))"""
    )


def assert_results(page: Page, ratings: dict[str, int], target=(40, 30, 30)) -> dict:
    want = expected(ratings, target)
    rows = table(page)
    for role, t in zip(ROLES, target, strict=True):
        mix = f"{want['mix'][role]}%" if want["mix"] else ""
        assert rows[ROLE_NAMES[role]] == [f"{want['coverage'][role]}%", mix, f"{t}%"], role
    weakest = page.locator("[data-sa-weakest]").inner_text()
    if want["weakest"]:
        assert weakest.startswith(f"Your weakest third is {ROLE_NAMES[want['weakest']]}:")
    else:
        assert weakest.startswith("No gap carries any weight")
    return want


@pytest.fixture
def reader(visit):
    """A fresh reader (empty storage) on the self-assessment page."""
    v = visit()
    v.open(PAGE)
    return v


def test_before_anything_is_rated_the_page_says_so_instead_of_numbers(reader):
    page = reader.page
    expect(page.locator("[data-sa-state]")).to_have_text(
        "Nothing is rated yet: rate a skill to see your coverage and your mix."
    )
    targets = zip(ROLES, (40, 30, 30), strict=True)
    assert table(page) == {ROLE_NAMES[r]: ["", "", f"{t}%"] for r, t in targets}
    assert page.locator("[data-sa-chart] svg").count() == 0
    expect(page.locator("[data-sa-plan-state]")).to_have_text(
        "Rate some skills and your plan appears here."
    )
    rate(page, {SKILLS[0]["id"]: 0})
    expect(page.locator("[data-sa-state]")).to_have_text(
        "Every skill you have rated is at Not yet, so there is no mix to show yet."
    )
    assert table(page)[ROLE_NAMES["swe"]] == ["0%", "", "40%"]


def test_entry_everywhere_ties_are_broken_in_role_order(reader):
    """Equal coverage everywhere: 100/3 leaves one point, which goes to swe; then a target
    with equal priorities for pm and ds names pm, and the plan lists its first skills."""
    page = reader.page
    ratings = {s["id"]: 1 for s in SKILLS}
    rate(page, ratings)
    want = assert_results(page, ratings)
    assert want["mix"] == {"swe": 34, "pm": 33, "ds": 33}
    assert want["weakest"] == "swe"
    set_target(page, (0, 50, 50))
    want = assert_results(page, ratings, (0, 50, 50))
    assert want["weakest"] == "pm"
    items = page.locator("[data-sa-plan-list] > li")
    expect(items).to_have_count(3)
    first_pm = [s for s in SKILLS if s["role"] == "pm"][:3]
    for n, skill in enumerate(first_pm):
        item = items.nth(n)
        expect(item.locator("a.sa-plan-skill")).to_have_text(skill["name"])
        assert f"You now: {LEVELS[1]}. Next, at {LEVELS[2]}:" in item.inner_text()
        expect(item.locator("q")).to_have_text(skill["statements"][LEVELS[2]].replace("'", "’"))
        assert item.locator("p.handbook-skill-taught a").count() >= 1
        assert item.locator("p.handbook-skill-reading a").count() >= 1


def test_uneven_ratings_match_the_formulas_and_the_plan_takes_the_lowest(reader):
    page = reader.page
    ratings = {s["id"]: (n * 7) % 5 for n, s in enumerate(SKILLS) if n % 3}  # some unrated
    rate(page, ratings)
    want = assert_results(page, ratings)
    set_target(page, (20, 25, 55))
    want = assert_results(page, ratings, (20, 25, 55))
    weakest = want["weakest"]
    candidates = [
        (ratings.get(s["id"], 0), n, s)
        for n, s in enumerate(SKILLS)
        if s["role"] == weakest and ratings.get(s["id"], 0) < 4
    ]
    plan = [s["name"] for _, _, s in sorted(candidates, key=lambda c: c[:2])[:3]]
    assert page.locator("[data-sa-plan-list] a.sa-plan-skill").all_inner_texts() == plan


def test_full_coverage_where_the_target_looks_leaves_no_weakest_third(reader):
    page = reader.page
    ratings = {s["id"]: 4 for s in SKILLS if s["role"] == "swe"}
    rate(page, ratings)
    want = assert_results(page, ratings)
    assert want["mix"] == {"swe": 100, "pm": 0, "ds": 0} and want["weakest"] == "pm"
    set_target(page, (100, 0, 0))
    assert assert_results(page, ratings, (100, 0, 0))["weakest"] is None
    expect(page.locator("[data-sa-plan-state]")).to_have_text(
        "There is nothing to plan: no gap carries any weight."
    )


def test_a_target_that_does_not_add_up_to_100_is_named_and_waits(reader):
    page = reader.page
    rate(page, {SKILLS[0]["id"]: 2})
    set_target(page, (40, 30, 20))
    expect(page.locator("[data-sa-target-status]")).to_have_text(
        "Your target adds up to 90, not 100."
    )
    expect(page.locator("[data-sa-weakest]")).to_have_text(
        "Your weakest third waits until your target adds up to 100."
    )
    assert [row[2] for row in table(page).values()] == ["", "", ""]


def test_ratings_survive_a_reload(reader):
    page = reader.page
    ratings = {s["id"]: n % 5 for n, s in enumerate(SKILLS[::4])}
    rate(page, ratings)
    set_target(page, (50, 25, 25))
    page.reload()
    assert checked(page) == ratings
    assert_results(page, ratings, (50, 25, 25))


def test_kept_ratings_of_skills_no_longer_in_the_matrix_are_dropped(reader):
    page = reader.page
    saved = {
        "format": "handbook-self-assessment",
        "version": 1,
        "ratings": {SKILLS[1]["id"]: 3, "swe-no-longer-here": 2},
        "target": {"swe": 40, "pm": 30, "ds": 30},
    }
    page.evaluate("v => localStorage.setItem('handbook-self-assessment', v)", json.dumps(saved))
    page.reload()
    assert checked(page) == {SKILLS[1]["id"]: 3}


def test_export_and_import_round_trip(reader, tmp_path: Path):
    page = reader.page
    ratings = {s["id"]: (n % 4) + 1 for n, s in enumerate(SKILLS[:10])}
    rate(page, ratings)
    set_target(page, (30, 30, 40))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my ratings").click()
    saved = tmp_path / "mine.json"
    download.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data == {
        "format": "handbook-self-assessment",
        "version": 1,
        "ratings": ratings,
        "target": {"swe": 30, "pm": 30, "ds": 40},
    }
    page.get_by_role("button", name="Clear my ratings").click()
    expect(page.locator("[data-sa-status]")).to_have_text(
        "Your ratings are cleared, here and in this browser’s storage."
    )
    assert checked(page) == {}
    page.get_by_label("Load ratings from a file").set_input_files(str(saved))
    expect(page.locator("[data-sa-status]")).to_have_text("Loaded 10 ratings from the file.")
    assert checked(page) == ratings
    assert_results(page, ratings, (30, 30, 40))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "it is not a JSON file."),
        ('{"ratings": {}}', "it is not a file this page exported."),
        (
            json.dumps({"format": "handbook-self-assessment", "version": 1, "ratings": {"ID": 9}}),
            "the rating of NAME is not a whole number from 0 to 4.",
        ),
        (
            json.dumps(
                {
                    "format": "handbook-self-assessment",
                    "version": 1,
                    "ratings": {},
                    "target": {"swe": 50, "pm": 50, "ds": 50},
                }
            ),
            "its target does not add up to 100.",
        ),
    ],
    ids=["not-json", "not-ours", "bad-rating", "bad-target"],
)
def test_a_bad_import_file_is_named_and_changes_nothing(reader, tmp_path, content, reason):
    page = reader.page
    skill = SKILLS[5]
    rate(page, {SKILLS[0]["id"]: 2})
    stored = page.evaluate("localStorage.getItem('handbook-self-assessment')")
    bad = tmp_path / "bad.json"
    bad.write_text(content.replace("ID", skill["id"]), encoding="utf-8")
    page.get_by_label("Load ratings from a file").set_input_files(str(bad))
    expect(page.locator("[data-sa-status]")).to_have_text(
        "That file was not loaded, and nothing changed: " + reason.replace("NAME", skill["name"])
    )
    assert checked(page) == {SKILLS[0]["id"]: 2}
    assert page.evaluate("localStorage.getItem('handbook-self-assessment')") == stored


def test_a_link_carries_the_ratings_in_its_fragment_and_asks_before_replacing(visit):
    sender = visit()
    page = sender.open(PAGE)
    theirs = {SKILLS[0]["id"]: 4, SKILLS[20]["id"]: 1, SKILLS[40]["id"]: 0}
    rate(page, theirs)
    set_target(page, (34, 33, 33))
    page.get_by_role("button", name="Make a link with my ratings").click()
    link = page.get_by_label("A link that carries your ratings").input_value()
    parts = urlsplit(link)
    assert parts.path.endswith("/" + PAGE) and parts.query == ""
    assert parts.fragment.startswith("ratings=") and parts.fragment.endswith("&target=34,33,33")

    # a reader with nothing saved gets the ratings at once, and the fragment is dropped
    fresh = visit().page
    fresh.goto(link)
    expect(fresh.locator("[data-sa-status]")).to_have_text("Took 3 ratings from the link.")
    assert checked(fresh) == theirs
    assert fresh.evaluate("location.hash") == ""
    assert_results(fresh, theirs, (34, 33, 33))

    # a reader with ratings of their own is asked first
    mine = {SKILLS[3]["id"]: 2}
    owner = visit()
    page = owner.open(PAGE)
    rate(page, mine)
    page.goto(link)
    question = page.get_by_role("group", name="This link carries someone’s ratings", exact=False)
    expect(question).to_be_visible()
    expect(question).to_be_focused()
    assert checked(page) == mine
    question.get_by_role("button", name="Keep mine").click()
    expect(page.locator("[data-sa-status]")).to_have_text(
        "Your own ratings are kept; the link’s were not loaded."
    )
    expect(question).to_be_hidden()
    page.reload()
    assert checked(page) == mine
    page.goto(link)
    page.get_by_role("button", name="Replace mine with the link’s").click()
    assert checked(page) == theirs
    page.reload()
    assert checked(page) == theirs


def test_keyboard_alone_rates_a_skill_and_sets_the_target(reader):
    page = reader.page
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "sa-target-swe":
            break
    else:
        pytest.fail("Tab never reached the target's first field")
    page.keyboard.press("Control+A")
    page.keyboard.type("50")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("20")
    first = SKILLS[0]["id"]
    while page.evaluate("document.activeElement.name") != f"sa-{first}":
        page.keyboard.press("Tab")
    page.keyboard.press("Space")  # Not yet
    page.keyboard.press("ArrowDown")  # Entry
    page.keyboard.press("ArrowDown")  # Independent
    assert checked(page) == {first: 2}
    assert_results(page, {first: 2}, (50, 20, 30))
    expect(page.locator("[data-sa-live]")).to_contain_text(f"1 of {len(SKILLS)} skills rated.")
    while page.evaluate("document.activeElement.textContent") != "Make a link with my ratings":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_label("A link that carries your ratings")).to_be_focused()


def test_no_request_leaves_the_page_after_it_has_loaded(reader, tmp_path):
    page = reader.page
    page.wait_for_load_state("networkidle")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    rate(page, {s["id"]: 2 for s in SKILLS[:6]})
    set_target(page, (50, 30, 20))
    with page.expect_download():
        page.get_by_role("button", name="Download my ratings").click()
    page.get_by_role("button", name="Make a link with my ratings").click()
    page.get_by_role("button", name="Share my view").click()
    page.locator("[data-sa-plan-list] a").first.click()
    page.get_by_role("button", name="Clear my ratings").click()
    # Chromium fetches the tab's icon again after an in-page jump: the browser's request,
    # not the page's. The download is a blob: URL, made in the page.
    sent = [u for u in requests if not u.startswith("blob:") and not u.endswith("/favicon.svg")]
    assert sent == []
    assert reader.outside == [] and reader.failed == [] and reader.errors == []


def test_share_my_view_gives_a_mix_file_with_the_readers_target(reader, tmp_path, capsys):
    page = reader.page
    set_target(page, (45, 35, 20))
    page.get_by_role("button", name="Share my view").click()
    text = page.get_by_label("Your view of the right mix, as a file for the gallery").input_value()
    assert text.startswith("# A reader’s view of the ML engineer’s skill mix")
    data = yaml.safe_load(text)
    assert data["mix"] == {"swe": 45, "pm": 35, "ds": 20}
    assert list(data) == ["name", "title", "context", "years", "mix", "why"]
    assert data["name"] == "anonymous" and data["title"] == "" and data["why"] == ""

    # as it comes, check-data refuses it and names the fields to fill in; filled in, it passes
    folder = tmp_path / "mixes"
    folder.mkdir()
    blank = folder / "jane-doe.yaml"
    blank.write_text(text, encoding="utf-8")
    assert check_data([str(blank)]) == 1
    out = capsys.readouterr().out
    for field in ("title", "context.company", "context.team", "years", "why"):
        assert re.search(rf"jane-doe.yaml:\d+: DATA002 {re.escape(field)}\b", out), (field, out)
    filled = (
        text.replace('title: ""', "title: ML engineer")
        .replace('company: ""', "company: Online marketplace")
        .replace('team: ""', "team: Search ranking")
        .replace("years:", "years: 3")
        .replace('why: ""', "why: Shipping is where our models fail most.")
    )
    blank.write_text(filled, encoding="utf-8")
    assert check_data([str(blank)]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_after_rating_the_page_is_axe_clean_on_a_phone(visit, scheme):
    assert AXE.is_file(), "axe-core is missing: run 'npm ci' (make test does it)"
    v = visit(width=375, color_scheme=scheme)
    page = v.open(PAGE)
    set_scheme(page, scheme)
    rate(page, {s["id"]: n % 5 for n, s in enumerate(SKILLS[:12])})
    page.get_by_role("button", name="Make a link with my ratings").click()
    page.get_by_role("button", name="Share my view").click()
    page.locator("details.sa-learn summary").first.click()
    assert axe(page) == []
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client


def test_without_javascript_the_page_is_a_worksheet(browser, site):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + PAGE)
        assert page.locator("fieldset.sa-skill").count() == len(SKILLS)
        skill = SKILLS[0]
        group = page.get_by_role("group", name=skill["name"], exact=True)
        assert group.get_by_role("radio").count() == len(LEVELS)
        for level in LEVELS[1:]:
            statement = skill["statements"][level].replace("'", "’")  # typographic, as shown
            expect(group.get_by_text(statement, exact=True)).to_be_visible()
        expect(page.locator(".sa-worksheet")).to_be_visible()
        expect(page.locator("[data-sa-controls]")).to_be_hidden()
        expect(page.get_by_role("heading", name="How the numbers are worked out")).to_be_visible()
    finally:
        context.close()


def test_printing_shows_results_and_plan_but_not_the_buttons(reader):
    page = reader.page
    rate(page, {s["id"]: 1 for s in SKILLS[:5]})
    page.emulate_media(media="print")
    expect(page.locator("table.sa-table")).to_be_visible()
    expect(page.locator("[data-sa-plan-list] li").first).to_be_visible()
    expect(page.locator("[data-sa-controls]")).to_be_hidden()
