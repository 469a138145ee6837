"""The root for handbook.sphinxext.editions and .cite: an Editions page and a citation
made from this folder's CHANGELOG.md and CITATION.cff."""

project = "Editions"
author = "The Editions authors"
release = "2030.1"
extensions = ["myst_parser", "handbook.sphinxext.editions"]
exclude_patterns = ["_build", "CHANGELOG.md"]
myst_title_to_header = True
nitpicky = True
html_baseurl = "https://example.org/book/"
handbook_changelog = "CHANGELOG.md"
handbook_citation_file = "CITATION.cff"
handbook_epub_url = "https://example.org/releases/v{version}/book-{version}.epub"
