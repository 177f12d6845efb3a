"""What the store knows about one number, gathered for a decision. Pure data."""

from __future__ import annotations

from dataclasses import dataclass

from dnc.lists import ListEntry


@dataclass(frozen=True, slots=True)
class NumberFacts:
    """Everything a check needs from storage, read in one go."""

    entries: tuple[ListEntry, ...] = ()
