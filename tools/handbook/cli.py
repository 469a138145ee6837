"""The ``handbook`` command: parse the subcommand and dispatch to its ``main``.

Usage::

    handbook new-page PART SLUG --title "Title"
    handbook check-pages [PATHS ...]
    handbook check-data [FILES ...]
    handbook bib check|format ...
    handbook linkcheck [PATHS ...]
    handbook i18n update|status ...
    handbook changelog --base REF

Each subcommand lives in its own module with a ``main(argv=None) -> int``; this
module only chooses which one to run, importing it lazily so that
``handbook check-pages`` does not pay for the link checker's imports.

It is also the one error boundary: whatever a subcommand raises ends as one
line on standard error and exit status 2, never a traceback (unless
``--debug`` or ``HANDBOOK_DEBUG=1`` asks for it).  Exit statuses everywhere:
0 clean, 1 findings, 2 unusable input or an internal error.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

from handbook import __version__
from handbook.files import UnusableInputError
from handbook.findings import EXIT_FINDINGS, EXIT_UNUSABLE

#: Where a bug is reported (``[project.urls] Issues`` in pyproject.toml; a test
#: checks they agree).
ISSUES_URL = "https://github.com/mle-handbook/handbook/issues"
#: Exit status after Ctrl-C, as shells report a process ended by SIGINT.
EXIT_INTERRUPTED = 130

#: subcommand -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "build": ("handbook.build", "build the site strictly, every language"),
    "new-page": ("handbook.pages.scaffold", "create a chapter from the page template"),
    "check-pages": ("handbook.pages.checks", "lint the handbook's pages"),
    "check-data": ("handbook.data.cli", "validate the structured content in docs/_data"),
    "bib": ("handbook.bib.cli", "check or format references.bib"),
    "linkcheck": ("handbook.linkcheck.cli", "check external links, DOIs and ISBNs"),
    "i18n": ("handbook.i18n.cli", "translations: refresh catalogues, report status"),
    "changelog": ("handbook.changelog", "want a CHANGELOG line for a change readers see"),
}


def _usage() -> str:
    lines = ["usage: handbook [--version] [--debug] COMMAND [ARGS ...]", "", "commands:"]
    lines += [f"  {name:<12} {text}" for name, (_, text) in SUBCOMMANDS.items()]
    lines += [
        "",
        "Run 'handbook COMMAND --help' for a command's options.",
        "--debug (or HANDBOOK_DEBUG=1) prints the traceback of an internal error.",
    ]
    return "\n".join(lines)


def _debug_flag(args: list[str]) -> tuple[list[str], bool]:
    """``args`` without ``--debug`` (before any ``--``), and whether it was there."""
    end = args.index("--") if "--" in args else len(args)
    kept = [arg for arg in args[:end] if arg != "--debug"] + args[end:]
    return kept, len(kept) != len(args)


def main(argv: list[str] | None = None) -> int:
    args, debug = _debug_flag(sys.argv[1:] if argv is None else list(argv))
    debug = debug or os.environ.get("HANDBOOK_DEBUG", "") not in {"", "0"}
    command = args[0] if args else ""
    try:
        return _dispatch(args)
    except UnusableInputError as exc:  # a subcommand that let one through
        print(exc, file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("handbook: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (| head): say nothing more
        _silence_stdout()
        return EXIT_FINDINGS
    except Exception as exc:
        if debug:
            traceback.print_exc()
        name = f"handbook {command}".strip() if command in SUBCOMMANDS else "handbook"
        hint = "" if debug else " (run it again with --debug for the traceback)"
        print(
            f"{name}: internal error: {type(exc).__name__}: {exc}. "
            f"This is a bug in handbook; please report it at {ISSUES_URL}{hint}",
            file=sys.stderr,
        )
        return EXIT_UNUSABLE


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises nothing more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (a test's capture)
        pass


def _dispatch(args: list[str]) -> int:
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
