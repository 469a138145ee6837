"""The stress root for handbook.sphinxext.fastnav: every toctree feature at once.

* nesting to depth 6 (the sidebar shows 4 levels; deeper pages still mark their branch);
* hidden, numbered, captioned, glob and titles-only toctrees, explicit entry
  titles, an external link, ``genindex`` and a ``self`` entry;
* an orphan page, a page listed twice, a page with two top-level headings;
* non-ASCII names and names that need percent-encoding, titles with markup and math;
* two sidebars: sphinx-book-theme's (the whole book) and pydata-sphinx-theme's
  section navigation (``startdepth=1``, hidden toctrees excluded, so that
  ``suppress_sidebar_toctree`` resolves the section), both wrapped by
  handbook.sphinxext.a11y.
"""

project = "Fastnav stress"
extensions = ["myst_parser", "handbook.sphinxext.a11y", "handbook.sphinxext.fastnav"]
myst_enable_extensions = ["colon_fence"]
html_theme = "sphinx_book_theme"
# a list of our own: the theme appends to it, and Sphinx's default list is
# shared by every build in one process (the tests build many)
templates_path: list[str] = []
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 2,
    "sidebar_includehidden": False,
}
html_sidebars = {"**": ["navbar-logo.html", "sbt-sidebar-nav.html", "sidebar-nav-bs.html"]}
html_copy_source = False
suppress_warnings = ["myst.header"]
