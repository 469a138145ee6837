"""The EPUB readers take offline: ``make epub``'s strict build, opened as an e-reader would.

Checks the container (``mimetype`` first and stored, ``container.xml``, the
OPF manifest and spine), the two tables of contents (``nav.xhtml`` and
``toc.ncx``) against the handbook's pages, and every link inside the book.
EPUBCheck validates the whole when it is installed (``.ci/run`` installs
Debian's ``epubcheck``).
"""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from defusedxml import ElementTree

import handbook
from handbook.build import run_build
from handbook.paths import DOCS

NS = {
    "container": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
EPUBCHECK_JARS = [Path("/usr/share/java/epubcheck.jar")]


def _source_pages() -> list[str]:
    return [
        p.relative_to(DOCS).with_suffix("").as_posix()
        for p in sorted(DOCS.rglob("*.md"))
        if not p.relative_to(DOCS).parts[0].startswith("_")
    ]


@dataclass
class Book:
    path: Path
    stderr: str
    returncode: int

    def zip(self) -> zipfile.ZipFile:
        return zipfile.ZipFile(self.path)

    def xml(self, name: str):
        with self.zip() as z:
            return ElementTree.fromstring(z.read(name))


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    """``make epub``: the strict build with the EPUB builder."""
    base = tmp_path_factory.mktemp("epub")
    done = run_build(DOCS, base / "epub", builder="epub", doctrees=base / "doctrees")
    epubs = sorted((base / "epub").glob("*.epub"))
    if done.returncode != 0 or not epubs:
        pytest.fail(f"the EPUB build failed ({done.returncode}):\n{done.stderr}", pytrace=False)
    return Book(epubs[0], done.stderr, done.returncode)


@pytest.fixture(scope="module")
def opf(book: Book) -> tuple[str, object]:
    container = book.xml("META-INF/container.xml")
    rootfile = container.find(".//container:rootfile", NS)
    assert rootfile is not None
    assert rootfile.get("media-type") == "application/oebps-package+xml"
    name = rootfile.get("full-path")
    return name, book.xml(name)


def _manifest(opf) -> dict[str, dict[str, str]]:
    name, package = opf
    folder = posixpath.dirname(name)
    return {
        item.get("id"): {
            "href": posixpath.normpath(posixpath.join(folder, item.get("href"))),
            "media-type": item.get("media-type"),
            "properties": item.get("properties") or "",
        }
        for item in package.findall("opf:manifest/opf:item", NS)
    }


def test_make_epub_builds_without_a_warning(book):
    assert book.returncode == 0
    assert "WARNING" not in book.stderr and "ERROR" not in book.stderr, book.stderr


def test_the_zip_starts_with_the_stored_mimetype(book):
    with book.zip() as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/epub+zip"
        assert z.testzip() is None


def test_the_manifest_lists_every_file_and_the_spine_every_page(book, opf):
    manifest = _manifest(opf)
    with book.zip() as z:
        names = {n for n in z.namelist() if not n.endswith("/")}
    listed = {item["href"] for item in manifest.values()}
    assert listed <= names, sorted(listed - names)
    assert names - listed == {"mimetype", "META-INF/container.xml", opf[0]}
    svg = [i for i in manifest.values() if i["href"].endswith(".svg")]
    assert svg and all(i["media-type"] == "image/svg+xml" for i in svg)

    spine = [ref.get("idref") for ref in opf[1].findall("opf:spine/opf:itemref", NS)]
    assert all(idref in manifest for idref in spine)
    in_spine = [manifest[idref]["href"] for idref in spine]
    for page in _source_pages():
        assert f"{page}.xhtml" in in_spine, page
    assert in_spine[0] == "index.xhtml"


def _nav_links(book: Book) -> list[str]:
    nav = book.xml("nav.xhtml")
    toc = next(
        n for n in nav.iter(f"{{{NS['xhtml']}}}nav") if n.get(f"{{{NS['epub']}}}type") == "toc"
    )
    return [a.get("href") for a in toc.iter(f"{{{NS['xhtml']}}}a")]


def test_the_table_of_contents_lists_every_page(book, opf):
    nav = _nav_links(book)
    ncx = [c.get("src") for c in book.xml("toc.ncx").iter(f"{{{NS['ncx']}}}content")]
    for page in _source_pages():
        assert f"{page}.xhtml" in nav, page
        assert f"{page}.xhtml" in ncx, page
    assert "reading-list/index.xhtml" in nav
    # the NCX names the book by its identifier
    uid = next(
        m.get("content")
        for m in book.xml("toc.ncx").iter(f"{{{NS['ncx']}}}meta")
        if m.get("name") == "dtb:uid"
    )
    identifiers = [e.text for e in opf[1].iter("{http://purl.org/dc/elements/1.1/}identifier")]
    assert identifiers == [uid]


def test_the_table_of_contents_is_in_reading_order(book, opf):
    manifest = _manifest(opf)
    spine = [manifest[r.get("idref")]["href"] for r in opf[1].findall("opf:spine/opf:itemref", NS)]
    order = [spine.index(href.split("#")[0]) for href in _nav_links(book)]
    assert order == sorted(order)


def _ids(tree) -> set[str]:
    return {e.get("id") for e in tree.iter() if e.get("id")}


def test_every_link_inside_the_book_resolves(book):
    broken = []
    with book.zip() as z:
        pages = [n for n in z.namelist() if n.endswith(".xhtml")]
        trees = {n: ElementTree.fromstring(z.read(n)) for n in pages}
        names = set(z.namelist())
    checked = 0
    for name, tree in trees.items():
        for element in tree.iter():
            target = element.get("href") or element.get("src")
            if not target:
                continue
            url = urlsplit(target)
            if url.scheme or url.netloc:
                continue  # a link out of the book
            path = name  # "#fragment" stays on the page
            if url.path:
                path = posixpath.normpath(
                    posixpath.join(posixpath.dirname(name), unquote(url.path))
                )
            if path not in names:
                broken.append((name, target))
                continue
            if url.fragment and path in trees and url.fragment not in _ids(trees[path]):
                broken.append((name, target))
            checked += 1
    assert broken == []
    assert checked > 500


def test_the_reading_list_is_in_the_book_and_citations_lead_to_it(book):
    with book.zip() as z:
        about = z.read("about.xhtml").decode()
        reading = ElementTree.fromstring(z.read("reading-list/index.xhtml"))
    assert "reading-list/index.xhtml#cite-ueta2020skills" in about
    assert "cite-ueta2020skills" in _ids(reading)
    assert len([i for i in _ids(reading) if i.startswith("cite-")]) >= 20


def test_rebuilding_after_a_settings_change_stays_clean(tmp_path):
    """``make epub`` again after editing conf.py: Sphinx keeps ``.buildinfo.bak``
    beside the book, which must not end up in it (nor warn)."""
    out, doctrees = tmp_path / "epub", tmp_path / "doctrees"
    first = run_build(DOCS, out, builder="epub", doctrees=doctrees)
    assert first.returncode == 0, first.stderr
    again = run_build(
        DOCS, out, builder="epub", doctrees=doctrees, extra=["-D", "epub_show_urls=footnote"]
    )
    assert again.returncode == 0, again.stderr
    assert "WARNING" not in again.stderr, again.stderr
    with zipfile.ZipFile(next(out.glob("*.epub"))) as z:
        assert not [n for n in z.namelist() if ".buildinfo" in n]


@pytest.mark.skipif(
    not shutil.which("java") or not any(j.is_file() for j in EPUBCHECK_JARS),
    reason="EPUBCheck is not installed (Debian: apt-get install epubcheck; .ci/run does)",
)
def test_epubcheck_finds_no_error_or_warning(book):
    jar = next(j for j in EPUBCHECK_JARS if j.is_file())
    done = subprocess.run(
        ["java", "-jar", str(jar), str(book.path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert "No errors or warnings detected" in report, report


def test_the_book_carries_the_edition_in_its_metadata(opf):
    versions = [
        meta.text
        for meta in opf[1].iter("{http://www.idpf.org/2007/opf}meta")
        if meta.get("property") == "ibooks:version"
    ]
    assert versions == [handbook.__version__]
    assert re.fullmatch(r"\d{4}\.\d{1,2}(\.\d+)?", handbook.__version__)
