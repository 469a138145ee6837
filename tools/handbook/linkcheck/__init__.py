"""The link checker: extract, guard, fetch, cache, report."""
