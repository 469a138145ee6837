"""The checks ``handbook bib check`` runs: a registry of small functions.

Each check is a function decorated with :func:`check`, which gives it a code
(``BIB001`` ...). Its docstring says what it wants, with a Bad and a Good
example; ``handbook bib check --list`` prints them. A check yields
``(line, message)`` pairs and never sees another check's results.

File checks take the parsed :class:`~handbook.bib.parse.Bibliography`; entry
checks take one :class:`Ref` (an entry with its ``unverified`` list and
keywords already split) and are run only on entries that parsed cleanly.

An entry may list fields in ``unverified`` (comma-separated field names or
free phrases): a field named there must be absent, and its absence is then
not a finding. ``Ref.lacks`` applies that rule for every "missing" check.

An entry with ``crossref`` inherits the fields it lacks from the entry it
names (BibTeX copies them; biblatex also gives the parent's ``title`` as the
child's ``booktitle``): the required-fields and key-year checks count them
(``Ref.parent``). biblatex's ``date`` stands for ``year`` and ``journaltitle``
for ``journal``, except in the files that ``[tool.handbook.bib] bibtex-only``
lists (:mod:`handbook.bib.settings`; ``Ref.biblatex``).
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import inspect
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

from handbook.bib.parse import Bibliography, Field, Item
from handbook.doi import DOISyntaxError, bare_doi, split_resolver
from handbook.findings import Finding
from handbook.vocabulary import FORMATS, KEYWORDS, LANGUAGES, LEVELS, ROLES, WEB_FORMATS

Problems = Iterator[tuple[int, str]]
CheckFunc = Callable[..., Problems]


@dataclass(frozen=True, slots=True)
class Ref:
    """An entry as the entry checks see it."""

    entry: Item
    #: Field names listed in ``unverified`` (phrases left out).
    unverified: frozenset[str]
    #: The ``keywords`` field split on commas and stripped (empty if absent).
    keywords: tuple[str, ...]
    #: The entry its ``crossref`` names (not itself), if that is in the file.
    parent: Item | None = None
    #: biblatex's field names count (``date`` for ``year``, ``journaltitle``
    #: for ``journal``): false in a file the settings list as bibtex-only.
    biblatex: bool = True

    def lacks(self, name: str) -> bool:
        """True when ``name`` is absent or empty and ``unverified`` does not excuse it."""
        found = self.entry.get(name)
        return (found is None or not found.value.strip()) and name not in self.unverified

    def inherited(self, name: str) -> Field | None:
        """The field ``name`` of the entry itself or, when it lacks it, of its parent."""
        found = self.entry.get(name)
        if found is None and self.parent is not None:
            return self.parent.get(name)
        return found

    def present(self, name: str) -> bool:
        """True when ``name`` is present and not empty, in the entry or its parent."""
        found = self.inherited(name)
        return found is not None and bool(found.value.strip())

    def has(self, name: str) -> bool:
        """True when ``name`` is :meth:`present` or ``unverified`` excuses its absence."""
        return self.present(name) or name in self.unverified

    @property
    def format(self) -> str | None:
        """The entry's format keyword, when it has exactly one."""
        formats = [word for word in self.keywords if word in _FORMAT_SET]
        return formats[0] if len(formats) == 1 else None


@dataclass(frozen=True, slots=True)
class Check:
    """A registered check."""

    code: str
    name: str
    func: CheckFunc
    #: ``"file"`` checks take the Bibliography, ``"entry"`` checks a Ref.
    scope: str

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.func.__doc__ or "")


#: code -> check, in code order.
CHECKS: dict[str, Check] = {}


def check(code: str, *, scope: str = "entry") -> Callable[[CheckFunc], CheckFunc]:
    """Register a function as the check ``code`` (its name must start ``check_``)."""

    def deco(func: CheckFunc) -> CheckFunc:
        if not func.__name__.startswith("check_"):
            raise ValueError(f"check {func.__name__} must be named check_*")
        if code in CHECKS:
            raise ValueError(f"duplicate check code {code}")
        if not func.__doc__ or "Bad:" not in func.__doc__ or "Good:" not in func.__doc__:
            raise ValueError(f"check {func.__name__} needs a docstring with Bad: and Good:")
        name = func.__name__.removeprefix("check_").replace("_", "-")
        CHECKS[code] = Check(code, name, func, scope)
        return func

    return deco


