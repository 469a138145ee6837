"""Checks with stable IDs: checklist items' anchors, ``{check}`` and the All checks page.

A chapter's ``## Checklist`` items start with their IDs in the source
(``- [ ] SWE-SHIP-4: Rollback is rehearsed.``: :mod:`handbook.data.checks`
holds the grammar and ``docs/_data/checks.yaml``, the record of every ID ever
issued).  This extension

* renders each item with a box to tick, its ID and an anchor (``#swe-ship-4``)
  and a label (``check-swe-ship-4``); the ID links to the item's *canonical*
  place, its anchor on the All checks page, the link to use when it must
  outlive edits of the chapter;
* gives ``{check}`SWE-SHIP-4``` a link to the item, titled with its ID; a
  retired or unknown ID is a warning at the page's line;
* renders ``{allchecks}`` on the All checks page, when every chapter is read:
  ``{allchecks} filter`` (a filter box, shown by a small script of ours),
  ``{allchecks} START`` (``SWE``, ``PM``, ``DS``: each chapter of a part with
  its checks, in reading order), ``{allchecks} retired`` (an anchor for every
  retired ID, saying where it went) and ``{allchecks} downloads`` (one Markdown
  file per role, written with the HTML site: a check belongs to the roles of
  its chapter's front matter, and Start here's to every role);
* reads the record when the build starts; its problems are warnings at the
  YAML line, so the strict build fails naming it.

The items are kept by an environment collector (per page, merged from parallel
readers); the All checks page is rewritten whenever they change.  The words
this module writes (the IDs' tooltips, the retired IDs' sentences, the
downloads and their Markdown) are translated with Sphinx's translator
(``sphinx.po``); the filter's words are the page's own.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx import addnodes
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.locale import _
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

import handbook
from handbook.data import checks as data
from handbook.data.source import Source
from handbook.files import write_atomically
from handbook.sphinxext._data import load_or_warn, role_location, warn
from handbook.sphinxext._envstate import EnvState
from handbook.sphinxext._words import role_name, sentence
from handbook.sphinxext.readinglist import document_order
from handbook.sphinxext.selfassess import element, read_words, void
from handbook.vocabulary import ROLES

if TYPE_CHECKING:
    from collections.abc import Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

#: The title of the section whose items are checks (see the page template).
CHECKLIST = "Checklist"
#: The parts, as IDs and page folders name them, in reading order.
PARTS: dict[str, str] = {prefix: folder for folder, prefix in data.PARTS.items()}
STATIC = Path(__file__).parent / "static"
SCRIPT = "allchecks.js"
#: Where the per-role Markdown files go in the HTML output.
DOWNLOADS = "_downloads/checks"
#: The words of ``{allchecks} filter``.
FILTER_WORDS: dict[str, str] = {
    "label": "the filter box's label",
    "status": "after each change ({shown}, {total})",
}
HTML_BUILDERS = frozenset({"html", "dirhtml"})


# -- What the build keeps --------------------------------------------------------------


@dataclass
class Checklists(EnvState):
    """Every chapter's checks: see :class:`ChecklistCollector`."""

    attribute = "handbook_checklists"

    #: docname -> (ID, the check's text) in the checklist's order
    items: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: digest of what the All checks page was last written with
    digest: str = ""


class Record:
    """``docs/_data/checks.yaml`` as this build read it (``model`` None when unusable)."""

    def __init__(self, path: Path, model: data.ChecksFile | None) -> None:
        self.path = path
        self.model = model


_records: weakref.WeakKeyDictionary[BuildEnvironment, Record] = weakref.WeakKeyDictionary()


def record_of(env: BuildEnvironment) -> Record | None:
    return _records.get(env)


# -- Reading: the items ----------------------------------------------------------------


class check_box(nodes.Element):  # docutils names nodes in lower case
    """The box before a check; rendered as an empty, hidden-from-readers span."""


class check_canonical(nodes.Inline, nodes.TextElement):
    """A check's ID, to link to its canonical anchor once the page's URI is known."""


def visit_check_box(self: Any, node: nodes.Element) -> None:
    self.body.append('<span class="handbook-check-box" aria-hidden="true"></span>')
    raise nodes.SkipNode


def _checklists(document: nodes.document) -> list[nodes.section]:
    """The page's Checklist sections; a translated title keeps the source's words in its
    ``rawsource`` (Sphinx's translation replaces only its text)."""
    return [
        section
        for section in document.findall(nodes.section)
        if isinstance(title := section.next_node(nodes.title), nodes.title)
        and CHECKLIST in (title.astext(), title.rawsource)
    ]


