"""Blank worksheets in the handbook: ``{worksheet}``, a page to print and a Markdown blank.

Each file of ``docs/_data/worksheets/`` (``worksheets_data``) is one worksheet,
named by its id (:mod:`handbook.data.worksheets` holds the schema and the
checks).  This extension

* reads and validates every file when the builder starts, with the build's
  own bibliography for ``follows``, and checks every ``example`` and
  ``taught`` link against the build's labels once every page is read
  (``env-updated``).  Every problem is a warning at the YAML file and line
  (``docs/_data/worksheets/experiment-plan.yaml:12: WARNING: DATA018 ...``),
  so the strict build fails and names the line to change;
* writes each worksheet's blank as Markdown (:func:`blank_markdown`) under the
  build's doctree directory, ``<doctreedir>/worksheets/<id>.md``, from the
  same model the page is rendered from, so that the two never drift apart;
  a file is rewritten only when its text changes, so an unchanged worksheet
  re-reads no page;
* renders ``{worksheet} <id>``: what the worksheet is for, when to use it and
  who fills it in; the templates it follows (citations); the filled-in example
  and the sections that explain it (cross-references, titled as Sphinx titles
  them); a download of the Markdown blank (Sphinx's ``download_reference``,
  whose file Sphinx copies to ``_downloads/``); then each section and field:
  its name, what a good answer looks like, the common mistake, and an empty
  box of ``lines`` lines to write in.  The YAML's text becomes text nodes whose
  source is the YAML file and line, the page's own words have the page as
  source, so that Sphinx's translation machinery extracts both.  The labels of
  the paragraphs that hold only links (the templates followed, the example,
  the explaining sections, the download) and the Markdown blank's labels are
  translated with Sphinx's translator (``sphinx.po``) instead, and those
  paragraphs are left out of the page's catalogue (translating them there
  would turn their links into text);
* drops the download from builders that have no downloads (EPUB): the book
  shows the worksheet itself.

A worksheet's sections stay out of the page's table of contents, which the
theme would print above the form.  The print stylesheet
(``docs/_static/handbook.css``, the worksheets block) turns the page into a
clean form: no navigation, bordered boxes, and no field split from its
guidance by a page break.
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx import addnodes
from sphinx.environment import BuildEnvironment
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import handbook
from handbook.data import worksheets as data
from handbook.data.schema import Problem, yaml_files
from handbook.data.source import Loc, Source
from handbook.files import write_atomically
from handbook.sphinxext._data import bib_keys, load_or_warn, warn
from handbook.sphinxext._words import note_catalogue, sentence

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.domains.std import StandardDomain
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

#: Where the Markdown blanks are written, under the build's doctree directory.
BLANKS = "worksheets"

# -- the files, as the build read them -------------------------------------------------


@dataclass
class Sheet:
    """One file: its source and model (None when unusable) and its problems."""

    path: Path
    source: Source | None
    model: data.WorksheetFile | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def id(self) -> str:
        return data.worksheet_id(self.path)

    def line(self, *loc: str | int) -> int:
        return self.source.line(loc) if self.source is not None else 1


@dataclass
class Shelf:
    """Every worksheet of the folder (``worksheets_data``), by id, in the order of their names."""

    directory: Path
    sheets: dict[str, Sheet] = field(default_factory=dict)


#: The folder as read for each build environment (a build reads it when it starts).
_shelves: weakref.WeakKeyDictionary[BuildEnvironment, Shelf] = weakref.WeakKeyDictionary()


def shelf_of(env: BuildEnvironment) -> Shelf | None:
    """The worksheets as this build read them (None when ``worksheets_data`` is off)."""
    return _shelves.get(env)


def _warn(path: Path, line: int, code: str, message: str) -> None:
    warn(path, line, code, message, "worksheets")


def read(directory: Path, bib_keys: frozenset[str] | None) -> Shelf:
    """Read and check every file of ``directory``; warn at the line of each problem."""
    shelf = Shelf(directory)
    for path in yaml_files(directory):
        source = load_or_warn(path, "worksheets")
        if not isinstance(source, Source):
            shelf.sheets[data.worksheet_id(path)] = Sheet(path, None, None, [source])
            continue
        model, problems = data.validate(source, data.Context(path.name, bib_keys=bib_keys))
        for problem in problems:
            _warn(path, problem.line, problem.code, problem.message)
        shelf.sheets[data.worksheet_id(path)] = Sheet(path, source, model, problems)
    return shelf


def _bibliography(env: BuildEnvironment) -> Any:
    """The build's pybtex entries, by key (None without sphinxcontrib-bibtex)."""
    cite = env.get_domain("cite")
    return cite.bibdata.data.entries if hasattr(cite, "bibdata") else None  # type: ignore[attr-defined]


