"""Fixture locations and the ``% expect:`` lines of the bad fixtures."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = FIXTURES / "bad"
GOOD = FIXTURES / "good"
FORMAT = FIXTURES / "format"

#: ``% expect: LINE: CODE [text the message contains]``
EXPECT_RE = re.compile(r"^%\s*expect:\s*(\d+):\s*([A-Z]+\d{3})(?:\s+(.*?))?\s*$")


@dataclass(frozen=True)
class Expected:
    line: int
    code: str
    text: str


def expectations(path: Path) -> list[Expected]:
    """The ``% expect:`` lines a fixture states about itself."""
    found = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        match = EXPECT_RE.match(raw.strip())
        if match:
            found.append(Expected(int(match.group(1)), match.group(2), match.group(3) or ""))
    return found
