"""A small book for handbook.sphinxext.incremental: incremental builds must equal clean ones.

Every page shows the others through the sidebar and previous/next links;
``part-a/first`` names the orphan page with ``{doc}``, ``part-b/only`` names a
section of ``part-a/second`` with ``{ref}``, and ``part-a/first`` cites a work
that the reading list lists.
"""

project = "Incremental"
extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "handbook.sphinxext.i18n",
    "handbook.sphinxext.readinglist",
    "handbook.sphinxext.a11y",
    "handbook.sphinxext.fastnav",
    "handbook.sphinxext.incremental",
]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "handbook"
bibtex_reference_style = "author_year"
bibtex_cite_id = "cite-{key}"
html_theme = "sphinx_book_theme"
# a list of our own: the theme appends to it, and Sphinx's default list is
# shared by every build in one process (the tests build many)
templates_path: list[str] = []
html_theme_options = {"home_page_in_toc": True}
html_baseurl = "https://example.org/book/"
html_copy_source = False
sitemap_url_scheme = "{link}"
