"""Fixtures for the extension tests (helpers live in ``sphinxext_support``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sphinxext_support import BuildRoot, Built, build_root


@pytest.fixture(scope="module")
def build(rootdir: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildRoot:
    """``build("test-seo", builder="html", **confoverrides)``: a fresh copy, built."""

    def build_(name: str, **kwargs: Any) -> Built:
        return build_root(rootdir, name, tmp_path_factory.mktemp(name), **kwargs)

    return build_
