"""Fixtures of the ``handbook i18n`` tests: a test root copied to ``docs/`` in a
temporary folder, which the tests run in (so paths print as in the repository)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOTS = Path(__file__).resolve().parents[1] / "roots"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """``site("complete")``: ``tests/roots/test-i18n-complete`` as ``docs/`` in a temporary
    folder, the working folder from then on; returns the ``docs/`` folder."""

    def copy(name: str) -> Path:
        docs = tmp_path / "docs"
        shutil.copytree(ROOTS / f"test-i18n-{name}", docs)
        monkeypatch.chdir(tmp_path)
        return docs

    return copy
