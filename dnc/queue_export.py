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


# What decides one entry: its row (``Walk.entries``), its status at the
# export's instant (a QueueStatus value), and the disposition behind it
# (None: claimed or done).
Decision = tuple[Any, str, Disposition | None]
_STATUSES = {s.value: s for s in QueueStatus}


def decisions(
    engine: Engine,
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
    with engine.connect() as conn, ThreadPoolExecutor(max_workers=1) as pool:
        if conn.dialect.name == "postgresql":
            # One snapshot for every statement, as SQLite's read transaction
            # has: the entries streamed at the end are the ones walked.
            conn.execution_options(isolation_level="REPEATABLE READ")
        conn.begin()
        walk = scrub_repo.Walk(conn, campaign)
        try:
            facts, own = decide_walk(engine, judge, walk, at, pool)
            sets = _with_status(decide_sets(judge, at, facts, walk.mark_listed()))
            by_entry = _with_status({v[0]: d for _, d, v in own.result()})
            yield from _decide_rows(walk.entries(everything, stamps), sets, by_entry)
        finally:
            conn.rollback()
            with conn.begin():
                walk.close()


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
        if row[9]:  # suppressed before: final, with its reasons then
            if row[10] not in stored:
                stored[row[10]] = Disposition(Action.SUPPRESS, reasons_from_json(row[10]))
            yield row, suppressed, stored[row[10]]
        elif row[5] != ready:  # claimed or done
            yield row, row[5], None
        else:
            if row[7] is not None:  # facts of its own
                disposition, status = by_entry.get(row[0], undecided)
            else:  # its group's, with the registries it is on
                disposition, status = sets.get((row[6], row[8] or 0), undecided)
            yield row, status, disposition


def decided_entries(
    engine: Engine, judge: Judge, campaign: str, at: datetime, *, everything: bool
) -> Iterator[QueueEntry]:
    """``decisions`` as queue entries."""
    for row, status, disposition in decisions(
        engine, judge, campaign, at, everything=everything, stamps=everything
    ):
        yield QueueEntry(
            id=row[0],
            campaign=campaign,
            number=f"+{row[1]}",
            status=_STATUSES[status],
            priority=row[4],
            lead_id=row[2],
            location=row[3],
            not_before=disposition.not_before if disposition else None,
            reasons=disposition.reasons if disposition else (),
            suppressed_at=as_utc(row[11]) if row[9] else None,
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
    write = csv.writer(out, lineterminator="\n").writerow
    write(ALL_COLUMNS if everything else COLUMNS)
    ready = QueueStatus.READY.value
    counts: dict[str, int] = {}
    # A million entries share a few dispositions: each is rendered once.
    rendered: dict[Any, tuple[str, str, str]] = {}
    for row, status, disposition in decisions(engine, judge, campaign, at, everything=everything):
        counts[status] = counts.get(status, 0) + 1
        if not everything:
            if status == ready:
                write((f"+{row[1]}", row[2] or "", row[3] or "", row[4]))
            continue
        key = status if disposition is None else id(disposition)
        columns = rendered.get(key)
        if columns is None:
            columns = rendered[key] = _render(status, disposition)
        write((f"+{row[1]}", row[2] or "", row[3] or "", row[4], *columns))
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
