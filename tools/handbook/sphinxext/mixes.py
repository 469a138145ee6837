"""Readers' skill mixes in the handbook: ``{mixgallery}``, a three-role chart and its table.

Each file of ``docs/_data/mixes/`` (``mixes_data``) is one person's view of the
right weights of the ML engineer's three roles (:mod:`handbook.data.mixes`
holds the schema and the checks).  This extension

* reads and validates every file when the builder starts, with the build's
  own bibliography for ``cite``.  Every problem is a warning at the YAML file
  and line (``docs/_data/mixes/jane-doe.yaml:9: WARNING: DATA011 ...``), so the
  strict build fails and names the line to change; a file with a problem is
  left out of the gallery;
* renders ``{mixgallery}``: a ternary chart, drawn here as inline SVG (no
  script, nothing loaded from elsewhere), with one dot per mix and the
  essay's point (the file whose ``cite`` is ``mixes_essay``) ringed and
  labelled; then a table of every mix, its text alternative.  The chart's and
  the table's words are document nodes whose source is the page, and the data
  are text nodes whose source is the YAML file and line (never parsed as
  markup), so Sphinx's translation machinery can extract and replace both.
  The EPUB shows the table alone (inline SVG would need a manifest property
  Sphinx's EPUB builder does not write);
* re-reads the pages that show a gallery when a file changes or vanishes
  (each file is a dependency of the page) and when one is added (the
  listing of the folder is compared from build to build, in
  ``env-get-outdated``).

The chart is an equilateral triangle whose corners are the three roles: a mix
``(swe, pm, ds)`` is the point ``swe% × corner(swe) + pm% × corner(pm) + ds% ×
corner(ds)``, and the light lines mark every 20% of each role.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from docutils import nodes
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import handbook
from handbook.data import mixes as data
from handbook.data.schema import Problem, yaml_files
from handbook.data.source import Source
from handbook.sphinxext._data import bib_keys, load_or_warn, warn
from handbook.sphinxext._envstate import EnvState
from handbook.sphinxext._words import note_catalogue, role_name
from handbook.vocabulary import ROLE_NAMES, ROLES

if TYPE_CHECKING:
    from collections.abc import Set

    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata
    from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)

# -- the files, as the build read them -------------------------------------------------


@dataclass
class Shared:
    """One file: its source and model (None when unusable) and its problems."""

    path: Path
    source: Source | None
    model: data.MixFile | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        """In the gallery: the schema accepts it and no check finds anything."""
        return self.model is not None and not self.problems

    def line(self, *loc: str) -> int:
        return self.source.line(loc) if self.source is not None else 1


@dataclass
class Gallery:
    """Every file of the folder (``mixes_data``), in the order of their names."""

    directory: Path
    files: list[Shared] = field(default_factory=list)

    def listing(self) -> tuple[str, ...]:
        return tuple(shared.path.name for shared in self.files)

    def shown(self, essay: str) -> list[Shared]:
        """The mixes the gallery shows: the essay's first, then by file name."""
        accepted = [shared for shared in self.files if shared.shown]
        return sorted(accepted, key=lambda shared: not is_essay(shared, essay))


def is_essay(shared: Shared, essay: str) -> bool:
    return bool(essay) and shared.model is not None and shared.model.cite == essay


#: The folder as read for each build environment (a build reads it when it starts).
_galleries: weakref.WeakKeyDictionary[BuildEnvironment, Gallery] = weakref.WeakKeyDictionary()


def gallery_of(env: BuildEnvironment) -> Gallery | None:
    """The mixes as this build read them (None when ``mixes_data`` is off)."""
    return _galleries.get(env)


def _warn(path: Path, line: int, code: str, message: str) -> None:
    warn(path, line, code, message, "mixes")


def read(directory: Path, bib_keys: frozenset[str] | None) -> Gallery:
    """Read and check every file of ``directory``; warn at the line of each problem."""
    gallery = Gallery(directory)
    earlier: list[tuple[str, data.MixFile]] = []
    for path in yaml_files(directory):
        source = load_or_warn(path, "mixes")
        if not isinstance(source, Source):
            gallery.files.append(Shared(path, None, None, [source]))
            continue
        context = data.Context(path.name, bib_keys, tuple(earlier))
        model, problems = data.validate(source, context)
        for problem in problems:
            _warn(path, problem.line, problem.code, problem.message)
        gallery.files.append(Shared(path, source, model, problems))
        if model is not None:
            earlier.append((path.name, model))
    return gallery


# -- what the extension remembers ------------------------------------------------------


@dataclass
class GalleryPages(EnvState):
    """Which pages show a gallery, and the folder's files as of the last build."""

    attribute = "mixes_gallery_pages"

    pages: set[str] = field(default_factory=set)
    listing: tuple[str, ...] = ()


