"""Tools for The ML Engineer's Handbook: page and bibliography linters, the
link checker, and the Sphinx extensions the handbook's build uses."""

__version__ = "0.1.0"