# -- the Markdown blank ----------------------------------------------------------------


def _plain(text: str) -> str:
    """A BibTeX value without its grouping braces and with its spaces evened."""
    return " ".join(text.replace("{", "").replace("}", "").split())


def cited(entry: Any) -> str:
    """A pybtex entry as a reader of a plain-text form can find it:
    ``Mitchell et al. (2019), Model Cards for Model Reporting``."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_plain(" ".join(person.last_names) or str(person)) for person in people]
    who = f"{names[0]} et al." if len(names) > 2 else " and ".join(names)
    year = _plain(entry.fields.get("year", "n.d."))
    title = _plain(entry.fields.get("title", ""))
    addon = _plain(entry.fields.get("titleaddon", ""))
    return f"{who} ({year}), {title}" + (f" [{addon}]" if addon else "")


def blank_markdown(model: data.WorksheetFile, follows: list[str], project: str) -> str:
    """The blank worksheet as Markdown: readable as it is, pasted into an issue or a
    document.  ``follows`` are the templates it follows, already worded."""
    source = (
        _("A blank worksheet from {project}.").format(project=project)
        if project
        else _("A blank worksheet.")
    )
    purpose, when, who = _("What it is for:"), _("When to use it:"), _("Who fills it in:")
    out = [
        f"# {model.title}",
        "",
        f"*{source}*",
        "",
        f"**{purpose}** {model.purpose}",
        "",
        f"**{when}** {model.when}",
        "",
        f"**{who}** {model.who}",
        "",
    ]
    if follows:
        label = _("Follows:")
        out += [f"**{label}** {'; '.join(follows)}.", ""]
    good, mistake = _("Good answer:"), _("Common mistake:")
    for section in model.sections:
        out += [f"## {section.title}", ""]
        for item in section.fields:
            out += [
                f"### {item.name}",
                "",
                f"*{good} {item.guidance}*",
                "",
                f"*{mistake} {item.mistake}*",
                "",
                *([">"] * item.lines),
                "",
            ]
    return "\n".join(out).rstrip("\n") + "\n"


def blank_path(app: Sphinx, ident: str) -> Path:
    """Where the Markdown blank of worksheet ``ident`` is written."""
    return Path(app.doctreedir) / BLANKS / f"{ident}.md"


def write_blanks(app: Sphinx, shelf: Shelf) -> None:
    """Write the Markdown blank of every worksheet the schema accepts, where its text changed."""
    entries = _bibliography(app.env)
    for ident, sheet in shelf.sheets.items():
        if sheet.model is None:
            continue
        follows = [
            cited(entries[key])
            for key in sheet.model.follows
            if entries is not None and key in entries
        ]
        text = blank_markdown(sheet.model, follows, app.config.project)
        path = blank_path(app, ident)
        try:
            if path.read_text(encoding="utf-8") == text:
                continue
        except OSError:
            pass  # not written yet
        write_atomically(path, text, parents=True)


# -- nodes -----------------------------------------------------------------------------


def _place(node: nodes.Node, path: Path, line: int) -> None:
    """Give ``node`` and everything in it the YAML file's place (for i18n and warnings)."""
    for each in node.findall(nodes.Element):
        each.source, each.line = str(path), line


