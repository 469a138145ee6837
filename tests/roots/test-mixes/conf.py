"""The root for handbook.sphinxext.mixes: a gallery of three made-up mixes and the essay's.

``_data/mixes/`` holds the essay's entry (``cite: ueta2020skills``, a key of
``refs.bib``) and two readers' files, one anonymous; ``index`` shows the
gallery and the bibliography.  The tests add, break and remove files to see
the build warn at the YAML line and re-read the gallery.
"""

project = "Mixes"
extensions = ["myst_parser", "sphinxcontrib.bibtex", "handbook.sphinxext.mixes"]
exclude_patterns = ["_build", "_data"]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "author_year"
myst_title_to_header = True
nitpicky = True
