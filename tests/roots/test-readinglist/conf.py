extensions = ["myst_parser", "sphinxcontrib.bibtex", "handbook.sphinxext.readinglist"]
bibtex_bibfiles, bibtex_default_style, bibtex_reference_style = ["refs.bib"], "handbook", "author_year"
bibtex_cite_id = "cite-{key}"
