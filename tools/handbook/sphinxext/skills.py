"""The skills matrix in the handbook: ``{skillmatrix}``, ``{skill}`` and chapter back-links.

The matrix is data, ``docs/_data/skills.yaml`` (:mod:`handbook.data.skills`
holds its schema and checks).  This extension

* reads and validates it when the builder starts, with the build's own
  bibliography for the ``reading`` keys, and checks every ``chapters`` link
  against the build's labels once every page is read (``env-updated``).
  Every problem is a warning at the YAML file and line
  (``docs/_data/skills.yaml:42: WARNING: DATA007 ...``), so the strict build
  fails and names the line to change;
* renders ``{skillmatrix}`` (``:role: swe`` for a role's page: areas, then each
  skill with its four statements, the sections that teach it and its reading;
  without ``:role:`` the overview: the levels and every skill by role).  It makes
  real document nodes (sections with titles, definition lists, paragraphs and
  cross-references) whose source is the YAML file and line, so that Sphinx's
  translation machinery can extract and replace the text;
* gives each skill a label, ``skill-<id>``, that ``{skill}`<id>``` and
  ``{ref}`` link to, and keeps a label for retired skills that points to their
  replacement;
* adds to every chapter a skill links to the list of skills it builds, at the
  end of its "In short" section, so that the matrix and the chapters point at
  each other.

Pages that show the data depend on the YAML file, so editing it re-reads them.

The YAML's text is translated with the page that shows it; the extension's own
labels ("Taught in:", "Reading:", "Skills this chapter builds:", a retired
skill's sentence) are translated with Sphinx's translator (``sphinx.po``), and
the paragraphs they head, which hold only links besides, are left out of the
pages' catalogues (translating them there would turn the links into text).
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.environment import BuildEnvironment
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

import handbook
from handbook.data import skills as data
from handbook.data.source import Source
from handbook.sphinxext._data import bib_keys, load_or_warn, role_location, warn
from handbook.sphinxext._words import note_catalogue, sentence
from handbook.vocabulary import ROLE_NAMES, ROLES

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.domains.std import StandardDomain
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

#: The label of a skill: ``{ref}`skill-swe-rollout``` (what ``{skill}`` makes).
LABEL_PREFIX = "skill-"
#: What the "In short" section is called (see the page template).
IN_SHORT = "In short"


class Matrix:
    """The loaded file: the model (None when the schema refuses it) and its source."""

    def __init__(self, path: Path, source: Source | None, model: data.SkillsFile | None) -> None:
        self.path = path
        self.source = source
        self.model = model

    def line(self, loc: tuple[str | int, ...]) -> int:
        return self.source.line(loc) if self.source is not None else 1

    def index(self, skill_id: str) -> int:
        assert self.model is not None
        return next(n for n, skill in enumerate(self.model.skills) if skill.id == skill_id)

    def chapters(self) -> dict[str, list[data.Skill]]:
        """docname -> the skills in use that link a section of it, in the file's order."""
        found: dict[str, list[data.Skill]] = {}
        for skill in self.model.active if self.model is not None else ():
            for docname in dict.fromkeys(link.split("#", 1)[0] for link in skill.chapters):
                found.setdefault(docname, []).append(skill)
        return found


#: The file as read for each build environment (a build reads it when it starts).
_matrix: weakref.WeakKeyDictionary[BuildEnvironment, Matrix] = weakref.WeakKeyDictionary()


def matrix_of(env: BuildEnvironment) -> Matrix | None:
    """The matrix as this build read it (None when `skills_data` is off)."""
    return _matrix.get(env)


def _warn(found: Matrix, problem: data.Problem) -> None:
    where = Path(problem.path) if problem.path else found.path
    warn(where, problem.line, problem.code, problem.message, "skills")


# -- Events ----------------------------------------------------------------------------


def on_builder_inited(app: Sphinx) -> None:
    """Read and validate the file, with the build's bibliography for ``reading``."""
    _matrix.pop(app.env, None)
    if not app.config.skills_data:
        return
    path = Path(app.srcdir, app.config.skills_data).resolve()
    if not path.exists():  # a project without a matrix; {skillmatrix} and {skill} say so
        _matrix[app.env] = Matrix(path, None, None)
        return
    source = load_or_warn(path, "skills")
    if isinstance(source, data.Problem):
        _matrix[app.env] = Matrix(path, None, None)
        return
    model, problems = data.validate(source, data.Context(bib_keys=bib_keys(app.env)))
    found = Matrix(path, source, model)
    _matrix[app.env] = found
    for problem in problems:
        _warn(found, problem)


