"""One stylesheet per page: the stylesheets a page links, bundled into one versioned file.

The stylesheets each page links (theme, extensions, ours) become one file,
``_static/handbook-<id>.css`` (``<id>`` names the list of files it was made
from), with FontAwesome's icon font traded for its SVG rules and masks
(:mod:`.icons`) and, if pruning is on, without the rules no page can use
(:mod:`.prune`).  Every page that links it gets a ``?v=`` checksum, as
Sphinx does for its own assets.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tinycss2
from sphinx.util import logging

from .css import read_stylesheet, serialize_rules
from .icons import IconSet, icon_font_to_masks, strip_icon_font, svg_icon_rules
from .prune import UsedNames, prune_unused
from .site import Page, Site, attributes

logger = logging.getLogger(__name__)

BUNDLE_PREFIX = "_static/handbook-"
BUNDLE_RE = re.compile(r"_static/handbook-([0-9a-f]{12})\.css(?:\?v=[0-9a-f]+)?")
#: The bundle's first line names the files it was made from (it is rebuilt from them).
BUNDLE_HEADER = "/* handbook.sphinxext.assets bundle of: "

_HEAD_END = re.compile(r"</head\s*>", re.I)
_LINK = re.compile(r"[ \t]*<link\b([^<>]*)>\n?", re.I)


@contextlib.contextmanager
def _no_garbage_collection() -> Iterator[None]:
    """Pause the cycle collector: parsing makes some 300,000 objects and no cycles, and
    meanwhile the collector would walk the build's whole heap again and again (0.4 s)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@_no_garbage_collection()
def make_bundle(
    outdir: Path,
    sources: Sequence[str],
    icons: IconSet,
    used: UsedNames | None = None,
    read: list[str] | None = None,
) -> str:
    """One stylesheet from ``sources`` (in order), for ``_static/``; without the
    rules no page can use if ``used`` says which class names pages can have.
    ``read`` collects the names of the files read (the sources and what they import)."""
    rules = [
        rule for name in sources for rule in read_stylesheet(outdir, name, "_static", read=read)
    ]
    parts = [BUNDLE_HEADER + " ".join(sources) + " */"]
    if icons:
        rules = strip_icon_font(rules)
        icon_font_to_masks(rules, icons)
        svg_rules = svg_icon_rules(icons)
        if used is not None:
            svg_rules = prune_unused(svg_rules, used)
        parts += [f"/*! Icons: {icons.license.strip()} */", serialize_rules(svg_rules)]
    if used is not None:
        rules = prune_unused(rules, used)
    parts.append(serialize_rules(rules))
    return "\n".join(parts) + "\n"


def bundle_id(sources: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sources).encode()).hexdigest()[:12]


def bundle_sources(bundle: Path) -> list[str] | None:
    """The list of stylesheets an existing bundle was made from (its first line)."""
    try:
        with bundle.open(encoding="utf-8") as f:
            first = f.readline().strip()
    except OSError:
        return None
    if first.startswith(BUNDLE_HEADER) and first.endswith("*/"):
        return first[len(BUNDLE_HEADER) : -2].split()
    return None


def link_stylesheets(site: Site, page: Page) -> list[str] | None:
    """Replace the page's local stylesheet links with one link to their bundle.

    The link has no ``?v=`` yet.  Returns the files the bundle holds, in
    order, or ``None`` if the page links no local stylesheet.
    """
    head_end = _HEAD_END.search(page.text)
    if not head_end:
        return None
    head = page.text[: head_end.start()]
    sources: list[str] = []
    pieces: list[str] = []
    slot, root, indent, last = -1, "", "", 0
    for match in _LINK.finditer(head):
        found = {k.lower(): v for k, v in attributes(match.group(1))}
        media = (found.get("media") or "all").strip().lower()
        if (found.get("rel") or "").lower() != "stylesheet" or media not in {
            "all",
            "screen",
        }:
            continue
        resolved = site.resolve(page, found.get("href") or "")
        if resolved is None or resolved[0].startswith(BUNDLE_PREFIX):
            continue
        pieces.append(head[last : match.start()])
        if slot < 0:
            slot, root = len(pieces), resolved[1]
            indent = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip(" \t"))]
            pieces.append("")
        sources.append(resolved[0])
        last = match.end()
    if slot < 0:
        return None
    pieces.append(head[last:])
    href = f"{root}{BUNDLE_PREFIX}{bundle_id(sources)}.css"
    pieces[slot] = f'{indent}<link rel="stylesheet" href="{href}" />\n'
    page.text = "".join(pieces) + page.text[head_end.start() :]
    return sources


def _write_if_changed(path: Path, text: str) -> None:
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    path.write_text(text, encoding="utf-8")


def _checksum(text: str) -> str:
    return f"{zlib.crc32(text.encode('utf-8')):08x}"


@dataclass
class AskedNames(UsedNames):
    """Class names that remember what pruning asked of them, and the answers: all a
    pruned bundle depends on, of the (many) words pages and scripts have."""

    answers: dict[str, bool] = field(default_factory=dict)

    def __contains__(self, name: object) -> bool:
        found = super().__contains__(name)
        if isinstance(name, str):
            self.answers[name] = found
        return found


