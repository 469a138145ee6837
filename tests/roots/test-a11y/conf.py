"""The root for handbook.sphinxext.a11y, with the theme's own sidebar (no fastnav).

* ``part/index`` has pages below it, so sphinx-book-theme's sidebar shows it
  as a collapsible ``<details>`` whose ``<summary>`` holds only a chevron;
* ``citations`` has two runs of docutils citations, split by a paragraph.
"""

project = "Accessibility"
extensions = ["myst_parser", "handbook.sphinxext.a11y"]
html_theme = "sphinx_book_theme"
# a list of our own: the theme appends to it, and Sphinx's default list is
# shared by every build in one process (the tests build many)
templates_path: list[str] = []
html_copy_source = False