def on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Every ``chapters`` link names a label of that chapter, as the build has them.

    Checked on every build, even one that reads no page (``env-check-consistency``
    runs only after reading), so that a broken link keeps failing the build.
    """
    found = matrix_of(env)
    if found is None or found.model is None or found.source is None:
        return []
    std: StandardDomain = env.domains.standard_domain
    labels = {label: docname for label, (docname, _id, _title) in std.labels.items()}
    context = data.Context(labels=labels, docnames=frozenset(env.all_docs))
    for loc, message in data.CHECKS["DATA007"].func(found.model, context):
        assert not isinstance(loc, data.Reference)
        _warn(found, data.Problem("DATA007", found.source.line(loc), message))
    return []


def on_missing_reference(
    app: Sphinx, env: BuildEnvironment, node: addnodes.pending_xref, contnode: nodes.TextElement
) -> nodes.Node | None:
    """A link made from the YAML file whose target is missing stays as text: the
    problem is reported once, at the YAML line, by the checks above (not again
    by Sphinx as ``undefined label`` at a line the reader cannot edit)."""
    return contnode if node.get("handbook_skills") else None


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """In a chapter a skill links to: the skills it builds, at the end of "In short"."""
    found = matrix_of(app.env)
    if found is None:
        return
    docname = app.env.docname
    built = found.chapters().get(docname)
    if not built:
        return
    app.env.note_dependency(str(found.path))
    note_catalogue(app.env)
    paragraph = nodes.paragraph(classes=["handbook-skills-built"], translatable=False)
    label = _("Skills this chapter builds:")
    paragraph += nodes.strong(label, label)
    paragraph += nodes.Text(" ")
    for n, skill in enumerate(built):
        if n:
            paragraph += nodes.Text(", ")
        paragraph += skill_reference(skill, docname)
    paragraph += nodes.Text(".")
    _place(paragraph, found.path, found.line(("skills", found.index(built[0].id))))
    target = _in_short(doctree)
    target.append(paragraph)


def _in_short(doctree: nodes.document) -> nodes.Element:
    for section in doctree.findall(nodes.section):
        title = section.next_node(nodes.title)
        # a translated title keeps the source's words in its rawsource
        if title is not None and IN_SHORT in (title.astext(), title.rawsource):
            return section
    first = doctree.next_node(nodes.section)
    return first if first is not None else doctree


# -- Nodes -----------------------------------------------------------------------------


def _place(node: nodes.Node, path: Path, line: int) -> None:
    """Give ``node`` and everything in it the YAML file's place (for i18n and warnings)."""
    for each in node.findall(nodes.Element):
        each.source, each.line = str(path), line


def _text(tag: type[nodes.TextElement], text: str, **attributes: Any) -> nodes.TextElement:
    return tag(text, text, **attributes)


def skill_reference(skill: data.Skill | data.RetiredSkill, refdoc: str) -> addnodes.pending_xref:
    """A link to a skill's entry in the matrix, titled with its name."""
    ref = addnodes.pending_xref(
        "",
        nodes.inline(skill.name, skill.name, classes=["xref", "std", "std-ref"]),
        refdomain="std",
        reftype="ref",
        reftarget=LABEL_PREFIX + skill.id,
        refexplicit=True,
        refwarn=True,
        refdoc=refdoc,
    )
    ref["handbook_skills"] = True
    return ref


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
    ref["handbook_skills"] = True
    return ref