# ---------------------------------------------------------------- rules

#: Fields each entry type must have (subject to ``unverified``).
REQUIRED: dict[str, tuple[str, ...]] = {
    "book": ("author", "title", "year", "publisher"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "article": ("author", "title", "journal", "year"),
    "online": ("author", "title", "year", "url", "urldate"),
    "misc": ("author", "title"),
}

#: authorYYYYword: the author in lower-case letters, the year or ``nd``, then
#: a word that starts with a letter (or nothing).
KEY_RE = re.compile(r"^[a-z]+(\d{4}|nd)(?:[a-z][a-z0-9]*)?$")
KEY_RULE = (
    "authorYYYYword (lower-case letters, the year or 'nd', then a word of letters"
    " and digits that starts with a letter)"
)
YEAR_RE = re.compile(r"^\d{4}$")
#: The year at the start of a biblatex ``date`` (``2011``, ``2011-09-13``, ``2011/2012``).
DATE_YEAR_RE = re.compile(r"^(\d{4})(?![0-9])")
#: biblatex's names for BibTeX's fields.
BIBLATEX_NAMES: dict[str, str] = {"year": "date", "journal": "journaltitle"}
URL_RE = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://"
    r"(?P<host>(?:[^\W_]|[^\W_][\w-]*[^\W_])(?:\.(?:[^\W_]|[^\W_][\w-]*[^\W_]))+)"
    r"(?::(?P<port>\d{1,5}))?"
    r"(?P<rest>[/?#][^\s{}\\]*)?$"
)
URLDATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FIELD_NAME_RE = re.compile(r"^[a-z]+$")
MIN_ANNOTATION = 60

_ROLE_SET = frozenset(ROLES)
_FORMAT_SET = frozenset(FORMATS)


def _words(words: Iterable[str]) -> str:
    return ", ".join(words)


# ---------------------------------------------------------------- file checks


@check("BIB001", scope="file")
def check_parse_error(bib: Bibliography) -> Problems:
    """Text pybtex cannot parse, reported at the line where it goes wrong.

    Bad:  @book{ries2011lean, title = {The Lean Startup} year = {2011}}
    Good: @book{ries2011lean, title = {The Lean Startup}, year = {2011}}
    """
    for error in bib.errors:
        yield error.line, error.message


@check("BIB002", scope="file")
def check_stray_text(bib: Bibliography) -> Problems:
    """Text between entries that is not a comment (BibTeX would ignore it).

    Comments are ``%`` lines and ``@comment{...}`` commands. Stray text is often
    the remains of an entry closed too early by a stray ``}``.

    Bad:  Eric Ries's book
    Good: % Eric Ries's book
    """
    gaps = [(item.before, item.after_error) for item in bib.items]
    gaps.append((bib.trailing, bib.trailing_after_error))
    for lines, after_error in gaps:
        if after_error:
            continue
        for line, text, comment in lines:
            if text and not comment and not text.startswith("%"):
                yield line, f"text outside an entry: {text[:40]!r} (start comment lines with %)"


@check("BIB003", scope="file")
def check_duplicate_key(bib: Bibliography) -> Problems:
    """Two entries with the same key, compared case-insensitively.

    Bad:  @book{ries2011lean, ...} and @book{Ries2011Lean, ...}
    Good: @book{ries2011lean, ...} and @book{ries2012leanja, ...}
    """
    first: dict[str, Item] = {}
    for entry in bib.items:
        if not entry.is_entry or not entry.key:
            continue
        folded = entry.key.casefold()
        if folded in first:
            other = first[folded]
            yield entry.line, f"duplicate key '{entry.key}' (first at line {other.line})"
        else:
            first[folded] = entry


# ---------------------------------------------------------------- entry checks


@check("BIB004")
def check_duplicate_field(ref: Ref) -> Problems:
    """A field given twice in one entry (pybtex rejects the entry).

    Bad:  @book{x, year = {2011}, year = {2012}}
    Good: @book{x, year = {2011}}
    """
    seen: set[str] = set()
    for fld in ref.entry.fields:
        if fld.name in seen:
            first = ref.entry.get(fld.name)
            at = f" (first at line {first.line})" if first else ""
            yield fld.line, f"duplicate field '{fld.name}'{at}"
        seen.add(fld.name)


