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
    list.  These words are translated with Sphinx's translator (``sphinx.po``)
    while they keep their defaults; a configured value is shown as written.
    The annotations themselves are English in every edition, marked
    ``lang="en"`` in a translated one; each reference is marked with its
    work's language (the entry's ``language``) where it is not the page's.
Incremental builds
    Sphinx re-reads a page when its source changes, and sphinxcontrib-bibtex
    makes bibliography pages depend on the .bib file, but a page that merely
    cites an entry keeps its old text when the entry changes.  A hash of every
    entry is kept in the environment; before reading, the pages that cite an
    entry whose hash changed (or that appeared or vanished) are re-read, and
    after reading, the reading-list pages are re-written when the set of
    citing pages changes.

What the extension remembers (which page cites what, where the reading lists
are, the entry hashes) is kept by :class:`CitationCollector`, a Sphinx
environment collector: it records each page's citations when the page is
read, forgets them when the page is purged, merges them back from parallel
readers, and answers ``env-get-outdated`` and ``env-get-updated``.  The pybtex
plugin look-up is memoised for the build by ``handbook.sphinxext.pybtexmemo``,
which this extension loads.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

from docutils import nodes
from pybtex_docutils import Backend
from sphinx import addnodes
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.nodes import make_refnode
from sphinxcontrib.bibtex.citation_target import parse_citation_targets
from sphinxcontrib.bibtex.directives import BibliographyDirective, BibliographyKey

import handbook
from handbook.sphinxext import _bibstyle
from handbook.sphinxext._envstate import EnvState
from handbook.vocabulary import LEVEL_NAMES, LEVELS

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

#: Attributes of the placeholder container that marks where a level's entries go.
GROUP_LEVEL = "readinglist_level"
GROUP_BIBLIOGRAPHY = "readinglist_bibliography"
GROUP_DOCNAME = "readinglist_docname"
#: The level of entries without exactly one level keyword.
OTHER_LEVEL = ""

#: The levels, in order, with their headings (from :mod:`handbook.vocabulary`).
DEFAULT_LEVELS: tuple[tuple[str, str], ...] = tuple((level, LEVEL_NAMES[level]) for level in LEVELS)

_backend = Backend()


# -- what the extension remembers --------------------------------------------


@dataclass
class Citations(EnvState):
    """Who cites what, and where the reading lists are: see :class:`CitationCollector`."""

    attribute = "readinglist_citations"

    #: docname -> citation key -> id of the first citation of that key on the page
    cites: dict[str, dict[str, str]] = field(default_factory=dict)
    #: docname -> ids of the ``readinglist`` bibliographies on that page
    lists: dict[str, list[str]] = field(default_factory=dict)
    #: citation key -> hash of its references.bib entry, as of the last build
    entry_hashes: dict[str, str] = field(default_factory=dict)
    #: digest of the back-links the reading-list pages were last written with
    backlinks_digest: str = ""

    def citing(self, key: str) -> dict[str, str]:
        """docname -> citation id, for every page that cites ``key``."""
        return {docname: keys[key] for docname, keys in self.cites.items() if key in keys}


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
    found = [keyword for keyword, _heading in levels(config) if keyword in keywords]
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
                    ", ".join(keyword for keyword, _heading in levels(self.config)),
                    self.config.readinglist_keywords_field,
                    location=(docname, self.lineno),
                    type="readinglist",
                    subtype="level",
                )
                level = OTHER_LEVEL
            by_level.setdefault(level, []).append(entry.key)
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


# -- the collector -----------------------------------------------------------


def page_citations(doctree: nodes.document) -> dict[str, str]:
    """Citation key -> id of its first citation, for every key the page cites."""
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
    return cites


def page_lists(doctree: nodes.document) -> list[str]:
    """Ids of the ``readinglist`` bibliographies on the page, in page order.

    Found by the level groups that :class:`ReadingListDirective` makes; a list
    without a group has no entries, hence no back-links to refresh.
    """
    found: dict[str, None] = {}
    for node in doctree.findall(nodes.container):
        if GROUP_LEVEL in node.attributes:
            found.setdefault(node[GROUP_BIBLIOGRAPHY], None)
    return list(found)


def backlinks_digest(env: BuildEnvironment, citations: Citations) -> str:
    """A digest of everything the "Cited in" links are made from."""
    payload = [
        (
            docname,
            env.titles[docname].astext() if docname in env.titles else "",
            sorted(keys.items()),
        )
        for docname, keys in sorted(citations.cites.items())
    ]
    blob = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


