"""The edition's metadata agrees wherever it is written.

The version is written once, in pyproject.toml.  CITATION.cff (GitHub's "Cite
this repository"), .zenodo.json (the record Zenodo archives a release with),
the installed package, ``handbook --version``, uv.lock and CHANGELOG.md's newest
release repeat it, with the release date, title, abstract, authors and
licences.  A failure names the files that disagree; CONTRIBUTING.md,
"Releasing", says which to change.
"""

from __future__ import annotations

import datetime
import json
import re
import tomllib
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt
from packaging.licenses import canonicalize_license_expression
from packaging.version import Version

import handbook
from handbook import cli
from handbook.changelog import Section, parse, releases
from handbook.paths import ROOT

#: Calendar versioning: the year and month of the release, and a counter for a
#: further edition in the same month (from 1: ``2026.12.0`` would equal ``2026.12``).
CALVER = re.compile(r"(?P<year>\d{4})\.(?P<month>[1-9]\d?)(?:\.[1-9]\d*)?")
LICENCES = {"CC-BY-4.0", "MIT"}


def cff() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def zenodo() -> dict[str, Any]:
    return json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))


def project() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]


def changelog_text() -> str:
    return (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def newest_release() -> Section:
    found = releases(parse(changelog_text()))
    assert found, "CHANGELOG.md has no release section (## [VERSION] - YYYY-MM-DD)"
    return found[0]


def locked_version() -> str:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    (entry,) = [p for p in lock["package"] if p["name"] == project()["name"]]
    return str(entry["version"])


def words(text: str) -> str:
    return " ".join(text.split())


def disagreement(what: str, values: dict[str, object]) -> str:
    listed = "\n".join(f"  {source}: {value!r}" for source, value in values.items())
    return f"{what} disagrees:\n{listed}"


def test_the_version_is_the_same_everywhere(capsys):
    assert cli.main(["--version"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("handbook "), printed
    citation = cff()["version"]
    assert isinstance(citation, str), "CITATION.cff: quote the version (2026.10 is a number)"
    versions = {
        "pyproject.toml [project] version": project()["version"],
        "CITATION.cff version": citation,
        ".zenodo.json version": zenodo()["version"],
        "handbook.__version__ (the installed package: `make venv` re-installs it)": (
            handbook.__version__
        ),
        "handbook --version": printed.removeprefix("handbook ").strip(),
        "uv.lock, the mle-handbook package (`.venv/bin/uv lock`)": locked_version(),
        "CHANGELOG.md, the newest release": newest_release().version,
    }
    assert len(set(versions.values())) == 1, disagreement("the version", versions)


def test_the_release_date_is_the_same_everywhere():
    version = project()["version"]
    section = next((s for s in releases(parse(changelog_text())) if s.version == version), None)
    assert section is not None, f"CHANGELOG.md has no section ## [{version}] - YYYY-MM-DD"
    dates = {
        "CITATION.cff date-released": str(cff()["date-released"]),
        f"CHANGELOG.md, the date of {version}": section.date,
        ".zenodo.json publication_date": zenodo()["publication_date"],
    }
    assert len(set(dates.values())) == 1, disagreement("the release date", dates)
    assert datetime.date.fromisoformat(str(section.date)), section.date


def test_the_version_is_calendar_versioning_of_the_release_month():
    version = project()["version"]
    match = CALVER.fullmatch(version)
    assert match, f"pyproject.toml: version {version!r} is not YYYY.M or YYYY.M.N"
    assert 1 <= int(match["month"]) <= 12, f"{version}: no month {match['month']}"
    normalised = str(Version(version))
    assert normalised == version, f"{version} normalises to {normalised}: write {normalised}"
    released = datetime.date.fromisoformat(str(cff()["date-released"]))
    month = (int(match["year"]), int(match["month"]))
    assert month == (released.year, released.month), (
        f"version {version} names another month than its release, {released}"
    )


@pytest.mark.parametrize(
    ("text", "calver"),
    [
        ("2026.12", True),
        ("2026.1", True),
        ("2026.12.1", True),
        ("2026.01", False),  # Version() would print 2026.1
        ("2026.12.0", False),  # the same version as 2026.12
        ("26.12", False),
        ("2026.12rc1", False),
        ("v2026.12", False),
    ],
)
def test_the_calendar_versioning_pattern(text, calver):
    assert bool(CALVER.fullmatch(text)) is calver


def test_title_abstract_authors_keywords_and_addresses_agree():
    citation, record, urls = cff(), zenodo(), project()["urls"]
    assert record["title"] == citation["title"], disagreement(
        "the title",
        {"CITATION.cff title": citation["title"], ".zenodo.json title": record["title"]},
    )
    assert words(record["description"]) == words(citation["abstract"]), disagreement(
        "the abstract",
        {
            "CITATION.cff abstract": words(citation["abstract"]),
            ".zenodo.json description": words(record["description"]),
        },
    )
    authors = [
        a.get("name") or f"{a['family-names']}, {a['given-names']}"  # Zenodo's "Family, Given"
        for a in citation["authors"]
    ]
    creators = [c["name"] for c in record["creators"]]
    assert creators == authors, disagreement(
        "the authors", {"CITATION.cff authors": authors, ".zenodo.json creators": creators}
    )
    assert record["keywords"] == citation["keywords"], disagreement(
        "the keywords",
        {"CITATION.cff keywords": citation["keywords"], ".zenodo.json": record["keywords"]},
    )
    assert citation["url"] == urls["Homepage"], disagreement(
        "the site's address",
        {"CITATION.cff url": citation["url"], "pyproject.toml Homepage": urls["Homepage"]},
    )
    assert citation["repository-code"] == urls["Repository"], disagreement(
        "the repository",
        {
            "CITATION.cff repository-code": citation["repository-code"],
            "pyproject.toml Repository": urls["Repository"],
        },
    )
    related = {r["identifier"] for r in record["related_identifiers"]}
    assert {citation["url"], citation["repository-code"]} <= related, (
        f".zenodo.json related_identifiers lack the site or the repository: {sorted(related)}"
    )


def test_the_licences_agree():
    citation, record = cff(), zenodo()
    assert sorted(citation["license"]) == sorted(LICENCES), (
        f"CITATION.cff license: {citation['license']}, not exactly {sorted(LICENCES)}"
    )
    # Zenodo's record takes one licence: the prose's; its notes name the code's.
    assert record["license"] == "cc-by-4.0", f".zenodo.json license: {record['license']}"
    assert "MIT" in record["notes"], ".zenodo.json notes do not mention the MIT licence"
    assert "CC BY 4.0" in record["notes"], ".zenodo.json notes do not say what is CC BY 4.0"
    expression = canonicalize_license_expression(project()["license"])
    named = set(re.findall(r"[\w.+-]+", expression)) - {"AND", "OR", "WITH"}
    assert named == LICENCES and " OR " not in expression, (
        f"pyproject.toml license {expression!r}: not {' AND '.join(sorted(LICENCES))}"
    )


def test_the_changelogs_links_point_at_the_releases_tag():
    version = project()["version"]
    repository = cff()["repository-code"]
    env: dict[str, Any] = {}
    MarkdownIt("commonmark").parse(changelog_text(), env)
    links = {label: ref["href"] for label, ref in env.get("references", {}).items()}
    # markdown-it keys a link definition by its label in upper case.
    wanted = {
        "Unreleased": f"{repository}/compare/v{version}...HEAD",
        version: f"{repository}/releases/tag/v{version}",
    }
    for label, href in wanted.items():
        found = links.get(label.upper())
        assert found == href, f"CHANGELOG.md: the link [{label}] is {found!r}, not {href!r}"
