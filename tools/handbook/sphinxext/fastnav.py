"""Render the sidebar navigation once per build, not once per page.

Why
    pydata-sphinx-theme's ``generate_toctree_html`` (which sphinx-book-theme's
    ``sbt-sidebar-nav.html`` calls) resolves the whole global toctree for every
    page, renders it to HTML, parses that with BeautifulSoup and serialises it
    again; pydata-sphinx-theme's ``update_and_remove_templates`` then renders
    the sidebar template a second time per page, only to check that it is not
    empty.  Each page's sidebar is as large as the book, so a build takes time
    that grows with the square of the page count.  Profiled (cProfile, 200-page
    benchmark book, stock): ``generate_toctree_html`` took 39.8 s and the
    second serialisation 6.1 s of a 74.8 s build.

How
    The sidebar differs from page to page only in

    * the relative URL of each internal link (``href="#"`` on the page itself);
    * the ``current`` classes that Sphinx adds along every branch leading to
      the page (``current active`` on ``<li>``), and ``open="open"`` on the
      ``<details>`` of those branches.

    So for each distinct call (theme options, and for a section sidebar the
    top-level section) this extension resolves the toctrees once, *for no page
    at all*, with a stand-in builder that turns every internal link into a
    token naming its target.  Sphinx marks a page's branch before it prunes
    the tree to ``maxdepth`` (a page deeper than that still marks its
    ancestors, and a page listed twice marks both branches), so the trees are
    resolved whole, each ``<li>``/``<ul>``/``<a>`` on some page's branch gets a
    class token, and the trees are then pruned here as ``_toctree_copy`` does.
    The result is rendered through the theme's own code
    (``generate_toctree_html`` with a ``toctree`` helper that returns it), so
    every BeautifulSoup step of the theme applies exactly as on a real page;
    ``handbook.sphinxext.a11y``'s ``name_summaries`` is applied when that
    extension is loaded (its wrapper passes the string we return through
    unchanged); and the HTML is cut into literal pieces and slots.  A page's
    sidebar is then the pieces joined, with its URLs (computed once per output
    directory) and its branch's marks filled in: linear work in the size of
    the sidebar, no tree operations.

    The fast function is installed where the theme installs its own (the
    theme's ``add_toctree_functions`` listener is wrapped in place), so the
    emptiness check in ``update_and_remove_templates`` uses it too and the
    second render becomes a look-up (the result is memoised per page, as the
    theme's ``functools.cache`` did); ``handbook.sphinxext.a11y`` (priority 600)
    wraps it as before.  ``suppress_sidebar_toctree`` (``layout.html``'s check
    whether a section sidebar exists, which resolves the section's toctree per
    page when ``sidebar_includehidden`` is off) finds the page's ancestors from
    one parent map per build and caches its answer per section.

    Measured (``benchmarks/build.py``, serial strict build, 2 shared cores):
    500 pages clean build 174.4 s -> 16.5 s (149.3 s -> 15.8 s in an earlier
    run), with pybtex's plugin look-up memoised (``handbook.sphinxext.pybtexmemo``,
    then part of this extension); 200 pages without that memo 32-38 s ->
    10.5-11.6 s.  Growth exponent 50 -> 500 pages 1.35 -> 0.55.  Output
    byte-identical.

Fallbacks
    Settings the fast path does not reproduce (``collapse=True``,
    ``show_nav_level`` 0, ``kind="raw"``, unknown arguments) use the theme's own
    function, with one warning per build (``fastnav.fallback``; silence it with
    ``suppress_warnings``).  Pages whose sidebar cannot be derived from the
    shared one use the theme's function silently: a page whose ``toctree``
    helper another extension replaced (sphinx-notfound-page's 404 page), a page
    under a document whose table of contents has ``only`` directives, a sidebar
    with images in titles, builders other than ``html`` and ``dirhtml``.

Configuration
    ``fastnav`` (``"on"``, ``"off"`` or ``"verify"``; default ``"on"``), overridden
    by the environment variable ``HANDBOOK_FAST_NAV`` (``0``/``off``,
    ``1``/``on``, ``verify``).  ``off`` turns off everything this extension does,
    so that it builds exactly as without it.
    ``verify`` renders the theme's own sidebar as well for every page and stops
    the build with an error at the first byte that differs.

What remains
    Profiled with cProfile on the 200-page benchmark book, the rest of a build
    is linear in the page count: reading (MyST parsing, docutils settings per
    document), resolving references, the search index, Jinja rendering, and
    the other handbook extensions' post-processing.  pybtex's plugin look-up,
    found costly in the same profile, is memoised by
    ``handbook.sphinxext.pybtexmemo``.
"""