@check("BIB005")
def check_entry_type(ref: Ref) -> Problems:
    """An entry type the handbook has no rules for.

    Bad:  @techreport{...}
    Good: @book, @inproceedings, @article, @online or @misc
    """
    if ref.entry.kind not in REQUIRED:
        known = ", ".join(f"@{kind}" for kind in REQUIRED)
        yield ref.entry.line, f"entry type '@{ref.entry.kind}' is not one of {known}"


@check("BIB006")
def check_required_fields(ref: Ref) -> Problems:
    """A field the entry type requires is missing (or empty).

    book: author, title, year, publisher; inproceedings: author, title,
    booktitle, year; article: author, title, journal, year; online: author,
    title, year, url, urldate; misc: author, title. ``editor`` stands in for
    ``author`` (an edited volume), biblatex's ``date`` for ``year`` and
    ``journaltitle`` for ``journal`` (not in a bibtex-only file). A field listed
    in ``unverified`` may be absent; one the entry inherits through
    ``crossref`` is there (the parent's ``title`` is the child's ``booktitle``).

    Bad:  @book{ries2011lean, author = {Ries, Eric}, title = {The Lean Startup}}
    Good: @book{ries2011lean, author = {Ries, Eric}, title = {The Lean Startup},
          year = {2011}, publisher = {Crown Business}}
    """
    entry = ref.entry
    for name in REQUIRED.get(entry.kind, ()):
        own = entry.get(name)
        if own is not None and own.value.strip():  # the common case, first
            continue
        if ref.has(name) or (name == "author" and ref.has("editor")):
            continue
        if name == "booktitle" and ref.parent is not None and ref.parent.value("title"):
            continue
        hint = ""
        alias = BIBLATEX_NAMES.get(name)
        if alias is not None and ref.present(alias):
            if ref.biblatex:
                continue
            hint = f" ({alias} is biblatex's: this file is bibtex-only, so give {name})"
        yield entry.line, f"@{entry.kind} '{entry.key}' has no {name}{hint}"


@check("BIB007")
def check_key_format(ref: Ref) -> Problems:
    """A key not of the form authorYYYYword (``nd`` for no known year).

    The word after the year starts with a letter. The message suggests a key
    made from the fields, when they give one: the first author's (or editor's)
    last name, the year (or ``nd``) and the first significant word of the title
    (or of ``titleaddon``).

    Bad:  Ries:2011, lean-startup, ries_2011, vand95
    Good: ries2011lean, zinkevichndrules, vandyke1995art
    """
    key = ref.entry.key or ""
    if not KEY_RE.match(key):
        suggestion = suggest_key(ref)
        use = f": use '{suggestion}'" if suggestion else ""
        yield ref.entry.line, f"key '{key}' is not {KEY_RULE}{use}"


@check("BIB008")
def check_key_year(ref: Ref) -> Problems:
    """The year in the key and the year of the entry disagree (``year`` must be four digits).

    The year is ``year``, else (biblatex) the year ``date`` starts with, also
    when inherited through ``crossref``.

    Bad:  @book{ries2012lean, year = {2011}}  or  @online{zinkevichndrules, year = {2017}}
    Good: @book{ries2011lean, year = {2011}}  or  @online{zinkevichndrules} (no year)
    """
    entry = ref.entry
    key = entry.key or ""
    own = entry.get("year")
    if own is not None:
        written = own.value.strip()
        if not YEAR_RE.match(written):
            yield own.line, f"year '{written}' is not four digits"
            return
    elif ref.biblatex and (date := entry.get("date")) is not None:
        written = date.value.strip()
        if written and not DATE_YEAR_RE.match(written):
            yield date.line, f"date '{written}' does not start with a four-digit year"
            return
    match = KEY_RE.match(key)
    if not match:
        return
    in_key = match.group(1)
    if own is not None and written == in_key:  # the common case, first
        return
    found = _entry_year(ref)
    if found is None:
        if in_key == "nd" or ref.present("year") or (ref.biblatex and ref.present("date")):
            return  # no year, or the parent's is malformed (reported at the parent)
        if "year" in ref.unverified:
            yield entry.line, f"key '{key}' has year {in_key} but the year is unverified: use 'nd'"
        elif "year" not in REQUIRED.get(entry.kind, ()):  # else BIB006 reports it
            hint = ""
            if not ref.biblatex and ref.present("date"):
                hint = " (date is biblatex's: this file is bibtex-only, so give year)"
            yield entry.line, f"key '{key}' has year {in_key} but the entry has no year field{hint}"
        return
    year, said, line = found
    if in_key == "nd":
        fixed = _nd_replaced(ref, key, year)
        use = f": use '{fixed}'" if fixed else ""
        yield line, f"key '{key}' says no year but {said}{use}"
    elif year != in_key:
        yield line, f"key '{key}' has year {in_key} but {said}"


