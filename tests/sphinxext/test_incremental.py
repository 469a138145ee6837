"""handbook.sphinxext.incremental: after any edit, incremental builds write what clean ones do.

The book ``tests/roots/test-incremental`` is built once; each test restores
that build (same paths, same file times), makes one edit, rebuilds
incrementally, builds the edited book from scratch next to it, and compares
every HTML page and the sitemap byte for byte.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

from handbook.sphinxext import fastnav

ROOT_NAME = "test-incremental"

pytestmark = [
    pytest.mark.sphinx,
    # sphinx-book-theme 1.4 uses APIs Sphinx 11 removes; not ours to fix
    pytest.mark.filterwarnings(
        "ignore::sphinx.deprecation.RemovedInSphinx11Warning:sphinx_book_theme._transforms"
    ),
]


@dataclass
class Book:
    """Where the book and its builds live; the same paths for every test."""

    base: Path
    pristine: Path

    @property
    def srcdir(self) -> Path:
        return self.base / "src"

    @property
    def builddir(self) -> Path:
        return self.base / "build"

    @property
    def outdir(self) -> Path:
        return self.builddir / "html"

    def restore(self) -> None:
        """Put back the source and the first build exactly as they were."""
        if self.base.exists():
            shutil.rmtree(self.base)
        shutil.copytree(self.pristine, self.base, copy_function=shutil.copy2)


def run(srcdir: Path, builddir: Path, *, parallel: int = 0) -> str:
    """Build (incrementally, if ``builddir`` holds a build); return the warnings."""
    app = SphinxTestApp("html", srcdir=srcdir, builddir=builddir, parallel=parallel)
    try:
        app.build()
    finally:
        app.cleanup()
    return re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())


@pytest.fixture(scope="module")
def book(rootdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Book]:
    work = tmp_path_factory.mktemp("incremental")
    built = Book(work / "book", work / "pristine")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(fastnav.ENV_VAR, raising=False)
        shutil.copytree(rootdir / ROOT_NAME, built.srcdir)
        assert run(built.srcdir, built.builddir) == ""
        shutil.copytree(built.base, built.pristine, copy_function=shutil.copy2)
        yield built


@pytest.fixture
def fresh(book: Book, monkeypatch: pytest.MonkeyPatch) -> Book:
    monkeypatch.delenv(fastnav.ENV_VAR, raising=False)
    book.restore()
    return book


def site(outdir: Path) -> dict[str, bytes]:
    """Every HTML page and the sitemap, by path."""
    files = [*sorted(outdir.rglob("*.html")), outdir / "sitemap.xml"]
    return {path.relative_to(outdir).as_posix(): path.read_bytes() for path in files}


def assert_incremental_equals_clean(book: Book, *, parallel: int = 0) -> dict[str, bytes]:
    """Rebuild incrementally, build the same source from scratch, compare."""
    run(book.srcdir, book.builddir, parallel=parallel)
    run(book.srcdir, book.base / "clean")
    incremental, clean = site(book.outdir), site(book.base / "clean" / "html")
    assert sorted(incremental) == sorted(clean)
    differing = [name for name in clean if incremental[name] != clean[name]]
    assert differing == []
    return clean


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


# -- the edits -------------------------------------------------------------------


def retitle_chapter(src: Path) -> None:
    edit(src / "part-a" / "second.md", "# Second chapter", "# Second chapter, retitled")


def retitle_orphan(src: Path) -> None:
    edit(src / "orphan.md", "# An orphan page", "# A lonely page")


def rename_section(src: Path) -> None:
    edit(src / "part-a" / "second.md", "## Details of the second chapter", "## Fine print")


def reorder_toctree(src: Path) -> None:
    edit(src / "part-a" / "index.md", "first\nsecond\n", "second\nfirst\n")


def recaption_toctree(src: Path) -> None:
    edit(src / "index.md", ":caption: Parts", ":caption: The two parts")


def add_page(src: Path) -> None:
    (src / "part-b" / "extra.md").write_text("# An extra chapter\n\nNew.\n", encoding="utf-8")
    edit(src / "part-b" / "index.md", "only\n", "only\nextra\n")


def remove_page(src: Path) -> None:
    (src / "part-b" / "only.md").unlink()
    edit(src / "part-b" / "index.md", "```{toctree}\nonly\n```\n", "No chapters yet.\n")


def change_bib_entry(src: Path) -> None:
    """The cited work's author and title: the citing page and the reading list change."""
    edit(src / "refs.bib", "author = {Alpha, Ann}", "author = {Alphonse, Ann}")
    edit(src / "refs.bib", "title = {Shipping Models}", "title = {Shipping Models Safely}")