from __future__ import annotations

import os
import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from docutils import nodes
from sphinx import addnodes
from sphinx.builders import Builder
from sphinx.environment.adapters.toctree import TocTree
from sphinx.errors import ConfigError, ExtensionError
from sphinx.events import EventListener
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

import handbook

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

#: The environment variable that overrides the ``fastnav`` configuration value.
ENV_VAR = "HANDBOOK_FAST_NAV"

Mode = Literal["on", "off", "verify"]

_MODE_WORDS: dict[str, Mode] = {
    "on": "on",
    "1": "on",
    "true": "on",
    "yes": "on",
    "off": "off",
    "0": "off",
    "false": "off",
    "no": "off",
    "verify": "verify",
}

#: Builders whose pages the fast path knows how to link (both use ``relative_uri``).
FAST_BUILDERS = frozenset({"html", "dirhtml"})

#: Keyword arguments of ``generate_toctree_html`` that reach Sphinx's toctree resolution.
TOCTREE_ARGUMENTS = frozenset({"collapse", "includehidden", "maxdepth", "titles_only"})


def resolve_mode(config: Config) -> Mode:
    """The mode of this build: ``HANDBOOK_FAST_NAV`` if set, else the ``fastnav`` value."""
    raw = os.environ.get(ENV_VAR, "").strip()
    source = ENV_VAR
    if not raw:
        raw, source = str(config.fastnav).strip(), "fastnav"
    mode = _MODE_WORDS.get(raw.lower())
    if mode is None:
        raise ConfigError(f"{source}={raw!r}: expected one of on, off, verify (or 1, 0)")
    return mode


# -- the shared sidebar -------------------------------------------------------


@dataclass(frozen=True)
class NavOptions:
    """What Sphinx's toctree resolution receives from one ``generate_toctree_html`` call."""

    collapse: bool
    includehidden: bool
    maxdepth: int
    titles_only: bool


def nav_options(startdepth: int, kwargs: dict[str, Any]) -> NavOptions:
    """Normalise the keyword arguments exactly as the theme and Sphinx do.

    ``startdepth`` 0 goes through the builder's ``toctree`` helper
    (``_get_local_toctree``: ``collapse`` defaults to true, ``includehidden`` to
    false, ``maxdepth=''`` means unset); other start depths through the theme's
    ``get_nonroot_toctree`` (``collapse`` defaults to true, a false ``maxdepth``
    means 0).
    """
    maxdepth: Any = kwargs.get("maxdepth", 0)
    if startdepth == 0:
        maxdepth = 0 if maxdepth == "" else maxdepth
    elif not maxdepth:
        maxdepth = 0
    return NavOptions(
        collapse=bool(kwargs.get("collapse", True)),
        includehidden=bool(kwargs.get("includehidden", False)),
        maxdepth=int(maxdepth),
        titles_only=bool(kwargs.get("titles_only", False)),
    )


class Tokens:
    """Placeholders that cannot occur in real content (a random nonce per build)."""

    def __init__(self) -> None:
        self.nonce = "fastnav" + secrets.token_hex(6)
        self.page = f"{self.nonce}-no-page"  # resolves the toctree "for no page"
        self.details = f"{self.nonce}d"  # attribute that marks a branch's <details>
        self.pattern = re.compile(
            rf' class="(?P<cls>[^"]*{self.nonce}c\d+x[^"]*)"'
            rf'| href="{self.nonce}u(?P<href>\d+)x(?P<anchor>[^"]*)"'
            rf'| {self.details}="(?P<details>\d+)"'
        )
        self.class_pattern = re.compile(rf"{self.nonce}c(\d+)x")

    def href(self, index: int) -> str:
        return f"{self.nonce}u{index}x"

    def cls(self, index: int) -> str:
        return f"{self.nonce}c{index}x"


