"""The root for handbook.sphinxext.seo: social tags, descriptions, robots.txt, feedback links.

``index`` has a front-matter description and a title with markup; ``chapter``
has no description; Sphinx adds ``genindex`` and ``search``, and
sphinx-notfound-page the ``404`` page.  ``_templates/handbook-feedback.html``
prints the feedback links as plainly as possible.
"""

project = "SEO"
extensions = ["myst_parser", "handbook.sphinxext.i18n", "notfound.extension", "handbook.sphinxext.seo"]
html_theme = "sphinx_book_theme"
templates_path = ["_templates"]
html_theme_options = {
    "repository_url": "https://github.com/example/book",
    "repository_branch": "trunk",
    "article_footer_items": ["handbook-feedback.html"],
}
html_baseurl = "https://example.org/book/"
html_copy_source = False
sitemap_url_scheme = "{link}"
ogp_site_url = html_baseurl
ogp_social_cards = {"enable": False}
notfound_urls_prefix = "/book/"