def _entry_year(ref: Ref, *, date: bool | None = None) -> tuple[str, str, int] | None:
    """The entry's year, how to say where it comes from, and the line to report:
    ``year`` (its own or inherited), else ``date``'s year (when ``date``, by
    default when biblatex names count); None when there is none."""
    entry = ref.entry
    use_date = ref.biblatex if date is None else date
    for name in ("year", "date") if use_date else ("year",):
        fld = ref.inherited(name)
        if fld is None:
            continue
        value = fld.value.strip()
        if name == "date":
            starts = DATE_YEAR_RE.match(value)
            year = starts.group(1) if starts else ""
        else:
            year = value
        if not YEAR_RE.match(year):
            return None
        said = f"{name} = {value}"
        if fld is entry.get(name):
            return year, said, fld.line
        parent = ref.parent.key if ref.parent is not None else "?"
        return year, f"{said} (from crossref '{parent}')", entry.line
    return None


@check("BIB009")
def check_isbn_valid(ref: Ref) -> Problems:
    """An ISBN with a wrong check digit, length or prefix (checked with python-stdnum).

    Bad:  isbn = {9780307887895}
    Good: isbn = {9780307887894}
    """
    fld = ref.entry.get("isbn")
    if fld is None:
        return
    number = fld.value
    try:
        compact = stdnum_isbn.validate(number)
    except InvalidChecksum:
        yield fld.line, f"ISBN '{number}' has a wrong check digit"
        return
    except InvalidLength:
        yield fld.line, f"ISBN '{number}' has neither 10 nor 13 digits"
        return
    except InvalidComponent:
        yield fld.line, f"ISBN '{number}' does not start with 978 or 979"
        return
    except (InvalidFormat, ValidationError):
        yield fld.line, f"ISBN '{number}' is not a number"
        return
    _prefix, group, publisher, _item, _check = stdnum_isbn.split(compact)
    if not group or not publisher:
        yield fld.line, f"ISBN '{number}' is in no assigned registration group or publisher range"


@check("BIB010")
def check_isbn13(ref: Ref) -> Problems:
    """An ISBN-10: books carry the ISBN-13.

    Bad:  isbn = {0307887898}
    Good: isbn = {9780307887894}
    """
    fld = ref.entry.get("isbn")
    if fld is None:
        return
    compact = stdnum_isbn.compact(fld.value)
    if len(compact) == 10 and stdnum_isbn.is_valid(compact):
        yield fld.line, f"ISBN-10 '{fld.value}': use the ISBN-13 {stdnum_isbn.to_isbn13(compact)}"


@check("BIB011")
def check_isbn_digits(ref: Ref) -> Problems:
    """An ISBN written with hyphens or spaces: the file uses digits only.

    Bad:  isbn = {978-0-307-88789-4}
    Good: isbn = {9780307887894}
    """
    fld = ref.entry.get("isbn")
    if fld is None:
        return
    compact = stdnum_isbn.compact(fld.value)
    if fld.value != compact:
        yield fld.line, f"ISBN '{fld.value}': write it as digits only: {compact}"


