"""The root for handbook.sphinxext.skills: a matrix, its pages and a chapter it links to.

``_data/skills.yaml`` has two skills of one role (one retired) and links a
section of ``chapter`` and a key of ``refs.bib``; ``swe`` renders the role's
page, ``overview`` the levels and every skill, ``chapter`` gets the list of
skills it builds and links one with ``{skill}``.  The tests break the YAML to
see the build fail at the YAML line.
"""

project = "Skills"
extensions = ["myst_parser", "sphinxcontrib.bibtex", "handbook.sphinxext.skills"]
exclude_patterns = ["_build", "_data"]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "author_year"
myst_title_to_header = True
nitpicky = True