class CitationCollector(EnvironmentCollector):
    """Keeps :class:`Citations`: which page cites which entry, and where the lists are.

    Per page (read, purged, merged from parallel readers): the keys it cites
    with the id of each key's first citation (the target of its "Cited in"
    link), and its reading lists.  For the whole book: the hash of every
    entry and the digest of the back-links, compared from build to build.
    """

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        citations = Citations.of(env)
        citations.cites.pop(docname, None)
        citations.lists.pop(docname, None)

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment
    ) -> None:
        ours, theirs = Citations.of(env), Citations.of(other)
        for docname in docnames:
            if docname in theirs.cites:
                ours.cites[docname] = theirs.cites[docname]
            if docname in theirs.lists:
                ours.lists[docname] = theirs.lists[docname]

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        """Record which keys this page cites, and where (for back-links), and its lists."""
        citations = Citations.of(app.env)
        docname = app.env.docname
        cites = page_citations(doctree)
        if cites:
            citations.cites[docname] = cites
        else:
            citations.cites.pop(docname, None)
        lists = page_lists(doctree)
        if lists:
            citations.lists[docname] = lists
        else:
            citations.lists.pop(docname, None)

    def get_outdated_docs(
        self,
        app: Sphinx,
        env: BuildEnvironment,
        added: Set[str],
        changed: Set[str],
        removed: Set[str],
    ) -> list[str]:
        """Re-read every page that cites an entry that changed since the last build.

        sphinxcontrib-bibtex has re-parsed the .bib files in ``builder-inited``,
        which runs before this event.
        """
        citations = Citations.of(env)
        entries = cite_domain(env).bibdata.data.entries
        hashes = {entry.key: entry_hash(entry) for entry in entries.values()}
        old, citations.entry_hashes = citations.entry_hashes, hashes
        changed_keys = {
            key for key in old.keys() | hashes.keys() if old.get(key) != hashes.get(key)
        }
        if not changed_keys:
            return []
        return sorted(
            docname
            for docname, keys in citations.cites.items()
            if docname not in removed and not changed_keys.isdisjoint(keys)
        )

    def get_updated_docs(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """Re-write the reading-list pages when the pages citing their entries changed."""
        citations = Citations.of(env)
        digest = backlinks_digest(env, citations)
        if digest == citations.backlinks_digest:
            return []
        citations.backlinks_digest = digest
        return sorted(citations.lists)


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
        self.citations = Citations.of(app.env)
        self.order = document_order(app.env)

    def decorate(self, item: nodes.Element, citation: Citation, is_target: bool) -> None:
        # The reference in the work's own language (its `language` field): lang="en" on a
        # Japanese page, lang="ja" for a Japanese book on an English one.
        written_in = citation.entry.fields.get("language", "").strip()
        reference = item.next_node(nodes.paragraph)
        if written_in and written_in != (self.config.language or "en") and reference is not None:
            reference["classes"].append(f"language-{written_in}")
        if not is_target:
            self.link_to_global(item, citation)
        annotation = citation.entry.fields.get(self.config.readinglist_annotation_field, "")
        if annotation.strip():
            classes = ["readinglist-annotation"]
            if self.config.language not in (None, "en"):
                classes.append("language-en")  # written in English: lang="en" in HTML
            paragraph = nodes.paragraph(classes=classes)
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
            title=word(self.config, "readinglist_global_link_title"),
        )
        first = item.next_node(nodes.paragraph)
        if first is None:
            first = nodes.paragraph()
            item.insert(0, first)
        first.insert(0, nodes.Text(" "))
        first.insert(0, link)

    def cited_in(self, key: str) -> nodes.paragraph | None:
        citing = self.citations.citing(key)
        if not citing:
            return None
        paragraph = nodes.paragraph(classes=["readinglist-cited-in"])
        paragraph += nodes.strong("", word(self.config, "readinglist_cited_in_label"))
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
            group += nodes.paragraph("", word(decorator.config, "readinglist_empty_text"))
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


def word(config: Config, name: str) -> str:
    """A word of the written page: its default in the build's language, or as configured."""
    value = str(getattr(config, name))
    defaults = {
        "readinglist_cited_in_label": _("Cited in:"),
        "readinglist_global_link_title": _("Entry in the full reading list"),
        "readinglist_empty_text": _("No works at this level yet."),
    }
    default = next(default for key, default, *_rest in CONFIG_VALUES if key == name)
    return str(defaults[name]) if value == default else value


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinxcontrib.bibtex")
    app.setup_extension("handbook.sphinxext.pybtexmemo")
    _bibstyle.register()  # now, so that conf.py's bibtex_default_style resolves
    for name, default, rebuild, types in CONFIG_VALUES:
        app.add_config_value(name, default, rebuild, types=types)
    app.add_directive("readinglist", ReadingListDirective)
    app.add_env_collector(CitationCollector)
    app.connect("doctree-resolved", on_doctree_resolved)
    return {
        "version": handbook.__version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