class GalleryCollector(EnvironmentCollector):
    """Keeps :class:`GalleryPages`: re-reads the gallery when a file is added or removed."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        GalleryPages.of(env).pages.discard(docname)

    def merge_other(
        self, app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment
    ) -> None:
        GalleryPages.of(env).pages |= GalleryPages.of(other).pages & set(docnames)

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        if doctree.next_node(mix_chart) is not None:
            GalleryPages.of(app.env).pages.add(app.env.docname)

    def get_outdated_docs(
        self,
        app: Sphinx,
        env: BuildEnvironment,
        added: Set[str],
        changed: Set[str],
        removed: Set[str],
    ) -> list[str]:
        """The gallery pages, when the folder's files are not those of the last build."""
        state = GalleryPages.of(env)
        gallery = gallery_of(env)
        listing = gallery.listing() if gallery is not None else ()
        if listing == state.listing:
            return []
        state.listing = listing
        return sorted(state.pages - set(removed))


# -- the chart -------------------------------------------------------------------------

#: The drawing's size, and the triangle's: its top corner and the length of a side.
WIDTH, HEIGHT = 480, 390
TOP = (240.0, 56.0)
SIDE = 320.0
#: The corner of each role: software engineer at the top, product manager bottom left,
#: data scientist bottom right.
CORNERS: dict[str, tuple[float, float]] = {
    "swe": TOP,
    "pm": (TOP[0] - SIDE / 2, TOP[1] + SIDE * math.sqrt(3) / 2),
    "ds": (TOP[0] + SIDE / 2, TOP[1] + SIDE * math.sqrt(3) / 2),
}
#: The gridlines: every 20% of each role.
STEPS = (20, 40, 60, 80)


def point(weights: Sequence[float]) -> tuple[float, float]:
    """Where a mix ``(swe, pm, ds)`` (in percent, adding up to 100) is drawn."""
    total = sum(weights) or 1
    x = sum(w * CORNERS[role][0] for w, role in zip(weights, ROLES, strict=True)) / total
    y = sum(w * CORNERS[role][1] for w, role in zip(weights, ROLES, strict=True)) / total
    return x, y


def _n(value: float) -> str:
    """A coordinate as the SVG writes it: two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _xy(where: tuple[float, float], x: str = "x", y: str = "y") -> str:
    return f'{x}="{_n(where[0])}" {y}="{_n(where[1])}"'


def _shifted(where: tuple[float, float], dx: float, dy: float) -> tuple[float, float]:
    return where[0] + dx, where[1] + dy


def _weights(role: str, share: int, other: str) -> list[int]:
    """``share`` of ``role`` and the rest of ``other``, as ``(swe, pm, ds)``."""
    weights = dict.fromkeys(ROLES, 0)
    weights[role], weights[other] = share, 100 - share
    return [weights[r] for r in ROLES]


#: Where each role's gridline labels sit: the edge to the next role round the
#: triangle, and the direction away from it (left edge, bottom, right edge).
_TICKS: dict[str, tuple[str, tuple[float, float], str]] = {
    "swe": ("pm", (-math.sqrt(3) / 2, -0.5), "end"),
    "pm": ("ds", (0.0, 1.0), "middle"),
    "ds": ("swe", (math.sqrt(3) / 2, -0.5), "start"),
}


def chart_svg(node: mix_chart) -> str:
    """The chart of ``node`` as inline SVG: its words are the node's children."""
    words = {child["mixes_word"]: child.astext() for child in node.children}
    ident = node["ids"][0]
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="handbook-mixes-chart" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(words["title"])}</title>',
        f'<desc id="{ident}-desc">{escape(words["desc"])}</desc>',
        '<g class="handbook-mixes-grid" fill="none" stroke="currentColor" '
        'stroke-opacity="0.25" stroke-width="1">',
    ]
    for role in ROLES:
        before, after = ROLES[ROLES.index(role) - 1], ROLES[(ROLES.index(role) + 1) % 3]
        for share in STEPS:
            start, end = point(_weights(role, share, after)), point(_weights(role, share, before))
            lines.append(f"<line {_xy(start, 'x1', 'y1')} {_xy(end, 'x2', 'y2')}/>")
    lines.append("</g>")
    frame = " ".join(f"{_n(x)},{_n(y)}" for x, y in (CORNERS[role] for role in ROLES))
    lines.append(
        f'<polygon class="handbook-mixes-frame" points="{frame}" fill="none" '
        'stroke="currentColor" stroke-width="1.5"/>'
    )
    lines.append('<g class="handbook-mixes-ticks" font-size="11" fill="currentColor">')
    for role, (other, (dx, dy), anchor) in _TICKS.items():
        for share in STEPS:
            where = _shifted(point(_weights(role, share, other)), 8 * dx, 8 * dy + 4)
            lines.append(f'<text {_xy(where)} text-anchor="{anchor}">{share}%</text>')
    lines.append("</g>")
    lines.append('<g class="handbook-mixes-corners" font-size="14" fill="currentColor">')
    places = {"swe": (0, -30), "pm": (0, 40), "ds": (0, 40)}
    for role in ROLES:
        where = _shifted(CORNERS[role], *places[role])
        lines.append(
            f'<text {_xy(where)} text-anchor="middle">{escape(words["role-" + role])}</text>'
        )
    lines.append("</g>")
    lines.append('<g class="handbook-mixes-dots" fill="currentColor" fill-opacity="0.7">')
    essays: list[tuple[float, float, str]] = []
    for mix in node["mixes"]:
        weights, label = mix["weights"], mix["label"]
        x, y = point(weights)
        lines.append(
            f'<circle class="handbook-mixes-dot" {_xy((x, y), "cx", "cy")} r="5">'
            f"<title>{escape(label)}</title></circle>"
        )
        if mix["essay"]:
            essays.append((x, y, "/".join(str(w) for w in weights)))
    lines.append("</g>")
    for x, y, weights in essays:
        label = _shifted((x, y), 0, -16)
        lines.append(
            '<g class="handbook-mixes-essay">'
            f'<circle {_xy((x, y), "cx", "cy")} r="10" fill="none" stroke="currentColor" '
            'stroke-width="2.5"/>'
            f'<text {_xy(label)} text-anchor="middle" font-size="13" fill="currentColor">'
            f"{escape(words['essay'])} ({weights})</text></g>"
        )
    lines.append("</svg>")
    return "\n".join(lines)


