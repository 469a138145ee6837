"""The translations' gettext catalogues: the English messages, the translations, the progress.

English is the source.  Sphinx's gettext builder takes each page's messages out
of the built doctrees into one template per page (``<page>.pot``:
``gettext_compact = False`` in docs/conf.py) and the words of our templates
into ``sphinx.pot``; :func:`templates` runs that build strictly (its doctrees
kept, so a rerun reads only what changed) and adds our extensions' ``_()``
strings to ``sphinx`` (:func:`extension_messages`, extracted with babel).

A translation is a catalogue per page, ``docs/locales/<language>/LC_MESSAGES/
<page>.po``, read with babel (never by hand: :func:`read_catalogue`).
:func:`progress` merges it in memory with the page's template, as
``sphinx-intl update`` would (babel's ``Catalog.update``), so an English
paragraph changed since the catalogue was refreshed already counts as
outdated (fuzzy: its old translation kept, to be checked) or untranslated.

:func:`update` refreshes catalogues on disk with ``sphinx-intl update``, run on
a temporary folder that holds only the templates asked for (so it never
creates a catalogue for a page nobody is translating) and copies of their
catalogues; a catalogue that changed is then written back atomically.  The
header of a catalogue that exists is kept: its ``POT-Creation-Date`` is given
to the template, so a refresh changes a catalogue only when its messages do.
"""

from __future__ import annotations

import ast
import io
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract
from babel.messages.pofile import PoFileError, read_po, write_po

from handbook.build import run_build
from handbook.data.translations import LOCALES, SPHINX_DOMAIN, catalogue_folder, catalogue_path
from handbook.files import UnusableInputError, display_path, read_text, write_atomically

#: The width catalogues are wrapped at: sphinx-intl's and babel's default, so that
#: a catalogue written by a translator's ``sphinx-intl`` reads the same.
WIDTH = 76
#: The functions whose string argument is a message in our extensions: Sphinx's
#: ``sphinx.locale._``.  (``__`` is Sphinx's console namespace: log messages,
#: translated from the terminal's language and never from our catalogues.)
KEYWORDS: tuple[str, ...] = ("_",)


class BuildFailed(Exception):
    """The strict gettext build failed: its exit status and what it printed."""

    def __init__(self, returncode: int, output: str) -> None:
        super().__init__(f"the gettext build failed (exit {returncode})")
        self.returncode = returncode
        self.output = output


class SphinxIntlFailed(Exception):
    """``sphinx-intl update`` failed: what it printed."""


# -- Reading ----------------------------------------------------------------------------


#: A line of a catalogue that holds a string: a keyword and a string, or a string alone.
_STRING_LINE = re.compile(r'^\s*(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"')


def _unterminated(text: str) -> int | None:
    """The line of the first string that does not end with its closing quote, or None.

    babel reads ``msgstr "ガイド`` as ``ガイ`` without a word (it drops the last
    character), and a refresh would write that back: such a catalogue is refused
    instead, as ``msgfmt`` refuses it.
    """
    for number, line in enumerate(text.splitlines(), start=1):
        if not _STRING_LINE.match(line):
            continue
        body = line.rstrip()
        string = body[body.index('"') :]
        backslashes = len(string[:-1]) - len(string[:-1].rstrip("\\"))
        if len(string) < 2 or not string.endswith('"') or backslashes % 2:
            return number
    return None


def read_catalogue(path: Path, display: str | None = None) -> Catalog:
    """A ``.po`` or ``.pot`` file read by babel; :class:`UnusableInputError` when it is
    missing, unreadable, not UTF-8 or not a catalogue (at the line babel stops at)."""
    shown = display if display is not None else display_path(path)
    text = read_text(path, shown).removeprefix("\ufeff")
    unterminated = _unterminated(text)
    if unterminated is not None:
        raise UnusableInputError(
            shown, "not a gettext catalogue: a string without its closing quote", unterminated
        )
    try:
        return read_po(io.StringIO(text), abort_invalid=True)
    except PoFileError as exc:
        reason = re.sub(r" on \d+$", "", str(exc))
        raise UnusableInputError(
            shown, f"not a gettext catalogue: {reason}", exc.lineno + 1
        ) from None
    except ValueError as exc:  # a header babel cannot read (Plural-Forms, a date)
        raise UnusableInputError(shown, f"not a gettext catalogue: {exc}") from None


def read_templates(folder: Path) -> dict[str, Catalog]:
    """The templates (``.pot``) of a gettext build's output, by page (``sphinx`` too)."""
    return {
        pot.relative_to(folder).with_suffix("").as_posix(): read_catalogue(pot)
        for pot in sorted(folder.rglob("*.pot"))
    }


