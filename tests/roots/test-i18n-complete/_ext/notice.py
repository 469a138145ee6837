"""An extension's words: `handbook i18n` adds each `_()` string to the `sphinx` catalogue."""

from sphinx.locale import _


def notice(english: str) -> str:
    return f"{_('Translation status')}: <a href='{english}'>{_('Read the English page')}</a>"
