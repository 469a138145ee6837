"""Where the links come from, each with every place it occurs.

By default (:func:`default_inputs`) the links are the handbook's own:

* every ``nodes.reference`` with an http(s) ``refuri`` in the doctrees of the
  strict Sphinx build, i.e. exactly the links Sphinx renders, never a regex
  over Markdown.  ``docs/_build/doctrees`` is used when it is newer than
  every source; otherwise the strict build runs into ``.cache/handbook-build``
  (incremental, so a second run is quick).  Lines are MyST's, refined to the
  line of the paragraph that actually holds the URL;
* every ``url``, ``doi`` and ``isbn`` field of ``references.bib``, with the
  entry key and the field's line (parsed by :mod:`handbook.bib.parse`).

Explicit paths may be MyST pages (``.md``, read by :mod:`handbook.myst`, the
page reader, as the build reads them: directive bodies and ``{include}`` files
included), ``.bib`` files, or ``.txt`` files with one URL, ``doi:`` or
``isbn:`` per line (``#`` starts a comment).

A link to ``https://doi.org/10...`` is a DOI: it is checked through the
handle API, like a ``doi`` field.

Internal targets (:class:`InternalLink`) are collected too and judged here,
with no request: in doctrees every ``{doc}`` (the page exists), ``{ref}``
(the label exists), ``{term}`` (the glossary has the term) and ``{cite}``
(``references.bib`` has the key); in a MyST page every ``{doc}`` and every
relative link to a file (the file exists).  The strict build already
refuses broken ones; these checks let ``--offline`` and ``--changed-since``
say so without a build.
"""

from __future__ import annotations

import os
import pickle
import posixpath
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote

from handbook.files import UnusableInputError, display_path, read_text
from handbook.findings import Finding
from handbook.linkcheck.identifiers import DOI_URL_RE

if TYPE_CHECKING:  # imported when a page is read: MyST's parser is not needed for the rest
    from handbook import myst

Kind = Literal["url", "doi", "isbn"]

#: Finding code for input that cannot be read as links (bib syntax errors ...).
INPUT_CODE = "LINKINPUT"


@dataclass(frozen=True, order=True)
class Occurrence:
    """A place a link occurs: ``path:line``, and the entry key in a ``.bib``."""

    path: str
    line: int
    key: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return f"{where} [{self.key}]" if self.key else where


@dataclass(frozen=True)
class Link:
    """A link, DOI or ISBN as written, and where."""

    text: str
    kind: Kind
    occurrence: Occurrence


@dataclass(frozen=True)
class InternalLink:
    """A reference to something inside the handbook, already judged.

    ``text`` is the reference as written (``{doc}`/swe/testing```,
    ``../figures/a.svg``); ``missing`` says what is missing, or is None when
    the target exists.
    """

    text: str
    occurrence: Occurrence
    missing: str | None = None


@dataclass
class Extraction:
    """What extraction found: links, internal references, and findings about
    unusable parts of inputs."""

    links: list[Link] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    internal: list[InternalLink] = field(default_factory=list)

    def extend(self, other: Extraction) -> None:
        self.links.extend(other.links)
        self.problems.extend(other.problems)
        self.internal.extend(other.internal)


def kind_of(text: str) -> Kind | None:
    """What ``text`` is as a link target; None for what the checker skips.

    http(s) URLs are links (``doi.org`` ones are DOIs), ``doi:`` and
    ``isbn:``/``urn:isbn:`` are identifiers; relative links, ``mailto:`` and
    other schemes are not external links and are skipped.
    """
    lowered = text.strip().lower()
    if lowered.startswith(("http://", "https://")):
        return "doi" if DOI_URL_RE.match(text.strip()) else "url"
    if lowered.startswith("doi:"):
        return "doi"
    if lowered.startswith(("isbn:", "urn:isbn:")):
        return "isbn"
    return None


# --------------------------------------------------------------------------
# Sphinx doctrees


def _node_position(node: Any) -> tuple[str | None, int | None]:
    current = node
    while current is not None:
        line = getattr(current, "line", None)
        source = getattr(current, "source", None)
        if line is not None:
            return source, line
        current = getattr(current, "parent", None)
    return None, None


