"""The root for handbook.sphinxext.glossary: a glossary page made of two sorted fragments.

``index`` includes ``_glossary/a.md`` and ``_glossary/b.md``, whose terms
interleave alphabetically; ``uses`` links a term of each.
"""

project = "Glossary"
extensions = ["myst_parser", "handbook.sphinxext.glossary"]
exclude_patterns = ["_build", "_glossary"]
myst_title_to_header = True
nitpicky = True
