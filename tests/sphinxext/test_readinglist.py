"""The reading-list extension, on the tiny test root ``tests/roots/test-readinglist``.

These tests carry the extension's logic: grouping, role pages, annotations,
back-links, the ``handbook`` pybtex style, a missing key failing the strict
build, incremental builds matching clean ones, and parallel builds matching
serial ones.  ``tests/site`` repeats the page checks on the real handbook.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from pybtex.database import BibliographyData, Entry, Person, parse_file
from pybtex.plugin import find_plugin
from sphinx.testing.util import SphinxTestApp

from handbook.build import run_build
from handbook.sphinxext import _bibstyle
from handbook.sphinxext.readinglist import entry_hash
from handbook.vocabulary import LEVEL_NAMES, LEVELS

ROOT_NAME = "test-readinglist"
GLOBAL = "reading-list"
ROLE_PAGES = {"swe": "swe"}
CITING_PAGES = ("index", "chapter")
#: level keyword -> heading, in page order (the extension's defaults)
LEVEL_HEADINGS = {level: LEVEL_NAMES[level] for level in LEVELS}


# -- helpers -----------------------------------------------------------------


@dataclass
class Build:
    """The output of one Sphinx build of a copy of the test root."""

    srcdir: Path
    outdir: Path
    status: str
    warnings: str

    def html(self, page: str) -> str:
        return (self.outdir / f"{page}.html").read_text(encoding="utf-8")

    def soup(self, page: str) -> BeautifulSoup:
        return BeautifulSoup(self.html(page), "html.parser")

    def body(self, page: str) -> str:
        """The page's main content, which is what the extension changes."""
        main = self.soup(page).find("div", class_="body")
        assert isinstance(main, Tag), page
        return str(main)


def build(srcdir: Path, builddir: Path, *, parallel: int = 0) -> Build:
    """Build ``srcdir`` into ``builddir`` (incrementally, if it was built there before)."""
    app = SphinxTestApp("html", srcdir=srcdir, builddir=builddir, parallel=parallel)
    try:
        app.build()
    finally:
        app.cleanup()
    return Build(
        srcdir, Path(app.outdir), plain(app.status.getvalue()), plain(app.warning.getvalue())
    )