class _SourceLines:
    """Source files read once, to place a URL on its exact line."""

    def __init__(self) -> None:
        self._cache: dict[str, list[str] | None] = {}
        self._asked: dict[tuple[str, int, str], int] = {}

    def lines(self, source: str) -> list[str] | None:
        """The lines of ``source``; None, silently, when it cannot be read (the line
        Sphinx gave is kept then)."""
        if source not in self._cache:
            try:
                self._cache[source] = read_text(Path(source)).splitlines()
            except UnusableInputError:
                self._cache[source] = None
        return self._cache[source]

    def refine(self, source: str, line: int, needle: str) -> int:
        """The first line from ``line`` on, within its block, that contains ``needle``.

        MyST gives an inline link the line of its paragraph; the URL itself
        may be on a later line of the paragraph.
        """
        text = self.lines(source)
        if not text or not 0 < line <= len(text):
            return line
        for offset, content in enumerate(text[line - 1 : line + 50]):
            if needle in content:
                return line + offset
            if offset and not content.strip():
                break
        return line

    def refine_target(self, source: str, line: int, target: str) -> int:
        """The line of the block starting at ``line`` where ``target`` is written.

        Sphinx places a reference at the first line of its paragraph; this
        finds the line that holds it, matching case and spacing loosely
        (``{ref}`` targets are lower-cased, ``{term}`` spacing is collapsed),
        and the n-th time a target is asked for in a block, its n-th place.
        """
        text = self.lines(source)
        needle = " ".join(target.split()).casefold()
        if not text or not needle or not 0 < line <= len(text):
            return line
        seen = self._asked.get((source, line, needle), 0)
        self._asked[(source, line, needle)] = seen + 1
        count = 0
        for offset, content in enumerate(text[line - 1 : line + 50]):
            if offset and not content.strip():
                break
            count += " ".join(content.split()).casefold().count(needle)
            if count > seen:
                return line + offset
        return line


@dataclass
class _PendingRef:
    """A ``pending_xref`` of a doctree, with where it is written."""

    node: Any
    role: str
    target: str
    refdoc: str
    occurrence: Occurrence


class _NoBuilder:
    """What the standard domain's resolvers ask of a builder: a URI, not needed here."""

    def get_relative_uri(self, from_: str, to: str, typ: str | None = None) -> str:
        return ""


class SphinxReferences:
    """Sphinx's own resolution of ``{doc}``, ``{ref}`` and ``{term}``.

    The pickled build environment (``environment.pickle`` beside the doctrees)
    holds the standard domain's data: every page, label, anonymous label and
    glossary term.  :meth:`resolves` hands a ``pending_xref`` to
    :meth:`StandardDomain.resolve_xref <sphinx.domains.std.StandardDomain.resolve_xref>`,
    so a reference is judged exactly as the build judges it: ``/pm/data-first/``
    (a trailing slash) and ``../pm/data-first`` resolve, as
    :func:`sphinx.util.docname_join` makes them, and ``{ref}`` and ``{term}`` match
    case and spacing as Sphinx does.
    """

    def __init__(self, env: Any) -> None:
        from sphinx.domains import Domain
        from sphinx.domains.std import StandardDomain

        self.env = env
        domain = StandardDomain.__new__(StandardDomain)
        # Domain.__init__ takes the pickled domain data from the environment.
        # StandardDomain.__init__ adds only the running application's registry of
        # numbered nodes (for {numref}), which no check here needs.
        Domain.__init__(domain, env)
        self.domain = domain

    @classmethod
    def load(cls, doctrees: Path) -> SphinxReferences:
        """From ``doctrees/environment.pickle``; ``OSError``/``pickle`` errors when unusable."""
        with (doctrees / "environment.pickle").open("rb") as stream:
            # Our own build's output (a trusted, local artefact), like the doctrees.
            env = pickle.load(stream)
        return cls(env)

    def resolves(self, node: Any) -> bool:
        """Whether Sphinx resolves the ``pending_xref`` ``node``."""
        from docutils import nodes

        contnode = node[0].deepcopy() if len(node) else nodes.inline()
        refdoc = str(node.get("refdoc", ""))
        found = self.domain.resolve_xref(
            self.env,
            refdoc,
            _NoBuilder(),  # type: ignore[arg-type]
            str(node["reftype"]),
            str(node["reftarget"]),
            node,
            contnode,
        )
        return found is not None