EDITS: dict[str, Callable[[Path], None]] = {
    "title of a chapter": retitle_chapter,
    "title of an orphan page": retitle_orphan,
    "title of a referenced section": rename_section,
    "toctree order": reorder_toctree,
    "toctree caption": recaption_toctree,
    "page added": add_page,
    "page removed": remove_page,
    "bib entry": change_bib_entry,
}


@pytest.mark.parametrize("name", EDITS)
def test_incremental_build_equals_clean_build(fresh: Book, name: str):
    EDITS[name](fresh.srcdir)
    assert_incremental_equals_clean(fresh)


def test_parallel_incremental_build_equals_clean_build(fresh: Book):
    retitle_chapter(fresh.srcdir)
    clean = assert_incremental_equals_clean(fresh, parallel=2)
    assert "Second chapter, retitled" in clean["part-b/only.html"].decode()


def test_page_added_then_removed(fresh: Book):
    add_page(fresh.srcdir)
    assert_incremental_equals_clean(fresh)
    shutil.rmtree(fresh.base / "clean")
    (fresh.srcdir / "part-b" / "extra.md").unlink()
    edit(fresh.srcdir / "part-b" / "index.md", "only\nextra\n", "only\n")
    clean = assert_incremental_equals_clean(fresh)
    assert "part-b/extra.html" not in clean  # and the incremental output lost it too


def written_pages(book: Book, change: Callable[[Path], None]) -> set[str]:
    """The documents an incremental build rewrites after ``change``."""
    before = {path: path.stat().st_mtime_ns for path in book.outdir.rglob("*.html")}
    change(book.srcdir)
    run(book.srcdir, book.builddir)
    after = {path: path.stat().st_mtime_ns for path in book.outdir.rglob("*.html")}
    generated = {"genindex", "search"}
    return {
        path.relative_to(book.outdir).with_suffix("").as_posix()
        for path, mtime in after.items()
        if before.get(path) != mtime
    } - generated


def test_a_body_edit_rewrites_only_that_page_and_its_parent(fresh: Book):
    written = written_pages(
        fresh, lambda src: edit(src / "part-a" / "second.md", "More text.", "More words.")
    )
    # part-a/index lists part-a/second: Sphinx itself rewrites the parent
    assert written == {"part-a/second", "part-a/index"}


def test_a_title_edit_rewrites_every_page(fresh: Book):
    written = written_pages(fresh, retitle_chapter)
    pages = {
        path.relative_to(fresh.srcdir).with_suffix("").as_posix()
        for path in fresh.srcdir.rglob("*.md")
    }
    assert written == pages


def test_an_orphan_title_edit_rewrites_the_pages_that_name_it(fresh: Book):
    written = written_pages(fresh, retitle_orphan)
    assert written == {"orphan", "part-a/first", "part-a/index"}


def test_removed_page_output_is_deleted(fresh: Book):
    remove_page(fresh.srcdir)
    run(fresh.srcdir, fresh.builddir)
    assert not (fresh.outdir / "part-b" / "only.html").exists()
    assert [path.name for path in (fresh.outdir / "part-b").iterdir()] == ["index.html"]