class CheckItems(SphinxTransform):
    """Each ``[ ] ID: text`` item of a Checklist becomes a check with an anchor and a label.

    Runs after the translation transform, so a translated item (which keeps its
    ID) is parsed as translated.
    """

    default_priority = 400

    def apply(self, **kwargs: Any) -> None:
        for section in _checklists(self.document):
            for bullets in section.findall(nodes.bullet_list):
                if bullets.parent is not section:
                    continue
                for item in bullets.children:
                    if isinstance(item, nodes.list_item):
                        self._item(item)

    def _item(self, item: nodes.list_item) -> None:
        paragraph = item.next_node(nodes.paragraph)
        if paragraph is None or not paragraph.children:
            return
        first = paragraph[0]
        if not isinstance(first, nodes.Text):
            return
        parsed = data.parse_item(first.astext())
        if not parsed.box:
            return
        head = len(first.astext()) - len(parsed.text)
        rest = first.astext()[head:]
        paragraph.replace(first, nodes.Text(rest))
        marks: list[nodes.Node] = [check_box()]
        if parsed.id is not None:
            item["classes"].append("handbook-check")
            item["ids"].append(data.anchor(parsed.id))
            item["names"].append(data.label(parsed.id))
            self.document.note_explicit_target(item)
            marks += [check_canonical(parsed.id, parsed.id), nodes.Text(" ")]
        else:
            marks.append(nodes.Text(" "))
        for n, mark in enumerate(marks):
            paragraph.insert(n, mark)


class ChecklistCollector(EnvironmentCollector):
    """Keeps :class:`Checklists`: each chapter's checks, read, purged and merged per page."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        Checklists.of(env).items.pop(docname, None)

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment
    ) -> None:
        ours, theirs = Checklists.of(env), Checklists.of(other)
        for docname in docnames:
            if docname in theirs.items:
                ours.items[docname] = theirs.items[docname]

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        found: list[tuple[str, str]] = []
        for node in doctree.findall(check_canonical):
            paragraph = node.parent
            text = "".join(
                child.astext()
                for child in paragraph.children
                if not isinstance(child, check_box | check_canonical)
            ).strip()
            found.append((node.astext(), " ".join(text.split())))
        if found:
            Checklists.of(app.env).items[app.env.docname] = found
        else:
            Checklists.of(app.env).items.pop(app.env.docname, None)

    def get_updated_docs(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """Rewrite the All checks page when a check, a chapter's title or the record changed."""
        state = Checklists.of(env)
        digest = _digest(env, state)
        if digest == state.digest or app.config.checks_page not in env.found_docs:
            state.digest = digest
            return []
        state.digest = digest
        return [app.config.checks_page]