class LinkRecorder:
    """Stands in for the builder while a toctree is resolved for no page.

    Sphinx asks it for each internal link's relative URL; it answers with a
    token that names the link's target.
    """

    def __init__(self, builder: Builder, tokens: Tokens) -> None:
        self.tags = builder.tags
        self.tokens = tokens
        self.targets: list[str] = []
        self.by_token: dict[str, str] = {}
        self._index: dict[str, int] = {}

    def get_relative_uri(self, from_: str, to: str, typ: str | None = None) -> str:
        index = self._index.get(to)
        if index is None:
            index = self._index[to] = len(self.targets)
            self.targets.append(to)
            self.by_token[self.tokens.href(index)] = to
        return self.tokens.href(index)


@dataclass
class MarkSlot:
    """A ``<li>``, ``<ul>`` or ``<a>`` that is on the branch of one or more pages."""

    tag: str
    #: docname -> how many times Sphinx adds ``current`` to this node on that page
    counts: dict[str, int]


_SAFE_URI = re.compile(r"[^&<>\"'@\s]*\Z")


@lru_cache(maxsize=4096)
def href_attribute(uri: str) -> str:
    """`` href="…"`` as the stock path writes it: docutils' escaping, then BeautifulSoup's."""
    if _SAFE_URI.match(uri):
        return f' href="{uri}"'
    from bs4 import BeautifulSoup
    from docutils.writers._html_base import HTMLTranslator

    escaped = re.sub("[\n\r\t\v\f]", " ", uri).translate(HTMLTranslator.special_characters)
    tag = str(BeautifulSoup(f'<a href="{escaped}"></a>', "html.parser").a)
    return tag[2 : tag.index(">")]


@dataclass
class NavTemplate:
    """One sidebar, cut into literal pieces and per-page slots."""

    #: the pieces, with every slot holding its value for a page off every branch
    parts: list[str]
    #: link targets (docnames), by token index
    targets: list[str]
    #: (part index, target index, anchor) of each link
    hrefs: list[tuple[int, int, str]]
    #: slot -> (part index, renderer of the part for a mark count)
    slot_parts: dict[int, list[tuple[int, Callable[[int], str]]]] = field(default_factory=dict)
    #: docname -> (slot, count) of every node it marks
    marks: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    #: target index -> part indices of its links (the page's own links become "#")
    links_of: dict[int, list[int]] = field(default_factory=dict)
    #: part index -> the anchor of its link
    anchors: dict[int, str] = field(default_factory=dict)
    #: target URI -> target indices (filled on first use)
    by_uri: dict[str, list[int]] = field(default_factory=dict)
    #: output directory -> parts with every link filled in for a page in it
    by_directory: dict[str, list[str]] = field(default_factory=dict)

    def render(self, pagename: str, builder: Builder, nonce: str) -> str:
        """This page's sidebar."""
        if type(builder).get_relative_uri is Builder.get_relative_uri:
            parts = self._links_by_directory(pagename, builder, nonce)
        else:  # a builder with its own idea of relative links: ask it for each
            parts = self.parts.copy()
            uris = [builder.get_relative_uri(pagename, target) for target in self.targets]
            for index, target, anchor in self.hrefs:
                parts[index] = href_attribute((uris[target] + anchor) or "#")
        for slot, count in self.marks.get(pagename, ()):
            for index, render in self.slot_parts[slot]:
                parts[index] = render(count)
        return "".join(parts)

    def _links_by_directory(self, pagename: str, builder: Builder, nonce: str) -> list[str]:
        """The parts with this page's links, computed once per output directory.

        The builder's ``get_relative_uri`` is ``relative_uri(base, to)`` of the
        two target URIs, which depends only on the directory of ``base``, except
        that it is ``""`` when ``base == to`` (the page's own links, ``"#"``).
        """
        if not self.by_uri and self.targets:
            for index, docname in enumerate(self.targets):
                self.by_uri.setdefault(builder.get_target_uri(docname), []).append(index)
        base = builder.get_target_uri(pagename)
        directory = base.rpartition("/")[0]
        filled = self.by_directory.get(directory)
        if filled is None:
            # a file name no target has stands for every page of the directory
            stand_in = f"{directory}/{nonce}" if directory else nonce
            uris = [""] * len(self.targets)
            for uri, indices in self.by_uri.items():
                relative = relative_uri(stand_in, uri)
                for index in indices:
                    uris[index] = relative
            filled = self.parts.copy()
            for index, target, anchor in self.hrefs:
                filled[index] = href_attribute((uris[target] + anchor) or "#")
            self.by_directory[directory] = filled
        parts = filled.copy()
        for own in self.by_uri.get(base, ()):
            for index in self.links_of.get(own, ()):
                parts[index] = href_attribute(self.anchors[index] or "#")
        return parts


