"""What a DOI looks like: the one rule every ``handbook`` tool applies.

``handbook bib check`` (BIB012, BIB013) and ``handbook linkcheck`` (DOISYNTAX)
both read DOIs through :func:`bare_doi`, so a DOI one of them accepts the other
accepts too.

The rule is the DOI Handbook's (section 2.2): ``10.``, a registrant code of
digits (optionally dotted: ``10.1000.10``), ``/``, and a suffix of any
characters but white space. That takes in old SICI-style DOIs such as
``10.1002/(SICI)1096-987X(199803)19:4<377::AID-JCC1>3.0.CO;2-P``, which
Crossref's narrower recommended pattern leaves out.

A DOI may be written

* bare: ``10.1145/3533378``;
* with a resolver prefix: ``doi:10.1145/3533378``,
  ``https://doi.org/10.1145/3533378`` or ``http://dx.doi.org/...`` (a URL's
  path is percent-encoded and is decoded; ``#fragment`` dropped);
* with TeX escapes, as in a ``.bib`` file: ``10.1007/978-3-642-22438-6\\_17``
  means ``10.1007/978-3-642-22438-6_17`` (a backslash before one of
  ``_ % & # $ { }`` is dropped).

This module imports nothing from the rest of ``handbook``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

#: A bare DOI: ``10.`` + registrant code (digits, optionally dotted) + ``/`` +
#: a suffix with no white space.
DOI_RE = re.compile(r"^10\.[0-9]+(?:\.[0-9]+)*/\S+$")

#: A resolver prefix in front of a DOI: ``doi:``, ``https://doi.org/``,
#: ``https://dx.doi.org/`` (``http`` too; any case).
RESOLVER_RE = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)

#: A TeX escape of a character BibTeX or LaTeX would otherwise treat specially.
TEX_ESCAPE_RE = re.compile(r"\\([_%&#${}])")

#: What a DOI must look like, as error messages say it.
EXPECTED = "10.<registrant>/<suffix>"


class DOISyntaxError(ValueError):
    """Text that is not a DOI (after its resolver prefix and TeX escapes are removed).

    ``text`` is the text as given, ``bare`` what was left of it to check.
    """

    def __init__(self, text: str, bare: str) -> None:
        malformed = f"malformed DOI {text!r}: expected {EXPECTED}"
        super().__init__(malformed if bare else f"empty DOI {text!r}")
        self.text = text
        self.bare = bare


def split_resolver(text: str) -> tuple[str, str]:
    """``(prefix, rest)`` of ``text`` stripped: the resolver prefix (``""`` when there
    is none) and what follows it, exactly as written."""
    value = text.strip()
    prefixed = RESOLVER_RE.match(value)
    if prefixed is None:
        return "", value
    return prefixed.group(0), value[prefixed.end() :]


def unescape_tex(text: str) -> str:
    """``text`` with TeX escapes such as ``\\_`` made the bare character."""
    return TEX_ESCAPE_RE.sub(r"\1", text) if "\\" in text else text


def bare_doi(text: str) -> str:
    """The bare DOI that ``text`` writes (see the module docstring for the forms).

    Raises :class:`DOISyntaxError` when what is left is empty or not a DOI.
    """
    prefix, value = split_resolver(unescape_tex(text))
    if prefix[:4].lower() == "http":  # a URL path is percent-encoded; the DOI is not
        value = unquote(value.split("#", 1)[0])
    if not DOI_RE.match(value):
        raise DOISyntaxError(text, value)
    return value
