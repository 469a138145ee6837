# test-i18n-complete with catalogues that fell behind: in guide.po a translator
# marked the second paragraph fuzzy (outdated), and in index.po the paragraph
# has no translation.  `status --check` reports both pages (I18N001), exit 1.
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
