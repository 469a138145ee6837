"""The root for handbook.sphinxext.selfassess: a two-skill matrix and the form.

``assess`` holds every part of ``{selfassessment}`` after its ``words``;
``other`` is a page without the form (it must not load the script).  The
tests break ``assess.md`` to see each mistake named at its line.
"""

project = "Self-assessment"
extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "handbook.sphinxext.skills",
    "handbook.sphinxext.selfassess",
]
exclude_patterns = ["_build", "_data"]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "author_year"
myst_enable_extensions = ["colon_fence", "fieldlist"]
myst_title_to_header = True
nitpicky = True
