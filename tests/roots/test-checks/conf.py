"""The root for handbook.sphinxext.checks: two chapters with checklists and the All checks page.

``_data/checks.yaml`` records both chapters and one retired ID; ``swe/ship``
(roles swe, pm) and ``start/role`` have checklists; ``links`` links a check
with ``{check}``; ``all-checks`` shows every part, the retired IDs and the
downloads.  The tests break copies of it to see each warning at its line.
"""

project = "Checks"
extensions = ["myst_parser", "handbook.sphinxext.checks"]
exclude_patterns = ["_build", "_data"]
myst_enable_extensions = ["colon_fence", "fieldlist"]
myst_title_to_header = True
html_baseurl = "https://example.org/book/"
nitpicky = True
