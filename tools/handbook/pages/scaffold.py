"""``handbook new-page``: create a chapter from the page template and list it.

Usage::

    handbook new-page swe feature-stores --title "Feature stores"
    handbook new-page pm pricing-models --title "Pricing ML features" \\
        --description "How to price a feature whose cost grows with its use." \\
        --role pm --role swe --level practitioner

Creates ``docs/PART/SLUG.md`` from ``template.md`` (roles default to the
part's role, all three for ``start``; level to ``intro``; ``last_reviewed`` to
today), adds ``SLUG`` after the last entry of the first ``{toctree}`` of
``docs/PART/index.md``, unless a toctree there already lists it, and records
the chapter's check code (``--code``, default the part and the slug's first
word: ``SWE-FEATURE``) in ``docs/_data/checks.yaml`` with the template's two
checklist items issued.  Every file is written atomically (a temporary file,
then :func:`os.replace`), and a failure part-way undoes what was written.

It never overwrites a page: it exits 2, changing nothing, when the page exists,
when the part's index has no toctree, when the code is taken or the record of
check IDs cannot be read, or when an option is invalid.  On success
it prints the new page's path, and nothing else, on standard output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from importlib import resources
from pathlib import Path
from string import Template

import yaml
from sphinx.util import docname_join

from handbook.data import checks as checkids
from handbook.data.source import YamlSyntaxError, parse
from handbook.files import UnusableInputError, display_path, read_text, write_atomically
from handbook.findings import EXIT_UNUSABLE
from handbook.pages import markdown
from handbook.pages.checks import toctree_entries
from handbook.pages.frontmatter import LEVELS, PART_ROLES, PARTS, ROLES, FrontMatter, validate

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: The checklist items the template gives a new chapter.
TEMPLATE_CHECKS = 2


class Refused(Exception):
    """new-page cannot go ahead; the message says why (exit status 2).

    For what new-page is asked to do: an invalid option, a page that exists, an
    index without a toctree, a file it cannot write.  A file it cannot *read* is
    :class:`~handbook.files.UnusableInputError`, printed as every tool prints it
    (``path:line: INPUT message``); a refusal is printed as
    ``handbook new-page: message``.
    """


def template() -> Template:
    """The page template (tools/handbook/pages/template.md)."""
    text = resources.files("handbook.pages").joinpath("template.md").read_text(encoding="utf-8")
    return Template(text)


def yaml_scalar(value: str) -> str:
    """``value`` as a one-line YAML scalar: plain when YAML reads it back unchanged, else quoted."""
    dumped = yaml.safe_dump(value, allow_unicode=True, width=2**31 - 1)
    plain = dumped.removesuffix("\n").removesuffix("\n...").strip()
    if "\n" not in plain and yaml.safe_load(plain) == value:
        return plain
    return json.dumps(value, ensure_ascii=False)


def default_description(title: str) -> str:
    core = title.strip().rstrip(".!?:;, ")
    return f"{core}: what it means for a machine-learning engineer and how to put it into practice."


def default_code(part: str, slug: str) -> str:
    """``SWE-FEATURE`` for ``swe/feature-stores``: the part and the slug's first word."""
    word = re.sub(r"[^A-Z0-9]", "", slug.split("-", 1)[0].upper())[:12]
    return f"{checkids.PARTS[part]}-{word}"


