"""The progress bar drawn on stderr while links are fetched, only on a terminal.

Not a report (nothing of it stays once the run ends) and not the pipeline's
business (it is told how to show progress, :data:`handbook.linkcheck.pipeline.Progress`):
the command line hands :func:`progress_bar` to the pipeline unless
``--no-progress``.  rich is imported only when the bar is drawn.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TextIO

from handbook.linkcheck.report import is_terminal

#: Told how many more links were checked (:data:`handbook.linkcheck.pipeline.Advance`).
Advance = Callable[[int], None]


def _nothing(n: int = 1) -> None:
    """Progress that is not shown."""


@contextlib.contextmanager
def progress_bar(total: int, stream: TextIO, *, enabled: bool = True) -> Iterator[Advance]:
    """A rich progress bar on ``stream`` when it is a terminal; yields ``advance(n)``."""
    if not enabled or total <= 0 or not is_terminal(stream):
        yield _nothing
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=stream)
    with Progress(
        TextColumn("checking links"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("links", total=total)

        def advance(n: int = 1) -> None:
            progress.advance(task, n)

        yield advance