class mix_chart(nodes.General, nodes.Element):  # lower case, as docutils names nodes
    """The chart: ``mixes`` (each a dict of ``weights``, ``label``, ``essay``) and, as
    children, paragraphs with its words (``mixes_word``: title, desc, role-swe, ...)."""


def visit_mix_chart_html(self: HTML5Translator, node: mix_chart) -> None:
    if self.builder.name != "epub":  # EPUB: the table alone (see the module's docstring)
        self.body.append(chart_svg(node) + "\n")
    raise nodes.SkipNode


def skip_mix_chart(self: nodes.NodeVisitor, node: mix_chart) -> None:
    raise nodes.SkipNode


# -- the directive ---------------------------------------------------------------------

#: The chart's and the table's words (the page's text, translatable like the rest).
CHART_WORDS: dict[str, str] = {
    "title": "Readers' skill mixes on a three-role chart",
    "desc": (
        "An equilateral triangle whose corners are software engineer, product manager and "
        "data scientist, with one dot for each shared mix: the nearer a dot is to a corner, "
        "the more that role weighs. A ring marks the essay's mix. "
        "The table below gives the same data."
    ),
    **{f"role-{role}": ROLE_NAMES[role] for role in ROLES},
    "essay": "The essay",
}
CAPTION = "Every shared mix"
#: The table's columns: their headings, the role a heading abbreviates (its meaning is the
#: role's name, translated with Sphinx's translator: the heading's paragraph stays out of
#: the page's catalogue, which would turn the abbreviation into text), and their widths
#: where a builder needs them (the text builder; HTML sizes them itself).
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("Name", "", 12),
    ("Job title", "", 12),
    ("Context", "", 24),
    ("Years in ML", "", 6),
    ("SWE", "swe", 5),
    ("PM", "pm", 5),
    ("DS", "ds", 5),
    ("Why", "", 30),
    ("Source", "", 16),
)
CONTEXT_WORDS = {"company": "Company", "size": "Employees", "team": "Team"}


