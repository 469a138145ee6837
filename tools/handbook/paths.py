"""Where the repository's files are: the one place that knows.

``ROOT`` is the repository (the folder of ``pyproject.toml``), found from this
file's place in ``tools/handbook/``; everything else is named from it.  Read
the names through the module (``paths.ROOT``) where a test may move them.
"""

from __future__ import annotations

from pathlib import Path

#: The repository root.
ROOT: Path = Path(__file__).resolve().parents[2]
#: The Sphinx source directory.
DOCS: Path = ROOT / "docs"
#: The reading list.
REFERENCES: Path = ROOT / "references.bib"
#: The project's settings, ``[tool.handbook.*]`` among them.
PYPROJECT: Path = ROOT / "pyproject.toml"
#: Our Sphinx extensions (their ``_()`` strings go into the ``sphinx`` catalogue).
SPHINXEXT: Path = ROOT / "tools" / "handbook" / "sphinxext"
