"""The root for handbook.sphinxext.glossary: a glossary page made of two sorted fragments.

``index`` includes ``_glossary/a.md`` and ``_glossary/b.md``, whose terms
interleave alphabetically; ``uses`` links a term of each.  In Japanese
(``language="ja"``) the terms are translated by ``locales/ja/LC_MESSAGES/index.po``
(but "élan") and sorted by the readings of ``_data/terminology.yaml``.
"""

project = "Glossary"
extensions = ["myst_parser", "handbook.sphinxext.glossary"]
exclude_patterns = ["_build", "_glossary", "_data"]
myst_title_to_header = True
nitpicky = True
locale_dirs = ["locales/"]
gettext_compact = False
handbook_terminology = "_data/terminology.yaml"