class Unsupported(Exception):
    """The fast path cannot reproduce this sidebar; the message says why."""


def _class_renderer(before: list[str], after: list[str], tag: str) -> Callable[[int], str]:
    def render(count: int) -> str:
        marks: list[str] = []
        if count:
            # docutils writes each class once, however often Sphinx added it
            # (a page listed twice under one branch marks it twice) ...
            if "current" not in before:
                marks.append("current")
            # ... and the theme pairs "current" with "active" on <li>
            if tag == "li":
                marks.append("active")
        classes = [*before, *marks, *after]
        return f' class="{" ".join(classes)}"' if classes else ""

    return render


def _details_renderer(already_open: bool) -> Callable[[int], str]:
    def render(count: int) -> str:
        return ' open="open"' if count and not already_open else ""

    return render


def _branch_counts(tree: nodes.Element, by_token: dict[str, str]) -> dict[int, Counter[str]]:
    """id(node) -> docname -> how often Sphinx marks the node ``current`` on that page.

    Mirrors ``_toctree_add_classes``: a link to the page without an anchor
    marks itself and every ancestor, once per link.
    """
    counts: dict[int, Counter[str]] = {}
    for reference in tree.findall(nodes.reference):
        if reference.get("anchorname"):
            continue
        target = by_token.get(reference.get("refuri", ""))
        if target is None:
            continue  # an external link
        node: nodes.Element | None = reference
        while node is not None:
            counts.setdefault(id(node), Counter())[target] += 1
            node = node.parent
    return counts


_MARKABLE: dict[type[nodes.Element], str] = {
    nodes.list_item: "li",
    nodes.bullet_list: "ul",
    nodes.reference: "a",
}


def _prune(node: nodes.Element, maxdepth: int, depth: int = 1) -> None:
    """Remove the ``<ul>`` deeper than ``maxdepth``, in place.

    What ``_toctree_copy`` does after Sphinx has marked the branches (with
    ``collapse=False``, the only setting the fast path takes): the top-level
    list is always kept, a nested list at depth ``d`` only if ``d <= maxdepth``
    or ``maxdepth <= 0``.
    """
    for child in list(node.children):
        if isinstance(child, nodes.bullet_list):
            if depth <= 1 or depth <= maxdepth or maxdepth <= 0:
                _prune(child, maxdepth, depth + 1)
            else:
                node.remove(child)
        elif isinstance(child, (nodes.list_item, addnodes.compact_paragraph)):
            _prune(child, maxdepth, depth)


def _assign_slots(
    tree: nodes.Element, counts: dict[int, Counter[str]], tokens: Tokens, slots: list[MarkSlot]
) -> None:
    """Give each ``<li>``/``<ul>``/``<a>`` of ``tree`` that some page marks a class token."""
    for node in tree.findall(nodes.Element):
        tag = _MARKABLE.get(type(node))
        found = counts.get(id(node)) if tag is not None else None
        if tag is not None and found:
            node["classes"].append(tokens.cls(len(slots)))
            slots.append(MarkSlot(tag, dict(found)))


