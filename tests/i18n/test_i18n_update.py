"""``handbook i18n update``: the catalogues refreshed from the English, with sphinx-intl.

Only the catalogues that exist and those named with ``--page`` are written; a
catalogue whose messages did not change is left as it is (its header too).
``tests/roots/test-i18n-changed`` holds, in ``_expected/``, the catalogues its
edited English must make of its catalogues.
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from handbook.data.translations import LOCALES
from handbook.i18n import catalogs
from handbook.i18n.cli import main
from handbook.paths import DOCS

EXTENSIONS = ("--extensions", "docs/_ext")
#: 2026-01-01 00:00 UTC: the date Sphinx gives the templates (SOURCE_DATE_EPOCH).
EPOCH = "1767225600"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["update", "--docs", "docs", *EXTENSIONS, *argv])
    out, err = capsys.readouterr()
    return status, out, err


def catalogues(docs: Path) -> dict[str, bytes]:
    folder = docs / "locales" / "ja" / "LC_MESSAGES"
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*")}


def messages(path: Path) -> list[tuple[str, str, bool]]:
    with path.open("rb") as stream:
        return [(m.id, m.string, m.fuzzy) for m in read_po(stream) if m.id]


def test_update_marks_a_changed_paragraph_fuzzy_and_adds_a_new_one(site, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    docs = site("changed")
    before = catalogues(docs)
    status, out, err = run(capsys, "--page", "extra")
    assert status == 0
    assert out.splitlines() == [
        "created docs/locales/ja/LC_MESSAGES/extra.po (2 messages)",
        "updated docs/locales/ja/LC_MESSAGES/guide.po (+1 -1)",
        "updated docs/locales/ja/LC_MESSAGES/index.po (+1 -0)",
    ]
    assert err == "handbook i18n update: ja: 1 created, 2 updated, 1 unchanged\n"
    after = catalogues(docs)
    assert sorted(after) == ["extra.po", "guide.po", "index.po", "sphinx.po"]
    for name in ("guide.po", "index.po"):
        assert after[name] == (docs / "_expected" / name).read_bytes(), name
    assert after["sphinx.po"] == before["sphinx.po"]  # its messages did not change
    extra = docs / "locales" / "ja" / "LC_MESSAGES" / "extra.po"
    assert messages(extra) == [("Extra", "", False), ("A page nobody translates yet.", "", False)]
    with extra.open("rb") as stream:
        created = read_po(stream)
    assert str(created.locale) == "ja"
    assert created.creation_date == datetime(2026, 1, 1, tzinfo=UTC)
    assert "\n#: " not in extra.read_text("utf-8")  # no locations (gettext_location = False)


def test_the_header_of_a_refreshed_catalogue_is_kept(site, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1893456000")  # 2030: not what guide.po says
    docs = site("changed")
    assert run(capsys)[0] == 0
    text = (docs / "locales" / "ja" / "LC_MESSAGES" / "guide.po").read_text("utf-8")
    assert '"POT-Creation-Date: 2026-01-01 00:00+0000\\n"' in text
    assert '"PO-Revision-Date: 2026-01-02 00:00+0000\\n"' in text
    assert '"Last-Translator: A Translator <translator@example.org>\\n"' in text


def test_update_with_nothing_new_writes_nothing(site, capsys):
    docs = site("complete")
    before = {
        name: (docs / "locales" / "ja" / "LC_MESSAGES" / name).stat() for name in catalogues(docs)
    }
    status, out, err = run(capsys)
    assert (status, out) == (0, "")
    assert err == "handbook i18n update: ja: 0 created, 0 updated, 3 unchanged\n"
    after = {
        name: (docs / "locales" / "ja" / "LC_MESSAGES" / name).stat() for name in catalogues(docs)
    }
    assert sorted(after) == ["guide.po", "index.po", "sphinx.po"]  # no extra.po
    assert all(after[name].st_mtime_ns == before[name].st_mtime_ns for name in after)


def test_a_page_may_be_named_as_its_file(site, capsys):
    docs = site("complete")
    status, out, _ = run(capsys, "--page", "docs/extra.md")
    assert status == 0
    assert out == "created docs/locales/ja/LC_MESSAGES/extra.po (2 messages)\n"
    assert (docs / "locales" / "ja" / "LC_MESSAGES" / "extra.po").is_file()


def test_the_sphinx_catalogue_has_the_templates_and_the_extensions_words(site, capsys):
    docs = site("complete")
    (docs / "locales" / "ja" / "LC_MESSAGES" / "sphinx.po").unlink()
    status, out, _ = run(capsys, "--page", "sphinx")
    assert status == 0
    assert out == "created docs/locales/ja/LC_MESSAGES/sphinx.po (3 messages)\n"
    # The template's words first, then the extension's, those inside an f-string too.
    assert messages(docs / "locales" / "ja" / "LC_MESSAGES" / "sphinx.po") == [
        ("Report a problem", "", False),
        ("Translation status", "", False),
        ("Read the English page", "", False),
    ]


def test_an_unknown_page_is_exit_2_and_writes_nothing(site, capsys):
    docs = site("complete")
    before = catalogues(docs)
    status, out, err = run(capsys, "--page", "extra", "gide")
    assert (status, out) == (2, "")
    assert err == "handbook i18n update: --page gide: no such page in docs (did you mean guide?)\n"
    assert catalogues(docs) == before


def test_no_catalogue_and_no_page_asked_is_said(site, capsys):
    docs = site("complete")
    for path in (docs / "locales" / "ja" / "LC_MESSAGES").iterdir():
        path.unlink()
    status, out, err = run(capsys)
    assert (status, out) == (0, "")
    assert err == (
        "handbook i18n update: no ja catalogue yet under docs/locales/ja/LC_MESSAGES; "
        "start one with --page PAGE\n"
    )


def test_a_broken_catalogue_is_exit_2_and_left_alone(site, capsys):
    docs = site("changed")
    po = docs / "locales" / "ja" / "LC_MESSAGES" / "guide.po"
    po.write_text(po.read_text("utf-8").replace('msgstr "ガイド"', 'msgstr "ガイド'), "utf-8")
    broken = po.read_bytes()
    status, out, err = run(capsys)
    assert (status, out) == (2, "")
    # babel alone would read it as "ガイ" and the refresh would write that back.
    assert err == (
        "docs/locales/ja/LC_MESSAGES/guide.po:23: INPUT not a gettext catalogue: "
        "a string without its closing quote\n"
    )
    assert po.read_bytes() == broken
    assert not (docs / "locales" / "ja" / "LC_MESSAGES" / "extra.po").exists()


def test_an_extension_that_is_not_python_is_exit_2(site, capsys):
    docs = site("complete")
    (docs / "_ext" / "broken.py").write_text("def f(:\n", "utf-8")
    status, _, err = run(capsys)
    assert status == 2
    assert err == "docs/_ext/broken.py:1: INPUT not Python: invalid syntax\n"


def test_the_extension_messages_of_the_handbook_are_found():
    found = catalogs.extension_messages(DOCS.parent / "tools" / "handbook" / "sphinxext")
    assert "Translation status" in found
    assert len(found) == len(set(found))


def test_the_catalogue_layout_is_docs_conf_pys():
    """One catalogue per page under ``locales/``: what data.translations and the roots assume."""
    tree = ast.parse((DOCS / "conf.py").read_text(encoding="utf-8"))
    values = {
        target.id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
        and target.id in {"locale_dirs", "gettext_compact", "gettext_location"}
    }
    assert values == {
        "locale_dirs": [f"{LOCALES}/"],
        "gettext_compact": False,
        "gettext_location": False,
    }


def test_extensions_that_are_not_there_are_exit_2(site, capsys):
    site("complete")
    assert run(capsys, "--extensions", "nowhere") == (
        2,
        "",
        "handbook i18n update: --extensions nowhere: no such folder\n",
    )


def test_the_extensions_words_make_a_sphinx_template_where_the_build_wrote_none():
    from babel.messages.catalog import Catalog

    page = Catalog(project="Fixture handbook", version="1.0")
    page.add("Guide")
    found = {"guide": page}
    catalogs.add_extension_messages(found, ["Translation status", "Guide"])
    assert sorted(found) == ["guide", "sphinx"]
    assert [m.id for m in found["sphinx"] if m.id] == ["Translation status", "Guide"]
    assert found["sphinx"].project == "Fixture handbook"
