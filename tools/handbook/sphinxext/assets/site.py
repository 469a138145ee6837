"""The written HTML site: its pages, their tags' attributes, and the files their links lead to."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

#: Folders of the output that hold no pages.
NOT_PAGES = frozenset({"_static", "_sources", "_images", "_downloads"})

_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def attributes(text: str) -> list[tuple[str, str | None]]:
    """The ``(name, value)`` pairs of a tag's attribute text (``None`` for a bare name)."""
    found = []
    for match in _ATTRIBUTE.finditer(text):
        value = next((v for v in match.groups()[1:] if v is not None), None)
        found.append((match.group(1), value))
    return found


@dataclass
class Page:
    """A page of the output, its text as read (``original``) and as edited (``text``)."""

    path: Path
    rel: PurePosixPath  # relative to the output folder
    text: str
    original: str


class Site:
    """The written HTML site: resolves a page's links to files in the output."""

    def __init__(self, outdir: Path, prefixes: Iterable[str]) -> None:
        self.outdir = outdir
        self.prefixes = sorted({p if p.endswith("/") else p + "/" for p in prefixes if p}, key=len)[
            ::-1
        ]

    def pages(self) -> list[Page]:
        found = []
        for path in sorted(self.outdir.rglob("*.html")):
            rel = PurePosixPath(path.relative_to(self.outdir).as_posix())
            if rel.parts[0] in NOT_PAGES:
                continue
            text = path.read_text(encoding="utf-8")
            found.append(Page(path, rel, text, text))
        return found

    def resolve(self, page: Page, href: str) -> tuple[str, str] | None:
        """For a link to a file of the site: ``(the file, relative to the output;
        the href's part that leads to the output's root)``.  Else ``None``."""
        url = urlsplit(href)
        if url.scheme or url.netloc or not url.path:
            return None
        path = url.path
        if path.startswith("/"):
            prefix = next((p for p in self.prefixes if path.startswith(p)), None)
            if prefix is None:
                return None
            target = path[len(prefix) :]
        else:
            target = os.path.normpath((page.rel.parent / path).as_posix()).replace(os.sep, "/")
        if target.startswith("../") or not (self.outdir / target).is_file():
            return None
        if path.endswith(target):
            return target, path[: len(path) - len(target)]
        return target, "../" * (len(page.rel.parts) - 1)
