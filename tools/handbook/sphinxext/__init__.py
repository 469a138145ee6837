"""Sphinx extensions specific to the handbook, one module per job."""
