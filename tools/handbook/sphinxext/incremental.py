"""Incremental builds that write what a clean build would.

After an edit Sphinx re-reads the changed pages and rewrites them, the pages
whose toctree lists them, and whatever extensions ask for through
``env-get-updated``.  But every page shows more of the others than that:

* the sidebar shows the whole navigation: the title of every page in the
  toctrees, their structure, captions and section numbers;
* the previous/next links show the neighbours' titles;
* a cross-reference shows its target: ``{doc}`` the page's title, ``{ref}`` the
  section's title, ``{numref}`` its number, ``{term}`` where the term lives;
* a toctree in a page's body shows the section headings of the pages below
  it, down to its ``maxdepth`` (Sphinx rewrites only the direct parent).

So after a page's title changed, the other pages kept the old title in their
sidebars and next/previous links.  This extension remembers, in the build
environment, a digest of the navigation and, for every cross-reference
target that some page uses, a fingerprint of what that page would show; in
``env-get-updated`` (after Sphinx has re-read what changed) it compares them
with the new ones and returns

* every page, when the navigation changed (a title, a toctree, a caption, a
  page added to or removed from a toctree, a section number);
* the pages that use a cross-reference target whose fingerprint changed
  (a retitled orphan page, a renamed section, a page added or removed that a
  ``{doc}`` names, a moved glossary term);
* the pages whose body toctrees, resolved, changed (a section heading
  renamed two levels down).

An edit that changes neither (the usual edit of a page's body) rewrites only
that page, plus what Sphinx adds itself.

In ``env-get-outdated`` it asks Sphinx to re-read the pages whose toctree
lists a page that was removed, so that they drop the entry (and warn) exactly
as a clean build would.  After a successful build it deletes the HTML of
removed pages, which Sphinx leaves behind, and it gives sphinx-sitemap the
pages that were not rewritten, which it would otherwise leave out of
``sitemap.xml``.

Citations are not handled here: ``handbook.sphinxext.readinglist`` re-reads
the pages that cite an entry that changed.

What is remembered between builds is kept by two Sphinx environment
collectors, one per kind of state: :class:`ReferenceCollector` (per page, the
cross-reference targets it uses, recorded when it is read, forgotten when it
is purged and merged back from parallel readers; and the fingerprint of every
used target) and :class:`NavigationCollector` (the digests of the navigation
and of every page's table of contents and body toctrees, taken from the
whole environment after reading, so nothing per page to clear or merge).
What one build removed and wrote is not kept at all: :class:`BuildOutputs`
notes it for that build's sitemap and clean-up.

Configuration: ``incremental_nav_titles_only`` (default ``True``) says that
the sidebar shows only page titles (sphinx-book-theme's ``titles_only=True``),
so a new section heading inside a page does not rewrite every page; set it to
``False`` for a theme whose navigation lists sections.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.environment.adapters.toctree import TocTree, global_toctree_for_doc
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util import docname_join, logging

import handbook
from handbook.sphinxext._envstate import EnvState

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

#: Domains whose references this extension leaves alone (readinglist handles citations).
SKIPPED_DOMAINS = frozenset({"cite", "footcite"})

#: A cross-reference target: (domain, name).  ``("std", docname)`` for ``{doc}``.
RefKey = tuple[str, str]

_NO_PAGE = "\x00incremental-no-page"


@dataclass
class References(EnvState):
    """The cross-reference targets pages use and what they show (:class:`ReferenceCollector`)."""

    attribute = "handbook_incremental_references"

    #: docname -> the cross-reference targets it uses
    refs: dict[str, set[RefKey]] = field(default_factory=dict)
    #: cross-reference target -> fingerprint of what it shows, as of the last build
    fingerprints: dict[RefKey, str] = field(default_factory=dict)


@dataclass
class Navigation(EnvState):
    """What every page shows of the book's structure: see :class:`NavigationCollector`."""

    attribute = "handbook_incremental_navigation"

    #: digest of everything the navigation shows, as of the last build
    nav_digest: str = ""
    #: docname -> digest of the toctrees in its body, as of the last build
    body_toctrees: dict[str, str] = field(default_factory=dict)
    #: docname -> digest of its table of contents, as of the last build
    toc_digests: dict[str, str] = field(default_factory=dict)


def digest(payload: Any) -> str:
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


# -- the navigation ------------------------------------------------------------


class _DocnameLinks:
    """Stands in for the builder: links are left as docnames, the same for every page."""

    def __init__(self, builder: Builder) -> None:
        self.tags = builder.tags

    def get_relative_uri(self, from_: str, to: str, typ: str | None = None) -> str:
        return to