class FastNav:
    """The shared sidebars of one build, and the per-page functions that use them."""

    def __init__(
        self,
        app: Sphinx,
        mode: Mode,
        add_toctree_functions: Callable[..., None],
        postprocess: Callable[[Any], Any] | None,
    ) -> None:
        self.app = app
        self.mode = mode
        self.add_toctree_functions = add_toctree_functions
        self.postprocess = postprocess
        self.warned: set[str] = set()
        self.verified = 0
        self.reset()

    def reset(self) -> None:
        """Forget everything derived from the environment (it changes between builds)."""
        self.tokens = Tokens()
        self.templates: dict[tuple[Any, ...], NavTemplate | None] = {}
        self.suppressed: dict[tuple[Any, ...], bool] = {}
        self._parents: dict[str, str] | None = None
        self._only_docs: set[str] | None = None

    # -- the per-page functions -------------------------------------------

    def install(self, pagename: str, context: dict[str, Any]) -> None:
        """Replace the theme's sidebar functions in ``context`` with the fast ones."""
        stock: Callable[..., Any] | None = context.get("generate_toctree_html")
        if stock is not None:
            context["generate_toctree_html"] = self._page_function(pagename, context, stock)
        stock_suppress: Callable[..., bool] | None = context.get("suppress_sidebar_toctree")
        if stock_suppress is not None:

            def suppress_sidebar_toctree(startdepth: int = 1, **kwargs: Any) -> bool:
                return self.suppress(pagename, stock_suppress, startdepth, kwargs)

            context["suppress_sidebar_toctree"] = suppress_sidebar_toctree

    def _page_function(
        self, pagename: str, context: dict[str, Any], stock: Callable[..., Any]
    ) -> Callable[..., Any]:
        memo: dict[tuple[Any, ...], Any] = {}

        def generate_toctree_html(
            kind: str, startdepth: int = 1, show_nav_level: int = 1, **kwargs: Any
        ) -> Any:
            try:
                key = (kind, startdepth, show_nav_level, tuple(sorted(kwargs.items())))
                hash(key)
            except TypeError:  # the theme's own function caches too, and fails alike
                return stock(kind, startdepth, show_nav_level, **kwargs)
            if key not in memo:
                memo[key] = self.sidebar(
                    pagename, context, stock, kind, startdepth, show_nav_level, kwargs
                )
            return memo[key]

        return generate_toctree_html

    def sidebar(
        self,
        pagename: str,
        context: dict[str, Any],
        stock: Callable[..., Any],
        kind: str,
        startdepth: int,
        show_nav_level: int,
        kwargs: dict[str, Any],
    ) -> Any:
        """This page's sidebar: from the shared template, else from the theme."""
        try:
            template = self.template_for(
                pagename, context, kind, startdepth, show_nav_level, kwargs
            )
        except Unsupported as reason:
            self.warn_once(str(reason))
            return stock(kind, startdepth, show_nav_level, **kwargs)
        if template is None:  # this page must use the theme's own path
            return stock(kind, startdepth, show_nav_level, **kwargs)
        html = template.render(pagename, self.app.builder, self.tokens.nonce)
        if self.mode == "verify":
            self.verify(pagename, html, stock(kind, startdepth, show_nav_level, **kwargs))
        return html

    def verify(self, pagename: str, html: str, soup: Any) -> None:
        """Stop the build if ``html`` differs from what the theme (and a11y) would write."""
        expected = str(self.postprocess(soup) if self.postprocess else soup)
        if html == expected:
            self.verified += 1
            return
        at = next(
            (i for i, (a, b) in enumerate(zip(html, expected, strict=False)) if a != b),
            min(len(html), len(expected)),
        )
        raise ExtensionError(
            f"fastnav verify: the sidebar of {pagename!r} differs from the theme's at "
            f"character {at}:\n  fast:  {html[max(0, at - 80) : at + 80]!r}\n"
            f"  theme: {expected[max(0, at - 80) : at + 80]!r}"
        )

    def warn_once(self, reason: str) -> None:
        if reason in self.warned:
            return
        self.warned.add(reason)
        logger.warning(
            "fastnav: %s; using the theme's own (slower) sidebar for it",
            reason,
            type="fastnav",
            subtype="fallback",
        )

    # -- which template, if any --------------------------------------------

    def template_for(
        self,
        pagename: str,
        context: dict[str, Any],
        kind: str,
        startdepth: int,
        show_nav_level: int,
        kwargs: dict[str, Any],
    ) -> NavTemplate | None:
        """The shared sidebar for this call, or ``None`` if this page needs the theme's path."""
        if self.app.builder.name not in FAST_BUILDERS:
            return None
        if kind != "sidebar":
            raise Unsupported(f'generate_toctree_html(kind="{kind}") is not supported')
        unknown = set(kwargs) - TOCTREE_ARGUMENTS
        if unknown:
            raise Unsupported(
                f"generate_toctree_html arguments {sorted(unknown)} are not supported"
            )
        try:
            level = int(show_nav_level)
            options = nav_options(int(startdepth), kwargs)
        except (TypeError, ValueError) as error:
            raise Unsupported(f"generate_toctree_html arguments: {error}") from error
        if level < 1:
            raise Unsupported("show_nav_level 0 (collapsible captions) is not supported")
        if options.collapse:
            raise Unsupported("a collapsing sidebar (collapse=True) is not supported")
        only_docs = self.only_docs()
        if only_docs and not only_docs.isdisjoint(self.ancestors(pagename)):
            return None  # Sphinx copies these tables of contents differently per page
        if startdepth == 0:
            if not _is_builder_toctree(context.get("toctree")):
                return None  # another extension replaced the page's toctree helper
            root: str | None = None
        else:
            ancestors = self.ancestors(pagename)
            try:
                root = ancestors[-int(startdepth)]
            except IndexError:
                return None  # the theme raises its own error for this
        key = (root, level, options, tuple(sorted(kwargs.items())))
        if key not in self.templates:
            self.templates[key] = self.build_template(root, level, options, kwargs)
        return self.templates[key]

    def ancestors(self, pagename: str) -> list[str]:
        """``_get_toctree_ancestors`` from one parent map per build (the page first)."""
        if self._parents is None:
            parents: dict[str, str] = {}
            for parent, children in self.app.env.toctree_includes.items():
                parents |= dict.fromkeys(children, parent)
            self._parents = parents
        found: list[str] = []
        docname = pagename
        while docname in self._parents and docname not in found:
            found.append(docname)
            docname = self._parents[docname]
        return found

    def only_docs(self) -> set[str]:
        """Documents whose table of contents Sphinx copies unfiltered when they are ancestors.

        ``_toctree_standard_entry`` deep-copies an ancestor's table of contents
        (keeping ``only`` nodes) but filters everyone else's; with ``only`` in
        it, the page's sidebar differs from the shared one by more than marks.
        """
        if self._only_docs is None:
            env = self.app.env
            self._only_docs = {
                docname
                for docname, toc in env.tocs.items()
                if env.metadata.get(docname, {}).get("tocdepth", 0) <= 0
                and next(toc.findall(addnodes.only), None) is not None
            }
        return self._only_docs

    def suppress(
        self,
        pagename: str,
        stock: Callable[..., bool],
        startdepth: int,
        kwargs: dict[str, Any],
    ) -> bool:
        """``suppress_sidebar_toctree`` without resolving a toctree per page.

        Whether a section has a sidebar does not depend on the page within it:
        the top-level entries of a resolved toctree are never pruned.
        """
        ancestors = self.ancestors(pagename)
        try:
            ancestor = ancestors[-startdepth]
        except (IndexError, TypeError):
            return True
        if kwargs.get("includehidden", False):
            return False
        only_docs = self.only_docs()
        if only_docs and not only_docs.isdisjoint(ancestors):
            return stock(startdepth, **kwargs)
        try:
            key = (ancestor, startdepth, tuple(sorted(kwargs.items())))
            hash(key)
        except TypeError:
            return stock(startdepth, **kwargs)
        if key not in self.suppressed:
            self.suppressed[key] = bool(stock(startdepth, **kwargs))
        return self.suppressed[key]

    # -- building a template -----------------------------------------------

    def resolve(
        self, root: str | None, options: NavOptions, recorder: LinkRecorder
    ) -> list[tuple[nodes.Element, int]]:
        """Each toctree of the sidebar, resolved for no page and not pruned, with its maxdepth.

        The toctrees are those ``global_toctree_for_doc`` (``startdepth`` 0) or the
        theme's ``get_nonroot_toctree`` resolve, with the same arguments except
        ``maxdepth``: Sphinx marks the branches before it prunes the tree to
        ``maxdepth`` (a page deeper than that still marks its ancestors), so the
        tree is resolved whole, marked, then pruned here.
        """
        env: BuildEnvironment = self.app.env
        if root is None:
            toctrees = list(env.master_doctree.findall(addnodes.toctree))
        else:
            toctrees = list(env.tocs[root].deepcopy().findall(addnodes.toctree))
        adapter = TocTree(env)
        resolved: list[tuple[nodes.Element, int]] = []
        for node in toctrees:
            tree = adapter.resolve(
                self.tokens.page,
                recorder,  # type: ignore[arg-type]
                node,
                maxdepth=-1,
                titles_only=options.titles_only,
                collapse=options.collapse,
                includehidden=options.includehidden,
            )
            if tree is not None:
                # as _resolve_toctree: the call's maxdepth, else the toctree's own
                resolved.append((tree, options.maxdepth or node.get("maxdepth", -1)))
        return resolved

    def build_template(
        self, root: str | None, level: int, options: NavOptions, kwargs: dict[str, Any]
    ) -> NavTemplate | None:
        """Resolve, mark, prune, render and cut one sidebar; ``None`` if it cannot be shared."""
        tokens = self.tokens
        recorder = LinkRecorder(self.app.builder, tokens)
        trees = self.resolve(root, options, recorder)
        slots: list[MarkSlot] = []
        merged: nodes.Element | None = None
        for tree, maxdepth in trees:
            if next(tree.findall(nodes.image), None) is not None:
                logger.verbose("fastnav: images in the sidebar; using the theme's sidebar")
                return None
            counts = _branch_counts(tree, recorder.by_token)
            _prune(tree, maxdepth)
            _assign_slots(tree, counts, tokens, slots)
            if merged is None:
                merged = tree
            else:
                merged.extend(tree.children)  # as global_toctree_for_doc merges them
        fragment = self.app.builder.render_partial(merged)["fragment"]  # type: ignore[attr-defined]

        # The theme's own post-processing, on a context whose toctree is ours.
        context: dict[str, Any] = {"toctree": lambda **_: fragment}
        self.add_toctree_functions(self.app, tokens.page, "page.html", context, None)
        soup = context["generate_toctree_html"](
            "sidebar", startdepth=0, show_nav_level=level, **kwargs
        )
        if self.postprocess is not None:
            soup = self.postprocess(soup)
        already_open: dict[int, bool] = {}
        if not isinstance(soup, str):
            for item in soup.find_all("li"):
                slot = next(
                    (
                        int(match.group(1))
                        for name in item.get("class", [])
                        if (match := tokens.class_pattern.fullmatch(name))
                    ),
                    None,
                )
                details = item.find("details", recursive=False) if slot is not None else None
                if details is not None and slot is not None:
                    already_open[slot] = details.has_attr("open")
                    details[tokens.details] = str(slot)
        return self.cut(str(soup), recorder, slots, already_open)

    def cut(
        self,
        html: str,
        recorder: LinkRecorder,
        slots: list[MarkSlot],
        already_open: dict[int, bool],
    ) -> NavTemplate | None:
        """Cut the rendered sidebar into literal pieces and slots."""
        tokens = self.tokens
        parts: list[str] = []
        template = NavTemplate(parts=parts, targets=list(recorder.targets), hrefs=[])
        position = 0
        for match in tokens.pattern.finditer(html):
            parts.append(html[position : match.start()])
            position = match.end()
            index = len(parts)
            if match.group("href") is not None:
                target = int(match.group("href"))
                template.hrefs.append((index, target, match.group("anchor")))
                template.links_of.setdefault(target, []).append(index)
                template.anchors[index] = match.group("anchor")
                parts.append("")
            elif match.group("details") is not None:
                slot = int(match.group("details"))
                render = _details_renderer(already_open.get(slot, False))
                template.slot_parts.setdefault(slot, []).append((index, render))
                parts.append(render(0))
            else:
                classes = match.group("cls").split(" ")
                found = [
                    i for i, name in enumerate(classes) if tokens.class_pattern.fullmatch(name)
                ]
                if len(found) != 1:
                    return None
                slot = int(tokens.class_pattern.fullmatch(classes[found[0]]).group(1))  # type: ignore[union-attr]
                render = _class_renderer(
                    classes[: found[0]], classes[found[0] + 1 :], slots[slot].tag
                )
                template.slot_parts.setdefault(slot, []).append((index, render))
                parts.append(render(0))
        parts.append(html[position:])
        if any(tokens.nonce in part for part in parts):
            logger.verbose("fastnav: a placeholder survived; using the theme's sidebar")
            return None
        for slot, mark in enumerate(slots):
            if slot not in template.slot_parts:
                continue  # the theme removed the node
            for docname, count in mark.counts.items():
                template.marks.setdefault(docname, []).append((slot, count))
        return template


