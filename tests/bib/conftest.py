"""Registers the ``real_bib`` marker of the bibliography tooling's tests."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "real_bib: checks the real references.bib, which others are still completing; "
        "it fails until that file is clean (deselect with -m 'not real_bib')",
    )