def add_to_checks(text: str, display: str, docname: str, code: str) -> str:
    """``docs/_data/checks.yaml`` with the chapter recorded (``issued`` its template items),
    its comments and layout kept; a :class:`Refused` when the code or the page is taken."""
    try:
        source = parse(text, display)
    except YamlSyntaxError as exc:
        raise Refused(f"{display}:{exc.line}: is not YAML ({exc.message})") from None
    model, problems = checkids.schema_problems(source)
    if model is None:
        loc, message = problems[0]
        raise Refused(f"{display}:{source.line(loc)}: {message} (`handbook check-data` says more)")
    if not checkids.CODE.match(code) or not code.startswith(
        checkids.PARTS[docname.split("/")[0]] + "-"
    ):
        part = checkids.PARTS[docname.split("/")[0]]
        raise Refused(
            f"--code {code!r} must be {part}- and a short name in capitals, like {part}-FEATURE"
        )
    if code in model.by_code():
        taken = model.by_code()[code].page
        raise Refused(f"check code {code} is {taken}'s in {display}; choose another with --code")
    if docname in model.by_page():
        raise Refused(f"{display} already records {docname}")
    entry = f"  - page: {docname}\n    code: {code}\n    issued: {TEMPLATE_CHECKS}\n"
    lines = text.splitlines(keepends=True)
    if lines and lines[0] == "chapters: []\n":  # the first chapter of a new record
        lines[0] = "chapters:\n"
        text = "".join(lines)
    retired = next((n for n, line in enumerate(lines) if line.startswith("retired:")), None)
    if retired is None:
        return text + ("" if text.endswith("\n") else "\n") + entry
    # after the last chapter entry, before the blank lines and comments that open `retired`
    at = retired
    while at > 0 and (not lines[at - 1].strip() or lines[at - 1].lstrip().startswith("#")):
        at -= 1
    return "".join(lines[:at]) + entry + "".join(lines[at:])


def render(
    title: str,
    description: str,
    roles: list[str],
    level: str,
    last_reviewed: dt.date,
    code: str = "SWE-PAGE",
) -> str:
    """The template filled in; a :class:`Refused` when the front matter would be invalid."""
    data = {
        "title": title,
        "description": description,
        "roles": roles,
        "level": level,
        "last_reviewed": last_reviewed,
    }
    problems = validate(FrontMatter(data), today=last_reviewed)
    if problems:
        raise Refused("; ".join(problem.message for problem in problems))
    return template().substitute(
        title=yaml_scalar(title),
        description=yaml_scalar(description),
        roles="[" + ", ".join(roles) + "]",
        level=level,
        last_reviewed=last_reviewed.isoformat(),
        code=code,
    )


