"""The self-assessment: ``{selfassessment}`` renders the skills matrix as a form.

A reader rates each skill of ``docs/_data/skills.yaml`` (read by
:mod:`handbook.sphinxext.skills`) and sees, in the browser, each role's
coverage, their mix beside a target (the essay's 40/30/30 unless they change
it), their weakest third and a reading plan.  This module writes the page's
HTML; the arithmetic runs in ``static/selfassess.js``, which the page alone
loads, and which holds no words: every label, button and message is in the
page, so that a translated edition translates them like any other text.

One page holds the parts, each where the page's prose puts it::

    :::{selfassessment} words

    :not-yet: Not yet
    ...
    :::

    :::{selfassessment} target
    :default: 40/30/30
    :::

``words`` comes first: a field list of every word the parts use (the keys are
:data:`WORDS`).  Each word becomes text nodes whose source is the page, so the
gettext builder extracts it and a translation replaces it.  The other parts:

``target``
    Three number fields (the role names as labels), their sum's check, and the
    question asked before a link's ratings replace saved ones.
``skills``
    One section per role; one ``<fieldset>`` per skill in use, its ``<legend>``
    the skill's name, radio buttons labelled "Not yet" and the level names,
    each level's statement beside its button (``aria-describedby``), and the
    sections and reading that teach it.  Without a script this is a worksheet
    to print and tick.  The names and statements are the matrix's data, which
    has no translations: a translated edition shows them in English, marked
    ``lang="en"``, and they are not in the page's catalogue.
``results``
    The table ("Your skill mix"), the place of the chart, the weakest third
    and a live region.
``plan``
    Where the script lists the next steps.
``controls``
    Export, import, a link, print, share and reset (shown by the script).

The script is added to this page only, deferred, with its stylesheet.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import handbook
from handbook.sphinxext._words import note_catalogue
from handbook.sphinxext.skills import matrix_of, reading_paragraph, taught_paragraph
from handbook.vocabulary import ROLES

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata
    from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
SCRIPT = "selfassess.js"
STYLESHEET = "selfassess.css"
#: What the script stores and exports, and the version of that format.
STORAGE_KEY = "handbook-self-assessment"
FORMAT_VERSION = 1

#: Every word the parts use: key -> what it is (for the page's author).  Words the
#: script fills in take ``{placeholders}``; the others are shown as written.
WORDS: dict[str, str] = {
    # roles, in the order of ROLES
    "swe": "the software engineer role's name",
    "pm": "the product manager role's name",
    "ds": "the data scientist role's name",
    # target
    "target-legend": "the legend of the three target fields",
    "target-help": "what the target fields take",
    "target-sum": "the target does not add up to 100 ({sum} is its sum)",
    "question": "asked when a link carries ratings and others are saved",
    "replace": "the button that takes the link's ratings",
    "keep": "the button that keeps the saved ratings",
    # skills
    "not-yet": "the first choice of every skill",
    "learn": "the summary of a skill's sections and reading",
    # results
    "worksheet": "shown without JavaScript: how to use the page on paper",
    "caption": "the results table's caption",
    "role": "the table's role column",
    "coverage": "the coverage column",
    "mix": "the your-mix column",
    "target": "the target column",
    "unrated": "before anything is rated",
    "all-not-yet": "when every rating is Not yet (no mix)",
    "weakest": "the weakest third ({role})",
    "no-weakest": "when no gap carries weight",
    "target-wait": "the weakest third waits for a target that adds up to 100",
    "announce": "the live region ({rated}, {total}, {coverage}, {mix})",
    # plan
    "plan-empty": "the plan before anything is rated",
    "plan-none": "the plan when there is no weakest third",
    "plan-intro": "before the plan's list ({role})",
    "plan-now": "a skill's current rating ({level})",
    "plan-next": "a skill's next level ({level})",
    "unrated-level": "the rating of a skill not rated yet",
    # controls
    "export": "the button that downloads the ratings",
    "import": "the label of the file field that loads them",
    "link": "the button that makes a link with the ratings",
    "link-label": "the label of the field that shows the link",
    "link-done": "after the link is made",
    "print": "the print button",
    "share": "the share-my-view button",
    "share-label": "the label of the field with the mix file",
    "share-help": "below the mix file: where to send it",
    "share-comment": "the mix file's first line (a YAML comment)",
    "reset": "the button that clears the ratings",
    "reset-done": "after the ratings are cleared",
    "exported": "after the ratings are downloaded",
    "imported": "after a file is loaded ({count})",
    "import-bad": "a file that cannot be loaded ({reason}); nothing changes",
    "bad-json": "the reason: not JSON",
    "bad-format": "the reason: not this page's export",
    "bad-rating": "the reason: a rating out of range ({skill})",
    "bad-target": "the reason: a target that does not add up to 100",
    "restored": "after a link's ratings are taken ({count})",
    "kept": "after the saved ratings are kept",
}
#: Words the script reads (rendered hidden, once); the others appear where used.
SCRIPT_WORDS = frozenset(
    {
        "target-sum",
        "unrated",
        "all-not-yet",
        "weakest",
        "no-weakest",
        "target-wait",
        "announce",
        "plan-empty",
        "plan-none",
        "plan-intro",
        "plan-now",
        "plan-next",
        "unrated-level",
        "link-done",
        "share-comment",
        "reset-done",
        "exported",
        "imported",
        "import-bad",
        "bad-json",
        "bad-format",
        "bad-rating",
        "bad-target",
        "restored",
        "kept",
    }
)
#: ``{name}`` in a word: the script puts a value there.
_PLACEHOLDER = re.compile(r"\{([a-z]+)\}")
PARTS = ("words", "target", "skills", "results", "plan", "controls")
_WORDS_KEY = "handbook_selfassess_words"


# -- Nodes -----------------------------------------------------------------------------


class sa_element(nodes.Element):  # docutils names nodes in lower case
    """An HTML element of the form: ``tag`` with ``attrs``; ``empty`` for void ones."""


class sa_text(nodes.TextElement):
    """An HTML element holding a word of the page (translatable: it has a source)."""


def visit_sa(self: HTML5Translator, node: nodes.Element) -> None:
    attrs = dict(node.get("attrs", {}))
    if node.get("empty"):
        self.body.append(self.starttag(node, node["tag"], "", empty=True, **attrs))
        raise nodes.SkipNode
    self.body.append(self.starttag(node, node["tag"], "", **attrs))


def depart_sa(self: HTML5Translator, node: nodes.Element) -> None:
    self.body.append(f"</{node['tag']}>")


def _html(node: nodes.Element, tag: str, attrs: dict[str, str]) -> None:
    """Keep the element's tag and attributes; ``class_`` and ``id`` become docutils'
    own ``classes`` and ``ids`` (which the HTML writer writes, and insists on)."""
    node["tag"] = tag
    node["classes"] = attrs.pop("class_", "").split()
    ident = attrs.pop("id", None)
    if ident:
        node["ids"] = [ident]
    node["attrs"] = attrs


def element(tag: str, *children: nodes.Node, **attrs: str) -> sa_element:
    """``<tag attrs>children</tag>``."""
    node = sa_element("", *children)
    _html(node, tag, attrs)
    return node


def void(tag: str, **attrs: str) -> sa_element:
    """``<tag attrs />`` (``input``)."""
    node = sa_element("", empty=True)
    _html(node, tag, attrs)
    return node


def text(tag: str, value: str, **attrs: str) -> sa_text:
    """``<tag attrs>value</tag>`` (give it a source to make it translatable)."""
    node = sa_text(value, value)
    _html(node, tag, attrs)
    return node


# -- The words -------------------------------------------------------------------------


class Word:
    """One word of the page: the field's paragraph, its source and line."""

    def __init__(self, paragraph: nodes.paragraph) -> None:
        self.paragraph = paragraph

    def node(self, tag: str, **attrs: str) -> sa_text:
        """The word in an element: a copy whose source is the page, so that it translates."""
        copied = sa_text(
            self.paragraph.rawsource,
            *(copy.deepcopy(child) for child in self.paragraph.children),
        )
        _html(copied, tag, attrs)
        copied.source, copied.line = self.paragraph.source, self.paragraph.line
        return copied

    def plain(self) -> str:
        return self.paragraph.astext()