def taught_paragraph(found: Matrix, skill: data.Skill, refdoc: str) -> nodes.paragraph:
    """ "Taught in: chapter (section, section); chapter (section)." for a skill."""
    loc = ("skills", found.index(skill.id))
    taught = nodes.paragraph(classes=["handbook-skill-taught"], translatable=False)
    taught += _text(nodes.strong, _("Taught in:"))
    chapters: dict[str, list[str]] = {}
    for link in skill.chapters:
        docname, label = link.split("#", 1)
        chapters.setdefault(docname, []).append(label)
    for m, (docname, labels) in enumerate(chapters.items()):
        taught += nodes.Text(" " if m == 0 else "; ")
        taught += _reference("doc", "/" + docname, refdoc)
        for k, label in enumerate(labels):
            taught += nodes.Text(" (" if k == 0 else ", ")
            taught += _reference("ref", label, refdoc)
        taught += nodes.Text(")")
    taught += nodes.Text(".")
    _place(taught, found.path, found.line((*loc, "chapters")))
    return taught


def reading_paragraph(
    directive: SphinxDirective, found: Matrix, skill: data.Skill
) -> nodes.paragraph:
    """ "Reading: Author (year); Author (year)." for a skill, as citations of the page."""
    loc = ("skills", found.index(skill.id))
    reading = nodes.paragraph(classes=["handbook-skill-reading"], translatable=False)
    reading += _text(nodes.strong, _("Reading:"))
    known = bib_keys(directive.env)
    keys = [key for key in skill.reading if known is None or key in known]
    line = found.line((*loc, "reading"))
    for m, key in enumerate(keys):
        reading += nodes.Text(" " if m == 0 else "; ")
        cited, messages = directive.state.inline_text(f"{{cite:t}}`{key}`", directive.lineno)
        reading += cited
        reading += messages
    reading += nodes.Text(".")
    for each in reading.findall(nodes.Element):
        if not isinstance(each, addnodes.pending_xref):
            each.source, each.line = str(found.path), line
    return reading


