"""Fixtures of the check-data tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def in_fixtures(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in ``fixtures/``, so that findings name paths as the fixtures state them."""
    monkeypatch.chdir(FIXTURES)
    return FIXTURES