def read_words(directive: SphinxDirective, known: dict[str, str]) -> dict[str, Word]:
    """A directive's content, a field list of words: ``known`` maps each key to what it is
    (with the ``{placeholders}`` the script fills in); every key is required, and each word
    holds exactly the placeholders its description names.  A mistake is the directive's
    error, at its line."""
    name = f"{{{directive.name}}} {directive.arguments[0] if directive.arguments else ''}".strip()
    container = nodes.container()
    directive.state.nested_parse(directive.content, directive.content_offset, container)
    words: dict[str, Word] = {}
    for field in container.findall(nodes.field):
        key = field[0].astext().strip()
        body = field[1]
        if key not in known:
            raise directive.error(f"{name}: unknown word {key!r}")
        if len(body) != 1 or not isinstance(body[0], nodes.paragraph):
            raise directive.error(f"{name}: {key!r} must be one paragraph")
        word = Word(body[0])
        wanted = set(_PLACEHOLDER.findall(known[key]))
        found = set(_PLACEHOLDER.findall(word.plain()))
        if wanted != found:
            places = ", ".join(f"{{{p}}}" for p in sorted(wanted)) or "no {placeholder}"
            raise directive.error(f"{name}: {key!r} must hold {places}")
        words[key] = word
    missing = [key for key in known if key not in words]
    if missing:
        raise directive.error(f"{name}: missing {', '.join(missing)}")
    return words