def nav_digest(env: BuildEnvironment, builder: Builder, titles_only: bool) -> str:
    """A digest of what every page shows of the navigation.

    The global toctree resolved for no page, with hidden toctrees and without
    a depth limit (so it covers every theme setting), plus the previous/next
    relations and the titles of every page in them.
    """
    toctree = global_toctree_for_doc(
        env,
        _NO_PAGE,
        _DocnameLinks(builder),  # type: ignore[arg-type]
        tags=builder.tags,
        collapse=False,
        includehidden=True,
        maxdepth=-1,
        titles_only=titles_only,
    )
    relations = env.collect_relations()
    shown = {env.config.root_doc, *relations}
    for related in relations.values():
        shown.update(name for name in related if name)
    titles = {name: env.titles[name].pformat() for name in sorted(shown) if name in env.titles}
    return digest(
        {
            "toctree": toctree.pformat() if toctree is not None else "",
            "relations": sorted(relations.items()),
            "titles": titles,
        }
    )


def toc_digests(env: BuildEnvironment) -> dict[str, str]:
    """docname -> digest of its table of contents (sections, numbers, toctrees, ``tocdepth``)."""
    return {
        docname: digest(
            [env.tocs[docname].pformat(), env.metadata.get(docname, {}).get("tocdepth")]
        )
        for docname in sorted(env.found_docs)
        if docname in env.tocs
    }


def with_ancestors(env: BuildEnvironment, docnames: Set[str]) -> set[str]:
    """``docnames`` and every page whose toctrees lead to one of them."""
    parents: dict[str, set[str]] = {}
    for parent, children in env.toctree_includes.items():
        for child in children:
            parents.setdefault(child, set()).add(parent)
    found = set(docnames)
    todo = list(docnames)
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def body_toctrees(env: BuildEnvironment, builder: Builder, docnames: Set[str]) -> dict[str, str]:
    """docname -> digest of the toctrees its body shows (with other pages' sections).

    For those of ``docnames`` that have a toctree that is not hidden, resolved
    as Sphinx resolves it when it writes the page (every section its
    ``maxdepth`` allows, not only titles).
    """
    adapter = TocTree(env)
    links = _DocnameLinks(builder)
    found: dict[str, str] = {}
    for docname in sorted(docnames & env.found_docs):
        toc = env.tocs.get(docname)
        if toc is None:
            continue
        shown = [node for node in toc.findall(addnodes.toctree) if not node.get("hidden", False)]
        if not shown:
            continue
        resolved = [
            adapter.resolve(docname, links, node.deepcopy())  # type: ignore[arg-type]
            for node in shown
        ]
        found[docname] = digest([tree.pformat() if tree is not None else "" for tree in resolved])
    return found


# -- cross-references ------------------------------------------------------------


def reference_keys(doctree: nodes.document, docname: str) -> set[RefKey]:
    """The cross-reference targets a page uses.

    ``("std", docname)`` for ``{doc}``; ``("doc", "docname#anchor")`` for a MyST
    link to a page (``[](page.md#anchor)``); ``("", name)`` for a MyST link that
    is resolved in any domain; ``(domain, name)`` for every other role.
    """
    keys: set[RefKey] = set()
    for node in doctree.findall(addnodes.pending_xref):
        domain = node.get("refdomain") or ""
        target = node.get("reftarget", "")
        if domain in SKIPPED_DOMAINS or not isinstance(target, str):
            continue
        if domain == "std" and node.get("reftype") == "doc":
            keys.add(("std", docname_join(node.get("refdoc", docname), target)))
        elif domain == "doc":  # MyST's link to a page, and maybe a heading on it
            keys.add(("doc", f"{target}#{node.get('reftargetid') or ''}"))
        else:
            keys.add((domain, target))
    return keys


def fingerprints(env: BuildEnvironment, keys: Iterable[RefKey]) -> dict[RefKey, str]:
    """What each target shows: every object of its domain with its name (in any case).

    The standard domain lists documents (with their titles), labels (with
    their section titles) and terms among its objects; for labels, the
    section and figure numbers of the labelled page are added (``{numref}``).
    A MyST page link shows the page's title, or the heading it points to.
    """
    wanted = set(keys)
    domains = [name for name in env.domains if name not in SKIPPED_DOMAINS]
    names: dict[str, set[str]] = {}
    for domain, name in wanted:
        if domain == "doc":
            continue
        for searched in domains if domain == "" else [domain]:
            names.setdefault(searched, set()).update((name, name.lower()))
    found: dict[tuple[str, str], list[Any]] = {}
    for domain_name, domain_names in names.items():
        try:
            objects = env.get_domain(domain_name).get_objects()
        except Exception:  # an unknown domain: Sphinx warns when it resolves the reference
            continue
        for obj in objects:
            if obj[0] not in domain_names:
                continue
            shown: list[Any] = [domain_name, *obj]
            if domain_name == "std" and obj[2] == "label":
                shown.append(env.toc_secnumbers.get(obj[3], {}))
                shown.append(env.toc_fignumbers.get(obj[3], {}))
            found.setdefault((domain_name, obj[0]), []).append(shown)
    result: dict[RefKey, str] = {}
    for domain, name in wanted:
        if domain == "doc":
            page, _, anchor = name.partition("#")
            title = env.titles[page].pformat() if page in env.titles else None
            slug = env.metadata.get(page, {}).get("myst_slugs", {}).get(anchor) if anchor else None
            result[(domain, name)] = digest([page in env.all_docs, title, slug])
            continue
        shown_all: list[Any] = []
        for searched in domains if domain == "" else [domain]:
            shown_all += found.get((searched, name), [])
            if name.lower() != name:
                shown_all += found.get((searched, name.lower()), [])
        result[(domain, name)] = digest(shown_all)
    return result


