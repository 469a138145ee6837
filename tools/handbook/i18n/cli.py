"""``handbook i18n``: refresh the translations' catalogues and report how far they are.

Usage::

    handbook i18n update                         # refresh every catalogue that exists (ja)
    handbook i18n update --page start/index      # ... and start the catalogue of start/index
    handbook i18n status                         # per page: translated %, outdated, untranslated
    handbook i18n status --check                 # exit 1 when a page listed complete fell behind
    handbook i18n status --warn --format github  # the same findings as ::warning, exit 0 (CI)
    handbook i18n status --format markdown       # a report for the translators' issue
    handbook i18n status --catalogues-only       # the catalogues as they are, without a build

Both build the English site's message templates first (the strict gettext
build, incremental under ``docs/_build/``; :mod:`handbook.i18n.catalogs`), but
for ``status --catalogues-only``.
``update`` refreshes with sphinx-intl only the catalogues that exist and those
named with ``--page``, and writes a catalogue only when its messages change.
``status`` merges each page's catalogue with its template in memory, so an
English paragraph changed since the last ``update`` already shows as outdated
(fuzzy) or untranslated.

The pages listed complete in ``docs/_data/translations.yaml``
(:mod:`handbook.data.translations`) are what ``--check`` guards: a finding,
``path:line: CODE message``, for each that has a message untranslated or
outdated (``I18N001``, at the catalogue's line of the first), no catalogue
(``I18N002``) or no page (``I18N003``), both at the line of the YAML file that
lists it; and, in Japanese, each translated message of those pages that words a
term otherwise than ``docs/_data/terminology.yaml`` (``I18N004``), lacks the
English's roles, placeholders or code spans (``I18N005``) or gives a glossary
term otherwise than the list (``I18N006``), at the message's line
(:mod:`handbook.i18n.terminology`).  With ``--check`` or ``--warn`` the findings
are what ``text`` and ``github`` print on standard output (the table goes to
standard error); ``json`` and ``markdown`` always carry both.  Exit status: 0 clean (always, with
``--warn``), 1 findings with ``--check``, 2 unusable input (a file that cannot be
read, a build that fails, a page that does not exist).
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, TypeVar

from babel.messages.catalog import Catalog

from handbook import paths
from handbook.args import Parser, parse_args
from handbook.data import terminology as data_terminology
from handbook.data import translations
from handbook.data.schema import SYNTAX_CODE
from handbook.data.source import Source, YamlSyntaxError, load
from handbook.files import UnusableInputError, display_path
from handbook.findings import (
    EXIT_CLEAN,
    EXIT_UNUSABLE,
    Finding,
    exit_status,
    print_github,
    print_github_warnings,
    print_text,
)
from handbook.i18n import catalogs
from handbook.i18n.catalogs import Progress
from handbook.i18n.terminology import Terminology, check_catalogue

PROG = "handbook i18n"
M = TypeVar("M")
#: The finding codes of ``status --check``.
BEHIND, NO_CATALOGUE, NO_PAGE = "I18N001", "I18N002", "I18N003"
#: How much of a message a finding quotes.
QUOTE_MAX = 60
#: The language of the site's translation (docs/conf.py's ``handbook_languages``).
DEFAULT_LANGUAGE = "ja"
#: Language names for the reports' headings.
LANGUAGE_NAMES = {"ja": "Japanese"}


class _Refused(Exception):
    """Input that cannot be used, said in one line (``handbook i18n status: ...``), exit 2."""


# -- Where things are -------------------------------------------------------------------


@dataclass(frozen=True)
class Places:
    """The folders and files a run works on."""

    docs: Path
    build_dir: Path
    extensions: Path | None
    language: str

    def catalogue(self, page: str) -> Path:
        return translations.catalogue_path(self.docs, self.language, page)


def _places(args: argparse.Namespace) -> Places:
    docs: Path = args.docs
    if not (docs / "conf.py").is_file():
        raise _Refused(f"{display_path(docs)}: not a Sphinx docs folder (no conf.py)")
    language: str = args.language
    if language == translations.SOURCE_LANGUAGE or not _is_language(language):
        raise _Refused(
            f"--language {language}: must be the code of a language other than "
            f"{translations.SOURCE_LANGUAGE} (the source), like {DEFAULT_LANGUAGE}"
        )
    if not args.extensions.is_dir():
        raise _Refused(f"--extensions {display_path(args.extensions)}: no such folder")
    build_dir = args.build_dir if args.build_dir is not None else docs / "_build"
    return Places(docs, build_dir, args.extensions, language)


def _is_language(code: str) -> bool:
    return re.match(translations.LANGUAGE, code) is not None


def _templates(places: Places) -> dict[str, Catalog]:
    try:
        return catalogs.templates(places.docs, places.build_dir, places.extensions)
    except catalogs.BuildFailed as exc:
        sys.stderr.write(exc.output)
        raise _Refused(
            f"the gettext build of {display_path(places.docs)} failed "
            f"(exit {exc.returncode}); fix the warnings above (make html shows them too)"
        ) from None


def _page_name(name: str) -> str:
    """A page as a user may name it (``docs/start/index.md``, ``/start/index``) as Sphinx does."""
    page = name.strip().replace("\\", "/").removeprefix("docs/").strip("/")
    return page.removesuffix(".md").removesuffix(".rst")


# -- update -----------------------------------------------------------------------------


def run_update(args: argparse.Namespace) -> int:
    places = _places(args)
    found = _templates(places)
    existing = catalogs.catalogues(places.docs, places.language)
    asked: list[str] = []
    for name in args.page or ():
        page = _page_name(name)
        if page not in found:
            close = difflib.get_close_matches(page, sorted(found), 1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise _Refused(f"--page {name}: no such page in {display_path(places.docs)}{hint}")
        if page not in asked:
            asked.append(page)
    orphans = sorted(page for page in existing if page not in found)
    for page in orphans:
        print(
            f"{PROG} update: {display_path(existing[page])}: no page {page} any more; "
            "not refreshed (delete it, or restore the page)",
            file=sys.stderr,
        )
    pages = sorted({*(page for page in existing if page in found), *asked})
    if not pages:
        print(
            f"{PROG} update: no {places.language} catalogue yet under "
            f"{display_path(translations.catalogue_folder(places.docs, places.language))}; "
            "start one with --page PAGE",
            file=sys.stderr,
        )
        return EXIT_CLEAN
    try:
        refreshed = catalogs.update(places.docs, places.language, found, pages)
    except catalogs.SphinxIntlFailed as exc:
        raise _Refused(str(exc)) from None
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for item in refreshed:
        counts[item.action] += 1
        shown = display_path(item.path)
        if item.action == "created":
            print(f"created {shown} ({_count(item.total, 'message')})")
        elif item.action == "updated":
            print(f"updated {shown} (+{item.added} -{item.removed})")
    summary = ", ".join(f"{n} {action}" for action, n in counts.items())
    print(f"{PROG} update: {places.language}: {summary}", file=sys.stderr)
    return EXIT_CLEAN


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# -- status -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """What ``status`` found: each page's progress, the pages listed complete, the
    catalogues of pages that are gone, and the findings."""

    language: str
    pages: list[Progress]
    complete: frozenset[str]
    orphans: list[Path]
    findings: list[Finding]
    listing: str


def _read_valid(path: Path, validate: Callable[[Source], tuple[M | None, Any]]) -> tuple[Source, M]:
    """A data file and its model; :class:`_Refused` (its problems on standard error) when
    it is not YAML or not what its schema says."""
    shown = display_path(path)
    try:
        source = load(path, shown)
    except YamlSyntaxError as exc:
        print(Finding(shown, exc.line, SYNTAX_CODE, exc.message), file=sys.stderr)
        raise _Refused(f"{shown} is not YAML; run handbook check-data") from None
    model, problems = validate(source)
    if model is None:
        for problem in problems:
            print(Finding(shown, problem.line, problem.code, problem.message), file=sys.stderr)
        raise _Refused(f"{shown} does not follow its schema; run handbook check-data")
    return source, model


def _read_complete(path: Path, explicit: bool, language: str) -> list[translations.Listed]:
    """The pages listed complete for ``language`` in ``path`` (none if the default file is
    not there); :class:`_Refused` when the file is not what its schema says."""
    if not explicit and not path.exists():
        return []
    source, model = _read_valid(path, translations.validate)
    return translations.complete_pages(source, model, language)


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) > QUOTE_MAX:
        flat = flat[: QUOTE_MAX - 1].rstrip() + "…"
    return f'"{flat}"'


def behind_message(item: Progress) -> str:
    """``index: 2 messages untranslated, 1 outdated (fuzzy); first: "Who it is for"``."""
    parts = []
    if item.untranslated:
        parts.append(f"{_count(item.untranslated, 'message')} untranslated")
    if item.outdated:
        outdated = f"{item.outdated} outdated (fuzzy)"
        parts.append(outdated if parts else f"{_count(item.outdated, 'message')} outdated (fuzzy)")
    first = f"; first: {_quote(item.first.text)}" if item.first is not None else ""
    return f"{item.page}: {', '.join(parts)}{first}"


def findings_for(
    pages: Mapping[str, Progress],
    listed: Sequence[translations.Listed],
    listing: str,
    places: Places,
    exists: Callable[[str], bool],
) -> list[Finding]:
    """A finding for each page listed complete that is behind, has no catalogue or is no page."""
    found: list[Finding] = []
    for entry in listed:
        item = pages.get(entry.page)
        if item is None and not exists(entry.page):
            found.append(
                Finding(
                    listing,
                    entry.line,
                    NO_PAGE,
                    f"{entry.page} is listed complete for {places.language}, "
                    f"but there is no such page in {display_path(places.docs)}",
                )
            )
        elif item is None or not item.has_catalogue:
            path = display_path(places.catalogue(entry.page))
            found.append(
                Finding(
                    listing,
                    entry.line,
                    NO_CATALOGUE,
                    f"{entry.page} is listed complete for {places.language}, "
                    f"but has no catalogue {path}",
                )
            )
        elif not item.done:
            line = item.first.line if item.first is not None and item.first.line else 1
            found.append(Finding(display_path(item.catalogue), line, BEHIND, behind_message(item)))
    return found


def status_report(args: argparse.Namespace) -> Report:
    places = _places(args)
    explicit = args.complete is not None
    listing_path = args.complete if explicit else places.docs / "_data" / "translations.yaml"
    listed = _read_complete(listing_path, explicit, places.language)
    existing = catalogs.catalogues(places.docs, places.language)
    if args.catalogues_only:
        found: dict[str, Catalog | None] = dict.fromkeys(existing)
        names = sorted(existing)

        def exists(page: str) -> bool:
            if page == translations.SPHINX_DOMAIN:
                return True
            return any((places.docs / f"{page}{suffix}").is_file() for suffix in (".md", ".rst"))

    else:
        built = _templates(places)
        found = dict(built)
        names = sorted(built)

        def exists(page: str) -> bool:
            return page in built

    pages: dict[str, Progress] = {}
    for page in names:
        path = places.catalogue(page)
        catalogue = catalogs.read_catalogue(existing[page]) if page in existing else None
        pages[page] = catalogs.progress(page, path, catalogue, found[page])
    listing = display_path(listing_path)
    findings = findings_for(pages, listed, listing, places, exists)
    findings += wording_findings(places, [entry.page for entry in listed], existing)
    return Report(
        places.language,
        sorted(pages.values(), key=_order),
        frozenset(entry.page for entry in listed),
        [existing[page] for page in sorted(existing) if page not in pages],
        sorted(findings),
        listing,
    )


#: The terminology list, under the docs folder, and the language whose terms it lists.
TERMINOLOGY, TERMINOLOGY_LANGUAGE = Path("_data", "terminology.yaml"), "ja"
#: The page whose catalogue holds the glossary's terms.
GLOSSARY_PAGE = "glossary"


def _read_terminology(path: Path) -> Terminology | None:
    """The terminology list (None: there is none); :class:`_Refused` when it is unusable."""
    if not path.is_file():
        return None
    _source, model = _read_valid(path, data_terminology.validate)
    return Terminology(model.terms)


def wording_findings(
    places: Places, complete: Sequence[str], existing: Mapping[str, Path]
) -> list[Finding]:
    """The complete pages' translations against the terminology list and their English
    (:mod:`handbook.i18n.terminology`: ``I18N004``-``I18N006``)."""
    if places.language != TERMINOLOGY_LANGUAGE:
        return []
    terms = _read_terminology(places.docs / TERMINOLOGY)
    if terms is None:
        return []
    found: list[Finding] = []
    for page in complete:
        if page not in existing:
            continue  # I18N002 says so
        shown = display_path(existing[page])
        catalogue = catalogs.read_catalogue(existing[page])
        for problem in check_catalogue(catalogue, terms, glossary=page == GLOSSARY_PAGE):
            found.append(Finding(shown, problem.line, problem.code, problem.message))
    return found


def _order(item: Progress) -> tuple[bool, str]:
    """Pages by name; ``sphinx``, the words that are not a page's, last."""
    return item.page == translations.SPHINX_DOMAIN, item.page


