# A tiny handbook for `handbook i18n` (tests/i18n/): three pages, Japanese
# catalogues for two of them and for the `sphinx` domain (the template's and
# the extension's words), every message translated.  `status --check` is clean.
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