def _label(text: str) -> nodes.strong:
    """The label that heads a paragraph of links."""
    return nodes.strong(text, text)


def _reference(kind: str, target: str, refdoc: str) -> addnodes.pending_xref:
    """A ``{ref}`` to a label or a ``{doc}`` to a page, titled as Sphinx titles it."""
    ref = addnodes.pending_xref(
        "",
        nodes.inline(target, target, classes=["xref", "std", f"std-{kind}"]),
        refdomain="std",
        reftype=kind,
        reftarget=target,
        refexplicit=False,
        refwarn=True,
        refdoc=refdoc,
    )
    ref["handbook_worksheets"] = True
    return ref


#: The page's own words (translatable like the rest of the page).  The labels of the
#: paragraphs of links are translated with ``_()`` where they are made.
WORDS: dict[str, str] = {
    "purpose": "What it is for",
    "when": "When to use it",
    "who": "Who fills it in",
    "guidance": "Good answer:",
    "mistake": "Common mistake:",
}


class Worksheet(SphinxDirective):
    """``{worksheet} <id>``: the worksheet of ``docs/_data/worksheets/<id>.yaml``."""

    has_content = False
    required_arguments = 1
    optional_arguments = 0
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        shelf = shelf_of(self.env)
        if shelf is None:
            raise self.error("{worksheet}: `worksheets_data` is not set in conf.py")
        ident = self.arguments[0].strip()
        sheet = shelf.sheets.get(ident)
        if sheet is None:
            known = ", ".join(shelf.sheets) or "none"
            raise self.error(
                f"{{worksheet}}: no worksheet `{ident}` in {shelf.directory} (known: {known})"
            )
        self.env.note_dependency(str(sheet.path))
        note_catalogue(self.env)
        if sheet.model is None:
            return []  # the file's problems are reported at its lines
        model = sheet.model
        intro = nodes.container(classes=["handbook-worksheet"], ids=[f"worksheet-{ident}"])
        intro += self._about(sheet, model)
        if model.follows:
            intro += self._follows(sheet, model)
        intro += self._links(sheet, model)
        intro += self._download(ident)
        out: list[nodes.Node] = [intro]
        for n, section in enumerate(model.sections):
            out.append(self._section(sheet, ident, n, section))
        return out

    # -- the parts -------------------------------------------------------------------

    def _word(self, tag: type[nodes.TextElement], key: str, **attributes: Any) -> nodes.Element:
        """A word of the page's: its source is the page, so that it is translated."""
        text = WORDS[key]
        node = tag(text, text, **attributes)
        self.set_source_info(node)
        return node

    def _about(self, sheet: Sheet, model: data.WorksheetFile) -> nodes.definition_list:
        about = nodes.definition_list(classes=["handbook-worksheet-about"])
        for key, text in (("purpose", model.purpose), ("when", model.when), ("who", model.who)):
            item = nodes.definition_list_item()
            item += self._word(nodes.term, key)
            definition = nodes.definition()
            paragraph = nodes.paragraph(text, text)
            _place(paragraph, sheet.path, sheet.line(key))
            definition += paragraph
            item += definition
            about += item
        self.set_source_info(about)
        return about

    def _follows(self, sheet: Sheet, model: data.WorksheetFile) -> nodes.paragraph:
        """ "Follows: Author (year); Author (year)." as citations of the page."""
        paragraph = nodes.paragraph(classes=["handbook-worksheet-follows"], translatable=False)
        paragraph += _label(_("Follows:"))
        known = bib_keys(self.env)
        keys = [key for key in model.follows if known is None or key in known]
        for m, key in enumerate(keys):
            paragraph += nodes.Text(" " if m == 0 else "; ")
            citation, messages = self.state.inline_text(f"{{cite:t}}`{key}`", self.lineno)
            paragraph += citation
            paragraph += messages
        paragraph += nodes.Text(".")
        line = sheet.line("follows")
        for each in paragraph.findall(nodes.Element):
            if not isinstance(each, addnodes.pending_xref):
                each.source, each.line = str(sheet.path), line
        return paragraph

    def _links(self, sheet: Sheet, model: data.WorksheetFile) -> nodes.container:
        docname = self.env.docname
        links = nodes.container(classes=["handbook-worksheet-links"])
        example = nodes.paragraph(classes=["handbook-worksheet-example"], translatable=False)
        example += _label(_("Filled-in example:"))
        example += nodes.Text(" ")
        example += _reference("doc", "/" + model.example.split("#", 1)[0], docname)
        example += nodes.Text(", ")
        example += _reference("ref", model.example.split("#", 1)[1], docname)
        example += nodes.Text(".")
        _place(example, sheet.path, sheet.line("example"))
        links += example
        taught = nodes.paragraph(classes=["handbook-worksheet-taught"], translatable=False)
        taught += _label(_("Explained in:"))
        chapters: dict[str, list[str]] = {}
        for link in model.taught:
            chapter, label = link.split("#", 1)
            chapters.setdefault(chapter, []).append(label)
        for m, (chapter, labels) in enumerate(chapters.items()):
            taught += nodes.Text(" " if m == 0 else "; ")
            taught += _reference("doc", "/" + chapter, docname)
            for k, label in enumerate(labels):
                taught += nodes.Text(" (" if k == 0 else ", ")
                taught += _reference("ref", label, docname)
            taught += nodes.Text(")")
        taught += nodes.Text(".")
        _place(taught, sheet.path, sheet.line("taught"))
        links += taught
        return links

    def _download(self, ident: str) -> nodes.paragraph:
        """A download of the Markdown blank, by a path relative to the page's folder
        (Sphinx's download collector resolves it and copies the file)."""
        page_dir = Path(self.env.srcdir, self.env.doc2path(self.env.docname, base=False)).parent
        blank = Path(self.env.doctreedir) / BLANKS / f"{ident}.md"
        target = Path(os.path.relpath(blank, page_dir)).as_posix()
        paragraph = nodes.paragraph(classes=["handbook-worksheet-download"], translatable=False)
        text = _("Download the blank worksheet as Markdown")
        link = addnodes.download_reference(
            "",
            "",
            nodes.inline(text, text),
            reftarget=target,
            refdoc=self.env.docname,
            refdomain="",
            reftype="download",
            refexplicit=True,
            refwarn=False,
        )
        paragraph += sentence(
            _("{link} ({file}), to fill in or paste into an issue or a shared document."),
            link=link,
            file=f"{ident}.md",
        )
        self.set_source_info(paragraph)
        for each in paragraph.findall(nodes.Element):
            self.set_source_info(each)
        return paragraph

    def _section(self, sheet: Sheet, ident: str, n: int, section: data.Section) -> nodes.section:
        loc: Loc = ("sections", n)
        node = nodes.section(
            ids=[f"{ident}-{nodes.make_id(section.title)}"],
            classes=["handbook-worksheet-section"],
        )
        title = nodes.title(section.title, section.title)
        _place(title, sheet.path, sheet.line(*loc, "title"))
        node += title
        _place(node, sheet.path, sheet.line(*loc))
        for m, item in enumerate(section.fields):
            node += self._field(sheet, (*loc, "fields", m), item)
        return node

    def _field(self, sheet: Sheet, loc: Loc, item: data.WorksheetField) -> nodes.container:
        """The field's name, its guidance and common mistake, and its empty box: one block."""
        block = nodes.container(classes=["handbook-worksheet-field"])
        name = nodes.paragraph(classes=["handbook-worksheet-name"])
        name += nodes.strong(item.name, item.name)
        _place(name, sheet.path, sheet.line(*loc, "name"))
        block += name
        for key, text in (("guidance", item.guidance), ("mistake", item.mistake)):
            paragraph = nodes.paragraph(classes=[f"handbook-worksheet-{key}"])
            paragraph += self._word(nodes.emphasis, key)
            paragraph += nodes.Text(" ")
            value = nodes.inline(text, text)
            _place(value, sheet.path, sheet.line(*loc, key))
            paragraph += value
            paragraph.source, paragraph.line = str(sheet.path), sheet.line(*loc, key)
            block += paragraph
        block += nodes.container(
            classes=["handbook-worksheet-box", f"handbook-worksheet-lines-{item.lines}"]
        )
        block.source, block.line = str(sheet.path), sheet.line(*loc)
        return block


