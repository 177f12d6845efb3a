"""What the store knows about one number, gathered for a decision. Pure data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from dnc.consent import ConsentRecord
from dnc.lists import ListEntry
from dnc.outcomes import OutcomeRecord
from dnc.prefixes import PrefixBlock
from dnc.rules import Preference


@dataclass(frozen=True, slots=True)
class NumberFacts:
    """Everything a check needs from storage, read in one go."""

    entries: tuple[ListEntry, ...] = ()
    # Call outcomes: every refusal, each campaign's latest outcome, and every
    # attempt at or after ``attempts_since`` (None: all attempts are here).
    outcomes: tuple[OutcomeRecord, ...] = ()
    # Attempts per campaign over all time, when ``outcomes`` is not complete.
    attempt_totals: Mapping[str, int] = field(default_factory=dict)
    attempts_since: datetime | None = None
    # Live prefix blocks over any prefix of the number.
    prefix_blocks: tuple[PrefixBlock, ...] = ()
    # As-of date of each registry's current snapshot, and the registries listing the number.
    registry_snapshots: Mapping[str, date] = field(default_factory=dict)
    registry_hits: frozenset[str] = frozenset()
    # Consents not revoked (validity at the call's time is decided later),
    # and the person's own calling wishes.
    consents: tuple[ConsentRecord, ...] = ()
    preference: Preference | None = None
    # Permanent disconnects of the number (reassigned-numbers data); read only
    # for a number with consents, the one thing they can void.
    disconnects: tuple[date, ...] = ()
    # Line-type data (dnc.wireless): each wireless source's data as-of date,
    # and the sources listing the number (True: wireless, False: wireline).
    line_sources: Mapping[str, date] = field(default_factory=dict)
    line_marks: Mapping[str, bool] = field(default_factory=dict)


class FactsByNumber:
    """What a batch read found for many numbers: numbers with no facts of their
    own share ``shared`` (the registry snapshots in force and the attempt
    window), and a caller can tell them apart to decide them once for all."""

    __slots__ = ("_by_number", "shared", "snapshot_key")

    def __init__(self, by_number: Mapping[int, NumberFacts], shared: NumberFacts) -> None:
        self._by_number = by_number
        self.shared = shared
        # Which registry snapshots these facts were read against.
        self.snapshot_key = tuple(sorted(shared.registry_snapshots.items())) + tuple(
            sorted(shared.line_sources.items())
        )

    def own(self, key: int) -> NumberFacts | None:
        """The number's own facts; None when it has none beyond ``shared``."""
        return self._by_number.get(key)
