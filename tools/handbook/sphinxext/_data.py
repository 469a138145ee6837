"""Data files in the build: read one, and report its problems at its lines.

The extensions that render ``docs/_data/`` (skills, mixes, worksheets, checks)
read their files when the builder starts, with the checks of
:mod:`handbook.data`, and say every problem as a warning at the file and line
(``docs/_data/skills.yaml:42: WARNING: DATA007 ...``), so that the strict
build fails and names the line to change.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util import logging

from handbook.data.schema import SYNTAX_CODE, Problem
from handbook.data.source import Source, YamlSyntaxError, load
from handbook.files import UnusableInputError

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment
    from sphinx.util.docutils import SphinxRole

logger = logging.getLogger(__name__)


def warn(path: Path, line: int, code: str, message: str, subtype: str) -> None:
    """A build warning at ``path:line`` (a string: Sphinx takes a pair for a docname)."""
    logger.warning(
        "%s %s", code, message, location=f"{path}:{line}", type="handbook", subtype=subtype
    )


def load_or_warn(path: Path, subtype: str) -> Source | Problem:
    """The file's YAML, or the problem that it cannot be read (``INPUT``) or is not YAML
    (``DATA001``), warned."""
    try:
        return load(path, str(path))
    except (UnusableInputError, YamlSyntaxError) as exc:
        line = getattr(exc, "line", 1)
        message = getattr(exc, "message", str(exc))
        code = SYNTAX_CODE if isinstance(exc, YamlSyntaxError) else "INPUT"
        warn(path, line, code, message, subtype)
        return Problem(code, line, message)


def bib_keys(env: BuildEnvironment) -> frozenset[str] | None:
    """The keys of the build's bibliography (None without sphinxcontrib-bibtex)."""
    cite = env.get_domain("cite")
    return frozenset(cite.bibdata.data.entries) if hasattr(cite, "bibdata") else None  # type: ignore[attr-defined]


def role_location(role: SphinxRole) -> tuple[str, int]:
    """Where a role is, as ``(docname, line)``, to its own line.

    MyST gives an inline role the line of its paragraph's start (inline tokens
    carry no line); the paragraph's text so far keeps its line breaks, so the
    role's line is the paragraph's first line plus the breaks before it."""
    parent = getattr(role.inliner, "parent", None)
    if isinstance(parent, nodes.TextElement) and parent.line:
        return role.env.docname, parent.line + parent.astext().count("\n")
    return role.env.docname, role.lineno