# -- events ----------------------------------------------------------------------------


def on_builder_inited(app: Sphinx) -> None:
    """Read and check every file, with the build's bibliography; write the Markdown blanks."""
    _shelves.pop(app.env, None)
    if not app.config.worksheets_data:
        return
    directory = Path(app.srcdir, app.config.worksheets_data).resolve()
    shelf = read(directory, bib_keys(app.env))
    _shelves[app.env] = shelf
    write_blanks(app, shelf)


def on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Every ``example`` and ``taught`` link names a label of that page, as the build has them.

    Checked on every build, even one that reads no page, so that a broken link
    keeps failing the build."""
    shelf = shelf_of(env)
    if shelf is None:
        return []
    std: StandardDomain = env.domains.standard_domain
    labels = {label: docname for label, (docname, _id, _title) in std.labels.items()}
    context = data.Context(labels=labels, docnames=frozenset(env.all_docs))
    for sheet in shelf.sheets.values():
        if sheet.model is None or sheet.source is None:
            continue
        for loc, message in data.CHECKS["DATA018"].func(sheet.model, context):
            _warn(sheet.path, sheet.source.line(loc), "DATA018", message)
    return []


def on_missing_reference(
    app: Sphinx, env: BuildEnvironment, node: addnodes.pending_xref, contnode: nodes.TextElement
) -> nodes.Node | None:
    """A link made from a worksheet whose target is missing stays as text: the problem
    is reported once, at the YAML line (DATA018), not again by Sphinx."""
    return contnode if node.get("handbook_worksheets") else None


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """A worksheet's sections stay out of the page's table of contents.

    The theme prints a page's table of contents above it ("Contents"); a form
    printed on two pages has no room for it, and no use for it on screen."""
    ids = {
        ident
        for section in doctree.findall(nodes.section)
        if "handbook-worksheet-section" in section["classes"]
        for ident in section["ids"]
    }
    toc = app.env.tocs.get(app.env.docname)
    if not ids or toc is None:
        return
    for reference in list(toc.findall(nodes.reference)):
        if reference.get("anchorname", "").removeprefix("#") in ids:
            item = reference.parent
            while item is not None and not isinstance(item, nodes.list_item):
                item = item.parent
            if item is not None and item.parent is not None:
                item.parent.remove(item)
    for listing in list(toc.findall(nodes.bullet_list)):
        if not listing.children and listing.parent is not None:
            listing.parent.remove(listing)


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """A builder without downloads (EPUB) shows the worksheet without its download."""
    if getattr(app.builder, "download_support", True):
        return
    for paragraph in list(doctree.findall(nodes.paragraph)):
        if "handbook-worksheet-download" in paragraph["classes"]:
            paragraph.parent.remove(paragraph)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value(
        "worksheets_data",
        "_data/worksheets",
        "env",
        types=frozenset({str}),
        description="The folder of worksheets, relative to the source directory ('' turns it off).",
    )
    app.add_directive("worksheet", Worksheet)
    # after sphinxcontrib-bibtex has read the bibliography (500)
    app.connect("builder-inited", on_builder_inited, priority=600)
    app.connect("env-updated", on_env_updated)
    app.connect("missing-reference", on_missing_reference)
    # after the table of contents is collected (500)
    app.connect("doctree-read", on_doctree_read, priority=900)
    app.connect("doctree-resolved", on_doctree_resolved)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