@check("BIB012")
def check_doi_format(ref: Ref) -> Problems:
    """A DOI that is not ``10.<registrant>/<suffix>`` with no white space.

    The DOI Handbook's syntax, the rule ``handbook linkcheck`` applies too
    (:mod:`handbook.doi`): old SICI-style DOIs are DOIs, and a TeX escape such
    as ``\\_`` means the bare character.

    Bad:  doi = {10.1145 3533378}  or  doi = {10.acm/3533378}
    Good: doi = {10.1145/3533378}  or  doi = {10.1007/978-3-642-22438-6\\_17}
    """
    fld = ref.entry.get("doi")
    if fld is None:
        return
    try:
        bare_doi(fld.value)
    except DOISyntaxError as exc:
        if not exc.bare:
            yield fld.line, "doi is empty: give the DOI or remove the field"
        else:
            written = split_resolver(fld.value)[1]
            yield fld.line, f"DOI '{written}' is malformed: expected 10.<registrant>/<suffix>"


@check("BIB013")
def check_doi_resolver(ref: Ref) -> Problems:
    """A DOI written with a resolver prefix: ``doi`` holds the bare DOI.

    Bad:  doi = {https://doi.org/10.1145/3533378}  or  doi = {doi:10.1145/3533378}
    Good: doi = {10.1145/3533378}
    """
    fld = ref.entry.get("doi")
    if fld is None:
        return
    prefix, written = split_resolver(fld.value)
    if prefix:
        try:
            bare = bare_doi(fld.value)
        except DOISyntaxError:
            bare = written
        yield fld.line, f"DOI has a resolver prefix: write just {bare}"


@check("BIB014")
def check_url_format(ref: Ref) -> Problems:
    """A ``url`` that is not a well-formed web address.

    The field is verbatim: no spaces, braces or TeX escapes such as ``\\_``.

    Bad:  url = {www.example.com/page}  or  url = {https://example.com/a\\_b}
    Good: url = {https://www.example.com/page}
    """
    fld = ref.entry.get("url")
    if fld is None:
        return
    match = URL_RE.match(fld.value)
    if not match:
        yield fld.line, f"url '{fld.value}' is not a well-formed web address"
    elif match.group("scheme").lower() not in {"http", "https"}:
        yield fld.line, f"url '{fld.value}' is not a web address (http or https)"
    elif match.group("port") and not 0 < int(match.group("port")) < 65536:
        yield fld.line, f"url '{fld.value}' has an invalid port"


@check("BIB015")
def check_url_https(ref: Ref) -> Problems:
    """A ``url`` over plain http: link to the https address.

    Bad:  url = {http://research.google.com/pubs/pub43146.html}
    Good: url = {https://research.google/pubs/pub43146/}
    """
    fld = ref.entry.get("url")
    if fld is not None and fld.value[:7].lower() == "http://":
        yield fld.line, f"url '{fld.value}' is http: use https"


@check("BIB016")
def check_keywords(ref: Ref) -> Problems:
    """``keywords`` missing, or holding a word outside the vocabulary (or twice).

    The vocabulary is in ``handbook.vocabulary``: roles swe, pm, ds;
    levels intro, practitioner, advanced; formats book, paper, article,
    course, talk, post, law, standard, docs.

    Bad:  keywords = {mlops, swe, practitioner, book}
    Good: keywords = {swe, practitioner, book}
    """
    fld = ref.entry.get("keywords")
    if fld is None:
        if ref.lacks("keywords"):
            yield ref.entry.line, "no keywords (a role, a level and a format)"
        return
    seen: set[str] = set()
    for word in ref.keywords:
        if not word:
            yield fld.line, "empty keyword (two commas in a row?)"
        elif word not in KEYWORDS:
            hint = f" (write '{word.lower()}')" if word.lower() in KEYWORDS else ""
            yield fld.line, f"keyword '{word}' is not in the vocabulary{hint}"
        elif word in seen:
            yield fld.line, f"keyword '{word}' is given twice"
        seen.add(word)


@check("BIB017")
def check_keyword_role(ref: Ref) -> Problems:
    """``keywords`` names no role: give one or more of swe, pm, ds.

    Bad:  keywords = {practitioner, book}
    Good: keywords = {swe, pm, practitioner, book}
    """
    fld = ref.entry.get("keywords")
    if fld is not None and not any(word in _ROLE_SET for word in ref.keywords):
        yield fld.line, f"keywords name no role ({_words(ROLES)})"


