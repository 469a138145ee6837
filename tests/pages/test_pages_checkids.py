"""Check IDs in check-pages: every rule's exact message, and the real handbook clean.

The fixture ``swe/check-ids.md`` breaks every rule once; its chapter is recorded
in ``fixtures/docs/_data/checks.yaml`` with ``issued: 8`` and two retired IDs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook.data import checks as checkids
from handbook.pages.checks import check_paths, discover, main
from handbook.paths import DOCS

FIXTURES = Path(__file__).parent / "fixtures" / "docs"


def test_each_rule_says_what_is_wrong_and_what_to_write(monkeypatch, capsys):
    monkeypatch.chdir(FIXTURES)
    assert main(["--docs", ".", "swe/check-ids.md"]) == 1
    found = [line for line in capsys.readouterr().out.splitlines() if "PAGE02" in line]
    assert found == [
        (
            "swe/check-ids.md:13: PAGE022 `{check}` names `SWE-IDS-2`, which is retired; link "
            "`SWE-IDS-1`, which it went into"
        ),
        "swe/check-ids.md:13: PAGE022 `{check}` names `SWE-IDS-3`, which is retired",
        "swe/check-ids.md:13: PAGE022 `{check}` names `SWE-IDS-99`, which was never issued",
        "swe/check-ids.md:13: PAGE022 `{check}` needs a check ID, like SWE-SHIP-4, not `swe-ids-1`",
        (
            "swe/check-ids.md:19: PAGE021 `SWE-IDS-4` was issued but is not in the "
            "checklist: retire "
            "it in docs/_data/checks.yaml (with `merged_into` if it went into "
            "another check), or put "
            "it back"
        ),
        (
            "swe/check-ids.md:19: PAGE021 `SWE-IDS-7` was issued but is not in the "
            "checklist: retire "
            "it in docs/_data/checks.yaml (with `merged_into` if it went into "
            "another check), or put "
            "it back"
        ),
        (
            "swe/check-ids.md:22: PAGE020 checklist item has no ID: start it "
            "`SWE-IDS-9: ` and raise "
            "`issued` of swe/check-ids to 9 in docs/_data/checks.yaml"
        ),
        (
            "swe/check-ids.md:23: PAGE020 `SWE-IDS-01` is not a check ID: write the part, the "
            "chapter's code and a number, like `SWE-IDS-1`"
        ),
        (
            "swe/check-ids.md:24: PAGE020 `swe-ids-4` is not a check ID: write the part, the "
            "chapter's code and a number, like `SWE-IDS-1`"
        ),
        "swe/check-ids.md:25: PAGE020 `SWE-GOOD-4` is not this chapter's: its IDs start `SWE-IDS-`",
        (
            "swe/check-ids.md:26: PAGE020 `SWE-IDS-9` is above the last number issued, 8: raise "
            "`issued` of swe/check-ids to 9 in docs/_data/checks.yaml"
        ),
        "swe/check-ids.md:28: PAGE020 `SWE-IDS-5` is given twice (first on line 27)",
        (
            "swe/check-ids.md:29: PAGE021 `SWE-IDS-2` is retired (merged into SWE-IDS-1): IDs are "
            "never reused; give this item `SWE-IDS-9`"
        ),
        (
            "swe/check-ids.md:31: PAGE020 checklist item has no ID: start it `SWE-IDS-10: ` and "
            "raise `issued` of swe/check-ids to 10 in docs/_data/checks.yaml"
        ),
    ]


def test_every_checklist_item_of_the_handbook_has_its_id_and_every_id_is_accounted_for():
    findings, errors = check_paths(DOCS, discover(DOCS))
    assert errors == []
    assert [f for f in findings if f.code in {"PAGE020", "PAGE021", "PAGE022"}] == []
    record = checkids.read(DOCS / "_data" / "checks.yaml")
    assert record is not None
    # every chapter with a checklist is recorded, and only those
    chapters = {
        path.relative_to(DOCS).with_suffix("").as_posix()
        for path in DOCS.glob("*/*.md")
        if "\n## Checklist\n" in path.read_text(encoding="utf-8")
    }
    assert set(record.by_page()) == chapters


@pytest.mark.parametrize(
    ("text", "token", "text_after"),
    [
        ("[ ] SWE-SHIP-4: Roll back.", "SWE-SHIP-4", "Roll back."),
        ("[ ] Roll back: first.", None, "Roll back: first."),
        ("[ ] swe-ship-4: Roll back.", "swe-ship-4", "Roll back."),
        ("[ ] A/B-test: the plan.", None, "A/B-test: the plan."),
    ],
)
def test_an_items_id_is_what_its_author_meant_as_one(text, token, text_after):
    item = checkids.parse_item(text)
    assert (item.box, item.token, item.text) == (True, token, text_after)
    assert item.id == (token if token == "SWE-SHIP-4" else None)
