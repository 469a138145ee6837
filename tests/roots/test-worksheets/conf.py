"""The root for handbook.sphinxext.worksheets: one worksheet, its page and a chapter it links to.

``_data/worksheets/rollout-plan.yaml`` follows a key of ``refs.bib``, links
two sections of ``chapter`` (its example and what teaches it) and has two
sections of fields; ``sheet`` renders it with ``{worksheet}``.  The tests
read the page and the Markdown blank the build writes, build it as an EPUB,
and break the YAML to see the build fail at the YAML line.
"""

project = "Worksheets"
extensions = ["myst_parser", "sphinxcontrib.bibtex", "handbook.sphinxext.worksheets"]
exclude_patterns = ["_build", "_data"]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "author_year"
myst_title_to_header = True
nitpicky = True
