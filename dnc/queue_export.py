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

from sqlalchemy.engine import Engine

from dnc.judge import Judge
from dnc.queue import STATUS_OF, Action, Disposition, QueueEntry, QueueStatus, reasons_from_json
from dnc.queue_ops import decide_sets, decide_walk
from dnc.storage import scrub_repo
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


def decided_entries(
    engine: Engine, judge: Judge, campaign: str, at: datetime, *, everything: bool
) -> Iterator[QueueEntry]:
    """A campaign's queue entries best first, each as it is at ``at``.

    Live entries (not claimed, done or suppressed) are decided afresh:
    ``ready``, ``deferred`` (with ``not_before``), ``held`` or
    ``suppressed``, never ``unchecked``. With ``everything`` the others come
    too, as stored. Nothing is written.
    """
    with engine.connect() as conn, ThreadPoolExecutor(max_workers=1) as pool:
        if conn.dialect.name == "postgresql":
            # One snapshot for every statement, as SQLite's read transaction
            # has: the entries streamed at the end are the ones walked.
            conn.execution_options(isolation_level="REPEATABLE READ")
        conn.begin()
        walk = scrub_repo.Walk(conn, campaign)
        try:
            facts, own = decide_walk(engine, judge, walk, at, pool)
            decided = decide_sets(judge, at, facts, walk.mark_listed())
            by_entry = {verdict[0]: disposition for _, disposition, verdict in own.result()}
            stored: dict[str | None, tuple[Reason, ...]] = {}
            for row in walk.entries(everything):
                yield _entry(row, decided, by_entry, stored)
        finally:
            conn.rollback()
            with conn.begin():
                walk.close()


def _entry(
    row: Any,
    decided: dict[tuple[int, int], Disposition],
    by_entry: dict[int, Disposition],
    stored: dict[str | None, tuple[Reason, ...]],
) -> QueueEntry:
    number = f"+{row.number}"
    if row.gone:
        if row.gone_for not in stored:
            stored[row.gone_for] = reasons_from_json(row.gone_for)
        return QueueEntry(
            id=row.id,
            campaign=row.campaign,
            number=number,
            status=QueueStatus.SUPPRESSED,
            priority=row.priority,
            lead_id=row.lead_id,
            location=row.location,
            reasons=stored[row.gone_for],
            suppressed_at=as_utc(row.gone_at),
        )
    if row.life != QueueStatus.READY.value:
        return QueueEntry(
            id=row.id,
            campaign=row.campaign,
            number=number,
            status=QueueStatus(row.life),
            priority=row.priority,
            lead_id=row.lead_id,
            location=row.location,
        )
    if row.own is not None:
        disposition = by_entry.get(row.id, _UNDECIDED)
    else:
        disposition = decided.get((row.group_id, row.listed or 0), _UNDECIDED)
    return QueueEntry(
        id=row.id,
        campaign=row.campaign,
        number=number,
        status=STATUS_OF[disposition.action],
        priority=row.priority,
        lead_id=row.lead_id,
        location=row.location,
        not_before=disposition.not_before,
        reasons=disposition.reasons,
    )


def export(
    engine: Engine,
    judge: Judge,
    out: TextIO,
    campaign: str,
    at: datetime,
    *,
    everything: bool,
) -> ExportSummary:
    """Write the entries callable at ``at`` as CSV (with ``everything``: every
    entry, with its status, ``not_before`` and reason codes)."""
    started = time.perf_counter()
    summary = ExportSummary(campaign=campaign, at=at, everything=everything)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ALL_COLUMNS if everything else COLUMNS)
    ready = QueueStatus.READY
    for entry in decided_entries(engine, judge, campaign, at, everything=everything):
        summary.statuses[entry.status.value] += 1
        row = [entry.number, entry.lead_id or "", entry.location or "", entry.priority]
        if everything:
            row += [
                entry.status.value,
                entry.not_before.astimezone(UTC).isoformat() if entry.not_before else "",
                ";".join(dict.fromkeys(r.code.value for r in entry.reasons)),
            ]
        elif entry.status is not ready:
            continue
        writer.writerow(row)
        summary.written += 1
    summary.seconds = time.perf_counter() - started
    return summary
