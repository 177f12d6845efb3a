"""The scrub: every queued number that may not be called is suppressed,
deferred to its exact next allowed time, or held; one scrub at a time.

Decided in a read transaction (dnc.app.walk), written in one short write
transaction, both on one connection, which holds the walk's temporary
tables. Between reading and writing a dialer may record an opt-out: the
writes never replace a suppression, and ``next_calls`` re-checks what it
hands out.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dnc import durations
from dnc.app import abandonment
from dnc.app import walk as walks
from dnc.app.context import App
from dnc.app.jobs import Run, recorded
from dnc.queue import Action, Disposition
from dnc.storage import queue_verdicts, scrub_repo
from dnc.storage.queue_verdicts import EntryVerdict
from dnc.storage.walk_rows import GroupVerdict, Pick

log = logging.getLogger("dnc.jobs")

SCRUB_JOB = "scrub"
SCRUB_LEASE = "scrub"


@dataclass
class ScrubReport:
    """What one scrub did: counts per action, per reason and per campaign."""

    at: datetime
    campaign: str | None
    dry_run: bool
    entries: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    by_reason: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    by_campaign: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    seconds: float = 0.0
    run_id: int | None = None
    # Campaigns at or over the warning share of their abandoned-call limit.
    abandon_warnings: list[str] = field(default_factory=list)
    # Each entry's disposition went to ``queue_disposition``: the report
    # counts this run's entries from there, each once over a period.
    recorded: bool = False

    def count(self, campaign: str, disposition: Disposition, times: int = 1) -> None:
        action = disposition.action.value
        self.entries += times
        self.actions[action] += times
        self.by_campaign[campaign][action] += times
        for code in {r.code.value for r in disposition.reasons}:
            self.by_reason[code][action] += times

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "campaign": self.campaign,
            "dry_run": self.dry_run,
            "entries": self.entries,
            "suppressed": self.actions[Action.SUPPRESS.value],
            "deferred": self.actions[Action.DEFER.value],
            "held": self.actions[Action.HOLD.value],
            "dialable": self.actions[Action.DIAL.value],
            "by_reason": {k: dict(v) for k, v in sorted(self.by_reason.items())},
            "by_campaign": {k: dict(v) for k, v in sorted(self.by_campaign.items())},
            "seconds": durations.seconds(self.seconds),
            "run_id": self.run_id,
            "abandon_warnings": list(self.abandon_warnings),
            "dispositions_recorded": self.recorded,
        }


@dataclass
class _Plan:
    """What a scrub will write: per group, per group and registry set, per entry."""

    groups: list[GroupVerdict] = field(default_factory=list)
    suppressed_groups: list[tuple[int, str | None]] = field(default_factory=list)
    picks: list[Pick] = field(default_factory=list)
    own: list[EntryVerdict] = field(default_factory=list)

    def reasons(self) -> list[str | None]:
        """Every list of reasons the plan writes on entries."""
        found = {reasons for _, reasons in self.suppressed_groups}
        found.update(p.reasons for p in self.picks)
        found.update(v.reasons for v in self.own)
        return list(found)

    def write_groups(self, walk: scrub_repo.Walk, at: datetime) -> None:
        walk.decide_groups(self.groups, at)
        walk.forget_own()
        for group_id, reasons in self.suppressed_groups:
            walk.suppress_group(group_id, reasons, at)
        walk.apply_picks(self.picks, at)


def scrub(
    app: App,
    *,
    campaign: str | None,
    at: datetime | None,
    dry_run: bool,
    trigger: str,
    owner: str | None,
    job: str = SCRUB_JOB,
) -> ScrubReport:
    """Scrub every live entry (one campaign's, or all) at ``at`` (default now),
    recorded as a run of ``job``. One scrub at a time across processes and
    machines (a lease named after ``owner``, the host, the process and the
    run): ScrubBusyError, naming the holder and since when, while another runs.
    """
    report = ScrubReport(at=app.at(at), campaign=campaign, dry_run=dry_run)
    started = time.perf_counter()

    def work(run: Run) -> dict[str, Any]:
        report.run_id = run.id
        _scrub(app, report, run)
        report.abandon_warnings = abandonment.warnings(app, report.at)["abandon_warnings"]
        for warning in report.abandon_warnings:
            log.warning("abandoned calls near or over the limit: %s", warning)
        report.seconds = time.perf_counter() - started
        return report.to_dict()

    name = f"{job}-dry-run" if dry_run else job
    recorded(app, name, trigger, work, lease=SCRUB_LEASE, owner=owner)
    return report


def _scrub(app: App, report: ScrubReport, run: Run) -> None:
    with (
        scrub_repo.walking(app.store, report.campaign) as walk,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        plan = _Plan()
        # Facts of their own first: deciding those entries (Python) can then
        # start while the registry walk (SQL) runs.
        facts, own = walks.start(app.store, app.judge, walk, report.at, pool)
        _decide_groups(app, walk, facts, report, plan)
        walk.end_reading()
        if not report.dry_run:
            walk.begin_writing(report.at)
            run.renew(walk.conn)
            plan.write_groups(walk, report.at)
        for decided in own.result():
            report.count(decided.campaign, decided.disposition)
            plan.own.append(decided.verdict)
        if not report.dry_run:
            queue_verdicts.write_verdicts(walk.conn, plan.own, report.at)
            walk.wrote(len(plan.own))
            walk.record_dispositions(run.id, report.at, plan.groups, plan.reasons(), plan.own)
            report.recorded = True
            walk.commit()


def _decide_groups(
    app: App, walk: scrub_repo.Walk, facts: walks.WalkFacts, report: ScrubReport, plan: _Plan
) -> None:
    """Each group once, and each group once per set of registries its entries are on."""
    counts = walk.counts()
    decided = walks.decide_sets(app.judge, report.at, facts, counts)
    for group in facts.groups.values():
        disposition = decided[(group.id, 0)]
        reasons = disposition.reasons_json()
        plan.groups.append(
            GroupVerdict(group.id, disposition.action.value, disposition.not_before, reasons)
        )
        if disposition.action is Action.SUPPRESS:
            plan.suppressed_groups.append((group.id, reasons))
        if counts.get((group.id, 0)):
            report.count(group.campaign, disposition, counts[(group.id, 0)])
    for (group_id, mask), count in counts.items():
        if not mask:
            continue
        disposition = decided[(group_id, mask)]
        plan.picks.append(
            Pick(
                group_id,
                mask,
                disposition.action.value,
                disposition.not_before,
                disposition.reasons_json(),
            )
        )
        report.count(facts.groups[group_id].campaign, disposition, count)