class SkillMatrix(SphinxDirective):
    """``{skillmatrix}``: a role's skills (``:role: swe``) or, without it, the overview."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {"role": lambda value: directives.choice(value, ROLES)}

    def run(self) -> list[nodes.Node]:
        found = matrix_of(self.env)
        if found is None:
            raise self.error("{skillmatrix}: `skills_data` is not set in conf.py")
        if not found.path.exists():
            raise self.error(f"{{skillmatrix}}: there is no {found.path} (`skills_data`)")
        self.env.note_dependency(str(found.path))
        note_catalogue(self.env)
        if found.model is None:
            return []  # the file's problems are reported at its lines
        role = self.options.get("role")
        return self._role(found, role) if role else self._overview(found)

    # -- a role's page ------------------------------------------------------------------

    def _role(self, found: Matrix, role: str) -> list[nodes.Node]:
        model = found.model
        assert model is not None
        out: list[nodes.Node] = []
        for n, area in enumerate(model.areas):
            if area.role != role:
                continue
            section = self._section(area.name, area.id, found, ("areas", n))
            for skill in model.active:
                if skill.area == area.id:
                    section += self._skill(found, skill)
            out.append(section)
        retired = [s for s in model.skills if isinstance(s, data.RetiredSkill) and s.role == role]
        if retired:
            section = self._section("Retired skills", f"{role}-retired-skills", found, ("skills",))
            items = nodes.bullet_list()
            for old in retired:
                items += self._retired(found, old, model)
            section += items
            out.append(section)
        return out

    def _section(
        self, title: str, ident: str, found: Matrix, loc: tuple[str | int, ...], label: str = ""
    ) -> nodes.section:
        section = nodes.section(ids=[ident], names=[label] if label else [])
        section += _text(nodes.title, title)
        _place(section, found.path, found.line(loc))
        if label:
            self.state.document.note_explicit_target(section)
        return section

    def _skill(self, found: Matrix, skill: data.Skill) -> nodes.section:
        loc = ("skills", found.index(skill.id))
        section = self._section(skill.name, skill.id, found, loc, label=LABEL_PREFIX + skill.id)
        section["classes"].append("handbook-skill")
        levels = nodes.definition_list(classes=["handbook-skill-levels"])
        for level in found.model.levels if found.model is not None else ():
            statement = skill.statements.get(level.name, "")
            item = nodes.definition_list_item()
            item += _text(nodes.term, level.name)
            definition = nodes.definition()
            definition += _text(nodes.paragraph, statement)
            item += definition
            _place(item, found.path, found.line((*loc, "statements", level.name)))
            levels += item
        section += levels
        section += taught_paragraph(found, skill, self.env.docname)
        section += reading_paragraph(self, found, skill)
        return section

    def _retired(
        self, found: Matrix, skill: data.RetiredSkill, model: data.SkillsFile
    ) -> nodes.list_item:
        item = nodes.list_item(ids=[skill.id], names=[LABEL_PREFIX + skill.id])
        self.state.document.note_explicit_target(item)
        paragraph = nodes.paragraph(translatable=False)
        name = _text(nodes.strong, skill.name)
        replacement = model.by_id().get(skill.replaced_by or "")
        if replacement is not None:
            paragraph += sentence(
                _("{skill} is now part of {other}."),
                skill=name,
                other=skill_reference(replacement, self.env.docname),
            )
        else:
            paragraph += sentence(_("{skill} is no longer in the matrix."), skill=name)
        item += paragraph
        _place(item, found.path, found.line(("skills", found.index(skill.id))))
        return item

    # -- the overview -------------------------------------------------------------------

    def _overview(self, found: Matrix) -> list[nodes.Node]:
        model = found.model
        assert model is not None
        levels = self._section("The four levels", "skill-levels", found, ("levels",))
        listing = nodes.definition_list(classes=["handbook-skill-levels"])
        for n, level in enumerate(model.levels):
            item = nodes.definition_list_item()
            item += _text(nodes.term, level.name)
            definition = nodes.definition()
            definition += _text(nodes.paragraph, level.meaning)
            item += definition
            _place(item, found.path, found.line(("levels", n)))
            listing += item
        levels += listing
        out: list[nodes.Node] = [levels]
        for role in ROLES:
            section = self._section(ROLE_NAMES[role], f"skills-{role}", found, ("areas",))
            areas = nodes.bullet_list()
            for n, area in enumerate(model.areas):
                if area.role != role:
                    continue
                item = nodes.list_item()
                paragraph = nodes.paragraph()
                paragraph += _text(nodes.strong, area.name + ":")
                for m, skill in enumerate(s for s in model.active if s.area == area.id):
                    paragraph += nodes.Text(" " if m == 0 else ", ")
                    paragraph += skill_reference(skill, self.env.docname)
                paragraph += nodes.Text(".")
                item += paragraph
                _place(item, found.path, found.line(("areas", n)))
                areas += item
            section += areas
            out.append(section)
        return out


class SkillRole(SphinxRole):
    """``{skill}`swe-rollout```: a link to the skill's entry in the matrix, titled with its name."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        found = matrix_of(self.env)
        ident = self.text.strip()
        if found is None or not found.path.exists():
            logger.warning(
                "{skill}: there is no skills matrix (`skills_data`)",
                location=role_location(self),
                type="handbook",
                subtype="skills",
            )
            return [nodes.inline(self.rawtext, ident)], []
        if found.model is None:  # the schema refuses the file: reported at its lines
            return [nodes.inline(self.rawtext, ident)], []
        skill = found.model.by_id().get(ident)
        if skill is None:
            logger.warning(
                "DATA009 no skill `%s` in the matrix: a skill is retired, never deleted",
                ident,
                location=role_location(self),
                type="handbook",
                subtype="skills",
            )
            return [nodes.inline(self.rawtext, ident)], []
        if isinstance(skill, data.RetiredSkill):
            instead = f"; link `{skill.replaced_by}`" if skill.replaced_by else ""
            logger.warning(
                "DATA010 the skill `%s` is retired%s",
                ident,
                instead,
                location=role_location(self),
                type="handbook",
                subtype="skills",
            )
        return [skill_reference(skill, self.env.docname)], []


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value(
        "skills_data",
        "_data/skills.yaml",
        "env",
        types=frozenset({str}),
        description="The skills matrix, relative to the source directory ('' turns it off).",
    )
    app.add_directive("skillmatrix", SkillMatrix)
    app.add_role("skill", SkillRole())
    # after sphinxcontrib-bibtex has read the bibliography (500)
    app.connect("builder-inited", on_builder_inited, priority=600)
    app.connect("doctree-read", on_doctree_read)
    app.connect("env-updated", on_env_updated)
    app.connect("missing-reference", on_missing_reference)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