def plain(output: str) -> str:
    """Sphinx's console output without colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", output)


def copy_root(rootdir: Path, dest: Path) -> Path:
    shutil.copytree(rootdir / ROOT_NAME, dest)
    return dest


def bib_entries(srcdir: Path) -> dict[str, Entry]:
    data: BibliographyData = parse_file(str(srcdir / "refs.bib"))
    return dict(data.entries.items())


def keywords(entry: Entry) -> set[str]:
    return {word.strip() for word in entry.fields.get("keywords", "").split(",") if word.strip()}


def level_of(entry: Entry) -> str:
    (level,) = keywords(entry) & LEVEL_HEADINGS.keys()
    return level


def resolve(page: str, href: str) -> tuple[str, str]:
    """``(page, fragment)`` that ``href`` on ``page`` points to."""
    path, _, fragment = href.partition("#")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
    return target.removesuffix(".html"), fragment


def entry_element(soup: BeautifulSoup, key: str) -> Tag:
    found = soup.find_all(id=f"cite-{key}")
    assert len(found) == 1, f"cite-{key}: {len(found)} elements"
    element = found[0]
    assert isinstance(element, Tag)
    return element


def level_heading(element: Tag) -> str:
    section = element.find_parent("section")
    assert isinstance(section, Tag)
    heading = section.find(["h2", "h3"])
    assert isinstance(heading, Tag)
    return heading.get_text().rstrip("¶#").strip()


def cited_in(element: Tag) -> list[str]:
    paragraph = element.find("p", class_="readinglist-cited-in")
    if paragraph is None:
        return []
    assert isinstance(paragraph, Tag)
    return [str(a["href"]) for a in paragraph.find_all("a")]


def citation_links(build_: Build, page: str) -> Iterator[tuple[str, str, str]]:
    """``(citation id, target page, target fragment)`` for each in-text citation link."""
    for span in build_.soup(page).find_all("span", class_="bibtex-citation"):
        for link in span.find_all("a"):
            yield str(span.get("id", "")), *resolve(page, str(link["href"]))


# -- the built test root -----------------------------------------------------


@pytest.fixture(scope="module")
def site(rootdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    base = tmp_path_factory.mktemp("readinglist")
    return build(copy_root(rootdir, base / "src"), base / "build")


@pytest.fixture(scope="module")
def entries(rootdir: Path) -> dict[str, Entry]:
    return bib_entries(rootdir / ROOT_NAME)


def test_build_has_no_warnings(site: Build) -> None:
    assert site.warnings == ""


def test_global_list_has_every_entry_once_under_its_level(
    site: Build, entries: dict[str, Entry]
) -> None:
    soup = site.soup(GLOBAL)
    for key, entry in entries.items():
        element = entry_element(soup, key)
        assert "citation" in element.get("class", []), key  # a citation target
        assert level_heading(element) == LEVEL_HEADINGS[level_of(entry)], key


def test_level_headings_are_sections_in_order(site: Build, entries: dict[str, Entry]) -> None:
    for page, role in [(GLOBAL, None), *((p, r) for r, p in ROLE_PAGES.items())]:
        present = {level_of(e) for e in entries.values() if role is None or role in keywords(e)}
        expected = [heading for level, heading in LEVEL_HEADINGS.items() if level in present]
        headings = [h.get_text().rstrip("¶#").strip() for h in site.soup(page).find_all("h2")]
        assert headings == expected, page


def test_role_pages_list_exactly_the_entries_with_their_role(
    site: Build, entries: dict[str, Entry]
) -> None:
    for role, page in ROLE_PAGES.items():
        soup = site.soup(page)
        listed = {str(li["id"]).removeprefix("cite-") for li in soup.find_all("li", id=True)}
        assert listed == {key for key, e in entries.items() if role in keywords(e)}, role
        for key in listed:
            element = entry_element(soup, key)
            assert level_heading(element) == LEVEL_HEADINGS[level_of(entries[key])], key
            # the label links to the entry on the global list
            label_link = element.find("a")
            assert isinstance(label_link, Tag)
            assert resolve(page, str(label_link["href"])) == (GLOBAL, f"cite-{key}")


def test_citations_are_author_year_and_link_to_the_global_list_only(site: Build) -> None:
    chapter = site.soup("chapter").get_text(" ", strip=True)
    assert "Beta and Gamma, 2021" in chapter  # {cite:p}
    assert re.search(r"鈴木一郎 \[ ?2019 ?\]", chapter)  # {cite:t}
    links = [link for page in CITING_PAGES for link in citation_links(site, page)]
    assert links
    for _citation_id, target, fragment in links:
        assert target == GLOBAL  # never a role page
        assert fragment.startswith("cite-")


def test_annotations_appear_on_every_list(site: Build, entries: dict[str, Entry]) -> None:
    for page in [GLOBAL, *ROLE_PAGES.values()]:
        soup = site.soup(page)
        for key in [k for k in entries if soup.find(id=f"cite-{k}")]:
            note = entry_element(soup, key).find("p", class_="readinglist-annotation")
            assert isinstance(note, Tag), (page, key)
            assert note.get_text() == entries[key].fields["annotation"]


def test_cited_in_links_are_exactly_the_citing_pages(
    site: Build, entries: dict[str, Entry]
) -> None:
    # where each key is really cited: parse every page's in-text citations
    really: dict[str, dict[str, set[str]]] = {}
    for page in CITING_PAGES:
        for citation_id, _target, fragment in citation_links(site, page):
            key = fragment.removeprefix("cite-")
            really.setdefault(key, {}).setdefault(page, set()).add(citation_id)
    assert "epsilon2018talk" not in really  # the root keeps one uncited entry
    for list_page in [GLOBAL, *ROLE_PAGES.values()]:
        soup = site.soup(list_page)
        for key in [k for k in entries if soup.find(id=f"cite-{k}")]:
            targets = [resolve(list_page, href) for href in cited_in(entry_element(soup, key))]
            assert {page for page, _ in targets} == set(really.get(key, {})), (list_page, key)
            for page, citation_id in targets:
                assert citation_id in really[key][page], (list_page, key, page)


def test_entries_show_doi_isbn_url_and_japanese_titles(site: Build) -> None:
    soup = site.soup(GLOBAL)
    paper = entry_element(soup, "beta2021paper")
    hrefs = [a["href"] for a in paper.find_all("a", class_="external")]
    assert hrefs == ["https://doi.org/10.1145/3533378"]  # the DOI, once (url repeats it)
    assert "ISBN 978-0-307-88789-4" in entry_element(soup, "alpha2020book").get_text()
    post = entry_element(soup, "delta2022post").get_text(" ", strip=True)
    assert "https://example.org/launch (accessed 2026-11-27)" in post
    book = entry_element(soup, "suzuki2019ja")
    assert "<em>機械学習の本</em> [A Book on Machine Learning]" in str(book)
    assert "In Japanese." in book.get_text()


# -- the pybtex style on its own --------------------------------------------


def test_style_formats_titleaddon_doi_isbn_and_urldate(entries: dict[str, Entry]) -> None:
    _bibstyle.register()
    style = find_plugin("pybtex.style.formatting", _bibstyle.STYLE_NAME)()

    def text(key: str) -> str:
        return str(style.format_entry("", entries[key]).text.render_as("text"))

    assert "機械学習の本 [A Book on Machine Learning]. 例出版, 2019. In Japanese." in text(
        "suzuki2019ja"
    )
    assert text("beta2021paper").count("https://doi.org/10.1145/3533378") == 1
    assert "ISBN 978-0-307-88789-4" in text("alpha2020book")
    assert "(accessed 2026-11-27)" in text("delta2022post")


def test_labels_are_author_year_and_unique() -> None:
    def book(key: str, year: str, *authors: str) -> Entry:
        entry = Entry("book", fields={"title": key, "year": year})
        entry.persons["author"] = [Person(name) for name in authors]
        return entry

    style = _bibstyle.HandbookStyle()
    sorted_entries = list(
        style.sort(
            [
                book("b", "2020", "Ueta, Shunya"),
                book("a", "2020", "Ueta, Shunya"),
                book("c", "2015", "Sculley, D.", "Holt, Gary", "Golovin, Daniel"),
                book("d", "1985", "Arkes, Hal R.", "Blumer, Catherine"),
                book("e", "", "{Google Cloud}"),
            ]
        )
    )
    labels = list(style.format_labels(sorted_entries))
    assert labels == [
        "Arkes and Blumer, 1985",
        "Google Cloud, n.d.",
        "Sculley et al., 2015",
        "Ueta, 2020a",
        "Ueta, 2020b",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", "1st edition"),
        ("2", "2nd edition"),
        ("3", "3rd edition"),
        ("11", "11th edition"),
        ("22", "22nd edition"),
        ("Revised", "Revised edition"),
    ],
)
def test_edition_words(value: str, expected: str) -> None:
    assert _bibstyle.format_edition(value) == expected


def test_entry_hash_changes_with_any_field() -> None:
    entry = Entry("book", fields={"title": "T", "year": "2020"})
    before = entry_hash(entry)
    entry.fields["year"] = "2021"
    assert entry_hash(entry) != before


# -- a missing key fails the strict build ------------------------------------


def test_missing_key_fails_the_strict_build(rootdir: Path, tmp_path: Path) -> None:
    src = copy_root(rootdir, tmp_path / "src")
    chapter = src / "chapter.md"
    lines = chapter.read_text(encoding="utf-8").splitlines()
    # its own paragraph: MyST reports the line where a paragraph starts
    lines += ["", "A work nobody wrote {cite:p}`nosuchkey2099`."]
    chapter.write_text("\n".join(lines) + "\n", encoding="utf-8")

    done = run_build(src, tmp_path / "out" / "html")

    expected = (
        f'{chapter}:{len(lines)}: WARNING: could not find bibtex key "nosuchkey2099" '
        "[bibtex.key_not_found]"
    )
    assert done.returncode != 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "WARNING" in line]
    assert warnings == [expected], done.stderr


# -- incremental builds ------------------------------------------------------


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def reread(status: str) -> set[str]:
    """The documents an incremental build read, from its status output."""
    return set(re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", status))


PAGES = (*CITING_PAGES, GLOBAL, *ROLE_PAGES.values())


def test_entry_change_refreshes_every_citing_page(rootdir: Path, tmp_path: Path) -> None:
    src = copy_root(rootdir, tmp_path / "src")
    first = build(src, tmp_path / "incremental")
    assert "Beta and Gamma, 2021" in first.soup("chapter").get_text()

    edit(src / "refs.bib", "year = {2021}", "year = {2019}")
    edit(src / "refs.bib", "Measuring What Models Do", "Measuring What Models Really Do")
    incremental = build(src, tmp_path / "incremental")
    clean = build(src, tmp_path / "clean")

    # only the pages that cite the entry (and the lists that show it) were read
    assert reread(incremental.status) == {"index", "chapter", GLOBAL, "swe"}
    assert incremental.warnings == clean.warnings == ""
    for page in PAGES:
        assert incremental.body(page) == clean.body(page), page
    assert "Beta and Gamma, 2019" in incremental.soup("chapter").get_text()
    tooltip = incremental.soup("index").select_one('a[href$="#cite-beta2021paper"][title]')
    assert tooltip is not None
    assert "Really" in str(tooltip["title"])


def test_removed_entry_is_reported_again_on_an_incremental_build(
    rootdir: Path, tmp_path: Path
) -> None:
    src = copy_root(rootdir, tmp_path / "src")
    build(src, tmp_path / "incremental")
    bib = src / "refs.bib"
    text = bib.read_text(encoding="utf-8")
    start = text.index("@online{delta2022post")
    bib.write_text(text[:start] + text[text.index("@misc{", start) :], encoding="utf-8")

    incremental = build(src, tmp_path / "incremental")
    clean = build(src, tmp_path / "clean")

    assert 'could not find bibtex key "delta2022post"' in clean.warnings
    assert incremental.warnings == clean.warnings
    for page in PAGES:
        assert incremental.body(page) == clean.body(page), page


def test_new_citation_refreshes_the_back_links(rootdir: Path, tmp_path: Path) -> None:
    src = copy_root(rootdir, tmp_path / "src")
    build(src, tmp_path / "incremental")
    with (src / "chapter.md").open("a", encoding="utf-8") as chapter:
        chapter.write("Feature stores help {cite:p}`epsilon2018talk`.\n")

    incremental = build(src, tmp_path / "incremental")
    clean = build(src, tmp_path / "clean")

    assert reread(incremental.status) == {"chapter"}
    for page in PAGES:
        assert incremental.body(page) == clean.body(page), page
    talk = entry_element(incremental.soup(GLOBAL), "epsilon2018talk")
    assert [resolve(GLOBAL, href)[0] for href in cited_in(talk)] == ["chapter"]


# -- parallel builds ---------------------------------------------------------


def test_parallel_build_back_links_match_the_serial_build(rootdir: Path, tmp_path: Path) -> None:
    src = copy_root(rootdir, tmp_path / "src")
    extra = [f"extra{number}" for number in range(1, 9)]
    for name in extra:
        (src / f"{name}.md").write_text(
            f"# {name}\n\nSee {{cite:p}}`epsilon2018talk` and {{cite:t}}`alpha2020book`.\n",
            encoding="utf-8",
        )
    edit(src / "index.md", "swe\n```", "swe\n" + "\n".join(extra) + "\n```")

    parallel = build(src, tmp_path / "parallel", parallel=2)
    serial = build(src, tmp_path / "serial")

    assert re.search(r"reading sources\.\.\. \[\s*\d+%\] \S+ \.\. \S+", parallel.status), (
        "the build did not read in parallel chunks"
    )
    assert parallel.warnings == serial.warnings == ""
    for page in PAGES:
        assert parallel.body(page) == serial.body(page), page
    talk = entry_element(parallel.soup(GLOBAL), "epsilon2018talk")
    assert sorted(resolve(GLOBAL, href)[0] for href in cited_in(talk)) == sorted(extra)


# -- entries the grouping cannot place ---------------------------------------


def test_entry_without_a_level_is_reported_and_listed_under_other(
    rootdir: Path, tmp_path: Path
) -> None:
    src = copy_root(rootdir, tmp_path / "src")
    edit(src / "refs.bib", "keywords = {swe, advanced, talk}", "keywords = {swe, talk}")

    done = build(src, tmp_path / "build")

    message = (
        'WARNING: reading list: entry "epsilon2018talk" needs exactly one level keyword '
        f'({", ".join(LEVELS)}) in "keywords" [readinglist.level]'
    )
    assert done.warnings.count(message) == 2, done.warnings  # the global list and swe
    assert level_heading(entry_element(done.soup(GLOBAL), "epsilon2018talk")) == "Other"