def _missing(
    ref: _PendingRef, sphinx: SphinxReferences | None, cite_keys: set[str] | None
) -> str | None:
    """What is missing for ``ref``, or None when its target exists."""
    from sphinx.util import docname_join

    role, target = ref.role, ref.target
    if role.startswith("cite"):
        if cite_keys is None:
            return None  # no readable bibliography: nothing to judge against
        unknown = [key for key in target.split(",") if key.strip() not in cite_keys]
        return f"no entry {', '.join(unknown)!r} in references.bib" if unknown else None
    if sphinx is None or sphinx.resolves(ref.node):
        return None
    if role == "doc":
        return f"no page {docname_join(ref.refdoc, target)!r} in the handbook"
    if role == "ref":
        return f"no label {target!r} in the handbook"
    return f"no glossary term {target!r}"


def from_doctrees(
    doctrees: Path, root: Path | None = None, *, cite_keys: set[str] | None = None
) -> Extraction:
    """Every http(s) ``nodes.reference`` in the pickled doctrees under ``doctrees``,
    and every internal reference (``{doc}``, ``{ref}``, ``{term}``, ``{cite}``)
    judged as Sphinx judges it (:class:`SphinxReferences`, on the environment
    beside the doctrees) and against ``cite_keys``."""
    from docutils import nodes

    found = Extraction()
    sources = _SourceLines()
    pending: list[_PendingRef] = []
    for path in sorted(doctrees.rglob("*.doctree")):
        try:
            with path.open("rb") as stream:
                # Our own build's output (a trusted, local artefact).
                document = pickle.load(stream)
        except Exception as exc:  # a stale or foreign pickle: say so, go on
            found.problems.append(
                Finding(display_path(path, root), 1, INPUT_CODE, f"cannot read doctree: {exc}")
            )
            continue
        docname = path.relative_to(doctrees).with_suffix("").as_posix()
        doc_source = document.get("source") if hasattr(document, "get") else None
        for node in document.findall(nodes.Element):
            if node.tagname != "pending_xref":
                continue
            domain, reftype = node.get("refdomain"), node.get("reftype")
            role = reftype if domain == "std" else f"{domain}:{reftype}"
            if role not in ("doc", "ref", "term") and domain != "cite":
                continue
            source, line = _node_position(node)
            source = source or doc_source or str(path)
            target = str(node.get("reftarget", ""))
            line = sources.refine_target(source, line or 1, target)
            where = Occurrence(display_path(Path(source), root), line)
            pending.append(
                _PendingRef(node, role, target, str(node.get("refdoc") or docname), where)
            )
        for ref in document.findall(nodes.reference):
            uri = ref.get("refuri")
            if not isinstance(uri, str) or kind_of(uri) is None:
                continue
            if not uri.lower().startswith(("http://", "https://")):
                continue
            source, line = _node_position(ref)
            source = source or doc_source or str(path)
            line = line or 1
            line = sources.refine(source, line, uri)
            found.links.append(
                Link(uri, kind_of(uri) or "url", Occurrence(display_path(Path(source), root), line))
            )
    sphinx: SphinxReferences | None = None
    if any(not ref.role.startswith("cite") for ref in pending):
        try:
            sphinx = SphinxReferences.load(doctrees)
        except Exception as exc:  # no environment, or one from another Sphinx: say so
            found.problems.append(
                Finding(
                    display_path(doctrees / "environment.pickle", root),
                    1,
                    INPUT_CODE,
                    f"cannot read the build environment ({type(exc).__name__}: {exc}); "
                    "{doc}, {ref} and {term} references are not judged",
                )
            )
    found.internal.extend(
        InternalLink(
            f"{{{ref.role}}}`{ref.target}`", ref.occurrence, _missing(ref, sphinx, cite_keys)
        )
        for ref in pending
    )
    return found


