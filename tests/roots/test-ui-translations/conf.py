"""The root for the interface's words in another language (``test_ui_translations.py``).

Built in Japanese (``language = "ja"``; the tests build it in English too):
``locales/ja/LC_MESSAGES/sphinx.po`` translates a few of the words that our
extensions and the handbook's own templates (``docs/_templates``, used as they
are) write: one with its placeholders in the other order, one the book theme's
catalogue lacks, and one it has, whose translation must stay the theme's.
``swe/ship`` has a checklist, whose heading ``locales/ja/LC_MESSAGES/swe/ship.po``
translates; ``all-checks`` shows the retired ID and the downloads; ``search``
keeps the English description ``sphinx.po`` leaves out.
"""

from handbook.paths import DOCS

project = "UI"
language = "ja"
extensions = [
    "myst_parser",
    "handbook.sphinxext.a11y",
    "handbook.sphinxext.seo",
    "handbook.sphinxext.checks",
]
exclude_patterns = ["_build", "_data"]
myst_enable_extensions = ["colon_fence", "fieldlist"]
myst_title_to_header = True
nitpicky = True
locale_dirs = ["locales/"]
gettext_compact = False
html_theme = "sphinx_book_theme"
templates_path = [str(DOCS / "_templates")]
html_theme_options = {
    "repository_url": "https://github.com/example/book",
    "use_repository_button": True,
    "use_edit_page_button": True,
    "article_footer_items": ["handbook-feedback.html"],
}
html_baseurl = "https://example.org/book/"
html_copy_source = False
ogp_site_url = html_baseurl
ogp_social_cards = {"enable": False}
