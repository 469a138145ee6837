"""The root for handbook.sphinxext.frontmatter: a page with front matter, one without.

``index`` has a ``description`` (with characters that need escaping) and a
``last_reviewed`` date; ``plain`` has neither.  sphinxext-opengraph is loaded
because the description reaches ``og:description`` through it; the basic
theme prints ``last_updated`` in its footer.
"""

project = "Front matter"
extensions = ["myst_parser", "sphinxext.opengraph", "handbook.sphinxext.frontmatter"]
html_theme = "basic"
html_copy_source = False
ogp_site_url = "https://example.org/book/"
ogp_enable_meta_description = True
ogp_social_cards = {"enable": False}