def _digest(env: BuildEnvironment, state: Checklists) -> str:
    record = record_of(env)
    retired = record.model.model_dump() if record and record.model else None
    titles = {d: env.titles[d].astext() for d in state.items if d in env.titles}
    parts = {
        f"{f}/index": env.titles[f"{f}/index"].astext()
        for f in PARTS.values()
        if f"{f}/index" in env.titles
    }
    blob = json.dumps(
        [
            state.items,
            titles,
            parts,
            retired,
            sorted(env.metadata.get(d, {}).get("roles", "") for d in state.items),
        ],
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


# -- {check} ---------------------------------------------------------------------------


def check_reference(check_id: str, refdoc: str) -> addnodes.pending_xref:
    """A link to a check, titled with its ID."""
    ref = addnodes.pending_xref(
        "",
        nodes.inline(check_id, check_id, classes=["xref", "std", "std-ref", "handbook-check-ref"]),
        refdomain="std",
        reftype="ref",
        reftarget=data.label(check_id),
        refexplicit=True,
        refwarn=True,
        refdoc=refdoc,
    )
    return ref


class CheckRole(SphinxRole):
    """``{check}`SWE-SHIP-4```: a link to the check, titled with its ID."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        check_id = self.text.strip()
        if data.CHECK_ID.match(check_id) is None:
            self._warn(f"{{check}} needs a check ID, like SWE-SHIP-4, not `{check_id}`")
            return [nodes.inline(self.rawtext, check_id)], []
        record = record_of(self.env)
        model = record.model if record is not None else None
        if model is not None:
            retired = model.retired_ids().get(check_id)
            if not model.issued(check_id):
                self._warn(f"{{check}} names `{check_id}`, which was never issued")
                return [nodes.inline(self.rawtext, check_id)], []
            if retired is not None:
                instead = f"; link `{retired.merged_into}`" if retired.merged_into else ""
                self._warn(f"{{check}} names `{check_id}`, which is retired{instead}")
                return [nodes.inline(self.rawtext, check_id)], []
        return [check_reference(check_id, self.env.docname)], []

    def _warn(self, message: str) -> None:
        logger.warning(message, location=role_location(self), type="handbook", subtype="checks")


# -- The All checks page ---------------------------------------------------------------


class allchecks(nodes.General, nodes.Element):  # docutils names nodes in lower case
    """Where ``{allchecks} <what>`` puts its part of the page once every chapter is read."""


class AllChecks(SphinxDirective):
    """``{allchecks} filter|START|SWE|PM|DS|retired|downloads``: see the module."""

    required_arguments = 1
    has_content = True
    WHAT: ClassVar[tuple[str, ...]] = ("filter", *PARTS, "retired", "downloads")

    def run(self) -> list[nodes.Node]:
        what = self.arguments[0]
        if what not in self.WHAT:
            raise self.error(
                f"{{allchecks}}: unknown part {what!r} (one of {', '.join(self.WHAT)})"
            )
        if what == "filter":
            return [self._filter()]
        if self.content:
            raise self.error(f"{{allchecks}} {what}: takes no content")
        record = record_of(self.env)
        if record is not None:
            self.env.note_dependency(str(record.path))
        node = allchecks(what=what)
        self.set_source_info(node)
        return [node]

    def _filter(self) -> nodes.Node:
        words = read_words(self, FILTER_WORDS)
        self.env.metadata[self.env.docname]["handbook_allchecks"] = True
        # hidden until the script runs: without it the page is the plain list
        holder = element("div", class_="handbook-checks-filter", hidden="hidden")
        holder += words["label"].node("label", **{"for": "handbook-checks-filter"})
        holder += void(
            "input",
            type="search",
            id="handbook-checks-filter",
            autocomplete="off",
            **{"aria-describedby": "handbook-checks-status"},
        )
        holder += words["status"].node(
            "p", class_="handbook-checks-status", id="handbook-checks-status", role="status"
        )
        return holder


def _roles(env: BuildEnvironment, docname: str) -> list[str]:
    """The roles of a page's front matter (every role for Start here)."""
    if docname.startswith("start/"):
        return list(ROLES)
    raw = env.metadata.get(docname, {}).get("roles", "[]")
    try:
        roles = json.loads(raw) if isinstance(raw, str) else list(raw)
    except ValueError:
        return []
    return [role for role in roles if role in ROLES]


def _chapters(env: BuildEnvironment, prefix: str) -> list[str]:
    """The chapters of a part that have checks, in reading order."""
    folder = PARTS[prefix]
    order = document_order(env)
    items = Checklists.of(env).items
    found = [d for d in items if d.split("/", 1)[0] == folder]
    return sorted(found, key=lambda d: (order.get(d, len(order)), d))


def _title(env: BuildEnvironment, docname: str) -> str:
    return env.titles[docname].astext() if docname in env.titles else docname


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Link each check's ID to its canonical anchor; fill in the All checks page."""
    builder = app.builder
    page = app.config.checks_page
    has_page = page in app.env.found_docs
    for node in list(doctree.findall(check_canonical)):
        check_id = node.astext()
        if has_page:
            uri = builder.get_relative_uri(docname, page) + "#" + data.anchor(check_id)
        else:
            uri = "#" + data.anchor(check_id)
        link = nodes.reference(
            "",
            check_id,
            refuri=uri,
            classes=["handbook-check-id"],
            reftitle=_("{check} on the All checks page: the link that outlives edits").format(
                check=check_id
            ),
        )
        node.replace_self(link)
    for node in list(doctree.findall(allchecks)):
        node.replace_self(_render(app, docname, node["what"]))


def _render(app: Sphinx, docname: str, what: str) -> list[nodes.Node]:
    env = app.env
    builder = app.builder
    state = Checklists.of(env)
    if what in PARTS:
        out: list[nodes.Node] = []
        for chapter in _chapters(env, what):
            section = nodes.section(
                ids=["checks-" + chapter.replace("/", "-")], classes=["handbook-checks-chapter"]
            )
            title = nodes.title()
            title += nodes.reference(
                "", _title(env, chapter), refuri=builder.get_relative_uri(docname, chapter)
            )
            section += title
            items = nodes.bullet_list(classes=["handbook-checks"])
            for check_id, text in state.items[chapter]:
                item = nodes.list_item(ids=[data.anchor(check_id)], classes=["handbook-check"])
                paragraph = nodes.paragraph()
                uri = builder.get_relative_uri(docname, chapter) + "#" + data.anchor(check_id)
                paragraph += nodes.reference(
                    "", check_id, refuri=uri, classes=["handbook-check-id"]
                )
                paragraph += nodes.Text(" " + text)
                item += paragraph
                items += item
            section += items
            out.append(section)
        return out
    record = record_of(env)
    if what == "retired":
        model = record.model if record is not None else None
        items = nodes.bullet_list(classes=["handbook-checks-retired"])
        for entry in model.retired if model is not None else ():
            item = nodes.list_item(ids=[data.anchor(entry.id)])
            paragraph = nodes.paragraph()
            retired = nodes.strong(entry.id, entry.id)
            if entry.merged_into:
                paragraph += sentence(
                    _("{check} was merged into {other}."),
                    check=retired,
                    other=nodes.reference(
                        "", entry.merged_into, refuri="#" + data.anchor(entry.merged_into)
                    ),
                )
            else:
                paragraph += sentence(_("{check} was removed."), check=retired)
            paragraph += nodes.Text(" " + entry.reason)
            item += paragraph
            items += item
        if not items.children:
            return [nodes.paragraph(text=_("No check has been retired yet."))]
        return [items]
    # downloads
    if builder.name not in HTML_BUILDERS:
        return []
    listing = nodes.bullet_list(classes=["handbook-checks-downloads"])
    for role in ROLES:
        item = nodes.list_item()
        paragraph = nodes.paragraph()
        prefix = "../" * docname.count("/")
        paragraph += nodes.reference(
            "",
            _("{role} (Markdown)").format(role=role_name(role)),
            refuri=f"{prefix}{DOWNLOADS}/checks-{role}.md",
        )
        item += paragraph
        listing += item
    return [listing]


def markdown_for(app: Sphinx, role: str) -> str:
    """Every check a role's reader needs, as a Markdown checklist to paste into a template."""
    env = app.env
    base = (app.config.html_baseurl or "").rstrip("/")
    page = app.config.checks_page
    page_uri = f"{base}/{page}.html" if base else f"{page}.html"
    heading = {
        "swe": _("Checks for the software engineer"),
        "pm": _("Checks for the product manager"),
        "ds": _("Checks for the data scientist"),
    }[role]
    lines = [
        f"# {heading}",
        "",
        _("From *{project}*, {url}.").format(project=app.config.project, url=page_uri),
        _(
            "Each ID links to the check on the All checks page, "
            "where it stays when chapters change."
        ),
    ]
    for prefix, folder in PARTS.items():
        chapters = [c for c in _chapters(env, prefix) if role in _roles(env, c)]
        if not chapters:
            continue
        lines += ["", f"## {_title(env, folder + '/index')}"]
        for chapter in chapters:
            lines += ["", f"### {_title(env, chapter)}", ""]
            for check_id, text in Checklists.of(env).items[chapter]:
                lines.append(f"- [ ] [{check_id}]({page_uri}#{data.anchor(check_id)}): {text}")
    return "\n".join(lines) + "\n"


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    """Write the per-role Markdown files beside the HTML site."""
    if exception is not None or app.builder.name not in HTML_BUILDERS:
        return
    if app.config.checks_page not in app.env.found_docs:
        return
    folder = Path(app.outdir) / DOWNLOADS
    for role in ROLES:
        write_atomically(folder / f"checks-{role}.md", markdown_for(app, role), parents=True)


# -- Events ----------------------------------------------------------------------------


def on_builder_inited(app: Sphinx) -> None:
    """Read and validate the record of check IDs; its problems are warnings at its lines."""
    _records.pop(app.env, None)
    if str(STATIC) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC))
    if not app.config.checks_data:
        return
    path = Path(app.srcdir, app.config.checks_data).resolve()
    if not path.exists():
        _records[app.env] = Record(path, None)
        return
    source = load_or_warn(path, "checks")
    if not isinstance(source, Source):
        _records[app.env] = Record(path, None)
        return
    # whether each chapter's page exists is check-data's to say: a build knows its pages
    # only once it has found them
    model, problems = data.validate(source, data.Context())
    _records[app.env] = Record(path, model)
    for problem in problems:
        warn(path, problem.line, problem.code, problem.message, "checks")


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if app.env.metadata.get(pagename, {}).get("handbook_allchecks"):
        app.add_js_file(SCRIPT, loading_method="defer")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("handbook.sphinxext.selfassess")
    app.add_config_value(
        "checks_data",
        "_data/checks.yaml",
        "env",
        types=frozenset({str}),
        description="The record of check IDs, relative to the source directory ('' turns it off).",
    )
    app.add_config_value(
        "checks_page",
        "all-checks",
        "env",
        types=frozenset({str}),
        description="The docname of the All checks page (the checks' canonical anchors).",
    )
    app.add_node(check_box, html=(visit_check_box, None))
    app.add_node(check_canonical)
    app.add_node(allchecks)
    app.add_transform(CheckItems)
    app.add_role("check", CheckRole())
    app.add_directive("allchecks", AllChecks)
    app.add_env_collector(ChecklistCollector)
    app.connect("builder-inited", on_builder_inited)
    app.connect("doctree-resolved", on_doctree_resolved)
    app.connect("html-page-context", on_html_page_context, priority=400)
    app.connect("build-finished", on_build_finished)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
