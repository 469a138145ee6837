"""The reading list: annotations, back-links and grouping for references.bib."""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

import handbook


def setup(app: Sphinx) -> ExtensionMetadata:
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
