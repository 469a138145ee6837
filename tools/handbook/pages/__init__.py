"""Page tooling: the page template, `new-page` and `check-pages`."""
