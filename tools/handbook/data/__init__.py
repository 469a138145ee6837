"""The handbook's structured content under ``docs/_data/``: read, validated, rendered."""
