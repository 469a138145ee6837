"""The ``handbook`` command: parse the subcommand and dispatch to its ``main``.

Usage::

    handbook new-page PART SLUG --title "Title"
    handbook check-pages [PATHS ...]
    handbook bib check|format ...
    handbook linkcheck [PATHS ...]

Each subcommand lives in its own module with a ``main(argv=None) -> int``; this
module only chooses which one to run, importing it lazily so that
``handbook check-pages`` does not pay for the link checker's imports.
"""

from __future__ import annotations

import importlib
import sys

from handbook import __version__
from handbook.findings import EXIT_UNUSABLE

#: subcommand -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "new-page": ("handbook.pages.scaffold", "create a chapter from the page template"),
    "check-pages": ("handbook.pages.checks", "lint the handbook's pages"),
    "bib": ("handbook.bib.cli", "check or format references.bib"),
    "linkcheck": ("handbook.linkcheck.cli", "check external links, DOIs and ISBNs"),
}


def _usage() -> str:
    lines = ["usage: handbook [--version] COMMAND [ARGS ...]", "", "commands:"]
    lines += [f"  {name:<12} {text}" for name, (_, text) in SUBCOMMANDS.items()]
    lines += ["", "Run 'handbook COMMAND --help' for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] in {"-h", "--help"}:
        print(_usage(), file=sys.stdout if args else sys.stderr)
        return 0 if args else EXIT_UNUSABLE
    if args[0] == "--version":
        print(f"handbook {__version__}")
        return 0
    command, rest = args[0], args[1:]
    if command not in SUBCOMMANDS:
        print(f"handbook: unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
        return EXIT_UNUSABLE
    module = importlib.import_module(SUBCOMMANDS[command][0])
    return int(module.main(rest))


if __name__ == "__main__":
    raise SystemExit(main())
