"""Fixtures for the link checker's tests (helpers live in ``lc_support``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lc_support import ServerThread


@pytest.fixture
def servers() -> Iterator[ServerThread]:
    """Servers on 127.0.0.1 (port 0) for one test, all closed afterwards."""
    thread = ServerThread()
    try:
        yield thread
    finally:
        thread.close()
