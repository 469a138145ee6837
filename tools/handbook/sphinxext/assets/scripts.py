"""Deferred scripts: no script of a page blocks its first paint.

``documentation_options.js`` (a few hundred bytes that every other script
reads) is inlined, and every other script that is not already ``async``,
``defer`` or a module is deferred, so all of them still run in order.
``docs/_templates/layout.html`` does the rest: it drops the theme's
FontAwesome script, its script preloads and, unless search-as-you-type is
on, the search index and the tools only ``search.html`` uses.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

OPTIONS_SCRIPT = "_static/documentation_options.js"


def read_options(outdir: Path) -> str:
    """The text of the build's ``documentation_options.js``, or ``""`` if it has none."""
    path = outdir / OPTIONS_SCRIPT
    return path.read_text(encoding="utf-8").strip() if path.is_file() else ""


def defer_scripts(scripts: Sequence[Any], options: str | None) -> list[Any]:
    """A page's ``script_files`` (Sphinx's ``_JavaScript`` objects), deferred, with
    ``documentation_options.js`` replaced by its text ``options`` (if given)."""
    rewritten = []
    for script in scripts:
        if not hasattr(script, "attributes"):
            rewritten.append(script)  # an old-style string: leave it
            continue
        filename = os.fspath(script.filename or "")
        attributes: dict[str, str] = dict(script.attributes)
        if filename.endswith(OPTIONS_SCRIPT) and options:
            rewritten.append(type(script)("", priority=script.priority, body=options))
        elif (
            filename
            and not {"async", "defer"} & attributes.keys()
            and attributes.get("type") != "module"
        ):
            rewritten.append(
                type(script)(filename, priority=script.priority, **attributes, defer="defer")
            )
        else:
            rewritten.append(script)
    return rewritten