def _exactly_one(ref: Ref, group: str, words: tuple[str, ...]) -> Problems:
    """``keywords`` names exactly one of ``words`` (the ``group``: level, format)."""
    fld = ref.entry.get("keywords")
    if fld is None:
        return
    found = [word for word in dict.fromkeys(ref.keywords) if word in words]
    if len(found) != 1:
        got = f" (got {_words(found)})" if found else ""
        yield fld.line, f"keywords must name exactly one {group} of {_words(words)}{got}"


@check("BIB018")
def check_keyword_level(ref: Ref) -> Problems:
    """``keywords`` must name exactly one level: intro, practitioner or advanced.

    Bad:  keywords = {swe, intro, advanced, book}
    Good: keywords = {swe, intro, book}
    """
    yield from _exactly_one(ref, "level", LEVELS)


@check("BIB019")
def check_keyword_format(ref: Ref) -> Problems:
    """``keywords`` must name exactly one format: book, paper, article, course, talk, post,
    law, standard or docs.

    Bad:  keywords = {swe, practitioner}
    Good: keywords = {swe, practitioner, paper}
    """
    yield from _exactly_one(ref, "format", FORMATS)


@check("BIB020")
def check_language(ref: Ref) -> Problems:
    """``language`` missing or not one of en, ja.

    Bad:  language = {english}
    Good: language = {en}
    """
    fld = ref.entry.get("language")
    if fld is None:
        if ref.lacks("language"):
            yield ref.entry.line, f"no language ({_words(LANGUAGES)})"
    elif fld.value not in LANGUAGES:
        yield fld.line, f"language '{fld.value}' is not one of {_words(LANGUAGES)}"


@check("BIB021")
def check_annotation(ref: Ref) -> Problems:
    """``annotation`` missing or too short to say why the reference is worth reading.

    At least 60 characters.

    Bad:  annotation = {A good book.}
    Good: annotation = {Its build-measure-learn loop tests cheaply whether an ML
          feature is worth building before building it well.}
    """
    fld = ref.entry.get("annotation")
    if fld is None or not fld.value.strip():
        if ref.lacks("annotation"):
            yield (fld or ref.entry).line, "no annotation (why an ML engineer should read it)"
    elif len(fld.value) < MIN_ANNOTATION:
        yield (
            fld.line,
            f"annotation has {len(fld.value)} characters: say in at least {MIN_ANNOTATION}"
            " why an ML engineer should read it",
        )


@check("BIB022")
def check_urldate(ref: Ref) -> Problems:
    """A web page without ``urldate``, or a ``urldate`` that is not a past YYYY-MM-DD.

    Web pages are @online entries and entries whose format is post, course,
    talk, law, standard or docs and that have a url. (A missing urldate on
    @online is BIB006's.)

    Bad:  @misc{..., url = {https://speakerdeck.com/...}, keywords = {pm, intro, talk}}
    Good: @misc{..., url = {https://speakerdeck.com/...}, urldate = {2026-11-27}, ...}
    """
    entry = ref.entry
    fld = entry.get("urldate")
    if fld is None:
        if (
            entry.kind != "online"
            and ref.format in WEB_FORMATS
            and entry.get("url") is not None
            and ref.lacks("urldate")
        ):
            yield entry.line, f"web page ({ref.format} with a url) has no urldate (YYYY-MM-DD)"
        return
    if not URLDATE_RE.match(fld.value):
        yield fld.line, f"urldate '{fld.value}' is not YYYY-MM-DD"
        return
    try:
        day = dt.date.fromisoformat(fld.value)
    except ValueError:
        yield fld.line, f"urldate '{fld.value}' is not a real date"
        return
    if day > dt.date.today():
        yield fld.line, f"urldate '{fld.value}' is in the future"


@check("BIB023")
def check_verified(ref: Ref) -> Problems:
    """No ``verified``: no entry without a source for its metadata.

    ``verified`` lists where the metadata was checked (URLs or catalogue
    references), separated by ``;``.

    Bad:  (no verified field)  or  verified = {https://a.example/; ; }
    Good: verified = {https://www.oreilly.co.jp/books/9784873118215/; NDL 028736487}
    """
    fld = ref.entry.get("verified")
    if fld is None or not fld.value.strip():
        if ref.lacks("verified"):
            yield (fld or ref.entry).line, "no verified (where the metadata was checked)"
        return
    sources = [part.strip() for part in fld.value.split(";")]
    if any(not part for part in sources[:-1]) or (len(sources) > 1 and not sources[-1]):
        yield fld.line, "verified has an empty source (stray ';')"