class MixGallery(SphinxDirective):
    """``{mixgallery}``: every shared mix on a ternary chart, then in a table."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        gallery = gallery_of(self.env)
        if gallery is None:
            raise self.error("{mixgallery}: `mixes_data` is not set in conf.py")
        if not gallery.directory.is_dir():
            raise self.error(
                f"{{mixgallery}}: there is no folder {gallery.directory} (`mixes_data`)"
            )
        for shared in gallery.files:
            self.env.note_dependency(str(shared.path))
        note_catalogue(self.env)  # the columns' role names
        shown = gallery.shown(self.config.mixes_essay)
        ident = f"mixgallery-{self.env.new_serialno('mixgallery')}"
        container = nodes.container(classes=["handbook-mixes"])
        container += self._chart(shown, ident)
        container += self._table(shown, ident)
        return [container]

    def _word(self, tag: type[nodes.TextElement], text: str, **attributes: Any) -> nodes.Element:
        """A word of the page's: its source is the page, so that it is translated."""
        node = tag(text, text, **attributes)
        self.set_source_info(node)
        return node

    def _chart(self, shown: list[Shared], ident: str) -> mix_chart:
        essay = self.config.mixes_essay
        chart = mix_chart(ids=[ident], mixes=[])
        for key, text in CHART_WORDS.items():
            chart += self._word(nodes.paragraph, text, mixes_word=key)
        for shared in shown:
            assert shared.model is not None
            model = shared.model
            weights = list(model.mix.weights())
            label = f"{model.name}, {model.title}: {'/'.join(str(w) for w in weights)}"
            chart["mixes"].append(
                {"weights": weights, "label": label, "essay": is_essay(shared, essay)}
            )
        self.set_source_info(chart)
        return chart

    def _table(self, shown: list[Shared], ident: str) -> nodes.table:
        table = nodes.table(
            ids=[f"{ident}-table"], classes=["handbook-mixes-table", "colwidths-auto"]
        )
        table += self._word(nodes.title, CAPTION)
        group = nodes.tgroup(cols=len(COLUMNS))
        table += group
        for _heading, _role, width in COLUMNS:
            group += nodes.colspec(colwidth=width)
        head = nodes.row()
        for heading, role, _width in COLUMNS:
            paragraph = nodes.paragraph()
            if role:
                paragraph["translatable"] = False
                paragraph += nodes.abbreviation(heading, heading, explanation=role_name(role))
                paragraph += nodes.Text(" %")
            else:
                paragraph += nodes.Text(heading)
            self.set_source_info(paragraph)
            head += nodes.entry("", paragraph)
        group += nodes.thead("", head)
        body = nodes.tbody()
        for shared in shown:
            body += self._row(shared)
        group += body
        self.set_source_info(table)
        return table

    def _row(self, shared: Shared) -> nodes.row:
        model = shared.model
        assert model is not None
        essay = is_essay(shared, self.config.mixes_essay)
        row = nodes.row(classes=["handbook-mixes-essay-row"] if essay else [])
        name = nodes.entry("", _data(shared, model.name, "name", translatable=False))
        if essay:
            name += self._word(
                nodes.paragraph, CHART_WORDS["essay"], classes=["handbook-mixes-mark"]
            )
        row += name
        row += nodes.entry("", _data(shared, model.title, "title"))
        where = nodes.field_list(classes=["handbook-mixes-context"])
        values = model.context.model_dump()
        for key, word in CONTEXT_WORDS.items():
            item = nodes.field()
            item += self._word(nodes.field_name, word)
            item += nodes.field_body(
                "", _data(shared, values[key], "context", key, translatable=key != "size")
            )
            where += item
        row += nodes.entry("", where)
        row += nodes.entry("", _data(shared, str(model.years), "years", translatable=False))
        for role, weight in zip(ROLES, model.mix.weights(), strict=True):
            row += nodes.entry("", _data(shared, str(weight), "mix", role, translatable=False))
        row += nodes.entry("", _data(shared, model.why, "why"))
        source = nodes.paragraph(translatable=False)
        if model.source is not None:
            host = urlsplit(model.source).hostname or model.source
            source += nodes.reference(host, host, refuri=model.source)
        source.source, source.line = str(shared.path), shared.line("source")
        row += nodes.entry("", source)
        return row


def _data(shared: Shared, text: str, *loc: str, translatable: bool = True) -> nodes.paragraph:
    """A value of the file: plain text (never parsed), placed at its YAML line."""
    paragraph = nodes.paragraph("", "", nodes.Text(text))
    if not translatable:
        paragraph["translatable"] = False
    paragraph.source, paragraph.line = str(shared.path), shared.line(*loc)
    return paragraph


# -- events ----------------------------------------------------------------------------


def on_builder_inited(app: Sphinx) -> None:
    """Read and check every file, with the build's bibliography for ``cite``."""
    _galleries.pop(app.env, None)
    if not app.config.mixes_data:
        return
    directory = Path(app.srcdir, app.config.mixes_data).resolve()
    _galleries[app.env] = read(directory, bib_keys(app.env))


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value(
        "mixes_data",
        "_data/mixes",
        "env",
        types=frozenset({str}),
        description="The folder of readers' skill mixes, relative to the source directory "
        "('' turns it off).",
    )
    app.add_config_value(
        "mixes_essay",
        "ueta2020skills",
        "env",
        types=frozenset({str}),
        description="The references.bib key of the essay: the mix whose `cite` it is is ringed.",
    )
    app.add_node(
        mix_chart,
        html=(visit_mix_chart_html, None),
        latex=(skip_mix_chart, None),
        text=(skip_mix_chart, None),
        man=(skip_mix_chart, None),
        texinfo=(skip_mix_chart, None),
    )
    app.add_directive("mixgallery", MixGallery)
    app.add_env_collector(GalleryCollector)
    # after sphinxcontrib-bibtex has read the bibliography (500)
    app.connect("builder-inited", on_builder_inited, priority=600)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