# -- the collectors -------------------------------------------------------------

#: After the built-in collectors have assigned section and figure numbers.
UPDATED_PRIORITY = 800


class LateUpdateCollector(EnvironmentCollector):
    """A collector whose ``env-get-updated`` runs after the built-in collectors'."""

    def enable(self, app: Sphinx) -> None:
        super().enable(app)
        assert self.listener_ids is not None
        app.disconnect(self.listener_ids["env-get-updated"])
        self.listener_ids["env-get-updated"] = app.connect(
            "env-get-updated", self.get_updated_docs, priority=UPDATED_PRIORITY
        )


class ReferenceCollector(LateUpdateCollector):
    """Keeps :class:`References`: rewrites the pages whose cross-reference targets changed.

    Per page (read, purged, merged from parallel readers): the targets it
    uses.  After reading: the fingerprint of every used target, compared with
    the last build's.
    """

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        References.of(env).refs.pop(docname, None)

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment
    ) -> None:
        ours, theirs = References.of(env), References.of(other)
        for docname in docnames:
            if docname in theirs.refs:
                ours.refs[docname] = theirs.refs[docname]

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        """Record the cross-reference targets this page uses."""
        docname = app.env.docname
        keys = reference_keys(doctree, docname)
        references = References.of(app.env)
        if keys:
            references.refs[docname] = keys
        else:
            references.refs.pop(docname, None)

    def get_updated_docs(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """The pages that use a target whose fingerprint changed since the last build."""
        references = References.of(env)
        used = set().union(*references.refs.values()) if references.refs else set()
        new_prints = fingerprints(env, used)
        old_prints, references.fingerprints = references.fingerprints, new_prints
        changed = {key for key, value in new_prints.items() if old_prints.get(key) != value}
        return sorted(
            docname
            for docname, keys in references.refs.items()
            if docname in env.found_docs and not changed.isdisjoint(keys)
        )


class NavigationCollector(LateUpdateCollector):
    """Keeps :class:`Navigation`: rewrites every page when the navigation changed.

    Nothing is recorded per page: the digests are taken from the whole
    environment after reading.  Before reading, the pages whose toctree lists
    a removed page are re-read (so they drop the entry, and warn, as a clean
    build would).
    """

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        pass  # nothing per page

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment
    ) -> None:
        pass  # nothing per page

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        pass  # nothing per page

    def get_outdated_docs(
        self,
        app: Sphinx,
        env: BuildEnvironment,
        added: Set[str],
        changed: Set[str],
        removed: Set[str],
    ) -> list[str]:
        """Re-read the pages whose toctree lists a page that is gone."""
        return sorted(
            {
                parent
                for docname in removed
                for parent in env.files_to_rebuild.get(docname, ())
                if parent in env.found_docs and parent not in removed
            }
        )

    def get_updated_docs(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """Every page when the navigation changed; else the pages whose body toctrees did."""
        navigation = Navigation.of(env)
        first_build = not navigation.nav_digest
        # ``env.master_doctree`` is a cached property that would be pickled with the
        # environment (Sphinx itself first reads it after pickling): drop it before
        # and after, or the next build would see this build's root toctrees.
        env.__dict__.pop("master_doctree", None)
        try:
            new_digest = nav_digest(env, app.builder, app.config.incremental_nav_titles_only)
        finally:
            env.__dict__.pop("master_doctree", None)
        nav_changed = new_digest != navigation.nav_digest
        navigation.nav_digest = new_digest

        # A body toctree shows the sections of the pages below it: resolve it again
        # only above a page whose table of contents changed (or for every page,
        # when every page is rewritten anyway), which keeps no-op builds cheap.
        new_tocs = toc_digests(env)
        old_tocs, navigation.toc_digests = navigation.toc_digests, new_tocs
        if first_build or nav_changed:
            recheck = set(env.found_docs)
        else:
            moved = {
                name
                for name in old_tocs.keys() | new_tocs.keys()
                if old_tocs.get(name) != new_tocs.get(name)
            }
            recheck = with_ancestors(env, moved) if moved else set()
        new_bodies = body_toctrees(env, app.builder, recheck)
        old_bodies = navigation.body_toctrees
        navigation.body_toctrees = {
            name: value
            for name, value in {**old_bodies, **new_bodies}.items()
            if name in env.found_docs and (name in new_bodies or name not in recheck)
        }
        if first_build:
            return []  # everything is being written anyway
        if nav_changed:
            logger.verbose("incremental: the navigation changed; every page is rewritten")
            return sorted(env.found_docs)
        return sorted(
            docname for docname, value in new_bodies.items() if old_bodies.get(docname) != value
        )


# -- what this build removed and wrote ---------------------------------------------


def sitemap_link(app: Sphinx, docname: str) -> str:
    """The link sphinx-sitemap records for a document."""
    if getattr(app.env, "is_directory_builder", False):
        if docname == "index":
            return ""
        return docname[: -len("index")] if docname.endswith("/index") else docname + "/"
    return docname + (app.config.html_file_suffix or ".html")


class BuildOutputs:
    """What one build removed and wrote, for its sitemap and its clean-up.

    Not kept in the environment: it is about this build only.  Both are noted
    in the main process (``env-get-outdated`` before reading, and
    ``doctree-resolved``, which Sphinx runs there before handing pages to
    parallel writers).
    """

    def __init__(self) -> None:
        #: documents removed in this build
        self.removed: set[str] = set()
        #: documents written in this build
        self.written: set[str] = set()

    def connect(self, app: Sphinx) -> None:
        app.connect("builder-inited", self.on_builder_inited)
        app.connect("env-get-outdated", self.on_env_get_outdated)
        app.connect("doctree-resolved", self.on_doctree_resolved)
        app.connect("build-finished", self.on_build_finished_sitemap, priority=400)
        app.connect("build-finished", self.on_build_finished)

    def on_builder_inited(self, app: Sphinx) -> None:
        self.removed = set()
        self.written = set()

    def on_env_get_outdated(
        self,
        app: Sphinx,
        env: BuildEnvironment,
        added: Set[str],
        changed: Set[str],
        removed: Set[str],
    ) -> list[str]:
        self.removed = set(removed)
        return []

    def on_doctree_resolved(self, app: Sphinx, doctree: nodes.document, docname: str) -> None:
        self.written.add(docname)

    def on_build_finished_sitemap(self, app: Sphinx, exception: Exception | None) -> None:
        """Give sphinx-sitemap the pages this build did not rewrite (before it writes the file).

        sphinx-sitemap lists the pages that pass through ``html-page-context``, so
        after an incremental build ``sitemap.xml`` held only the rewritten pages.
        The list is also put in a fixed order (documents by name, then the other
        pages as written), so that serial, parallel, clean and incremental builds
        write the same file.
        """
        if exception is not None or "sphinx_sitemap" not in app.extensions:
            return
        links = getattr(app, "sitemap_links", None)  # sphinx-sitemap's queue (on env.app)
        if links is None or not hasattr(links, "get_nowait"):
            return
        import queue

        import sphinx_sitemap

        def drain() -> list[Any]:
            items: list[Any] = []
            while True:
                try:
                    items.append(links.get_nowait())
                except queue.Empty:
                    return items

        collected = drain()
        if not collected:
            return  # nothing written: sphinx-sitemap keeps the sitemap of the last build
        for docname in sorted(app.env.found_docs - self.written):
            sphinx_sitemap.add_html_link(app, docname, "page.html", {}, None)
        collected += drain()
        documents = {sitemap_link(app, docname) for docname in app.env.found_docs}
        unique: dict[Any, Any] = {}
        for item in collected:
            unique.setdefault(item[0], item)
        ordered = sorted(
            (item for item in unique.values() if item[0] in documents), key=lambda i: i[0]
        )
        ordered += [item for item in unique.values() if item[0] not in documents]
        for item in ordered:
            links.put(item)

    def on_build_finished(self, app: Sphinx, exception: Exception | None) -> None:
        """Delete the output of pages that were removed (Sphinx leaves it behind)."""
        if exception is not None:
            return
        get_outfilename = getattr(app.builder, "get_outfilename", None)
        if get_outfilename is None:
            return
        for docname in sorted(self.removed - app.env.found_docs):
            path = Path(get_outfilename(docname))
            if path.is_file():
                path.unlink()
                logger.verbose("incremental: removed %s (its page is gone)", path)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("incremental_nav_titles_only", True, "env", types=frozenset({bool}))
    BuildOutputs().connect(app)
    app.add_env_collector(ReferenceCollector)
    app.add_env_collector(NavigationCollector)
    return {
        "version": handbook.__version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