# -- The directive ---------------------------------------------------------------------


def _target(value: str) -> tuple[int, int, int]:
    parts = value.split("/")
    if len(parts) != 3 or not all(p.strip().isdigit() for p in parts):
        raise ValueError("three whole numbers, like 40/30/30")
    numbers = tuple(int(p) for p in parts)
    if sum(numbers) != 100:
        raise ValueError(f"{value} adds up to {sum(numbers)}, not 100")
    return numbers  # type: ignore[return-value]


class SelfAssessment(SphinxDirective):
    """``{selfassessment} part``: one part of the self-assessment form (see the module)."""

    required_arguments = 1
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {"default": _target}

    def run(self) -> list[nodes.Node]:
        part = self.arguments[0]
        if part not in PARTS:
            known = ", ".join(PARTS)
            raise self.error(f"{{selfassessment}}: unknown part {part!r} (one of {known})")
        if part == "words":
            return self._words()
        words: dict[str, Word] | None = self.env.temp_data.get(_WORDS_KEY)
        if words is None:
            raise self.error("{selfassessment}: the `words` part must come first on the page")
        if self.content and part != "words":
            raise self.error(f"{{selfassessment}} {part}: takes no content (words go in `words`)")
        self.words = words
        found = matrix_of(self.env)
        if found is None or found.model is None:
            if found is not None and found.path.exists():
                return []  # the file's problems are reported at its lines
            raise self.error("{selfassessment}: there is no skills matrix (`skills_data`)")
        self.env.note_dependency(str(found.path))
        note_catalogue(self.env)  # the skills' labels (skills.taught_paragraph, ...)
        self.env.metadata[self.env.docname]["handbook_selfassessment"] = True
        return getattr(self, f"_{part}")(found)

    # -- words ----------------------------------------------------------------------------

    def _words(self) -> list[nodes.Node]:
        words = read_words(self, WORDS)
        self.env.temp_data[_WORDS_KEY] = words
        messages = element("div", class_="sa-messages", hidden="hidden")
        for key in WORDS:
            if key in SCRIPT_WORDS:
                messages += words[key].node("span", **{"data-sa-word": key})
        return [messages]

    # -- target ---------------------------------------------------------------------------

    def _target(self, found: Any) -> list[nodes.Node]:
        default = self.options.get("default", (40, 30, 30))
        w = self.words
        fieldset = element("fieldset", class_="sa-target", **{"data-sa-target": ""})
        fieldset += w["target-legend"].node("legend")
        fieldset += w["target-help"].node("p", class_="sa-help", id="sa-target-help")
        for role, value in zip(ROLES, default, strict=True):
            row = element("div", class_="sa-target-role")
            row += w[role].node("label", **{"for": f"sa-target-{role}"})
            row += void(
                "input",
                type="number",
                id=f"sa-target-{role}",
                name=f"sa-target-{role}",
                min="0",
                max="100",
                step="1",
                value=str(value),
                inputmode="numeric",
                **{"aria-describedby": "sa-target-help", "data-sa-role": role},
            )
            row += text("span", "%", **{"aria-hidden": "true"})
            fieldset += row
        fieldset += element("p", class_="sa-target-status", **{"data-sa-target-status": ""})
        question = element(
            "div",
            class_="sa-question",
            role="group",
            tabindex="-1",
            hidden="hidden",
            **{"aria-labelledby": "sa-question", "data-sa-question": ""},
        )
        question += w["question"].node("p", id="sa-question")
        question += w["replace"].node("button", type="button", **{"data-sa-action": "replace"})
        question += w["keep"].node("button", type="button", **{"data-sa-action": "keep"})
        form = element(
            "div",
            class_="sa-form",
            **{
                "data-sa-storage": STORAGE_KEY,
                "data-sa-version": str(FORMAT_VERSION),
                "data-sa-default": "/".join(str(n) for n in default),
            },
        )
        form += question
        form += fieldset
        return [form]

    # -- skills ---------------------------------------------------------------------------

    def _skills(self, found: Any) -> list[nodes.Node]:
        model = found.model
        w = self.words
        out: list[nodes.Node] = []
        for role in ROLES:
            section = nodes.section(ids=[f"sa-skills-{role}"])
            title = nodes.title(w[role].paragraph.rawsource, "", *w[role].node("span").children)
            title.source, title.line = w[role].paragraph.source, w[role].paragraph.line
            section += title
            for skill in model.active:
                if skill.role == role:
                    section += self._skill(found, skill)
            out.append(section)
        return out

    def _english(self) -> dict[str, str]:
        """The attributes of the matrix's own words (names, levels, statements): English
        in every edition, marked so in a translated one (the data has no translations)."""
        return {} if self.config.language in (None, "en") else {"lang": "en"}

    def _skill(self, found: Any, skill: Any) -> sa_element:
        w = self.words
        fieldset = element(
            "fieldset",
            class_="sa-skill",
            id=f"sa-{skill.id}",
            **{"data-sa-skill": skill.id, "data-sa-role": skill.role},
        )
        english = self._english()
        fieldset += text("legend", skill.name, **english)
        choices = element("div", class_="sa-choices")
        levels = [None, *found.model.levels]
        for value, level in enumerate(levels):
            ident = f"sa-{skill.id}-{value}"
            choice = element("div", class_="sa-choice")
            attrs = {"type": "radio", "name": f"sa-{skill.id}", "id": ident, "value": str(value)}
            if level is not None:
                attrs["aria-describedby"] = f"{ident}-says"
            choice += void("input", **attrs)
            if level is None:
                choice += w["not-yet"].node("label", **{"for": ident})
            else:
                choice += text("label", level.name, **{"for": ident}, **english)
                choice += text(
                    "span",
                    skill.statements.get(level.name, ""),
                    class_="sa-statement",
                    id=f"{ident}-says",
                    **english,
                )
            choices += choice
        fieldset += choices
        learn = element("details", class_="sa-learn")
        learn += w["learn"].node("summary")
        learn += taught_paragraph(found, skill, self.env.docname)
        learn += reading_paragraph(self, found, skill)
        fieldset += learn
        return fieldset

    # -- results --------------------------------------------------------------------------

    def _results(self, found: Any) -> list[nodes.Node]:
        w = self.words
        results = element("div", class_="sa-results", **{"data-sa-results": ""})
        results += w["worksheet"].node("p", class_="sa-worksheet")
        results += element("p", class_="sa-state", **{"data-sa-state": ""})
        table = element("table", class_="table sa-table")
        table += w["caption"].node("caption")
        head = element("tr")
        for key in ("role", "coverage", "mix", "target"):
            head += w[key].node("th", scope="col")
        table += element("thead", head)
        body = element("tbody")
        for role in ROLES:
            row = element("tr", **{"data-sa-role": role})
            row += w[role].node("th", scope="row")
            for cell in ("coverage", "mix", "target"):
                row += element("td", **{"data-sa-cell": cell})
            body += row
        table += body
        results += table
        results += element("div", class_="sa-chart", **{"data-sa-chart": ""})
        results += element("p", class_="sa-weakest", **{"data-sa-weakest": ""})
        results += element(
            "p", class_="sa-live", role="status", **{"aria-live": "polite", "data-sa-live": ""}
        )
        return [results]

    # -- plan -----------------------------------------------------------------------------

    def _plan(self, found: Any) -> list[nodes.Node]:
        plan = element("div", class_="sa-plan", **{"data-sa-plan": ""})
        plan += element("p", **{"data-sa-plan-state": ""})
        plan += element("ol", class_="sa-plan-list", **{"data-sa-plan-list": ""})
        return [plan]

    # -- controls -------------------------------------------------------------------------

    def _controls(self, found: Any) -> list[nodes.Node]:
        w = self.words
        controls = element("div", class_="sa-controls", hidden="hidden", **{"data-sa-controls": ""})
        buttons = element("div", class_="sa-buttons")
        for action in ("export", "link", "print", "share", "reset"):
            buttons += w[action].node("button", type="button", **{"data-sa-action": action})
        controls += buttons
        load = element("div", class_="sa-import")
        load += w["import"].node("label", **{"for": "sa-import"})
        load += void("input", type="file", id="sa-import", accept=".json,application/json")
        controls += load
        controls += element("p", class_="sa-status", role="status", **{"data-sa-status": ""})
        link = element("div", class_="sa-box", hidden="hidden", **{"data-sa-linkbox": ""})
        link += w["link-label"].node("label", **{"for": "sa-link"})
        link += void("input", type="text", id="sa-link", readonly="readonly")
        controls += link
        share = element("div", class_="sa-box", hidden="hidden", **{"data-sa-sharebox": ""})
        share += w["share-label"].node("label", **{"for": "sa-share"})
        share += element("textarea", id="sa-share", rows="16", readonly="readonly")
        share += w["share-help"].node("p")
        controls += share
        return [controls]


# -- Events ----------------------------------------------------------------------------


def on_builder_inited(app: Sphinx) -> None:
    """Ship the script and its stylesheet with every HTML build (they are tiny)."""
    if str(STATIC) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC))


def on_html_page_context(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """The script and stylesheet on the page that holds the form, and only there."""
    if app.env.metadata.get(pagename, {}).get("handbook_selfassessment"):
        app.add_css_file(STYLESHEET)
        app.add_js_file(SCRIPT, loading_method="defer")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("handbook.sphinxext.skills")
    app.add_node(sa_element, html=(visit_sa, depart_sa))
    app.add_node(sa_text, html=(visit_sa, depart_sa))
    app.add_directive("selfassessment", SelfAssessment)
    app.connect("builder-inited", on_builder_inited)
    # before the light-pages extension defers the page's scripts (500)
    app.connect("html-page-context", on_html_page_context, priority=400)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
