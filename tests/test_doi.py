"""One DOI rule (:mod:`handbook.doi`) for ``handbook bib check`` and ``handbook linkcheck``.

The bib checker used to accept only Crossref's recommended pattern and so
rejected old SICI-style DOIs that the link checker accepted; a DOI written
with a TeX escape (``\\_``) reached the handle API as ``%5C_``. Both tools now
read a DOI through :func:`handbook.doi.bare_doi`.
"""

from __future__ import annotations

import pytest

from handbook import doi
from handbook.bib import checks
from handbook.bib.parse import parse_text
from handbook.linkcheck import identifiers
from handbook.linkcheck.identifiers import IdentifierError, doi_api_url, normalise_doi

SICI = "10.1002/(SICI)1096-987X(199803)19:4<377::AID-JCC1>3.0.CO;2-P"
API = "https://doi.org/api/handles/"

#: (as written in a .bib field, the bare DOI it means)
ACCEPTED = [
    ("10.1145/3533378", "10.1145/3533378"),
    (SICI, SICI),
    ("10.1007/978-3-642-22438-6\\_17", "10.1007/978-3-642-22438-6_17"),
    ("10.1000/a\\%b\\&c\\#d\\$e\\{f\\}", "10.1000/a%b&c#d$e{f}"),
    ("10.11/3533378", "10.11/3533378"),
    ("10.1000.10/xyz", "10.1000.10/xyz"),
    ("10.1109/access.2023.3262138", "10.1109/access.2023.3262138"),
    ("doi:10.1145/3533378", "10.1145/3533378"),
    ("https://doi.org/10.1145/3533378", "10.1145/3533378"),
    ("https://doi.org/10.1007/978-3-642-22438-6\\_17", "10.1007/978-3-642-22438-6_17"),
]
REJECTED = ["10.1145 3533378", "11.1145/x", "10.1145", "10.1145/", "10.acm/x", "10./x", ""]


def bib_accepts(text: str) -> bool:
    """Whether ``handbook bib check`` (BIB012) takes ``text`` in a ``doi`` field."""
    bib = parse_text(f"@article{{paleyes2022x,\n  doi = {{{text}}},\n}}\n")
    assert not bib.errors
    return not checks.run_checks(bib, {"BIB012"})


def linkcheck_accepts(text: str) -> bool:
    """Whether ``handbook linkcheck`` takes ``text`` as a DOI."""
    try:
        normalise_doi(text)
    except IdentifierError as exc:
        assert exc.code == "DOISYNTAX"
        return False
    return True


@pytest.mark.parametrize(("text", "bare"), ACCEPTED)
def test_both_tools_accept(text: str, bare: str) -> None:
    assert doi.bare_doi(text) == bare
    assert normalise_doi(text) == bare
    assert bib_accepts(text)
    assert linkcheck_accepts(text)


@pytest.mark.parametrize("text", REJECTED)
def test_both_tools_reject(text: str) -> None:
    with pytest.raises(doi.DOISyntaxError):
        doi.bare_doi(text)
    assert not bib_accepts(text)
    assert not linkcheck_accepts(text)


def test_the_sici_doi_passes_bib_check_and_linkcheck() -> None:
    bib = parse_text(f"@article{{paleyes2022x,\n  doi = {{{SICI}}},\n}}\n")
    assert checks.run_checks(bib, {"BIB012", "BIB013"}) == []
    assert normalise_doi(SICI) == SICI


def test_a_tex_escape_never_reaches_the_handle_api() -> None:
    url = doi_api_url(API, normalise_doi("10.1007/978-3-642-22438-6\\_17"))
    assert url == API + "10.1007/978-3-642-22438-6_17"
    assert "%5C" not in url.upper()


def test_linkcheck_keeps_its_public_names() -> None:
    assert identifiers.DOI_RE is doi.DOI_RE
    assert identifiers.DOI_URL_RE.match("https://dx.doi.org/10.1/x")


def test_messages_name_what_was_written() -> None:
    with pytest.raises(IdentifierError, match=r"^malformed DOI 'doi:10\.1145': expected 10\."):
        normalise_doi("doi:10.1145")
    with pytest.raises(IdentifierError, match=r"^empty DOI 'doi:'$"):
        normalise_doi("doi:")
    assert doi.split_resolver(" HTTPS://DX.DOI.ORG/10.1/x ") == ("HTTPS://DX.DOI.ORG/", "10.1/x")
    assert doi.split_resolver("10.1/x") == ("", "10.1/x")
