"""The interface's words in the reader's language.

What our extensions and templates write (feedback links, labels, sentences
with links in them, the theme's words its catalogues lack) goes through
Sphinx's ``sphinx`` message domain: a tiny root (``tests/roots/test-ui-translations``,
with the handbook's own templates) built in Japanese shows its catalogue's
words and in English the same pages as ever; and the handbook's catalogue,
``docs/locales/ja/LC_MESSAGES/sphinx.po``, translates every word the code and
the templates mark.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import time
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp
from sphinxext_support import Built, build_root, plain

from handbook.paths import DOCS, ROOT
from handbook.vocabulary import ROLE_NAMES, ROLES

pytestmark = [
    pytest.mark.sphinx,
    # sphinx-book-theme 1.4 uses an API Sphinx 11 removes; not ours to fix
    pytest.mark.filterwarnings(
        "ignore::sphinx.deprecation.RemovedInSphinx11Warning:sphinx_book_theme._transforms"
    ),
]
ROOTS = ROOT / "tests" / "roots"
CATALOGUE = DOCS / "locales" / "ja" / "LC_MESSAGES" / "sphinx.po"
EXTENSIONS = ROOT / "tools" / "handbook" / "sphinxext"
#: Our templates: the theme's overrides and the extensions' own.
TEMPLATES = (DOCS / "_templates", EXTENSIONS / "templates")
#: ``{name}`` (str.format) and ``%(name)s`` (the themes' templates).
PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)s")


@pytest.fixture(scope="module")
def japanese(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_root(ROOTS, "test-ui-translations", tmp_path_factory.mktemp("ja"))


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_root(ROOTS, "test-ui-translations", tmp_path_factory.mktemp("en"), language="en")


def soup(site: Built, page: str) -> BeautifulSoup:
    return BeautifulSoup(site.html(page), "html.parser")


def feedback(site: Built) -> tuple[str, list[str]]:
    box = soup(site, "swe/ship").select_one(".handbook-feedback")
    assert box is not None
    lead = box.select_one(".handbook-feedback__lead")
    assert lead is not None
    return lead.get_text(), [a.get_text() for a in box.select("a")]


def retired(site: Built) -> BeautifulSoup:
    item = soup(site, "all-checks").select_one("ul.handbook-checks-retired > li")
    assert item is not None
    return item


# -- the tiny root, in Japanese and in English -------------------------------------------


def test_both_builds_are_clean(japanese: Built, english: Built):
    assert japanese.warnings == ""
    assert english.warnings == ""


def test_the_feedback_links_are_in_the_pages_language(japanese: Built, english: Built):
    assert feedback(japanese) == (
        "このページに誤りや分かりにくい点はありませんか？",
        ["編集を提案", "問題を報告"],
    )
    assert feedback(english) == (
        "Something wrong or unclear on this page?",
        ["Suggest an edit", "Report a problem"],
    )


def test_a_sentence_keeps_its_links_in_the_translations_order(japanese: Built, english: Built):
    ja, en = retired(japanese), retired(english)
    assert ja.get_text(" ", strip=True) == (
        "SWE-SHIP-1 に統合されたチェック: SWE-SHIP-2 。 Said the same as SWE-SHIP-1."
    )
    assert en.get_text(" ", strip=True) == (
        "SWE-SHIP-2 was merged into SWE-SHIP-1 . Said the same as SWE-SHIP-1."
    )
    for item in (ja, en):
        assert item.select_one("strong").get_text() == "SWE-SHIP-2"
        assert item.select_one("a")["href"] == "#swe-ship-1"


def test_the_checks_words_are_in_the_pages_language(japanese: Built, english: Built):
    ja, en = soup(japanese, "swe/ship"), soup(english, "swe/ship")
    assert ja.select_one("a.handbook-check-id")["title"] == (
        "「すべてのチェック」ページの SWE-SHIP-1（章が編集されても変わらないリンク）"
    )
    assert en.select_one("a.handbook-check-id")["title"] == (
        "SWE-SHIP-1 on the All checks page: the link that outlives edits"
    )
    downloads = [
        a.get_text() for a in soup(japanese, "all-checks").select(".handbook-checks-downloads a")
    ]
    assert downloads == [
        "ソフトウェアエンジニア（Markdown）",
        "Product manager（Markdown）",  # the root's catalogue leaves the role's name out
        "Data scientist（Markdown）",
    ]
    assert japanese.text("_downloads/checks/checks-swe.md").startswith(
        "# ソフトウェアエンジニアのためのチェック\n"
    )
    assert english.text("_downloads/checks/checks-swe.md").startswith(
        "# Checks for the software engineer\n"
    )


def test_a_translated_checklist_heading_keeps_its_checks(japanese: Built):
    """The Checklist is found by its source's words, which a translated title keeps."""
    checks = soup(japanese, "swe/ship").select("li.handbook-check")
    assert [check["id"] for check in checks] == ["swe-ship-1"]
    assert checks[0].find_parent("section").find("h2").get_text().startswith("チェックリスト")


def test_a_word_the_catalogue_leaves_out_stays_english(japanese: Built):
    description = soup(japanese, "search").select_one('meta[name="description"]')
    assert description["content"] == (
        "Search UI: every chapter, the glossary and the reading list."
    )


def test_the_templates_and_the_sidebar_speak_the_pages_language(japanese: Built, english: Built):
    ja, en = soup(japanese, "swe/ship"), soup(english, "swe/ship")
    toggle = "button.primary-toggle[title]"  # the book theme's, in the article's header
    assert ja.select_one(toggle)["title"] == "ナビゲーションの表示を切り替え"
    assert en.select_one(toggle)["title"] == "Toggle primary sidebar"
    names = [s.get("aria-label") for s in ja.select(".bd-sidebar-primary summary")]
    assert "「Part I」のページを表示・非表示にする" in names
    names = [s.get("aria-label") for s in en.select(".bd-sidebar-primary summary")]
    assert "Show or hide the pages of Part I" in names