@check("BIB024")
def check_titleaddon(ref: Ref) -> Problems:
    """A Japanese-language entry without ``titleaddon`` (the title in English).

    Bad:  @book{ariga2018shigoto, title = {仕事ではじめる機械学習}, language = {ja}}
    Good: @book{ariga2018shigoto, title = {仕事ではじめる機械学習},
          titleaddon = {Machine Learning at Work}, language = {ja}}
    """
    if ref.entry.value("language") == "ja" and ref.lacks("titleaddon"):
        yield ref.entry.line, "Japanese entry has no titleaddon (the title in English)"


@check("BIB025")
def check_unverified_present(ref: Ref) -> Problems:
    """A field listed in ``unverified`` is present: unverified data stays out.

    Bad:  @book{x, pages = {212}, unverified = {pages}}
    Good: @book{x, unverified = {pages}}
    """
    fld = ref.entry.get("unverified")
    if fld is None:
        return
    for name in sorted(ref.unverified):
        if ref.entry.get(name) is not None:
            yield fld.line, f"'{name}' is listed in unverified but present: remove one"


@check("BIB026", scope="file")
def check_crossref(bib: Bibliography) -> Problems:
    """A ``crossref`` to no entry of the file, or to an entry that comes before it.

    BibTeX reads a cross-referenced entry only when it comes after every entry
    that refers to it (``handbook bib format --write`` puts it there). Keys
    are compared case-insensitively, as BibTeX does.

    Bad:  @book{cortes2015nips, ...}  then  @inproceedings{sculley2015hidden,
          crossref = {cortes2015nips}, ...}
    Good: @inproceedings{sculley2015hidden, crossref = {cortes2015nips}, ...}
          then  @book{cortes2015nips, ...}
    """
    wanted = [
        (entry, fld)
        for entry in bib.items
        if entry.is_entry and not entry.broken and (fld := entry.get("crossref")) is not None
    ]
    if not wanted:
        return
    targets = crossref_targets(bib)
    for entry, fld in wanted:
        name = fld.value.strip()
        parent = targets.get(name.casefold())
        if not name:
            yield fld.line, "crossref is empty: give the key of the entry this one is part of"
        elif parent is None:
            yield fld.line, f"crossref '{name}' is not the key of an entry in this file"
        elif parent is entry:
            yield fld.line, f"crossref '{name}' names the entry itself"
        elif parent.start < entry.start:
            yield (
                fld.line,
                f"crossref '{name}' names the entry at line {parent.line}, which comes before"
                " this one (BibTeX needs it after every entry that refers to it:"
                " run 'handbook bib format --write')",
            )


# ---------------------------------------------------------------- key suggestions

#: Title words that do not make a key.
_STOP_WORDS = frozenset(
    {"a", "an", "the", "and", "or", "but", "nor", "of", "on", "in", "at", "by", "for", "to"}
    | {"from", "with", "into", "onto", "over", "about", "as", "is", "are", "be", "do", "how"}
    | {"what", "why", "when"}
)
#: Letters NFKD does not take apart.
_ASCII = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
_TEX_COMMAND = re.compile(r"\\(?:[A-Za-z]+|.)")
_WORD = re.compile(r"[a-z0-9]+")


def _ascii_words(text: str) -> list[str]:
    """The words of BibTeX ``text``, TeX accents decoded, ASCII-folded and lower-cased."""
    if "\\" in text:
        with contextlib.suppress(ImportError):
            import latexcodec  # noqa: F401  (pybtex's dependency; registers "ulatex")
        with contextlib.suppress(ValueError, LookupError):  # not TeX it reads: keep the text
            text = codecs.decode(text, "ulatex")  # type: ignore[call-overload]  # str to str
        text = _TEX_COMMAND.sub("", text)
    text = text.replace("{", "").replace("}", "")  # {L}ean is one word
    folded = unicodedata.normalize("NFKD", text.lower().translate(_ASCII))
    return _WORD.findall(folded.encode("ascii", "ignore").decode("ascii"))