class BundleCache:
    """What each bundle was last made from, kept between builds in a JSON file (beside the
    doctrees), for the bundles of one build: its output, icons and class names.

    Parsing the theme's stylesheets is most of the time a bundle takes.  A
    rebuild reuses the bundle it wrote (if the file is still as written) when
    the bundle's stylesheets (and what they import), the icons, the code
    (this package, tinycss2) and, for every class name that pruning asked
    about, the answer are as before.  An incremental build so writes what a
    clean one would, without parsing the stylesheets again.
    """

    def __init__(
        self, path: Path | None, outdir: Path, icons: IconSet, used: UsedNames | None
    ) -> None:
        self.path = path
        self.outdir = outdir
        self.icons = icons
        self.used = used
        self.entries: dict[str, Any] = {}
        self.kept: dict[str, dict[str, Any]] = {}
        try:
            loaded = json.loads(path.read_text(encoding="utf-8")) if path else {}
        except (OSError, ValueError):
            loaded = {}
        if isinstance(loaded, dict) and loaded.get("code") == _code_digest():
            self.entries = loaded.get("bundles") or {}

    def key(self, files: Sequence[str]) -> str:
        """A digest of the files a bundle is made from, and of the icons; ``""`` if one is gone."""
        digest = hashlib.sha256(self.icons.digest.encode())
        digest.update(b"pruned" if self.used is not None else b"whole")
        for name in files:
            try:
                data = (self.outdir / name).read_bytes()
            except OSError:
                return ""
            digest.update(b"\0" + name.encode() + b"\0" + hashlib.sha256(data).digest())
        return digest.hexdigest()

    def reuse(self, ident: str, path: Path) -> str | None:
        """The bundle at ``path``, if it is as written and made from what it would be now."""
        entry = self.entries.get(ident)
        if not isinstance(entry, dict) or not isinstance(entry.get("files"), list):
            return None
        if entry.get("key") != self.key(entry["files"]):
            return None
        answers = entry.get("answers") or {}
        if self.used is not None and any((n in self.used) != a for n, a in answers.items()):
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return None
        if _checksum(text) != entry.get("checksum"):
            return None
        self.kept[ident] = entry
        return text

    def remember(
        self, ident: str, files: Sequence[str], text: str, asked: AskedNames | None
    ) -> None:
        """Note that the bundle ``ident`` was made from ``files`` (the files read), as ``text``,
        pruned with the class names ``asked``."""
        self.kept[ident] = {
            "files": list(files),
            "key": self.key(files),
            "answers": dict(sorted(asked.answers.items())) if asked else {},
            "checksum": _checksum(text),
        }

    def save(self) -> None:
        """Keep the entries of this build's bundles (and no others)."""
        if self.path is None:
            return
        data = {"code": _code_digest(), "bundles": self.kept}
        try:
            temporary = self.path.with_name(self.path.name + ".tmp")
            temporary.write_text(json.dumps(data, indent=0, sort_keys=True), encoding="utf-8")
            temporary.replace(self.path)
        except OSError:
            pass


@functools.cache
def _code_digest() -> str:
    """A digest of the code that makes bundles: this package's modules and tinycss2's version."""
    digest = hashlib.sha256(tinycss2.__version__.encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()


def write_bundles(
    outdir: Path,
    pages: Sequence[Page],
    wanted: dict[str, list[str]],
    icons: IconSet,
    used: UsedNames | None,
    cache_file: Path | None = None,
) -> dict[str, str]:
    """(Re)write every bundle the pages link, delete the others, and version the pages' links.

    ``wanted`` gives the sources of the bundles linked in this build; an
    older bundle is rebuilt from the list in its first line.  A bundle is
    reused as it is if ``cache_file`` (a :class:`BundleCache`) says it was
    made from what it would be made from now.
    Returns the text of each bundle, by id.
    """
    cache = BundleCache(cache_file, outdir, icons, used)
    referenced = {m.group(1) for page in pages for m in BUNDLE_RE.finditer(page.text)}
    written: dict[str, str] = {}
    for ident in sorted(referenced):
        path = outdir / f"{BUNDLE_PREFIX}{ident}.css"
        sources = wanted.get(ident) or bundle_sources(path)
        if sources is None or not all((outdir / s).is_file() for s in sources):
            logger.warning("cannot rebuild %s", path.name, type="handbook", subtype="assets")
            continue
        text = cache.reuse(ident, path)
        if text is None:
            read: list[str] = []
            asked = AskedNames(used.words, used.prefixes) if used is not None else None
            text = make_bundle(outdir, sources, icons, asked, read)
            cache.remember(ident, read, text, asked)
            _write_if_changed(path, text)
        written[ident] = text
    cache.save()
    for stale in (outdir / "_static").glob("handbook-*.css"):
        match = re.fullmatch(r"handbook-([0-9a-f]{12})\.css", stale.name)
        if match and match.group(1) not in referenced:
            stale.unlink()

    checksums = {ident: _checksum(text) for ident, text in written.items()}

    def versioned(match: re.Match[str]) -> str:
        ident = match.group(1)
        if ident not in checksums:
            return match.group(0)
        return f"{BUNDLE_PREFIX}{ident}.css?v={checksums[ident]}"

    for page in pages:
        page.text = BUNDLE_RE.sub(versioned, page.text)
    return written
