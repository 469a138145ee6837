"""Tools for The ML Engineer's Handbook: page and bibliography linters, the
link checker, and the Sphinx extensions the handbook's build uses."""

from importlib.metadata import PackageNotFoundError, version

#: The handbook's edition (calendar versioning, ``2026.12``), read from the package
#: metadata: ``version`` in pyproject.toml is the one place it is written.
try:
    __version__ = version("mle-handbook")
except PackageNotFoundError:  # the sources without an install (never the .venv)
    __version__ = "0+unknown"
