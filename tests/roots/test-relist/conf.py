"""The root for handbook.sphinxext.relist: a file of facts and a page that shows them.

``_data/relist.yaml`` has a value, a percentage, a unit, a year and a derived
fact; ``index`` shows each with ``{relist}``.  The tests break copies of it.
"""

project = "Relist"
extensions = ["myst_parser", "handbook.sphinxext.relist"]
exclude_patterns = ["_build", "_data"]
myst_title_to_header = True
nitpicky = True
