"""The root for handbook.sphinxext.i18n: a book in English with a Japanese catalogue.

``page`` is translated in full (``locales/ja/LC_MESSAGES/page.po``); ``other``
has no catalogue.  Built with ``language="ja"``, ``page`` must carry no notice
and ``other`` the "not translated" one; after an English paragraph of ``page``
is edited, ``page`` must carry the "partly translated" notice.
"""

project = "Languages"
extensions = ["myst_parser", "handbook.sphinxext.i18n"]
exclude_patterns = ["_build"]
myst_title_to_header = True
nitpicky = True
html_baseurl = "https://example.org/book/"
locale_dirs = ["locales/"]
gettext_compact = False
handbook_languages = {"en": "", "ja": "ja/"}
handbook_language_names = {"en": "English", "ja": "日本語"}
html_theme = "basic"
templates_path = ["_templates"]  # the switcher template comes with the extension