def _author_slug(ref: Ref) -> str | None:
    """The first author's (or editor's) last name, von part included, as in a key."""
    from pybtex import errors
    from pybtex.bibtex.utils import split_name_list
    from pybtex.database import Person
    from pybtex.exceptions import PybtexError

    fld = ref.inherited("author") or ref.inherited("editor")
    if fld is None or not fld.value.strip():
        return None
    try:
        with errors.capture() as problems:  # neither raised nor printed, whatever the mode
            person = Person(split_name_list(fld.value)[0])
    except (PybtexError, IndexError, ValueError):
        return None
    if problems:  # a name pybtex cannot read: no guess
        return None
    slug = "".join(_ascii_words(" ".join(person.prelast_names + person.last_names)))
    return slug if slug.isalpha() else None


def _title_word(ref: Ref) -> str | None:
    for name in ("title", "titleaddon"):
        fld = ref.inherited(name)
        if fld is None:
            continue
        for word in _ascii_words(fld.value):
            if word not in _STOP_WORDS and word[0].isalpha():
                return word
    return None


def suggest_key(ref: Ref) -> str | None:
    """A key in the house pattern made from the entry's fields, or None when the
    fields do not give one: first author's (or editor's) last name, the year
    (``date``'s year, or ``nd``) and the first significant word of the title."""
    author = _author_slug(ref)
    word = _title_word(ref)
    if author is None or word is None:
        return None
    found = _entry_year(ref, date=True)
    key = f"{author}{found[0] if found else 'nd'}{word}"
    return key if KEY_RE.match(key) else None


def _nd_replaced(ref: Ref, key: str, year: str) -> str | None:
    """``key`` with the ``nd`` that follows the author's name (from the fields)
    made ``year``; None when the key does not start with that name and ``nd``."""
    author = _author_slug(ref)
    if author is None or not key.startswith(author + "nd"):
        return None
    fixed = f"{author}{year}{key[len(author) + 2 :]}"
    return fixed if KEY_RE.match(fixed) else None


def crossref_targets(bib: Bibliography) -> dict[str, Item]:
    """Entries by case-folded key (the first of each key), for resolving ``crossref``."""
    targets: dict[str, Item] = {}
    for entry in bib.items:
        if entry.is_entry and entry.key:
            targets.setdefault(entry.key.casefold(), entry)
    return targets


# ---------------------------------------------------------------- running

_FILE_CHECKS = [c for c in CHECKS.values() if c.scope == "file"]
_ENTRY_CHECKS = [c for c in CHECKS.values() if c.scope == "entry"]


def make_ref(entry: Item, parent: Item | None = None, *, biblatex: bool = True) -> Ref:
    """Split ``unverified`` and ``keywords`` once for all entry checks."""
    unverified = entry.value("unverified")
    names: frozenset[str] = frozenset()
    if unverified:
        names = frozenset(
            part for part in (p.strip() for p in unverified.split(",")) if FIELD_NAME_RE.match(part)
        )
    keywords = entry.value("keywords")
    words = tuple(word.strip() for word in keywords.split(",")) if keywords else ()
    return Ref(entry, names, words, parent if parent is not entry else None, biblatex)


def run_checks(
    bib: Bibliography, select: Iterable[str] | None = None, *, biblatex: bool = True
) -> list[Finding]:
    """Every finding of the (selected) checks on ``bib``, unsorted.

    ``biblatex`` is false for a file where only BibTeX's field names count
    (:meth:`handbook.bib.settings.Settings.biblatex_names`).
    """
    wanted = None if select is None else set(select)
    path = bib.path
    findings: list[Finding] = []
    add = findings.append
    for chk in _FILE_CHECKS:
        if wanted is None or chk.code in wanted:
            for line, message in chk.func(bib):
                add(Finding(path, line, chk.code, message))
    funcs = [(c.code, c.func) for c in _ENTRY_CHECKS if wanted is None or c.code in wanted]
    targets: dict[str, Item] | None = None
    for entry in bib.items:
        if not entry.is_entry or entry.broken:
            continue
        parent = None
        crossref = entry.value("crossref")
        if crossref is not None:
            if targets is None:
                targets = crossref_targets(bib)
            parent = targets.get(crossref.strip().casefold())
        ref = make_ref(entry, parent, biblatex=biblatex)
        for code, func in funcs:
            for line, message in func(ref):
                add(Finding(path, line, code, message))
    return findings