def _python_calls(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[Any]:
    """A babel extraction method: the calls of ``keywords`` with a literal string, read
    with :mod:`ast` (so a call inside an f-string counts, on every Python version)."""
    tree = ast.parse(fileobj.read())
    calls = [
        (node.lineno, node.col_offset, node.func.id, node.args[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in keywords
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]
    for line, _column, name, text in sorted(calls):
        yield line, name, text, []


def extension_messages(folder: Path) -> list[str]:
    """The messages of the Sphinx extensions under ``folder``: every ``_("...")``, in
    file and line order, each once."""
    found: list[str] = []
    keywords: dict[str, Any] = dict.fromkeys(KEYWORDS)
    for path in sorted(folder.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        shown = display_path(path)
        source = read_text(path, shown).encode("utf-8")
        try:
            for _line, message, _comments, _context in extract(
                _python_calls, io.BytesIO(source), keywords=keywords
            ):
                if isinstance(message, str) and message not in found:
                    found.append(message)
        except SyntaxError as exc:
            raise UnusableInputError(shown, f"not Python: {exc.msg}", exc.lineno or 1) from None
    return found


def _empty_like(reference: Catalog) -> Catalog:
    """An empty template with ``reference``'s header."""
    catalog = Catalog(
        project=reference.project,
        version=reference.version,
        copyright_holder=reference.copyright_holder,
        msgid_bugs_address=reference.msgid_bugs_address,
        creation_date=reference.creation_date,
        charset="utf-8",
        fuzzy=reference.fuzzy,
    )
    catalog.header_comment = reference.header_comment
    return catalog


def add_extension_messages(templates: dict[str, Catalog], messages: list[str]) -> None:
    """Add ``messages`` to the ``sphinx`` template (made, if the build wrote none)."""
    if not messages:
        return
    if SPHINX_DOMAIN not in templates:
        if not templates:
            return
        templates[SPHINX_DOMAIN] = _empty_like(next(iter(templates.values())))
    catalog = templates[SPHINX_DOMAIN]
    for message in messages:
        if catalog.get(message) is None:
            catalog.add(message)


def gettext_dirs(build_dir: Path) -> tuple[Path, Path]:
    """``(templates, doctrees)`` of the gettext build under ``build_dir``."""
    return build_dir / "gettext", build_dir / "doctrees-gettext"


def templates(docs: Path, build_dir: Path, extensions: Path | None) -> dict[str, Catalog]:
    """Every template of the site, by page: the strict gettext build of ``docs`` (into
    ``build_dir``, whose doctrees make a rerun incremental) and the messages of the
    extensions under ``extensions``.  :class:`BuildFailed` when the build fails."""
    out, doctrees = gettext_dirs(build_dir)
    # Every page's template is written on every run; a page that is gone must
    # leave none behind.
    shutil.rmtree(out, ignore_errors=True)
    process = run_build(docs, out, builder="gettext", doctrees=doctrees)
    if process.returncode != 0:
        raise BuildFailed(process.returncode, process.stdout + process.stderr)
    found = read_templates(out)
    if extensions is not None:
        add_extension_messages(found, extension_messages(extensions))
        if SPHINX_DOMAIN in found:  # the templates folder holds the whole sphinx template
            _write_template(out / f"{SPHINX_DOMAIN}.pot", found[SPHINX_DOMAIN])
    return found


def catalogues(docs: Path, language: str) -> dict[str, Path]:
    """The catalogues of ``language`` under ``docs``, by page."""
    folder = catalogue_folder(docs, language)
    if not folder.is_dir():
        return {}
    return {
        po.relative_to(folder).with_suffix("").as_posix(): po for po in sorted(folder.rglob("*.po"))
    }


# -- Progress ---------------------------------------------------------------------------


def is_translated(message: Message) -> bool:
    """Translated: every msgstr is filled in and the message is not fuzzy."""
    strings = message.string if isinstance(message.string, list | tuple) else (message.string,)
    return not message.fuzzy and all(strings)


def _key(message_id: Any, context: str | None) -> tuple[Any, str | None]:
    return (tuple(message_id) if isinstance(message_id, list) else message_id), context


def _text(message_id: Any) -> str:
    return str(message_id if isinstance(message_id, str) else message_id[0])


def merge(catalogue: Catalog | None, template: Catalog) -> Catalog:
    """``catalogue`` brought up to ``template`` as ``sphinx-intl update`` would (in memory):
    a new message untranslated, a changed one fuzzy with its old translation, a gone one
    obsolete.  No catalogue: every message untranslated.  Changes ``catalogue``."""
    merged = catalogue if catalogue is not None else Catalog(fuzzy=False)
    merged.update(template)
    return merged


Kind = Literal["untranslated", "outdated"]


@dataclass(frozen=True)
class Pending:
    """The first message of a page left to translate: its English and kind, and its line in
    the catalogue (None: the catalogue does not have it yet)."""

    text: str
    kind: Kind
    line: int | None


@dataclass(frozen=True)
class Progress:
    """How far one page's translation is."""

    page: str
    #: where its catalogue is, or would be
    catalogue: Path
    has_catalogue: bool
    total: int
    translated: int
    outdated: int
    untranslated: int
    first: Pending | None

    @property
    def percent(self) -> int:
        """Translated messages in per cent, rounded down (100 only when all are)."""
        return 100 if self.total == 0 else self.translated * 100 // self.total

    @property
    def done(self) -> bool:
        return self.translated == self.total


def progress(
    page: str, path: Path, catalogue: Catalog | None, template: Catalog | None
) -> Progress:
    """The progress of ``page``: its ``catalogue`` (None: it has none) merged with its
    ``template`` (None: the catalogue as it is)."""
    lines: dict[tuple[Any, str | None], int] = {}
    for message in catalogue or ():
        if message.id and message.lineno is not None:
            lines[_key(message.id, message.context)] = message.lineno
    if template is not None:
        merged = merge(catalogue, template)
    elif catalogue is not None:
        merged = catalogue
    else:
        merged = Catalog(fuzzy=False)
    translated = outdated = untranslated = 0
    first: Pending | None = None
    for message in merged:
        if not message.id:
            continue
        kind: Kind
        if message.fuzzy:
            outdated += 1
            kind = "outdated"
        elif is_translated(message):
            translated += 1
            continue
        else:
            untranslated += 1
            kind = "untranslated"
        if first is None:
            line = lines.get(_key(message.id, message.context))
            previous = list(message.previous_id or ())
            if line is None and previous:  # a changed message: where its old text is
                old = previous[0] if len(previous) == 1 else previous
                line = lines.get(_key(old, message.context))
            first = Pending(_text(message.id), kind, line)
    return Progress(
        page,
        path,
        catalogue is not None,
        translated + outdated + untranslated,
        translated,
        outdated,
        untranslated,
        first,
    )


# -- Refreshing -------------------------------------------------------------------------


Action = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class Refreshed:
    """What :func:`update` did to one catalogue."""

    page: str
    path: Path
    action: Action
    #: messages new in the catalogue, and messages it no longer has (kept as obsolete)
    added: int
    removed: int
    total: int


def _message_ids(catalog: Catalog) -> set[tuple[Any, str | None]]:
    return {_key(message.id, message.context) for message in catalog if message.id}


def _write_template(path: Path, template: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        write_po(stream, template, width=WIDTH)


def _run_sphinx_intl(work: Path, language: str) -> None:
    command = [
        sys.executable,
        "-m",
        "sphinx_intl",
        "update",
        "--pot-dir",
        str(work / "pot"),
        "--locale-dir",
        str(work / LOCALES),
        "--language",
        language,
        "--line-width",
        str(WIDTH),
        "--jobs",
        "1",
    ]
    # In the temporary folder: sphinx-intl runs a conf.py it finds in its working folder.
    process = subprocess.run(command, cwd=work, capture_output=True, text=True, check=False)
    if process.returncode != 0:
        lines = (process.stderr or process.stdout).strip().splitlines() or ["(no output)"]
        raise SphinxIntlFailed(
            f"sphinx-intl update failed (exit {process.returncode}): {lines[-1]}"
        )


def _drop_untranslated_obsolete(path: Path, catalogue: Catalog) -> None:
    """Forget the messages gone from the English that nobody translated: an obsolete
    message (``#~``) is kept for the translation it may lend, and these have none."""
    empty = [key for key, message in catalogue.obsolete.items() if not is_translated(message)]
    if not empty:
        return
    for key in empty:
        del catalogue.obsolete[key]
    _write_template(path, catalogue)


def update(
    docs: Path, language: str, found: Mapping[str, Catalog], pages: Collection[str]
) -> list[Refreshed]:
    """Refresh the catalogues of ``pages`` in ``language`` from their templates ``found``
    with ``sphinx-intl update``, creating those that do not exist; each catalogue that
    changed is written atomically, the others are left alone."""
    refreshed: list[Refreshed] = []
    with tempfile.TemporaryDirectory(prefix="handbook-i18n-") as name:
        work = Path(name)
        before: dict[str, Catalog] = {}
        for page in pages:
            target = catalogue_path(docs, language, page)
            template = found[page]
            if target.is_file():
                existing = read_catalogue(target)
                before[page] = existing
                # Keep the catalogue's header: no new date unless its messages change.
                template.creation_date = existing.creation_date
                copy = catalogue_path(work, language, page)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(target, copy)
            _write_template(work / "pot" / f"{page}.pot", template)
        _run_sphinx_intl(work, language)
        for page in pages:
            target = catalogue_path(docs, language, page)
            written = catalogue_path(work, language, page)
            after = read_catalogue(written, display_path(target))
            _drop_untranslated_obsolete(written, after)
            text = read_text(written, display_path(target))
            ids = _message_ids(after)
            old = before.get(page)
            if old is None:
                write_atomically(target, text, parents=True)
                refreshed.append(Refreshed(page, target, "created", len(ids), 0, len(ids)))
                continue
            old_ids = _message_ids(old)
            action: Action = "unchanged"
            if text != read_text(target, display_path(target)):
                write_atomically(target, text)
                action = "updated"
            refreshed.append(
                Refreshed(page, target, action, len(ids - old_ids), len(old_ids - ids), len(ids))
            )
    return refreshed
