"""DOIs and ISBNs: recognising, normalising and checking them offline.

A DOI is checked over the network through the doi.org handle API (see
:mod:`handbook.linkcheck.fetch`); here it is only recognised and its syntax
checked, by the rule of :mod:`handbook.doi` that ``handbook bib check`` shares
(``DOI_RE`` is re-exported from there).  An ISBN is checked entirely offline,
by its check digit, with ``stdnum.isbn`` (a maintained implementation of the
standard).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from handbook.doi import DOI_RE, DOISyntaxError, bare_doi
from handbook.linkcheck.verdicts import Result, broken, ok

__all__ = [
    "DOI_RE",
    "DOI_URL_RE",
    "IdentifierError",
    "check_isbn",
    "doi_api_url",
    "doi_display_url",
    "doi_key",
    "isbn_key",
    "normalise_doi",
    "normalise_isbn",
]

#: URLs that are DOIs: they are checked through the handle API, not by
#: following the redirect to the publisher (which often blocks robots).
DOI_URL_RE = re.compile(r"^https?://(?:dx\.)?doi\.org/(?P<doi>.*)$", re.IGNORECASE)

#: Characters left as they are when a DOI is put into a handle API URL path.
_DOI_SAFE = "/:;()[]-._~!$'*+,=@"


class IdentifierError(ValueError):
    """A DOI or ISBN that is not well formed; ``code`` is the finding code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def normalise_doi(text: str) -> str:
    """``doi:10.1/x``, ``https://doi.org/10.1/x`` or ``10.1/x`` -> ``10.1/x``.

    The DOI rule is :mod:`handbook.doi`'s, the one ``handbook bib check`` applies
    too; a TeX escape (``10.1/a\\_b``, as in a ``.bib`` file) means the bare
    character (``10.1/a_b``). Raises :class:`IdentifierError` (code DOISYNTAX)
    for anything that is not a DOI.
    """
    try:
        return bare_doi(text)
    except DOISyntaxError as exc:
        raise IdentifierError("DOISYNTAX", str(exc)) from None


def doi_key(doi: str) -> str:
    """DOIs are case-insensitive: one key for all spellings of a DOI."""
    return "doi:" + doi.upper()


def doi_display_url(doi: str) -> str:
    return "https://doi.org/" + quote(doi, safe=_DOI_SAFE)


def doi_api_url(base: str, doi: str) -> str:
    """The handle API URL for ``doi`` under ``base`` (ends with ``/``)."""
    return base + quote(doi, safe=_DOI_SAFE)


def normalise_isbn(text: str) -> str:
    """The ISBN without ``ISBN``/``urn:isbn:`` prefixes (hyphens and spaces kept)."""
    value = text.strip()
    for prefix in ("urn:isbn:", "isbn:", "isbn-13:", "isbn-10:", "isbn13", "isbn10", "isbn"):
        if value.lower().startswith(prefix):
            value = value[len(prefix) :].strip()
            break
    return value


def isbn_key(text: str) -> str:
    from stdnum import isbn as stdnum_isbn  # imported when there is an ISBN to read

    return "isbn:" + stdnum_isbn.compact(normalise_isbn(text)).upper()


def check_isbn(text: str) -> Result:
    """Offline verdict for an ISBN: ok, or broken with ISBNSUM / ISBNSYNTAX."""
    from stdnum import isbn as stdnum_isbn
    from stdnum.exceptions import InvalidChecksum, ValidationError

    value = normalise_isbn(text)
    try:
        compact = stdnum_isbn.validate(value)
    except InvalidChecksum:
        return broken("ISBNSUM", f"ISBN {text!r}: the check digit is wrong")
    except ValidationError as exc:
        return broken("ISBNSYNTAX", f"ISBN {text!r} is not an ISBN: {exc}")
    kind = "ISBN-13" if len(compact) == 13 else "ISBN-10"
    return ok(f"{kind} check digit valid")
