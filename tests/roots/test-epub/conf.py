"""The root for handbook.sphinxext.epub: an EPUB whose raw table of contents is out of order.

``guide/index`` lists its chapter in a toctree *before* its own section, so
Sphinx's table of contents jumps to the chapter and back to the section;
``guide/chapter`` uses sphinx-book-theme's ``{margin}`` directive, which the
EPUB builder would not know; the identifier needs escaping in ``toc.ncx``.
As in the handbook, the table of contents is built from every toctree
(``epub_tocscope = "includehidden"``), the scope the reading-order fix covers.
"""

project = "EPUB"
author = "Tester"
extensions = ["myst_parser", "handbook.sphinxext.epub"]
epub_identifier = "https://example.org/book/?edition=1&format=epub"
epub_scheme = "URL"
epub_uid = "book-id"
epub_tocscope = "includehidden"
# the EPUB 3 builder warns when these are empty
version = "1"
copyright = "2026, Tester"