def _notes(item: Progress, complete: frozenset[str]) -> str:
    notes = []
    if item.page in complete:
        notes.append("listed complete")
    if not item.has_catalogue:
        notes.append("no catalogue")
    return ", ".join(notes)


def _summary(report: Report) -> str:
    total = sum(item.total for item in report.pages)
    translated = sum(item.translated for item in report.pages)
    done = sum(1 for item in report.pages if item.has_catalogue and item.done)
    percent = 100 if total == 0 else translated * 100 // total
    return (
        f"{report.language}: {done} of {_count(len(report.pages), 'page')} translated; "
        f"{translated} of {_count(total, 'message')} ({percent}%)"
    )


def table(report: Report) -> list[str]:
    """The status as a plain-text table, one page a line, and a summary line."""
    fractions = [f"{item.translated}/{item.total}" for item in report.pages]
    fraction_width = max([0, *(len(text) for text in fractions)])
    page_width = max([len("page"), *(len(item.page) for item in report.pages)])
    done_width = max(len("translated"), 5 + fraction_width)
    lines = [f"{'page':<{page_width}}  {'translated':>{done_width}}  outdated  untranslated"]
    for item, fraction in zip(report.pages, fractions, strict=True):
        done = f"{item.percent:>3}% {fraction:>{fraction_width}}"
        line = (
            f"{item.page:<{page_width}}  {done:>{done_width}}  "
            f"{item.outdated:>8}  {item.untranslated:>12}"
        )
        notes = _notes(item, report.complete)
        lines.append(f"{line}  {notes}" if notes else line)
    lines += [
        f"{display_path(orphan)}: a catalogue of no page (delete it, or restore the page)"
        for orphan in report.orphans
    ]
    lines.append(_summary(report))
    return lines


