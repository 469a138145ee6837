"""The root for handbook.sphinxext.search_ja: a Japanese book of two pages.

``ml`` has 機械学習の実験 in its text; ``quality`` has 学習 and 機械 but not
機械学習, 品質 in its title and text, single kanji beside digits and Latin
(第1章を, AIで) and full-width Latin (ＳＱＬ).  The tests search it with the
built ``searchtools.js`` and expect each query to find exactly the pages that
contain it.
"""

project = "Search"
language = "ja"
extensions = ["myst_parser", "handbook.sphinxext.search_ja"]
exclude_patterns = ["_build"]
myst_title_to_header = True
nitpicky = True
