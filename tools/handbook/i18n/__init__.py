"""Translations: the gettext catalogues of the handbook's other languages (``handbook i18n``)."""
