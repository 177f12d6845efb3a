"""Progress on stderr for work that can take more than a few seconds.

A bar (bytes of the file read) where the library reports progress, a spinner
with the time elapsed where it cannot; nothing at all when stderr is not a
terminal, so a log or a pipe gets only the result line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from dnc.cli.common import err_console


@contextmanager
def file_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """Yields ``progress(bytes read, file size)`` for the library to call."""
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield progress


@contextmanager
def working(description: str) -> Iterator[None]:
    """A spinner and the time elapsed, for work that cannot say how far it is."""
    with Progress(
        SpinnerColumn(),
        "[progress.description]{task.description}",
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        bar.add_task(description, total=None)
        yield
