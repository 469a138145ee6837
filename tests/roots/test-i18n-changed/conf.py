# test-i18n-complete after the English changed and before anyone ran `handbook
# i18n update`: guide.md's second paragraph was reworded and index.md has a new
# paragraph; the catalogues are the complete ones.  `status` merges them with
# today's English (the second paragraph outdated, the new one untranslated);
# `status --catalogues-only` sees them as they are (complete); `update` makes
# _expected/guide.po and _expected/index.po of them.
project = "Fixture handbook"
copyright = "2026, the fixture's authors"
version = release = "1.0"
extensions = ["myst_parser"]
exclude_patterns = ["_build", "_data", "_expected", "_ext", "locales"]
templates_path = ["_templates"]
# As docs/conf.py: one catalogue per page, no locations, no UUIDs.
locale_dirs = ["locales/"]
gettext_compact = False
gettext_location = False
gettext_uuid = False
