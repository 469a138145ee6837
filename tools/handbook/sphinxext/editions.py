"""The handbook's editions and its citation, from the files at the repository's root.

``{editions}``
    Every release in ``CHANGELOG.md`` (``handbook_changelog``, read with
    :mod:`handbook.changelog`), newest first: a section per edition with its
    date, its EPUB on the GitHub release (``handbook_epub_url``) and its
    changelog.  Each ``### Added`` heading becomes a bold line, so the
    editions stay the page's only headings below its title.
``{citethishandbook}``
    The handbook's citation from ``CITATION.cff`` (``handbook_citation_file``):
    the same text and BibTeX as a page's "Cite this page"
    (:func:`handbook.sphinxext.cite.page_citation`), for the whole handbook at
    the version and date the file gives, so the About page and the file never
    disagree.

Both pages depend on their file: a changed changelog or citation rebuilds
them.  A file that is missing or not what it should be is a warning at its
line, which fails the strict build.  The words are ``sphinx.po``'s.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import yaml
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import handbook
from handbook.changelog import parse, releases
from handbook.files import UnusableInputError, read_text
from handbook.sphinxext._words import note_catalogue, sentence
from handbook.sphinxext.cite import page_citation

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)
_SUBHEADING = re.compile(r"^#{3,6}\s+(.+?)\s*#*\s*$", re.M)


class _RootFile(SphinxDirective):
    """A directive that reads a file named by a config value, relative to the sources."""

    option: ClassVar[str] = ""

    def read(self) -> tuple[Path, str] | None:
        path = Path(self.env.srcdir, getattr(self.config, self.option)).resolve()
        self.env.note_dependency(str(path))
        note_catalogue(self.env)
        try:
            return path, read_text(path, str(path))
        except UnusableInputError as exc:
            self.warn(f"{{{self.name}}}: {exc.message}", path, 1)
            return None

    def warn(self, message: str, path: Path, line: int) -> None:
        logger.warning(message, location=f"{path}:{line}", type="handbook", subtype="editions")


class Editions(_RootFile):
    """``{editions}``: every release of the changelog, newest first."""

    option = "handbook_changelog"

    def run(self) -> list[nodes.Node]:
        found = self.read()
        if found is None:
            return []
        path, text = found
        listed = releases(parse(text))
        if not listed:
            self.warn("{editions}: the changelog has no release yet", path, 1)
        out: list[nodes.Node] = []
        for release in listed:
            section = nodes.section(ids=[f"edition-{release.version.replace('.', '-')}"])
            section += nodes.title(release.version, release.version)
            if release.date is None:
                self.warn(
                    f"{{editions}}: release {release.version} has no date", path, release.line
                )
            facts = nodes.paragraph(classes=["handbook-edition-facts"])
            date = release.date or "?"
            url = self.config.handbook_epub_url.format(version=release.version)
            link = nodes.reference("", _("EPUB"), refuri=url)
            facts += sentence(_("Released {date} · {epub}"), date=date, epub=link)
            section += facts
            body = _SUBHEADING.sub(lambda m: f"**{m.group(1)}**", release.body)
            body = "\n".join(
                line for line in body.splitlines() if not re.match(r"^\[[^\]]+\]:\s", line)
            )
            holder = nodes.container()
            self.state.nested_parse(
                StringList(body.splitlines(), source=str(path)), self.content_offset, holder
            )
            section.extend(holder.children)
            out.append(section)
        return out


class CiteThisHandbook(_RootFile):
    """``{citethishandbook}``: the handbook's citation, from ``CITATION.cff``."""

    option = "handbook_citation_file"

    def run(self) -> list[nodes.Node]:
        found = self.read()
        if found is None:
            return []
        path, text = found
        try:
            cff: Any = yaml.safe_load(text)
            reviewed = dt.date.fromisoformat(str(cff["date-released"]))
            citation = page_citation(
                title=str(cff["title"]),
                pagename="handbook",
                url=str(cff["url"]),
                reviewed=reviewed,
                project=None,
                author=", ".join(str(a["name"]) for a in cff["authors"]),
                version=str(cff["version"]),
                language=self.config.language or "en",
            )
        except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
            self.warn(f"{{citethishandbook}}: not a usable CITATION.cff ({exc})", path, 1)
            return []
        # as written, like the BibTeX: no typographic quotes, so that it can be copied
        text_node = nodes.paragraph(
            classes=["handbook-cite-handbook"], support_smartquotes=False, translatable=False
        )
        text_node += nodes.Text(citation["text"])
        bibtex = nodes.literal_block(citation["bibtex"], citation["bibtex"], language="bibtex")
        return [text_node, bibtex]


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("handbook.sphinxext.cite")
    app.add_config_value("handbook_changelog", "../CHANGELOG.md", "env", types=frozenset({str}))
    app.add_config_value("handbook_citation_file", "../CITATION.cff", "env", types=frozenset({str}))
    app.add_config_value(
        "handbook_epub_url",
        "https://github.com/mle-handbook/handbook/releases/download/v{version}/"
        "mle-handbook-{version}.epub",
        "env",
        types=frozenset({str}),
    )
    app.add_directive("editions", Editions)
    app.add_directive("citethishandbook", CiteThisHandbook)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
