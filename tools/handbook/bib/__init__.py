"""Bibliography tooling: parse, check and format references.bib."""
