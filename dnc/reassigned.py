"""Reassigned numbers: a consent belongs to a person, not to a number. Pure domain.

When a number is permanently disconnected, the next subscriber is someone
else: a consent or business relationship given before the disconnect no
longer counts (US FCC Reassigned Numbers Database, 47 CFR 64.1200(m); the
safe harbour of 64.1200(m) covers only a caller who checked the database).

A consent is void at ``at`` when the number was disconnected on or after the
day it was given and no later than ``at``'s day (UTC). The same day counts:
the disconnect data gives only a date, and a number ages at least 45 days
before it is given to anyone else (47 CFR 52.15(f)(1)(ii)), so a consent of
the disconnect day was the old subscriber's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from dnc.consent import ConsentRecord
from dnc.verdicts import Reason, ReasonCode

SOURCE = "FCC Reassigned Numbers Database, 47 CFR 64.1200(m)"


@dataclass(frozen=True, slots=True)
class Disconnect:
    """One permanent disconnect of a number, as a reassigned-numbers source gives it."""

    number: str
    registry: str
    disconnected_on: date
    imported_at: datetime
    file: str
    actor: str


def disconnected_after(
    consent: ConsentRecord, disconnects: Iterable[date], at: datetime
) -> date | None:
    """The latest disconnect that voids ``consent`` at ``at``, or None."""
    given = consent.granted_at.astimezone(UTC).date()
    day = at.astimezone(UTC).date()
    found = [d for d in disconnects if given <= d <= day]
    return max(found) if found else None


def split(
    consents: Sequence[ConsentRecord], disconnects: Sequence[date], at: datetime
) -> tuple[list[ConsentRecord], list[tuple[ConsentRecord, date]]]:
    """(consents that still count, consents voided with the disconnect that voids each)."""
    if not disconnects:
        return list(consents), []
    kept: list[ConsentRecord] = []
    void: list[tuple[ConsentRecord, date]] = []
    for consent in consents:
        when = disconnected_after(consent, disconnects, at)
        if when is None:
            kept.append(consent)
        else:
            void.append((consent, when))
    return kept, void


def reassigned_reason(void: Sequence[tuple[ConsentRecord, date]]) -> Reason:
    """REASSIGNED: which consents no longer count, and since which disconnect."""
    parts = [
        f"{consent.describe()} predates the number's permanent disconnect on {when.isoformat()}"
        for consent, when in void
    ]
    return Reason(
        ReasonCode.REASSIGNED,
        "; ".join(parts) + f": the number may belong to someone else now ({SOURCE})",
    )
