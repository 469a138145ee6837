"""``--changed-since REF``: only the links a change added, where they occur.

What counts as the change: the merge base of ``REF`` and ``HEAD`` compared
with the working tree.  On a pull request (a clean checkout of the branch)
that is exactly ``git diff REF...HEAD``, the diff GitHub shows; run locally
it also takes in what you have not committed yet, staged or not, and new
files git does not know about yet (untracked, not ignored).

Which files: the handbook's pages (``docs/**/*.md``, not ``docs/_build``)
and ``references.bib``.  A renamed file is compared with its old self.

What counts as a changed link:

* in a page, a link (URL, DOI, ISBN, or an internal reference) whose text
  is not among the old version's links: the old blob (``git show
  BASE:path``) and the new file are both read with MyST's parser, and the
  sets compared.  A link that only moved to another line is not new; a link
  that is new is reported at every line of the new file where it occurs.
* in ``references.bib``, per entry: a ``url``, ``doi`` or ``isbn`` value
  that the entry (same key) did not have before.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from handbook.files import read_text
from handbook.linkcheck.extract import Extraction, from_bib_text, from_markdown_text


class ChangesError(Exception):
    """The git ref or the repository cannot be used (exit status 2).

    About git, not about a file: a file that cannot be read is
    :class:`~handbook.files.UnusableInputError` (also exit status 2), raised by
    :func:`~handbook.files.read_text` and printed as ``path:line: INPUT message``;
    this is printed as ``handbook linkcheck: message``.
    """


@dataclass(frozen=True)
class ChangedFile:
    """A page or bibliography that differs from the merge base."""

    path: str  # now (POSIX, relative to the repository)
    old_path: str | None  # at the merge base; None when the file is new


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ChangesError(f"cannot run git: {exc}") from None


def merge_base(root: Path, ref: str) -> str:
    """The commit ``REF...HEAD`` diffs from; :class:`ChangesError` when there is none."""
    if not ref or ref.startswith("-"):
        raise ChangesError(f"--changed-since {ref!r}: not a git ref")
    found = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if found.returncode != 0:
        raise ChangesError(
            f"--changed-since {ref}: no such commit in {root} "
            "(in CI, check out with fetch-depth: 0 so that the base branch is there)"
        )
    base = _git(root, "merge-base", ref, "HEAD")
    if base.returncode != 0:
        raise ChangesError(f"--changed-since {ref}: no common ancestor with HEAD")
    return base.stdout.decode().strip()


def _wanted(path: str) -> bool:
    if path == "references.bib":
        return True
    return path.startswith("docs/") and path.endswith(".md") and not path.startswith("docs/_build/")


def changed_files(root: Path, base: str) -> list[ChangedFile]:
    """Pages and ``references.bib`` that differ between ``base`` and the working tree."""
    diff = _git(root, "diff", "--name-status", "-z", "-M", "--no-ext-diff", base, "--")
    if diff.returncode != 0:
        raise ChangesError(f"git diff failed: {diff.stderr.decode(errors='replace').strip()}")
    fields = diff.stdout.decode("utf-8", errors="surrogateescape").split("\0")
    out: dict[str, ChangedFile] = {}
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i]
        if status[0] in "RC":
            old, new = fields[i + 1], fields[i + 2]
            i += 3
        else:
            old = new = fields[i + 1]
            i += 2
        if status[0] == "D" or not _wanted(new):
            continue
        out[new] = ChangedFile(new, None if status[0] == "A" else old)
    others = _git(
        root, "ls-files", "--others", "--exclude-standard", "-z", "--", "docs", "references.bib"
    )
    if others.returncode == 0:
        for name in others.stdout.decode("utf-8", errors="surrogateescape").split("\0"):
            if name and _wanted(name) and name not in out:
                out[name] = ChangedFile(name, None)
    return [out[name] for name in sorted(out)]


def _old_text(root: Path, base: str, path: str | None) -> str:
    if path is None:
        return ""
    shown = _git(root, "show", f"{base}:{path}")
    if shown.returncode != 0:
        return ""
    return shown.stdout.decode("utf-8", errors="replace")


def changed_links(
    root: Path, ref: str, *, files: Sequence[ChangedFile] | None = None
) -> Extraction:
    """The links added or changed since ``ref`` (see the module docstring)."""
    root = root.resolve()
    base = merge_base(root, ref)
    found = Extraction()
    conf = root / "docs" / "conf.py"  # MyST's settings for old and new versions alike
    for changed in files if files is not None else changed_files(root, base):
        path = root / changed.path
        new_text = read_text(path, changed.path)  # UnusableInputError: exit 2
        old_text = _old_text(root, base, changed.old_path)
        if changed.path.endswith(".bib"):
            new = from_bib_text(new_text, changed.path)
            old = from_bib_text(old_text, changed.old_path or changed.path)
            before = {(link.occurrence.key, link.kind, link.text) for link in old.links}
            found.links.extend(
                link
                for link in new.links
                if (link.occurrence.key, link.kind, link.text) not in before
            )
            found.problems.extend(new.problems)
            continue
        folder = path.parent
        new = from_markdown_text(new_text, changed.path, folder, root=root, conf=conf)
        old = from_markdown_text(
            old_text, changed.old_path or changed.path, folder, root=root, conf=conf
        )
        old_links = {(link.kind, link.text) for link in old.links}
        found.links.extend(link for link in new.links if (link.kind, link.text) not in old_links)
        old_internal = {ref.text for ref in old.internal}
        found.internal.extend(ref for ref in new.internal if ref.text not in old_internal)
        found.problems.extend(new.problems)
    return found
