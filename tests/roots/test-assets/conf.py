"""The test root for handbook.sphinxext.assets: a small book with every kind of asset it handles.

* the theme's icons (header buttons) and one of ours (``index.md``), to inline as SVG;
* ``_static/extra.css``: an ``@import`` (with a ``url()`` to rebase), a ``/*!``
  notice, strings in single quotes and escapes, classes that a page, a script,
  a script-built name or nothing at all gives to the pages (to prune);
* ``_static/extra.js``: a script that adds a class and builds class names;
* ``_templates/layout.html``: the handbook's lighter ``<head>`` (no icon script).
"""

project = "Assets"
copyright = "the handbook's authors"  # and a version: the EPUB wants both
version = "1"
extensions = ["myst_parser", "handbook.sphinxext.assets"]
html_theme = "sphinx_book_theme"
# lists of our own: the theme appends to them, and Sphinx's defaults are shared
# by every build in one process (the tests build several)
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["extra.css"]
html_js_files = ["extra.js"]
html_copy_source = False
# an EPUB has no place for a font of an unknown type
epub_exclude_files = ["_static/fonts/test.woff2"]
