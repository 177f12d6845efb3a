"""Dialer queues: load, scrub, claim. The write side behind Service methods.

The scrub and ``next_calls`` decide through the same Judge as the single
check, over facts read set-based (dnc.storage.batch): a handful of joined
statements per chunk of entries, never one per number.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from dnc.errors import DncError, InputError
from dnc.importing.formats import csv_rows, number_cell
from dnc.importing.sources import BadLineError, InputFile
from dnc.judge import Judge
from dnc.numbers import PhoneNumber, from_stored, parse
from dnc.policy import ATTEMPT_HORIZON
from dnc.queue import Action, Disposition, QueueEntry, QueueStatus, dispose
from dnc.storage import batch, jobs_repo, queue_repo
from dnc.storage.uow import UnitOfWork
from dnc.verdicts import Reason, ReasonCode, Verdict

CHUNK = 100_000  # entries per read and per write transaction (one fsync each)
SCRUB_LEASE = "scrub"
LEASE_TTL = timedelta(minutes=10)
CLAIM_TIMEOUT = timedelta(minutes=30)


class ScrubBusyError(DncError):
    """Another scrub holds the scrub lease."""

    kind = "busy"

    def __init__(self, owner: str, until: datetime) -> None:
        super().__init__(
            f"another scrub is running ({owner}, lease until {until.isoformat(timespec='seconds')})"
        )


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
            "seconds": round(self.seconds, 3),
            "run_id": self.run_id,
        }


@dataclass(frozen=True, slots=True)
class LoadSummary:
    read: int
    added: int
    already_queued: int


# -- loading -------------------------------------------------------------------


def load_csv(
    engine: Engine, path: str | Path, campaign: str, region: str, at: datetime
) -> LoadSummary:
    """All or nothing: every line is parsed before anything is written."""
    source = InputFile(path)
    rows: list[tuple[PhoneNumber, str | None, str | None, int]] = []
    for member, line, row in csv_rows(source):
        text = number_cell(row).strip()
        try:
            phone = parse(text, region)
        except DncError as exc:
            raise BadLineError(member, line, text, getattr(exc, "why", str(exc))) from None
        priority_text = (row.get("priority") or "0").strip() or "0"
        try:
            priority = int(priority_text)
        except ValueError:
            raise BadLineError(
                member, line, priority_text, "priority is not a whole number"
            ) from None
        rows.append((phone, _cell(row, "lead_id"), _cell(row, "location"), priority))
    added = enqueue(engine, campaign, rows, at)
    return LoadSummary(read=len(rows), added=added, already_queued=len(rows) - added)


def _cell(row: dict[str, str], name: str) -> str | None:
    value = (row.get(name) or "").strip()
    return value or None


def enqueue(
    engine: Engine,
    campaign: str,
    rows: Sequence[tuple[PhoneNumber, str | None, str | None, int]],
    at: datetime,
) -> int:
    if not campaign.strip():
        raise InputError("a queue needs a campaign name")
    with UnitOfWork(engine, write=True) as uow:
        added = queue_repo.insert_many(uow.connection, campaign, rows, at)
        uow.commit()
    return added


# -- the set-based engine --------------------------------------------------------


class Evaluator:
    """Verdicts for a batch at one instant, caching the common case.

    Most queued numbers have no facts at all; their verdict then depends
    only on where they are and the campaign, so it is computed once per
    (campaign, region, zones, area code, location, registries covering),
    and so is what the queue does with it.
    """

    def __init__(self, judge: Judge, at: datetime) -> None:
        self.judge = judge
        self.at = at
        self._cache: dict[tuple[Any, ...], tuple[Verdict, Disposition]] = {}
        self._quick: dict[tuple[Any, ...], Disposition] = {}
        registries = judge.config.registries
        # Registries that cover by region need no per-number work.
        self._by_prefix = tuple(r for r in registries if r.prefixes)
        self._by_region: dict[str, tuple[str, ...]] = {}
        for region in {reg for r in registries for reg in r.regions}:
            self._by_region[region] = tuple(r.name for r in registries if region in r.regions)

    def verdict(
        self,
        phone: PhoneNumber,
        facts: batch.BatchFacts,
        campaign: str | None,
        location: str | None,
    ) -> Verdict:
        return self.judge_one(phone, facts, campaign, location)[0]

    def judge_one(
        self,
        phone: PhoneNumber,
        facts: batch.BatchFacts,
        campaign: str | None,
        location: str | None,
    ) -> tuple[Verdict, Disposition]:
        try:
            if facts.has_facts(phone.key):
                verdict = self.judge.verdict(
                    phone, facts.get(phone.key), campaign=campaign, at=self.at, location=location
                )
                return verdict, dispose(verdict)
            verdict, disposition = self._common(phone, facts, campaign, location)
            return Verdict(phone.e164, verdict.allowed, verdict.reasons, verdict.next_allowed_at), (
                disposition
            )
        except Exception as exc:  # noqa: BLE001 - fail closed for this entry, keep going
            return _failed(phone, exc)

    def disposition(
        self,
        phone: PhoneNumber,
        facts: batch.BatchFacts,
        campaign: str | None,
        location: str | None,
    ) -> Disposition:
        """What the queue does with an entry: the scrub's question, answered cheaply.

        A number with a standing block (a list, a registry, the three no's)
        is suppressed whatever the hour, so its calling rules are not worked
        out; the suppression keeps exactly the same reasons either way.
        """
        try:
            if not facts.has_facts(phone.key):
                return self._common(phone, facts, campaign, location)[1]
            own = facts.get(phone.key)
            standing = dispose(
                self.judge.verdict(phone, own, campaign=campaign, at=self.at, standing_only=True)
            )
            if standing.action is Action.SUPPRESS:
                return standing
            return dispose(
                self.judge.verdict(phone, own, campaign=campaign, at=self.at, location=location)
            )
        except Exception as exc:  # noqa: BLE001 - fail closed for this entry, keep scrubbing
            return _failed(phone, exc)[1]

    def row_disposition(
        self,
        facts: batch.BatchFacts,
        campaign: str,
        key: int,
        region: str,
        zones: str,
        location: str | None,
    ) -> Disposition:
        """The scrub's question for one stored row.

        A number without facts of its own gets the disposition of every
        number like it, looked up by the stored columns before any number
        object is built: what it depends on is the campaign, region, zones,
        leading digits (the NANP area code) and location. Registries that
        cover by prefix need the number itself, so they take the longer way.
        """
        quick: tuple[Any, ...] | None = None
        if self._by_prefix:
            pass
        elif not facts.has_facts(key):
            quick = (campaign, region, zones, key // 10_000_000, location, facts.snapshot_key)
        elif key in facts.registry_only:
            # Listed on a registry and nothing else known: suppressed with the
            # same reasons as every number listed on the same registries.
            quick = (facts.get(key).registry_hits, region, facts.snapshot_key)
        if quick is None:
            return self.disposition(from_stored(key, region, zones), facts, campaign, location)
        found = self._quick.get(quick)
        if found is None:
            phone = from_stored(key, region, zones)
            found = self.disposition(phone, facts, campaign, location)
            self._quick[quick] = found
        return found

    def _common(
        self,
        phone: PhoneNumber,
        facts: batch.BatchFacts,
        campaign: str | None,
        location: str | None,
    ) -> tuple[Verdict, Disposition]:
        covering = self._by_region.get(phone.region, ())
        if self._by_prefix:
            covering += tuple(r.name for r in self._by_prefix if r.covers(phone))
        key = (
            campaign,
            phone.region,
            phone.time_zones,
            phone.area_code,
            location,
            covering,
            facts.snapshot_key,
        )
        cached = self._cache.get(key)
        if cached is None:
            verdict = self.judge.verdict(
                phone, facts.empty, campaign=campaign, at=self.at, location=location
            )
            cached = (verdict, dispose(verdict))
            self._cache[key] = cached
        return cached


def _failed(phone: PhoneNumber, exc: Exception) -> tuple[Verdict, Disposition]:
    detail = f"check could not complete: {type(exc).__name__}: {exc}"
    verdict = Verdict.refuse(phone.e164, [Reason(ReasonCode.CHECK_FAILED, detail)])
    return verdict, dispose(verdict)


def check_many(
    engine: Engine, judge: Judge, phones: Sequence[PhoneNumber], campaign: str | None, at: datetime
) -> list[Verdict]:
    evaluator = Evaluator(judge, at)
    with UnitOfWork(engine) as uow:
        facts = batch.read(uow.connection, [p.key for p in phones], at - ATTEMPT_HORIZON)
    return [evaluator.verdict(p, facts, campaign, None) for p in phones]


# -- the scrub -------------------------------------------------------------------------


def scrub(
    engine: Engine,
    judge: Judge,
    *,
    campaign: str | None,
    at: datetime,
    dry_run: bool,
    owner: str,
    trigger: str,
) -> ScrubReport:
    """Scrub every ready or held entry (one campaign's, or all). One at a time."""
    started = time.perf_counter()
    job = "scrub-dry-run" if dry_run else "scrub"
    # ``at`` is the moment the verdicts are for; leases and run records keep
    # the wall clock, so a scrub "as of tomorrow 08:00" cannot hold a lease
    # until tomorrow.
    now = datetime.now(UTC)
    with UnitOfWork(engine, write=True) as uow:
        if not jobs_repo.acquire(uow.connection, SCRUB_LEASE, owner, now, LEASE_TTL):
            found = jobs_repo.holder(uow.connection, SCRUB_LEASE)
            raise ScrubBusyError(*(found or ("unknown", now)))
        run_id = jobs_repo.start(uow.connection, job, trigger, now)
        uow.commit()
    report = ScrubReport(at=at, campaign=campaign, dry_run=dry_run, run_id=run_id)
    try:
        _scrub(engine, judge, report, owner)
    except BaseException as exc:
        _finish(engine, run_id, owner, "failed", report, f"{type(exc).__name__}: {exc}")
        raise
    report.seconds = time.perf_counter() - started
    _finish(engine, run_id, owner, "ok", report, None)
    return report


def _scrub(engine: Engine, judge: Judge, report: ScrubReport, owner: str) -> None:
    evaluator = Evaluator(judge, report.at)
    last = 0
    while True:
        with UnitOfWork(engine) as read:
            rows = queue_repo.chunk_after(read.connection, report.campaign, last, CHUNK)
            if not rows:
                return
            facts = batch.read(read.connection, [r[2] for r in rows], report.at - ATTEMPT_HORIZON)
        last = rows[-1][0]
        updates: dict[Action, list[tuple[Any, ...]]] = defaultdict(list)
        # Counted by identity: most entries share a handful of cached dispositions.
        tally: Counter[tuple[str, int]] = Counter()
        seen: dict[int, Disposition] = {}
        for entry_id, campaign, key, region, zones, location in rows:
            disposition = evaluator.row_disposition(facts, campaign, key, region, zones, location)
            seen[id(disposition)] = disposition
            tally[(campaign, id(disposition))] += 1
            updates[disposition.action].append(
                (entry_id, disposition.reasons_json(), disposition.not_before)
            )
        for (campaign, ident), count in tally.items():
            report.count(campaign, seen[ident], count)
        if report.dry_run:
            continue
        with UnitOfWork(engine, write=True) as uow:
            now = datetime.now(UTC)
            if not jobs_repo.renew(uow.connection, SCRUB_LEASE, owner, now, LEASE_TTL):
                raise DncError("the scrub lease was lost; stopping so two scrubs never overlap")
            queue_repo.apply_fast(uow.connection, updates, report.at)
            uow.commit()


def _finish(
    engine: Engine, run_id: int, owner: str, status: str, report: ScrubReport, error: str | None
) -> None:
    with UnitOfWork(engine, write=True) as uow:
        jobs_repo.finish(
            uow.connection,
            run_id,
            status=status,
            at=report.at,
            counts=report.to_dict(),
            error=error,
        )
        jobs_repo.release(uow.connection, SCRUB_LEASE, owner)
        uow.commit()


# -- claiming for dialers ------------------------------------------------------------------


def next_calls(
    engine: Engine, judge: Judge, campaign: str, limit: int, at: datetime, owner: str
) -> list[QueueEntry]:
    """Claim up to ``limit`` due entries, re-check each, hand out only the callable.

    An entry that fails its re-check is suppressed, deferred or held at once
    and another is claimed in its place, a bounded number of rounds.
    """
    handed: list[QueueEntry] = []
    evaluator = Evaluator(judge, at)
    for _ in range(5):
        wanted = limit - len(handed)
        if wanted <= 0:
            break
        with UnitOfWork(engine, write=True) as uow:
            claimed = queue_repo.claim(
                uow.connection, campaign, wanted, at, owner, at - CLAIM_TIMEOUT
            )
            uow.commit()
        if not claimed:
            break
        with UnitOfWork(engine) as read:
            facts = batch.read(read.connection, [r[2] for r in claimed], at - ATTEMPT_HORIZON)
        refused: dict[Action, list[tuple[Any, ...]]] = defaultdict(list)
        for entry_id, entry_campaign, key, region, zones, location, lead_id, priority in claimed:
            phone = from_stored(key, region, zones)
            disposition = evaluator.disposition(phone, facts, entry_campaign, location)
            if disposition.action is Action.DIAL:
                handed.append(
                    QueueEntry(
                        id=entry_id,
                        campaign=entry_campaign,
                        number=phone.e164,
                        status=QueueStatus.CLAIMED,
                        priority=priority,
                        lead_id=lead_id,
                        location=location,
                    )
                )
            else:
                refused[disposition.action].append(
                    (entry_id, disposition.reasons_json(), disposition.not_before)
                )
        if refused:
            with UnitOfWork(engine, write=True) as uow:
                queue_repo.apply_fast(uow.connection, refused, at, expect=(QueueStatus.CLAIMED,))
                uow.commit()
    return handed


def entries_json(entries: Iterable[QueueEntry]) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "campaign": e.campaign,
            "number": e.number,
            "status": e.status.value,
            "priority": e.priority,
            "lead_id": e.lead_id,
            "location": e.location,
            "not_before": e.not_before.isoformat() if e.not_before else None,
            "reasons": [r.to_dict() for r in e.reasons],
            "suppressed_at": e.suppressed_at.isoformat() if e.suppressed_at else None,
        }
        for e in entries
    ]