def _is_builder_toctree(helper: Any) -> bool:
    """Whether ``helper`` is the ``toctree`` the HTML builder puts in every page's context."""
    return getattr(helper, "__module__", None) == "sphinx.builders.html" and getattr(
        helper, "__qualname__", ""
    ).endswith("handle_page.<locals>.<lambda>")


# -- events --------------------------------------------------------------------

#: Where the build's :class:`FastNav` lives.
STATE_ATTR = "_handbook_fastnav"


def _theme_listener(app: Sphinx) -> tuple[int, EventListener] | None:
    """The theme's ``add_toctree_functions`` listener and its position."""
    try:
        from pydata_sphinx_theme.toctree import add_toctree_functions
    except ImportError:
        return None
    listeners: list[EventListener] = app.events.listeners["html-page-context"]
    for position, listener in enumerate(listeners):
        if listener.handler is add_toctree_functions:
            return position, listener
    return None


def _postprocessor(app: Sphinx) -> Callable[[Any], Any] | None:
    """What handbook.sphinxext.a11y applies to the theme's sidebar, if it is loaded."""
    if "handbook.sphinxext.a11y" not in app.extensions:
        return None
    from handbook.sphinxext.a11y import name_summaries

    return name_summaries


def on_config_inited(app: Sphinx, config: Config) -> None:
    """Check the mode early: a bad value stops the build."""
    resolve_mode(config)