def add_to_toctree(
    text: str, slug: str, index_docname: str, *, conf: Path | None = None
) -> str | None:
    """``text`` (a part's index.md) with ``slug`` after the last entry of its first toctree.

    None when a toctree of the page already lists the slug; a :class:`Refused`
    when the page has no ``{toctree}`` at its top level.  ``conf``: the Sphinx
    ``conf.py`` whose MyST settings apply (default: the handbook's).
    """
    doc = markdown.parse_document(text, index_docname, conf=conf)
    toctrees = [d for d in doc.directives if d.name == "toctree" and d.depth == 0]
    if not toctrees:
        raise Refused("has no {toctree} to add the page to")
    if any(
        docname_join(index_docname, slug) in toctree_entries(d, index_docname, set())
        for d in toctrees
    ):
        return None
    first = toctrees[0]
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines[first.line - 1].endswith("\r\n") else "\n"
    entries = [i for i, line in enumerate(first.content.splitlines()) if line.strip()]
    if entries:  # after the last entry, indented like it
        at = first.content_line + entries[-1]  # 0-based index of the line after it
        if not lines[at - 1].endswith(("\n", "\r")):
            lines[at - 1] += newline
        insert = [_indent(lines[at - 1]) + slug + newline]
    else:  # the first entry: after the options and a blank line
        at = first.content_line - 1
        insert = ([newline] if first.options else []) + [
            _indent(lines[first.line - 1]) + slug + newline
        ]
    return "".join(lines[:at] + insert + lines[at:])


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def create(
    docs: Path,
    part: str,
    slug: str,
    title: str,
    description: str | None = None,
    roles: list[str] | None = None,
    level: str = "intro",
    today: dt.date | None = None,
    code: str | None = None,
) -> tuple[Path, bool]:
    """Create ``docs/part/slug.md`` and list it; return its path and whether the toctree changed."""
    if not SLUG.match(slug):
        raise Refused(
            f"slug {slug!r} must be lowercase words joined by hyphens, like feature-stores"
        )
    if slug == "index":
        raise Refused("slug 'index' is the part's own page")
    if not title.strip():
        raise Refused("--title must not be empty")
    page = docs / part / f"{slug}.md"
    index = docs / part / "index.md"
    if page.exists() or page.is_symlink():
        raise Refused(f"{display_path(page)} already exists; new-page never overwrites a page")
    index_text = read_text(index, display_path(index))  # UnusableInputError: exit 2
    record = docs / "_data" / "checks.yaml"
    # a docs tree without a record of check IDs gets one, with this chapter in it
    record_text = read_text(record, display_path(record)) if record.exists() else ""
    if not record_text.strip():
        record_text = "chapters: []\nretired: []\n"
    code = code or default_code(part, slug)
    new_record = add_to_checks(record_text, display_path(record), f"{part}/{slug}", code)
    text = render(
        title.strip(),
        (description or default_description(title)).strip(),
        roles or list(PART_ROLES[part]),
        level,
        today or dt.date.today(),
        code,
    )
    try:
        new_index = add_to_toctree(index_text, slug, f"{part}/index", conf=docs / "conf.py")
    except Refused as exc:
        raise Refused(f"{display_path(index)} {exc}") from None
    # page, index, record: each written whole; a failure undoes the ones before it
    writes: list[tuple[Path, str, str | None]] = [(page, text, None)]
    if new_index is not None:
        writes.append((index, new_index, index_text))
    writes.append((record, new_record, record_text if record.exists() else None))
    done: list[tuple[Path, str | None]] = []
    try:
        for path, new, old in writes:
            write_atomically(path, new, parents=True)
            done.append((path, old))
    except BaseException as exc:
        for path, old in reversed(done):
            if old is None:
                path.unlink(missing_ok=True)
            else:
                write_atomically(path, old)
        if isinstance(exc, OSError):
            failed = writes[len(done)][0]
            why = exc.strerror or exc
            raise Refused(f"cannot write {display_path(failed)}: {why}") from None
        raise
    return page, new_index is not None


def _roles(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    roles = [role.strip() for value in values for role in value.split(",") if role.strip()]
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise Refused(f"--role {', '.join(unknown)}: use {', '.join(ROLES)}")
    return roles


def main(argv: list[str] | None = None) -> int:
    from handbook.paths import DOCS

    parser = argparse.ArgumentParser(
        prog="handbook new-page", description="Create a chapter from the page template."
    )
    parser.add_argument("part", choices=PARTS, help="the part folder")
    parser.add_argument("slug", help="the file name without .md, lowercase-kebab (feature-stores)")
    parser.add_argument("--title", required=True, help="the page title")
    parser.add_argument("--description", help="one sentence ending with a full stop")
    parser.add_argument(
        "--role",
        action="append",
        metavar="ROLE",
        help=f"a role the page is for ({', '.join(ROLES)}); repeat or comma-separate; "
        "default: the part's",
    )
    parser.add_argument("--level", choices=LEVELS, default="intro")
    parser.add_argument(
        "--code",
        help="the chapter's check code, like SWE-FEATURE (default: the part and the slug's "
        "first word)",
    )
    parser.add_argument(
        "--docs", type=Path, default=DOCS, help="the docs directory (default: docs/)"
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        page, listed = create(
            args.docs,
            args.part,
            args.slug,
            args.title,
            args.description,
            _roles(args.role),
            args.level,
            code=args.code,
        )
    except Refused as exc:
        print(f"handbook new-page: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except UnusableInputError as exc:
        print(exc, file=sys.stderr)
        return EXIT_UNUSABLE
    print(display_path(page))
    index = display_path(args.docs / args.part / "index.md")
    note = "added to the toctree of" if listed else "already listed in the toctree of"
    print(f"handbook new-page: {args.slug} {note} {index}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
