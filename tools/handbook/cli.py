"""The ``handbook`` command: parse the subcommand and dispatch to its ``main``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    print("usage: handbook {new-page,check-pages,bib,linkcheck} ...", file=sys.stderr)
    return 2 if not args else 2


if __name__ == "__main__":
    raise SystemExit(main())
