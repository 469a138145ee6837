"""The reading list: pages generated from references.bib, grouped, annotated and
linked back to the pages that cite each work.

sphinxcontrib-bibtex does the bibliography work.  It parses references.bib,
formats entries with the ``handbook`` pybtex style registered here (see
``_bibstyle``), picks entries with ``:all:`` or a ``:filter:`` expression,
renders ``{cite:p}``/``{cite:t}`` author–year, and makes the entries of
``:list: citation`` bibliographies (its default) the only citation targets;
``:list: bullet`` bibliographies are never targets, so a per-role page cannot
steal a citation from the global reading list.

This extension adds only what sphinxcontrib-bibtex lacks:

``readinglist`` directive
    The ``bibliography`` directive with the same options, whose entries are
    grouped under one heading per level (``readinglist_levels``: the level is
    the entry's one level keyword).  The headings are real sections made
    when the page is read, so they appear in the page's table of contents.
Annotations and back-links
    When a reading-list page is resolved, each entry gets its ``annotation``
    and "Cited in" links to every page that cites it; an entry of a
    non-citation list (a per-role page) also links to its entry on the global
    list.  Citations are recorded per document when pages are read and kept
    correct across parallel reads with ``env-purge-doc`` and
    ``env-merge-info``.
Incremental builds
    Sphinx re-reads a page when its source changes, and sphinxcontrib-bibtex
    makes bibliography pages depend on the .bib file, but a page that merely
    cites an entry keeps its old text when the entry changes.  A hash of every
    entry is kept in the environment; ``env-get-outdated`` re-reads the pages
    that cite an entry whose hash changed (or that appeared or vanished), and
    ``env-get-updated`` re-writes the reading-list pages when the set of
    citing pages changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

from docutils import nodes
from pybtex_docutils import Backend
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.nodes import make_refnode
from sphinxcontrib.bibtex.citation_target import parse_citation_targets
from sphinxcontrib.bibtex.directives import BibliographyDirective, BibliographyKey

import handbook
from handbook.sphinxext import _bibstyle

if TYPE_CHECKING:
    from collections.abc import Set

    from pybtex.database import Entry
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata
    from sphinxcontrib.bibtex.domain import BibtexDomain, Citation

logger = logging.getLogger(__name__)

#: Where the extension keeps its state on the build environment.
STATE_ATTR = "readinglist_state"
#: Attributes of the placeholder container that marks where a level's entries go.
GROUP_LEVEL = "readinglist_level"
GROUP_BIBLIOGRAPHY = "readinglist_bibliography"
GROUP_DOCNAME = "readinglist_docname"
#: The level of entries without exactly one level keyword.
OTHER_LEVEL = ""

DEFAULT_LEVELS: tuple[tuple[str, str], ...] = (
    ("intro", "Introductory"),
    ("practitioner", "Practitioner"),
    ("advanced", "Advanced"),
)

_backend = Backend()


# -- per-document state ------------------------------------------------------


@dataclass
class ReadingListState:
    """What the extension remembers between builds, pickled with the environment."""

    #: docname -> citation key -> id of the first citation of that key on the page
    cites: dict[str, dict[str, str]] = field(default_factory=dict)
    #: docname -> ids of the ``readinglist`` bibliographies on that page
    lists: dict[str, list[str]] = field(default_factory=dict)
    #: citation key -> hash of its references.bib entry, as of the last build
    entry_hashes: dict[str, str] = field(default_factory=dict)
    #: digest of the back-links the reading-list pages were last written with
    backlinks_digest: str = ""

    def purge(self, docname: str) -> None:
        self.cites.pop(docname, None)
        self.lists.pop(docname, None)

    def merge(self, docnames: Set[str], other: ReadingListState) -> None:
        for docname in docnames:
            if docname in other.cites:
                self.cites[docname] = other.cites[docname]
            if docname in other.lists:
                self.lists[docname] = other.lists[docname]

    def citing(self, key: str) -> dict[str, str]:
        """docname -> citation id, for every page that cites ``key``."""
        return {docname: keys[key] for docname, keys in self.cites.items() if key in keys}


def get_state(env: BuildEnvironment) -> ReadingListState:
    state = getattr(env, STATE_ATTR, None)
    if not isinstance(state, ReadingListState):
        state = ReadingListState()
        setattr(env, STATE_ATTR, state)
    return state


# -- entries -----------------------------------------------------------------


def levels(config: Config) -> list[tuple[str, str]]:
    """``(keyword, heading)`` per level, in page order."""
    return [(str(keyword).lower(), str(heading)) for keyword, heading in config.readinglist_levels]


def entry_keywords(entry: Entry, config: Config) -> list[str]:
    value = entry.fields.get(config.readinglist_keywords_field, "")
    return [word.strip().lower() for word in value.split(",") if word.strip()]


def entry_level(entry: Entry, config: Config) -> str | None:
    """The entry's one level keyword, or ``None`` if it has none or several."""
    keywords = set(entry_keywords(entry, config))
    found = [keyword for keyword, _ in levels(config) if keyword in keywords]
    return found[0] if len(found) == 1 else None