def _mtimes(paths: Iterable[Path]) -> Iterator[float]:
    for top in paths:
        if not top.exists():
            continue
        yield top.stat().st_mtime
        if top.is_dir():
            for dirpath, dirnames, filenames in os.walk(top):
                dirnames[:] = [d for d in dirnames if d != "_build" and not d.startswith(".")]
                here = Path(dirpath)
                yield here.stat().st_mtime  # changes when a file is added or removed
                for name in filenames:
                    yield (here / name).stat().st_mtime


#: Written into a doctree directory when our build of it succeeded, dated
#: when that build started.  (Sphinx leaves ``environment.pickle`` alone when
#: nothing needs reading again, so its time says little.)
STAMP = ".linkcheck-built"


def doctrees_fresh(
    doctrees: Path, docs: Path, extra: Sequence[Path] = (), *, stamp: str | None = None
) -> bool:
    """Whether ``doctrees`` was built after every change to the sources.

    Sources are everything under ``docs`` (but ``_build``) and ``extra``
    (``references.bib``, the Sphinx extensions); a directory's own time
    catches added and removed pages, and every doctree must still have a page.
    The build time is that of ``stamp`` if given, else of ``environment.pickle``.
    """
    env = doctrees / "environment.pickle"
    marker = doctrees / stamp if stamp else env
    if not env.is_file() or not marker.is_file():
        return False
    built = marker.stat().st_mtime
    if max(_mtimes([docs, *extra]), default=0.0) > built:
        return False
    for tree in doctrees.rglob("*.doctree"):
        stem = tree.relative_to(doctrees).with_suffix("")
        if not any((docs / stem).with_suffix(ext).is_file() for ext in (".md", ".rst", ".ipynb")):
            return False
    return True