def on_builder_inited(app: Sphinx) -> None:
    """For a pydata-based theme, install the fast sidebar where the theme installs its own."""
    mode = resolve_mode(app.config)
    if mode == "off":
        return
    found = _theme_listener(app)
    if found is None:
        logger.verbose("fastnav: the theme has no generate_toctree_html; nothing to speed up")
        return
    position, listener = found
    nav = FastNav(app, mode, listener.handler, _postprocessor(app))
    setattr(app, STATE_ATTR, nav)
    theme_add_functions = listener.handler

    def add_toctree_functions(
        app: Sphinx,
        pagename: str,
        templatename: str,
        context: dict[str, Any],
        doctree: nodes.document | None,
    ) -> None:
        theme_add_functions(app, pagename, templatename, context, doctree)
        nav.install(pagename, context)

    # In place: same id (so disconnect still works), same priority, same order
    # among the theme's other listeners, which run the emptiness check next.
    listeners: list[EventListener] = app.events.listeners["html-page-context"]
    listeners[position] = EventListener(listener.id, add_toctree_functions, listener.priority)


def on_write_started(app: Sphinx, builder: Builder) -> None:
    """Start each write phase afresh: the environment may have changed since the last."""
    nav: FastNav | None = getattr(app, STATE_ATTR, None)
    if nav is not None:
        nav.reset()


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    nav: FastNav | None = getattr(app, STATE_ATTR, None)
    if nav is not None and nav.mode == "verify" and exception is None:
        logger.info(
            "fastnav: %d sidebars verified byte-identical to the theme's%s",
            nav.verified,
            " (in the main process; parallel writers verified their own)"
            if app.parallel > 1
            else "",
        )


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("fastnav", "on", "", types=frozenset({str}))
    app.connect("config-inited", on_config_inited)
    app.connect("builder-inited", on_builder_inited)
    app.connect("write-started", on_write_started)
    app.connect("build-finished", on_build_finished)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