def entry_hash(entry: Entry) -> str:
    """A hash of everything in an entry that can change how it is rendered."""
    payload = {
        "type": entry.type,
        "fields": sorted((name.lower(), value) for name, value in entry.fields.items()),
        "persons": {
            role: [str(person) for person in persons]
            for role, persons in sorted(entry.persons.items())
        },
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def cite_domain(env: BuildEnvironment) -> BibtexDomain:
    return cast("BibtexDomain", env.get_domain("cite"))


# -- the directive -----------------------------------------------------------


class ReadingListDirective(BibliographyDirective):
    """sphinxcontrib-bibtex's ``bibliography`` directive, grouped by level.

    Takes exactly the options of ``bibliography`` (``:all:``, ``:filter:``,
    ``:list:``, ``:style:``, …).  Sphinx re-reads the page whenever the .bib
    file changes, so the headings made here always match the entries.
    """

    def run(self) -> list[nodes.Node]:
        result = list(super().run())
        bibnode = result[-1]
        if not bibnode["ids"]:  # sphinxcontrib-bibtex has already warned
            return result
        docname = self.env.docname
        bib_key = BibliographyKey(docname=docname, id_=bibnode["ids"][0])
        by_level: dict[str, list[str]] = {}
        for _key, entry in cite_domain(self.env).get_filtered_entries(bib_key):
            level = entry_level(entry, self.config)
            if level is None:
                logger.warning(
                    'reading list: entry "%s" needs exactly one level keyword (%s) in "%s"',
                    entry.key,
                    ", ".join(keyword for keyword, _ in levels(self.config)),
                    self.config.readinglist_keywords_field,
                    location=(docname, self.lineno),
                    type="readinglist",
                    subtype="level",
                )
                level = OTHER_LEVEL
            by_level.setdefault(level, []).append(entry.key)
        get_state(self.env).lists.setdefault(docname, []).append(bib_key.id_)
        headings = [*levels(self.config), (OTHER_LEVEL, self.config.readinglist_other_heading)]
        result.extend(
            self.level_section(level, heading, bib_key)
            for level, heading in headings
            if level in by_level
        )
        return result

    def level_section(self, level: str, heading: str, bib_key: BibliographyKey) -> nodes.section:
        section = nodes.section()
        section += nodes.title(heading, heading)
        section["names"].append(nodes.fully_normalize_name(heading))
        self.state.document.note_implicit_target(section, section)
        section += nodes.container(
            classes=["readinglist-group"],
            **{GROUP_LEVEL: level, GROUP_BIBLIOGRAPHY: bib_key.id_, GROUP_DOCNAME: bib_key.docname},
        )
        return section


# -- reading: record citations -----------------------------------------------


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Record which keys this page cites, and where (for back-links)."""
    cites: dict[str, str] = {}
    for node in doctree.findall(addnodes.pending_xref):
        if node.get("refdomain") != "cite":
            continue
        try:
            targets = list(parse_citation_targets(node["reftarget"]))
        except ValueError:  # sphinxcontrib-bibtex reports malformed targets
            continue
        for target in targets:
            cites.setdefault(target.key, node["ids"][0] if node["ids"] else "")
    state = get_state(app.env)
    if cites:
        state.cites[app.env.docname] = cites
    else:
        state.cites.pop(app.env.docname, None)


def on_env_purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    get_state(env).purge(docname)


def on_env_merge_info(
    app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment
) -> None:
    """Bring the citations recorded by a parallel reader into the main environment."""
    get_state(env).merge(docnames, get_state(other))


# -- incremental builds ------------------------------------------------------


def on_env_get_outdated(
    app: Sphinx,
    env: BuildEnvironment,
    added: Set[str],
    changed: Set[str],
    removed: Set[str],
) -> set[str]:
    """Re-read every page that cites an entry that changed since the last build.

    sphinxcontrib-bibtex has re-parsed the .bib files in ``builder-inited``,
    which runs before this event.
    """
    state = get_state(env)
    entries = cite_domain(env).bibdata.data.entries
    hashes = {entry.key: entry_hash(entry) for entry in entries.values()}
    old, state.entry_hashes = state.entry_hashes, hashes
    changed_keys = {key for key in old.keys() | hashes.keys() if old.get(key) != hashes.get(key)}
    if not changed_keys:
        return set()
    return {
        docname
        for docname, keys in state.cites.items()
        if docname not in removed and not changed_keys.isdisjoint(keys)
    }


def backlinks_digest(env: BuildEnvironment, state: ReadingListState) -> str:
    """A digest of everything the "Cited in" links are made from."""
    payload = [
        (
            docname,
            env.titles[docname].astext() if docname in env.titles else "",
            sorted(keys.items()),
        )
        for docname, keys in sorted(state.cites.items())
    ]
    blob = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def on_env_get_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Re-write the reading-list pages when the pages citing their entries changed."""
    state = get_state(env)
    digest = backlinks_digest(env, state)
    if digest == state.backlinks_digest:
        return []
    state.backlinks_digest = digest
    return sorted(state.lists)


# -- writing: group, annotate, link ------------------------------------------


def document_order(env: BuildEnvironment) -> dict[str, int]:
    """Position of each page in reading order (toctree order, then by name)."""
    relations = env.collect_relations()
    order: dict[str, int] = {}
    docname: str | None = env.config.root_doc
    while docname is not None and docname not in order:
        order[docname] = len(order)
        docname = relations[docname][2] if docname in relations else None
    for docname in sorted(env.found_docs - order.keys()):
        order[docname] = len(order)
    return order


def global_citation(domain: BibtexDomain, key: str) -> Citation | None:
    """The entry that citations of ``key`` link to: the one in a citation list."""
    for citation in domain.citations:
        if citation.key == key and domain.bibliographies[citation.bibliography_key].list_ == (
            "citation"
        ):
            return citation
    return None


def find_by_id(scope: nodes.Node, node_id: str) -> nodes.Element | None:
    for node in scope.findall(nodes.Element):
        if node_id in node["ids"]:
            return node
    return None


def empty_like(node: nodes.Element) -> nodes.Element:
    """A new, empty list of the same kind as ``node``, without its ids."""
    new = node.__class__()
    for attribute in ("classes", "enumtype", "prefix", "suffix", "bullet"):
        if attribute in node.attributes:
            new[attribute] = node[attribute]
    return new


class EntryDecorator:
    """Adds the link to the global list, the annotation and "Cited in" to entries."""

    def __init__(self, app: Sphinx, docname: str) -> None:
        self.builder: Builder = app.builder
        self.env = app.env
        self.config = app.config
        self.docname = docname
        self.domain = cite_domain(app.env)
        self.state = get_state(app.env)
        self.order = document_order(app.env)

    def decorate(self, item: nodes.Element, citation: Citation, is_target: bool) -> None:
        if not is_target:
            self.link_to_global(item, citation)
        annotation = citation.entry.fields.get(self.config.readinglist_annotation_field, "")
        if annotation.strip():
            paragraph = nodes.paragraph(classes=["readinglist-annotation"])
            paragraph.extend(_bibstyle.latex_text(annotation).render(_backend))
            item += paragraph
        cited_in = self.cited_in(citation.key)
        if cited_in is not None:
            item += cited_in

    def link_to_global(self, item: nodes.Element, citation: Citation) -> None:
        target = global_citation(self.domain, citation.key)
        if target is None:
            logger.warning(
                'reading list: "%s" is in no citation bibliography, so this list cannot '
                "link it to the full reading list",
                citation.key,
                location=self.docname,
                type="readinglist",
                subtype="no_target",
            )
            return
        label = nodes.inline("", f"[{target.formatted_entry.label}]", classes=["readinglist-label"])
        link = make_refnode(
            self.builder,
            self.docname,
            target.bibliography_key.docname,
            target.citation_id,
            label,
            title=self.config.readinglist_global_link_title,
        )
        first = item.next_node(nodes.paragraph)
        if first is None:
            first = nodes.paragraph()
            item.insert(0, first)
        first.insert(0, nodes.Text(" "))
        first.insert(0, link)

    def cited_in(self, key: str) -> nodes.paragraph | None:
        citing = self.state.citing(key)
        if not citing:
            return None
        paragraph = nodes.paragraph(classes=["readinglist-cited-in"])
        paragraph += nodes.strong("", self.config.readinglist_cited_in_label)
        paragraph += nodes.Text(" ")
        docnames = sorted(citing, key=lambda name: (self.order.get(name, len(self.order)), name))
        for index, docname in enumerate(docnames):
            if index:
                paragraph += nodes.Text(", ")
            title = self.env.titles[docname].astext() if docname in self.env.titles else docname
            paragraph += make_refnode(
                self.builder, self.docname, docname, citing[docname], nodes.inline("", title)
            )
        paragraph += nodes.Text(".")
        return paragraph


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Move each rendered entry under its level heading and decorate it."""
    by_bibliography: dict[BibliographyKey, dict[str, nodes.Element]] = {}
    for node in doctree.findall(nodes.container):
        if GROUP_LEVEL in node.attributes:
            key = BibliographyKey(docname=node[GROUP_DOCNAME], id_=node[GROUP_BIBLIOGRAPHY])
            by_bibliography.setdefault(key, {})[node[GROUP_LEVEL]] = node
    if by_bibliography:
        decorator = EntryDecorator(app, docname)
        for bib_key, groups in by_bibliography.items():
            distribute(decorator, bib_key, groups)


def distribute(
    decorator: EntryDecorator, bib_key: BibliographyKey, groups: dict[str, nodes.Element]
) -> None:
    """Move the entries sphinxcontrib-bibtex rendered for ``bib_key`` into ``groups``."""
    bibliography = decorator.domain.bibliographies.get(bib_key)
    # the rendered list sits beside the level sections, in the section holding both
    scope = next(iter(groups.values())).parent.parent
    rendered = find_by_id(scope, bib_key.id_) if scope is not None else None
    if bibliography is None or rendered is None:
        return
    is_target = bibliography.list_ == "citation"
    by_id = {c.citation_id: c for c in decorator.domain.citations if c.bibliography_key == bib_key}
    moved: dict[str, list[nodes.Element]] = {}
    for item in list(rendered.children):
        if not isinstance(item, nodes.Element) or not item["ids"]:
            continue
        citation = by_id.get(item["ids"][0])
        if citation is None:
            continue
        level = entry_level(citation.entry, decorator.config)
        level = OTHER_LEVEL if level is None else level
        if level not in groups:
            continue  # no heading was made for it when the page was read
        decorator.decorate(item, citation, is_target)
        rendered.remove(item)
        moved.setdefault(level, []).append(item)
    for level, group in groups.items():
        items = moved.get(level, [])
        if not items:
            group += nodes.paragraph("", decorator.config.readinglist_empty_text)
        elif is_target:
            group.extend(items)
        else:
            container = empty_like(rendered)
            container.extend(items)
            group += container
    if not rendered.children:
        rendered.replace_self(nodes.target())  # keeps the bibliography's id


# -- setup -------------------------------------------------------------------


#: ``(name, default, rebuild, types)`` of the configuration values this extension adds.
CONFIG_VALUES: tuple[tuple[str, Any, Literal["env", "html"], frozenset[type]], ...] = (
    ("readinglist_levels", DEFAULT_LEVELS, "env", frozenset({list, tuple})),
    ("readinglist_other_heading", "Other", "env", frozenset({str})),
    ("readinglist_keywords_field", "keywords", "env", frozenset({str})),
    ("readinglist_annotation_field", "annotation", "html", frozenset({str})),
    ("readinglist_cited_in_label", "Cited in:", "html", frozenset({str})),
    ("readinglist_global_link_title", "Entry in the full reading list", "html", frozenset({str})),
    ("readinglist_empty_text", "No works at this level yet.", "html", frozenset({str})),
)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinxcontrib.bibtex")
    _bibstyle.register()  # now, so that conf.py's bibtex_default_style resolves
    for name, default, rebuild, types in CONFIG_VALUES:
        app.add_config_value(name, default, rebuild, types=types)
    app.add_directive("readinglist", ReadingListDirective)
    app.connect("doctree-read", on_doctree_read)
    app.connect("env-purge-doc", on_env_purge_doc)
    app.connect("env-merge-info", on_env_merge_info)
    app.connect("env-get-outdated", on_env_get_outdated)
    app.connect("env-get-updated", on_env_get_updated)
    app.connect("doctree-resolved", on_doctree_resolved)
    return {
        "version": handbook.__version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
