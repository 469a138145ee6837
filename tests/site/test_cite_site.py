"""Cite this page, Cite this handbook, the edition in the footer and the Editions page,
as the built site gives them (English and Japanese)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml
from bs4 import BeautifulSoup
from pybtex.database import parse_string

import handbook
from handbook.bib.cli import main as bib_main
from handbook.changelog import parse, releases
from handbook.paths import DOCS, ROOT
from handbook.sphinxext.cite import BIB_CHECKS

BASEURL = "https://mle-handbook.github.io/handbook/"


def _soup(built_site, path: str) -> BeautifulSoup:
    return BeautifulSoup((built_site.out / path).read_text(encoding="utf-8"), "html.parser")


def _reviewed_pages() -> dict[str, dt.date]:
    """Every page with a review date, and the date, from its front matter."""
    found = {}
    for path in sorted(DOCS.rglob("*.md")):
        relative = path.relative_to(DOCS)
        if relative.parts[0].startswith("_"):
            continue
        text = path.read_text(encoding="utf-8")
        match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
        meta = yaml.safe_load(match.group(1)) if match else {}
        if meta and meta.get("last_reviewed"):
            found[relative.with_suffix("").as_posix()] = dt.date.fromisoformat(
                str(meta["last_reviewed"])
            )
    return found


@pytest.mark.parametrize("prefix", ["", "ja/"])
def test_every_reviewed_page_offers_its_citation(built_site, prefix):
    pages = _reviewed_pages()
    assert "start/skill-mix" in pages and "about" in pages
    for page, reviewed in pages.items():
        soup = _soup(built_site, f"{prefix}{page}.html")
        block = soup.select_one("article ~ * details.handbook-cite, details.handbook-cite")
        assert block is not None, page
        assert "d-print-none" in block["class"], page  # not on paper
        bib = parse_string(block.select_one("pre").get_text(), "bibtex")
        ((_key, entry),) = bib.entries.items()
        canonical = soup.find("link", rel="canonical")["href"]
        assert entry.fields["url"] == canonical, page
        assert canonical.startswith(f"{BASEURL}{prefix}"), page
        assert entry.fields["urldate"] == entry.fields["date"] == reviewed.isoformat(), page
        assert entry.fields["year"] == str(reviewed.year), page
        assert entry.fields["version"] == handbook.__version__, page
        title = soup.select_one("article h1").get_text().rstrip("#¶").strip()
        assert entry.fields["title"] == title, page
        text = block.select_one(".handbook-cite__text").get_text()
        assert title in text and canonical in text and handbook.__version__ in text, page


@pytest.mark.parametrize("prefix", ["", "ja/"])
def test_the_bibtex_passes_the_selected_bib_checks(built_site, tmp_path, capsys, prefix):
    entries = []
    for page in _reviewed_pages():
        block = _soup(built_site, f"{prefix}{page}.html").select_one("details.handbook-cite pre")
        entries.append(block.get_text())
    bib = tmp_path / "pages.bib"
    bib.write_text("\n".join(entries), encoding="utf-8")
    status = bib_main(["check", "--select", ",".join(BIB_CHECKS), str(bib)])
    out, err = capsys.readouterr()
    assert (status, out, err) == (0, "", "")
    assert len(parse_string(bib.read_text(encoding="utf-8"), "bibtex").entries) == len(entries)


def test_the_copy_buttons_wait_for_a_script(built_site):
    block = _soup(built_site, "start/skill-mix.html").select_one("details.handbook-cite")
    actions = block.select_one(".handbook-cite__actions")
    assert actions.has_attr("hidden")  # without the script: select the text by hand
    assert [b.get_text() for b in actions.select("button")] == [
        "Copy the citation",
        "Copy the BibTeX",
    ]
    ja = _soup(built_site, "ja/start/skill-mix.html").select_one("details.handbook-cite")
    assert ja.summary.get_text() == "このページを引用する"
    assert "（バージョン " in ja.select_one(".handbook-cite__text").get_text()


def test_the_about_pages_citation_is_citation_cff(built_site):
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    for prefix in ("", "ja/"):
        about = _soup(built_site, f"{prefix}about.html")
        bib = parse_string(about.select_one("div.highlight-bibtex pre").get_text(), "bibtex")
        ((_key, entry),) = bib.entries.items()
        assert entry.fields["title"] == cff["title"]
        assert entry.fields["version"] == str(cff["version"])
        assert entry.fields["url"] == cff["url"]
        assert entry.fields["date"] == str(cff["date-released"])
        authors = [str(p).strip("{}") for p in entry.persons["author"]]
        assert authors == [a["name"] for a in cff["authors"]]
        text = about.select_one("p.handbook-cite-handbook").get_text()
        assert cff["title"] in text and str(cff["version"]) in text and cff["url"] in text
    assert (
        _soup(built_site, "ja/about.html").select_one("aside.handbook-translation-notice") is None
    )


def test_the_footer_names_the_edition_and_links_the_editions_page(built_site):
    footer = _soup(built_site, "start/index.html").select_one(".handbook-edition a")
    assert footer.get_text() == f"Edition {handbook.__version__}"
    assert footer["href"] == "../editions.html"
    ja = _soup(built_site, "ja/index.html").select_one(".handbook-edition a")
    assert ja.get_text() == f"{handbook.__version__}版" and ja["href"] == "editions.html"


def test_the_editions_page_lists_each_release_with_its_epub(built_site):
    changelog = releases(parse((ROOT / "CHANGELOG.md").read_text(encoding="utf-8")))
    soup = _soup(built_site, "editions.html")
    sections = soup.select("article section section")
    assert [s.find("h2").get_text().rstrip("#¶") for s in sections] == [
        r.version for r in changelog
    ]
    newest = sections[0]
    facts = newest.select_one("p.handbook-edition-facts")
    assert changelog[0].date in facts.get_text()
    epub = facts.find("a")["href"]
    version = changelog[0].version
    assert epub == (
        "https://github.com/mle-handbook/handbook/releases/download/"
        f"v{version}/mle-handbook-{version}.epub"
    )
    items = [li.get_text(" ", strip=True).replace("’", "'") for li in newest.select("li")]
    assert items == [re.sub(r"\s+", " ", i) for i in changelog[0].items]


def test_a_translated_page_cites_its_own_address(built_site):
    en = _soup(built_site, "glossary.html").select_one("details.handbook-cite pre").get_text()
    ja = _soup(built_site, "ja/glossary.html").select_one("details.handbook-cite pre").get_text()
    assert f"{BASEURL}glossary.html" in en and f"{BASEURL}ja/glossary.html" in ja
