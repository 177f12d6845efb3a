"""The consoles every command prints through.

Into a pipe or a file a line is never wrapped at rich's assumed 80 columns:
a wrapped line splits a sentence, or a number, across two lines that ``grep``
then misses. In a terminal rich wraps to its width as usual.
"""

from __future__ import annotations

from rich.console import Console


class PipeAwareConsole(Console):
    """A rich console that soft-wraps (does not break lines) when not a terminal."""

    @property  # type: ignore[override]
    def soft_wrap(self) -> bool:
        return not self.is_terminal

    @soft_wrap.setter
    def soft_wrap(self, _value: bool) -> None:
        """Set by Console.__init__; the answer depends on where output goes."""
