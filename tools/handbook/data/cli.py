"""``handbook check-data``: validate the structured content under ``docs/_data/``.

Usage::

    handbook check-data                          # everything under docs/_data/
    handbook check-data path/to/skills.yaml      # another file (fixtures)
    handbook check-data docs/_data/mixes/jane-doe.yaml
    handbook check-data docs/_data/worksheets/experiment-plan.yaml
    handbook check-data docs/_data/translations.yaml
    handbook check-data docs/_data/terminology.yaml
    handbook check-data --format github
    handbook check-data --list-checks

The schema of a file is chosen by its name and place: ``skills.yaml`` (or
``*.skills.yaml``, for fixtures) is the skills matrix (:mod:`handbook.data.skills`),
a YAML file in a folder named ``mixes`` a reader's skill mix
(:mod:`handbook.data.mixes`), one in a folder named ``worksheets`` a blank
worksheet (:mod:`handbook.data.worksheets`), ``checks.yaml`` (or a file in a
folder named ``checks``) the record of check IDs (:mod:`handbook.data.checks`),
``relist.yaml`` the running example's facts (:mod:`handbook.data.relist`),
``translations.yaml`` the pages whose translation is complete
(:mod:`handbook.data.translations`, checked against ``--docs``' pages and catalogues),
``terminology.yaml`` the translations' terminology list (:mod:`handbook.data.terminology`).
Links are checked against the pages of ``--docs`` (labels, ``{skill}`` and
``{relist}`` roles, read with the page reader) and the keys of ``--references``; a mix is compared
with the files before it in its folder.
Findings are ``path:line: CODE message`` with the YAML line; the exit status is
0 clean, 1 findings, 2 unusable input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from handbook import myst, paths
from handbook.data import checks, mixes, relist, skills, terminology, translations, worksheets
from handbook.data.schema import SCHEMA_CODE, SYNTAX_CODE, Problem, is_yaml_file, yaml_files
from handbook.data.source import YamlSyntaxError, load
from handbook.files import UnusableInputError, display_path, read_text
from handbook.findings import (
    EXIT_UNUSABLE,
    Finding,
    exit_status,
    print_github,
    print_json,
    print_text,
)

PRINTERS: dict[str, Callable[[Iterable[Finding]], None]] = {
    "text": print_text,
    "json": print_json,
    "github": print_github,
}

#: Where the pages that are not pages are (the page reader skips them too).
_SKIPPED = frozenset({"_build", "_templates", "_data"})


#: The schemas, as the message for a file with none names them.
KNOWN = (
    "skills.yaml, mixes/*.yaml, worksheets/*.yaml, checks.yaml, relist.yaml, translations.yaml,"
    " terminology.yaml"
)


def schema_of(path: Path) -> str | None:
    """The schema a file is checked against, by its name and its folder."""
    if path.name == "skills.yaml" or path.name.endswith(".skills.yaml"):
        return "skills"
    if path.parent.name == "mixes" and is_yaml_file(path):
        return "mixes"
    if path.parent.name == "worksheets" and is_yaml_file(path):
        return "worksheets"
    if path.name == "checks.yaml" or (path.parent.name == "checks" and path.suffix == ".yaml"):
        return "checks"
    if path.name == "relist.yaml" or path.name.endswith(".relist.yaml"):
        return "relist"
    if path.name == "translations.yaml" or path.name.endswith(".translations.yaml"):
        return "translations"
    if path.name == "terminology.yaml" or path.name.endswith(".terminology.yaml"):
        return "terminology"
    return None


def default_files(docs: Path) -> list[Path]:
    """What ``check-data`` checks without arguments: the matrix, every mix, every worksheet
    and the record of check IDs (where there is one: a docs tree whose chapters have no
    checklist needs none, and ``check-pages`` says when one is missing)."""
    data = docs / "_data"
    optional = [
        data / "checks.yaml",
        data / "relist.yaml",
        data / "translations.yaml",
        data / "terminology.yaml",
    ]
    return [
        data / "skills.yaml",
        *yaml_files(data / "mixes"),
        *yaml_files(data / "worksheets"),
        *(path for path in optional if path.exists() or path.is_symlink()),
    ]


@dataclass
class Pages:
    """What the data files are checked against: the pages' labels, names and roles
    (as the skills matrix's context holds them) and their ``{relist}`` facts."""

    skills: skills.Context
    facts: list[relist.Reference] = field(default_factory=list)
    #: The docs folder (its ``locales/`` holds the translations' catalogues).
    docs: Path | None = None


def context(docs: Path, references: Path) -> Pages:
    """The labels, pages, ``{skill}`` and ``{relist}`` roles of ``docs``, and the keys of
    ``references``."""
    from handbook.bib.parse import parse_text

    labels: dict[str, str] = {}
    docnames: set[str] = set()
    found: list[skills.Reference] = []
    facts: list[relist.Reference] = []
    conf = docs / "conf.py"
    for page in sorted(docs.rglob("*.md")):
        relative = page.relative_to(docs)
        if relative.parts[0] in _SKIPPED:
            continue
        docname = relative.with_suffix("").as_posix()
        try:
            text = read_text(page, display_path(page)).removeprefix("\ufeff")
        except UnusableInputError:
            continue  # check-pages reports an unreadable page
        if not relative.parts[0].startswith("_"):
            docnames.add(docname)
        for item in myst.read(text, conf).items:
            if isinstance(item, myst.Target):
                labels.setdefault(item.name, docname)
            elif isinstance(item, myst.Role) and item.name == "skill":
                found.append(skills.Reference(display_path(page), item.line, item.content.strip()))
            elif isinstance(item, myst.Role) and item.name == "relist":
                facts.append(relist.Reference(display_path(page), item.line, item.content.strip()))
    bib = parse_text(read_text(references, display_path(references)), display_path(references))
    keys = frozenset(entry.key for entry in bib.entries if entry.key)
    return Pages(skills.Context(labels, frozenset(docnames), keys, found), facts, docs)


def check_file(path: Path, pages: Pages, shelf: mixes.Shelf | None = None) -> list[Finding]:
    """Every finding for one data file; :class:`UnusableInputError` if it cannot be used.

    ``shelf`` keeps the mixes read so far (a mix is compared with its folder's files)."""
    shown = display_path(path)
    schema = schema_of(path)
    if schema is None:
        raise UnusableInputError(shown, f"no schema for this file (known: {KNOWN})")
    try:
        source = load(path, shown)
    except YamlSyntaxError as exc:
        return [Finding(shown, exc.line, SYNTAX_CODE, exc.message)]
    problems: list[Problem]
    ctx = pages.skills
    if schema == "mixes":
        shelf = shelf or mixes.Shelf()
        context = mixes.Context(path.name, ctx.bib_keys, shelf.earlier(path))
        _mix, problems = mixes.validate(source, context)
    elif schema == "worksheets":
        found = worksheets.Context(path.name, ctx.labels, ctx.docnames, ctx.bib_keys)
        _worksheet, problems = worksheets.validate(source, found)
    elif schema == "checks":
        _record, problems = checks.validate(source, checks.Context(ctx.docnames))
    elif schema == "relist":
        _facts, problems = relist.validate(source, relist.Context(pages.facts))
    elif schema == "translations":
        found_pages = translations.Context(ctx.docnames, pages.docs)
        _translations, problems = translations.validate(source, found_pages)
    elif schema == "terminology":
        _terms, problems = terminology.validate(source)
    else:
        _model, problems = skills.validate(source, ctx)
    return [
        Finding(problem.path or shown, problem.line, problem.code, problem.message)
        for problem in problems
    ]


def _list_checks() -> str:
    rows = [
        (SYNTAX_CODE, "yaml", "The file is YAML."),
        (SCHEMA_CODE, "schema", "The file has the keys and types of the schema, and no other."),
    ]
    rows += [(c.code, c.name, c.summary) for c in skills.CHECKS.values()]
    rows += [(c.code, c.name, c.summary) for c in mixes.CHECKS.values()]
    rows += [(c.code, c.name, c.summary) for c in worksheets.CHECKS.values()]
    rows += [(c.code, c.name, c.summary) for c in checks.CHECKS.values()]
    rows += [(c.code, c.name, c.summary) for c in relist.CHECKS.values()]
    rows += [(c.code, c.name, c.summary) for c in translations.CHECKS.values()]
    rows += [(c.code, c.name, c.summary) for c in terminology.CHECKS.values()]
    return "\n".join(f"{code}  {name}: {summary}" for code, name, summary in sorted(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="handbook check-data",
        description=(
            "Validate the structured content under docs/_data/ "
            "(the skills matrix, readers' skill mixes, the worksheets, the record of "
            "check IDs, the running example's facts, the complete translations and their "
            "terminology)."
        ),
    )
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="default: docs/_data/skills.yaml, mixes/*.yaml, worksheets/*.yaml, checks.yaml, "
        "relist.yaml and translations.yaml",
    )
    parser.add_argument("--docs", type=Path, help="the docs directory (default: docs/)")
    parser.add_argument(
        "--references", type=Path, help="the reading list (default: references.bib)"
    )
    parser.add_argument("--format", choices=sorted(PRINTERS), default="text")
    parser.add_argument("--list-checks", action="store_true", help="print the checks and exit")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.list_checks:
        print(_list_checks())
        return 0
    docs = args.docs if args.docs is not None else paths.DOCS
    references = args.references if args.references is not None else paths.REFERENCES
    files = args.files or default_files(docs)
    findings: list[Finding] = []
    errors: list[UnusableInputError] = []
    try:
        ctx = context(docs, references)
    except UnusableInputError as exc:
        print(exc, file=sys.stderr)
        return EXIT_UNUSABLE
    shelf = mixes.Shelf()
    for path in files:
        try:
            findings += check_file(path, ctx, shelf)
        except UnusableInputError as exc:
            errors.append(exc)
    PRINTERS[args.format](findings)
    for error in errors:
        print(error, file=sys.stderr)
    return EXIT_UNUSABLE if errors else exit_status(findings)


if __name__ == "__main__":
    raise SystemExit(main())