def as_json(report: Report) -> dict[str, object]:
    return {
        "language": report.language,
        "pages": [
            {
                "page": item.page,
                "catalogue": display_path(item.catalogue) if item.has_catalogue else None,
                "listed_complete": item.page in report.complete,
                "messages": item.total,
                "translated": item.translated,
                "outdated": item.outdated,
                "untranslated": item.untranslated,
                "percent": item.percent,
            }
            for item in report.pages
        ],
        "orphans": [display_path(path) for path in report.orphans],
        "findings": [
            {"path": f.path, "line": f.line, "code": f.code, "message": f.message}
            for f in report.findings
        ],
    }


def markdown(report: Report) -> str:
    """The status as Markdown: the pages listed complete that fell behind, then the table."""
    name = LANGUAGE_NAMES.get(report.language, report.language)
    lines = [f"## {name} translation status", ""]
    if report.findings:
        lines += [
            f"Pages listed complete in `{report.listing}` that are behind the English:",
            "",
        ]
        lines += [f"- `{f.path}:{f.line}`: {f.code} {f.message}" for f in report.findings]
    else:
        lines.append(f"Every page listed complete in `{report.listing}` is up to date.")
    lines += [
        "",
        "Refresh the catalogues with `handbook i18n update`, translate the outdated (fuzzy) "
        "and untranslated messages, and check the page as a whole "
        '(CONTRIBUTING.md, "Translating").',
        "",
        "| page | translated | messages | outdated | untranslated | |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for item in report.pages:
        lines.append(
            f"| `{item.page}` | {item.percent}% | {item.translated}/{item.total} "
            f"| {item.outdated} | {item.untranslated} | {_notes(item, report.complete)} |"
        )
    lines += ["", _summary(report)]
    for orphan in report.orphans:
        lines.append(f"\n`{display_path(orphan)}`: a catalogue of no page.")
    return "\n".join(lines) + "\n"


def _print_lines(lines: Iterable[str], stream: TextIO) -> None:
    for line in lines:
        print(line, file=stream)


FINDING_PRINTERS: dict[str, Callable[[Iterable[Finding]], None]] = {
    "text": print_text,
    "github": print_github,
}


def run_status(args: argparse.Namespace) -> int:
    report = status_report(args)
    checking = args.check or args.warn
    if args.format == "json":
        json.dump(as_json(report), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif args.format == "markdown":
        sys.stdout.write(markdown(report))
    elif checking:
        # The findings are the output; the table is the summary, on standard error.
        _print_lines(table(report), sys.stderr)
        if args.format == "github" and args.warn:
            print_github_warnings(report.findings)
        else:
            FINDING_PRINTERS[args.format](report.findings)
    else:
        _print_lines(table(report), sys.stdout)
    return exit_status(report.findings) if args.check else EXIT_CLEAN


# -- The command line -------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="Refresh the translations' gettext catalogues and report their status.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    common = Parser(add_help=False)
    common.add_argument(
        "--language",
        default=DEFAULT_LANGUAGE,
        metavar="LANG",
        help=f"the language of the catalogues (default: {DEFAULT_LANGUAGE})",
    )
    common.add_argument(
        "--docs", type=Path, default=paths.DOCS, help="the Sphinx sources (default: docs/)"
    )
    common.add_argument(
        "--build-dir",
        type=Path,
        metavar="DIR",
        help="where the gettext build and its doctrees go (default: DOCS/_build)",
    )
    common.add_argument(
        "--extensions",
        type=Path,
        default=paths.SPHINXEXT,
        metavar="DIR",
        help="the Sphinx extensions whose _() strings join the sphinx catalogue "
        "(default: tools/handbook/sphinxext)",
    )

    upd = sub.add_parser(
        "update",
        parents=[common],
        help="refresh the catalogues from the English sources",
        description="Refresh the catalogues that exist (and start those named with --page) "
        "from the English sources, with sphinx-intl.",
    )
    upd.add_argument(
        "--page",
        nargs="+",
        action="extend",
        metavar="PAGE",
        help="also start (or refresh) the catalogue of these pages, like start/index",
    )

    st = sub.add_parser(
        "status",
        parents=[common],
        help="per page: translated %%, outdated and untranslated messages",
        description="Per page: translated %, outdated (fuzzy) and untranslated messages, "
        "the English of today merged with the catalogues.",
    )
    mode = st.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when a page listed complete has untranslated or outdated messages",
    )
    mode.add_argument(
        "--warn",
        action="store_true",
        help="report the same findings (as ::warning with --format github) and exit 0",
    )
    st.add_argument("--format", choices=["text", "json", "markdown", "github"], default="text")
    st.add_argument(
        "--catalogues-only",
        action="store_true",
        help="no build: the catalogues as they are, not merged with today's English",
    )
    st.add_argument(
        "--complete",
        type=Path,
        metavar="FILE",
        help="the pages listed complete (default: DOCS/_data/translations.yaml)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``handbook i18n ARGS``; return the exit status."""
    args = parse_args(_parser(), argv)
    if isinstance(args, int):
        return args
    try:
        if args.command == "update":
            return run_update(args)
        return run_status(args)
    except _Refused as exc:
        print(f"{PROG} {args.command}: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except UnusableInputError as exc:
        print(exc, file=sys.stderr)
        return EXIT_UNUSABLE


if __name__ == "__main__":
    raise SystemExit(main())