def test_the_book_themes_missing_words_come_from_sphinx_po(japanese: Built, english: Built):
    """The theme's catalogue lacks "Repository": ours gives it.  It has "Fullscreen
    mode": the theme's translation stays, whatever ours says."""
    ja, en = japanese.html("swe/ship"), english.html("swe/ship")
    assert "リポジトリ" in ja and ">Repository<" not in ja
    assert "全画面モード" in ja and "フルスクリーン" not in ja
    assert "Repository" in en and "Fullscreen mode" in en


def build(srcdir: Path, builddir: Path) -> Built:
    app = SphinxTestApp(
        "html",
        srcdir=srcdir,
        builddir=builddir,
        confoverrides={"language": "ja", "locale_dirs": ["locales/"]},
    )
    try:
        app.build()
    finally:
        app.cleanup()
    return Built(srcdir, Path(app.outdir), "", plain(app.warning.getvalue()))


def test_words_made_when_a_page_is_read_follow_a_changed_translation(tmp_path: Path):
    """A worksheet's labels are in its page's doctree: the page depends on ``sphinx.po``,
    so an incremental build re-reads it when a translation changes."""
    srcdir = tmp_path / "src"
    shutil.copytree(ROOTS / "test-worksheets", srcdir)
    catalogue = srcdir / "locales" / "ja" / "LC_MESSAGES" / "sphinx.po"
    catalogue.parent.mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
    catalogue.write_text(header + 'msgid "Filled-in example:"\nmsgstr "記入例:"\n', "utf-8")
    first = build(srcdir, tmp_path / "_build")
    assert first.warnings == ""
    assert "<strong>記入例:</strong>" in first.html("sheets/rollout-plan")
    time.sleep(0.01)  # a newer modification time
    catalogue.write_text(header + 'msgid "Filled-in example:"\nmsgstr "記入の例:"\n', "utf-8")
    # Python's gettext keeps a catalogue it has read, by path, for the process; a build
    # is a process of its own
    gettext._translations.clear()  # type: ignore[attr-defined]
    again = build(srcdir, tmp_path / "_build")
    assert "<strong>記入の例:</strong>" in again.html("sheets/rollout-plan")


# -- the handbook's catalogue ------------------------------------------------------------


def catalogue() -> dict[str, str]:
    with CATALOGUE.open("rb") as file:
        read = read_po(file)
    return {str(message.id): str(message.string) for message in read if message.id}


def marked_in_python() -> dict[str, str]:
    """Every ``_("...")`` of the extensions, with its place.  Babel reads the calls;
    on Python < 3.12 it cannot see into f-strings, which ``ast`` can."""
    found: dict[str, str] = {}
    for path in sorted(EXTENSIONS.rglob("*.py")):
        place = path.relative_to(ROOT).as_posix()
        for line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords={"_": None}
        ):
            found.setdefault(str(message), f"{place}:{line}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{place}:{node.lineno}")
    return found


def marked_in_templates() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(path for folder in TEMPLATES for path in folder.glob("*.html")):
        place = path.relative_to(ROOT).as_posix()
        for line, message, _comments, _context in extract_from_file(
            "jinja2.ext:babel_extract", str(path), keywords={"_": None}
        ):
            found.setdefault(str(message), f"{place}:{line}")
    return found


def test_every_message_of_the_handbooks_catalogue_is_translated():
    untranslated = [msgid for msgid, msgstr in catalogue().items() if not msgstr.strip()]
    assert untranslated == []


def test_every_translation_keeps_its_placeholders():
    wrong = {
        msgid: msgstr
        for msgid, msgstr in catalogue().items()
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr))
    }
    assert wrong == {}


def test_every_word_the_extensions_mark_is_in_the_catalogue():
    marked = marked_in_python()
    assert "Suggest an edit" in marked  # the extraction works
    missing = {msgid: place for msgid, place in marked.items() if msgid not in catalogue()}
    assert missing == {}


def test_every_word_the_templates_mark_is_in_the_catalogue():
    marked = marked_in_templates()
    assert "Something wrong or unclear on this page?" in marked  # the extraction works
    missing = {msgid: place for msgid, place in marked.items() if msgid not in catalogue()}
    assert missing == {}


def test_the_extensions_role_names_are_the_vocabularys(english: Built):
    """``_words.role_name`` in English is :data:`handbook.vocabulary.ROLE_NAMES`."""
    downloads = [
        a.get_text() for a in soup(english, "all-checks").select(".handbook-checks-downloads a")
    ]
    assert downloads == [f"{ROLE_NAMES[role]} (Markdown)" for role in ROLES]


def test_the_root_is_a_copy_of_the_handbooks_words():
    """The tiny root's translations are the handbook's (but for the two that test order
    and the theme): a change of wording shows up in both."""
    ours = catalogue()
    with (ROOTS / "test-ui-translations" / "locales" / "ja" / "LC_MESSAGES" / "sphinx.po").open(
        "rb"
    ) as file:
        root = {str(m.id): str(m.string) for m in read_po(file) if m.id}
    special = {"{check} was merged into {other}.", "Fullscreen mode"}
    differ = {
        msgid: (msgstr, ours.get(msgid))
        for msgid, msgstr in root.items()
        if msgid not in special and ours.get(msgid) != msgstr
    }
    assert differ == {}
