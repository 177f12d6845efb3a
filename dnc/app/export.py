"""Queue export: every entry decided at the moment it leaves the service.

An export is an exit for dialing like ``next_calls``: what a scrub stored
may be a night old, or missing (a queue loaded and never scrubbed). So the
export decides every entry at its instant with the scrub's own engine (the
same walk, the same groups, the same Judge) and writes nothing back: it is
a read, and a dry run of the scrub that answers entry by entry.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from dnc.app import walk as walks
from dnc.app.context import App
from dnc.errors import InputError
from dnc.judge import Judge
from dnc.queue import STATUS_OF, Action, Disposition, QueueEntry, QueueStatus, reasons_from_json
from dnc.storage import scrub_repo
from dnc.storage.store import Store
from dnc.storage.types import as_utc
from dnc.verdicts import Reason, ReasonCode

COLUMNS = ("number", "lead_id", "location", "priority")
# With ``everything``: what each entry is at the export's instant, and why.
ALL_COLUMNS = (*COLUMNS, "status", "not_before", "reasons")

# An entry the walk did not decide (it cannot happen; if it does, fail closed).
_UNDECIDED = Disposition(
    Action.HOLD,
    (Reason(ReasonCode.CHECK_FAILED, "check could not complete: the export did not decide it"),),
)


@dataclass
class ExportSummary:
    """What one export wrote: entries per status, at which instant."""

    campaign: str
    at: datetime
    everything: bool
    written: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def dialable(self) -> int:
        return self.statuses[QueueStatus.READY.value]


# What decides one entry: its row (``Walk.entries``), its status at the
# export's instant (a QueueStatus value), and the disposition behind it
# (None: claimed or done).
Decision = tuple[Any, str, Disposition | None]
_STATUSES = {s.value: s for s in QueueStatus}


def decisions(
    store: Store,
    judge: Judge,
    campaign: str,
    at: datetime,
    *,
    everything: bool,
    stamps: bool = False,
) -> Iterator[Decision]:
    """A campaign's queue entries best first, each as it is at ``at``.

    Live entries (not claimed, done or suppressed) are decided afresh:
    ``ready``, ``deferred``, ``held`` or ``suppressed``, never ``unchecked``.
    With ``everything`` the others come too, as stored. Nothing is written.
    """
    with (
        scrub_repo.walking(store, campaign, snapshot=True) as walk,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        facts, own = walks.start(store, judge, walk, at, pool)
        sets = _with_status(walks.decide_sets(judge, at, facts, walk.mark_listed()))
        by_entry = _with_status({d.verdict.entry_id: d.disposition for d in own.result()})
        yield from _decide_rows(walk.entries(everything, stamps), sets, by_entry)


def _with_status(decided: dict[Any, Disposition]) -> dict[Any, tuple[Disposition, str]]:
    return {key: (d, STATUS_OF[d.action].value) for key, d in decided.items()}


def _decide_rows(
    rows: Iterator[Any],
    sets: dict[Any, tuple[Disposition, str]],
    by_entry: dict[Any, tuple[Disposition, str]],
) -> Iterator[Decision]:
    """Each row's decision: a dictionary look-up (a million rows go through here)."""
    ready, suppressed = QueueStatus.READY.value, QueueStatus.SUPPRESSED.value
    undecided = (_UNDECIDED, QueueStatus.HELD.value)
    stored: dict[str | None, Disposition] = {}
    for row in rows:
        if row.suppressed:  # suppressed before: final, with its reasons then
            if row.reasons not in stored:
                stored[row.reasons] = Disposition(Action.SUPPRESS, reasons_from_json(row.reasons))
            yield row, suppressed, stored[row.reasons]
        elif row.lifecycle != ready:  # claimed or done
            yield row, row.lifecycle, None
        else:
            if row.own_bits is not None:  # facts of its own
                disposition, status = by_entry.get(row.id, undecided)
            else:  # its group's, with the registries it is on
                disposition, status = sets.get((row.group_id, row.registry_bits or 0), undecided)
            yield row, status, disposition


def dialable(app: App, campaign: str, at: datetime | None) -> list[QueueEntry]:
    """Entries a dialer may take at ``at`` (default now), best first: every
    live entry decided at that instant, as the export does; nothing stored
    is trusted and nothing is written."""
    entries = decided_entries(app, campaign, at, everything=False)
    return [e for e in entries if e.status is QueueStatus.READY]


def decided_entries(
    app: App, campaign: str, at: datetime | None, *, everything: bool
) -> Iterator[QueueEntry]:
    """The campaign's entries best first as they are at ``at``: live ones
    decided then; with ``everything``, claimed, done and suppressed ones too."""
    when = app.at(at)
    for row, status, disposition in decisions(
        app.store, app.judge, campaign, when, everything=everything, stamps=everything
    ):
        yield QueueEntry(
            id=row.id,
            campaign=campaign,
            number=f"+{row.number}",
            status=_STATUSES[status],
            priority=row.priority,
            lead_id=row.lead_id,
            location=row.location,
            not_before=disposition.not_before if disposition else None,
            reasons=disposition.reasons if disposition else (),
            suppressed_at=as_utc(row.gone_at) if row.suppressed else None,
        )


def export(
    app: App, out: TextIO, campaign: str, at: datetime | None, *, everything: bool
) -> ExportSummary:
    """Write the entries callable at ``at`` (default now) as CSV, each decided
    at that instant with the scrub's engine; with ``everything``, every entry
    with its status, ``not_before`` and reason codes. A read: the queue is
    not changed."""
    if not campaign.strip():
        raise InputError("an export needs a campaign name")
    when = app.at(at)
    started = time.perf_counter()
    summary = ExportSummary(campaign=campaign, at=when, everything=everything)
    write = csv.writer(out, lineterminator="\n").writerow
    write(ALL_COLUMNS if everything else COLUMNS)
    ready = QueueStatus.READY.value
    counts: dict[str, int] = {}
    # A million entries share a few dispositions: each is rendered once.
    rendered: dict[Any, tuple[str, str, str]] = {}
    for row, status, disposition in decisions(
        app.store, app.judge, campaign, when, everything=everything
    ):
        counts[status] = counts.get(status, 0) + 1
        if not everything:
            if status == ready:
                write((f"+{row.number}", row.lead_id or "", row.location or "", row.priority))
            continue
        key = status if disposition is None else id(disposition)
        columns = rendered.get(key)
        if columns is None:
            columns = rendered[key] = _render(status, disposition)
        write((f"+{row.number}", row.lead_id or "", row.location or "", row.priority, *columns))
    summary.statuses.update(counts)
    summary.written = sum(counts.values()) if everything else counts.get(ready, 0)
    summary.seconds = time.perf_counter() - started
    return summary


def _render(status: str, disposition: Disposition | None) -> tuple[str, str, str]:
    """The status, not_before and reason codes columns."""
    if disposition is None:
        return status, "", ""
    nb = disposition.not_before
    codes = ";".join(dict.fromkeys(r.code.value for r in disposition.reasons))
    return status, nb.astimezone(UTC).isoformat() if nb else "", codes