def default_inputs(
    root: Path,
    *,
    cache_dir: Path | None = None,
    doctrees: Path | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> Extraction:
    """The handbook's links: its doctrees plus ``references.bib``.

    ``doctrees`` forces a doctree directory (e.g. one CI just built);
    otherwise ``docs/_build/doctrees`` when fresh, else the strict build
    into ``cache_dir/handbook-build``.
    """
    from handbook.build import run_build

    docs = root / "docs"
    bib = root / "references.bib"
    if doctrees is None:
        doctrees = docs / "_build" / "doctrees"
        extra = [bib, root / "tools" / "handbook" / "sphinxext"]
        base = (cache_dir or root / ".cache") / "handbook-build"
        if doctrees_fresh(doctrees, docs, extra):
            pass
        elif doctrees_fresh(base / "doctrees", docs, extra, stamp=STAMP):
            doctrees = base / "doctrees"
        else:
            doctrees = base / "doctrees"
            log(f"building the handbook (strict) for its links into {display_path(base, root)}")
            started = time.time()
            (doctrees / STAMP).unlink(missing_ok=True)
            # The strict flags with the "dummy" builder: the same read phase and
            # doctrees (and the same -n reference checks) without writing HTML.
            done = run_build(docs, base / "dummy", builder="dummy", doctrees=doctrees)
            if done.returncode == 0:
                (doctrees / STAMP).touch()
                os.utime(doctrees / STAMP, (started, started))
            else:
                tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
                log(
                    f"the strict build failed (exit {done.returncode}); "
                    f"checking the links of the doctrees it wrote:\n{tail}"
                )
    if not any(doctrees.rglob("*.doctree")):
        raise UnusableInputError(display_path(doctrees, root), "no Sphinx doctrees")
    bib_links = from_bib(bib, display_path(bib, root)) if bib.is_file() else None
    keys = bib_keys(bib) if bib.is_file() else None
    found = from_doctrees(doctrees, root, cite_keys=keys)
    if bib_links is not None:
        found.extend(bib_links)
    return found


# --------------------------------------------------------------------------
# MyST Markdown


def _docs_root(folder: Path) -> Path | None:
    """The Sphinx source directory above ``folder`` (where ``conf.py`` is)."""
    for candidate in (folder, *folder.parents):
        if (candidate / "conf.py").is_file():
            return candidate
    return None


_PAGE_SUFFIXES = (".md", ".rst", ".ipynb")


class _PageLinks:
    """The links of MyST pages, as :mod:`handbook.myst` reads the pages.

    Of what the reader finds, the links (external ones to check, relative ones
    to a file that must exist), the ``{doc}`` roles, and the ``{include}`` of a
    Markdown file, followed: its links are the page's.
    """

    def __init__(
        self, reader: myst.Reader, root: Path | None, *, follow_includes: bool = True
    ) -> None:
        self.reader = reader
        self.root = root
        self.follow_includes = follow_includes
        self.found = Extraction()
        self._seen: set[Path] = set()

    def _relative(self, href: str, folder: Path, where: Occurrence) -> None:
        """A link to a file beside the page: it must exist."""
        target = href.split("#", 1)[0].split("?", 1)[0]
        if not target:
            return  # #anchor on the same page: the strict build checks headings
        path = (folder / unquote(target)).resolve()
        missing = None if path.exists() else f"no file {display_path(path, self.root)}"
        self.found.internal.append(InternalLink(href, where, missing))

    def _doc_role(self, target: str, folder: Path, where: Occurrence) -> None:
        """``{doc}`target``` (or ``{doc}`title <target>```): the page must exist.

        The docname is made as Sphinx makes it (:func:`sphinx.util.docname_join`
        from the page's own docname), so ``/pm/x/`` and ``../pm/x`` name the
        page ``pm/x`` and ``x.md`` names no page, as in the build.
        """
        from sphinx.util import docname_join

        if target.endswith(">") and "<" in target:
            target = target[target.rindex("<") + 1 : -1].strip()
        docs = _docs_root(folder)
        if docs is None:
            return
        try:
            here = folder.resolve().relative_to(docs.resolve()).as_posix()
        except ValueError:
            return  # a page outside its docs folder (an include from elsewhere)
        docname = docname_join(posixpath.join(here, "_page_") if here != "." else "_page_", target)
        base = docs / docname
        exists = any(base.with_name(base.name + ext).is_file() for ext in _PAGE_SUFFIXES)
        missing = None if exists else f"no page {display_path(base, self.root)}.md"
        if missing and docname.endswith(_PAGE_SUFFIXES):
            missing = f"no page {docname!r}: {{doc}} names a page without its suffix"
        self.found.internal.append(InternalLink(f"{{doc}}`{target}`", where, missing))

    def file(self, path: Path, display: str | None = None, depth: int = 0) -> None:
        resolved = path.resolve()
        if resolved in self._seen or depth > 8:
            return
        self._seen.add(resolved)
        shown = display if display is not None else display_path(path, self.root)
        try:
            text = read_text(path, shown).removeprefix("\ufeff")
        except UnusableInputError:
            if depth == 0:
                raise
            return  # an unreadable {include}: the strict build reports it
        self.text(text, shown, path.parent, depth=depth)

    def text(self, text: str, shown: str, folder: Path, *, depth: int) -> None:
        from handbook import myst

        for item in self.reader.read(text).items:
            if isinstance(item, myst.Link):
                where = Occurrence(shown, item.line)
                kind = kind_of(item.href)
                if kind is not None:
                    self.found.links.append(Link(item.href, kind, where))
                elif _is_relative(item.href):
                    self._relative(item.href, folder, where)
            elif isinstance(item, myst.Role) and item.name == "doc" and not item.in_alt:
                self._doc_role(item.content.strip(), folder, Occurrence(shown, item.line))
            elif (
                isinstance(item, myst.Directive)
                and item.name == "include"
                and item.argument.endswith(".md")
                and self.follow_includes
            ):
                self.file(folder / item.argument, None, depth + 1)


def _is_relative(href: str) -> bool:
    """A link to a file beside the page: no scheme, not a bare #anchor, not //host."""
    text = href.strip()
    if not text or text.startswith(("#", "/", "\\")):
        return False
    scheme = text.split(":", 1)[0] if ":" in text else ""
    return not (scheme and all(ch.isalnum() or ch in "+-." for ch in scheme))


def from_markdown(
    path: Path,
    display: str | None = None,
    *,
    root: Path | None = None,
    conf: Path | None = None,
) -> Extraction:
    """The links of a MyST page (and of the Markdown files it includes).

    ``conf``: the Sphinx ``conf.py`` whose MyST settings apply; by default that
    of the project the page is in (:func:`handbook.myst.find_conf`).
    """
    from handbook import myst

    reader = myst.reader(conf if conf is not None else myst.find_conf(path))
    pages = _PageLinks(reader, root)
    pages.file(path, display)
    return pages.found


def from_markdown_text(
    text: str,
    display: str,
    folder: Path,
    *,
    root: Path | None = None,
    conf: Path | None = None,
) -> Extraction:
    """The links of one MyST page given as text (e.g. an old version from git).

    ``folder`` is where the page lives (relative links are judged from there);
    ``{include}`` directives are not followed: each file is its own.  ``conf``:
    as for :func:`from_markdown`, found from ``folder`` by default.
    """
    from handbook import myst

    reader = myst.reader(conf if conf is not None else myst.find_conf(folder / "x"))
    pages = _PageLinks(reader, root, follow_includes=False)
    pages.text(text, display, folder, depth=0)
    return pages.found


# --------------------------------------------------------------------------
# BibTeX and plain text


#: bib field -> what it holds.
BIB_FIELDS: dict[str, Kind] = {"url": "url", "doi": "doi", "isbn": "isbn"}


def bib_keys(path: Path) -> set[str] | None:
    """The entry keys of a ``.bib`` file; None when it cannot be read or parsed cleanly."""
    from handbook.bib.parse import parse_file

    try:
        bib = parse_file(path)
    except UnusableInputError:
        return None
    if bib.errors:
        return None  # the bib check reports it; do not call every citation missing
    return {entry.key for entry in bib.entries if entry.key}


def from_bib(path: Path, display: str | None = None) -> Extraction:
    """``url``, ``doi`` and ``isbn`` fields, with entry key and field line."""
    from handbook.bib.parse import read_source  # UnusableInputError: unusable input

    shown = display if display is not None else path.as_posix()
    return from_bib_text(read_source(path, shown), shown)


def from_bib_text(text: str, shown: str) -> Extraction:
    """:func:`from_bib` for the text of a ``.bib`` file (e.g. an old version from git)."""
    from handbook.bib.parse import parse_text

    bib = parse_text(text, shown)
    found = Extraction()
    for problem in bib.errors:
        found.problems.append(
            Finding(shown, problem.line, INPUT_CODE, f"{problem.message}; its links are skipped")
        )
    for entry in bib.entries:
        if entry.broken:
            continue
        for fld in entry.fields:
            kind = BIB_FIELDS.get(fld.name)
            if kind is None:
                continue
            value = fld.value.strip()
            if value.startswith("{") and value.endswith("}"):
                value = value[1:-1].strip()
            values = [value]
            if kind == "isbn" and any(sep in value for sep in ",;"):
                values = [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]
            for one in values:
                if kind == "url" and kind_of(one) == "doi":
                    link_kind: Kind = "doi"
                else:
                    link_kind = kind
                found.links.append(
                    Link(one, link_kind, Occurrence(shown, fld.line, entry.key or None))
                )
    return found


def from_text(path: Path, display: str | None = None) -> Extraction:
    """One URL (or ``doi:``/``isbn:``) per line; blank lines and ``#`` comments skipped."""
    shown = display if display is not None else path.as_posix()
    text = read_text(path, shown).removeprefix("\ufeff")
    found = Extraction()
    for number, raw in enumerate(text.splitlines(), start=1):
        value = raw.strip()
        if not value or value.startswith("#"):
            continue
        kind = kind_of(value) or "url"  # anything else is judged (and refused) as a URL
        found.links.append(Link(value, kind, Occurrence(shown, number)))
    return found


def from_paths(paths: Sequence[Path], *, root: Path | None = None) -> Extraction:
    """Links from explicit files, chosen by suffix."""
    found = Extraction()
    for path in paths:
        shown = path.as_posix()
        if not path.is_file():
            raise UnusableInputError(shown, "no such file")
        suffix = path.suffix.lower()
        if suffix == ".md":
            found.extend(from_markdown(path, shown, root=root))
        elif suffix == ".bib":
            found.extend(from_bib(path, shown))
        elif suffix == ".txt":
            found.extend(from_text(path, shown))
        else:
            raise UnusableInputError(shown, "not a .md, .bib or .txt file")
    return found
