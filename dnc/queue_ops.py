"""Dialer queues: load, scrub, claim. The write side behind Service methods.

The scrub and ``next_calls`` decide through the same Judge as the single
check, over facts read set-based (dnc.storage.batch): a handful of joined
statements per chunk of entries, never one per number.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection, Engine

from dnc.clock import Clock
from dnc.errors import DncError, InputError
from dnc.facts import NumberFacts
from dnc.importing.formats import csv_rows, number_cell
from dnc.importing.sources import BadLineError, InputFile
from dnc.judge import Judge
from dnc.numbers import PhoneNumber, from_stored, parse
from dnc.policy import ATTEMPT_HORIZON
from dnc.prefixes import number_ranges
from dnc.queue import Action, Disposition, QueueEntry, QueueStatus, dispose
from dnc.storage import batch, jobs_repo, queue_repo, registry_repo, scrub_repo
from dnc.storage.engine import WRITE
from dnc.storage.uow import UnitOfWork
from dnc.verdicts import Reason, ReasonCode, Verdict

SCRUB_LEASE = "scrub"
LEASE_TTL = timedelta(minutes=10)
CLAIM_TIMEOUT = timedelta(minutes=30)


class ScrubBusyError(DncError):
    """Another scrub holds the scrub lease."""

    kind = "busy"

    def __init__(self, owner: str, since: datetime, until: datetime) -> None:
        self.owner = owner
        self.since = since
        super().__init__(
            f"another scrub is running: {owner}, since {since.isoformat(timespec='seconds')}"
            f" (its lease runs until {until.isoformat(timespec='seconds')})"
        )


def lease_owner(name: str) -> str:
    """Who a scrub's lease names: ``name`` (the actor), where, and this one run.

    Unique per run, so neither a second process of the same user on the
    same host nor a second scrub in this process counts as the holder.
    """
    host = socket.gethostname()
    who = name[:120] if name.endswith(f"@{host}") else f"{name[:120]}@{host}"
    return f"{who}:{os.getpid()}:{secrets.token_hex(4)}"[:200]


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
    engine: Engine,
    path: str | Path,
    campaign: str,
    region: str,
    at: datetime,
    check_location: Callable[[str], None],
) -> LoadSummary:
    """All or nothing: every line is parsed before anything is written.

    ``check_location`` raises for a location the rules cannot read, which
    would otherwise be held as CHECK_FAILED at every scrub: a bad line here.
    """
    source = InputFile(path)
    rows: list[tuple[PhoneNumber, str | None, str | None, int]] = []
    locations: dict[str, str | None] = {}  # each distinct hint checked once
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
        location = _cell(row, "location")
        if location is not None:
            if location not in locations:
                locations[location] = _location_problem(check_location, location)
            why = locations[location]
            if why is not None:
                raise BadLineError(member, line, location, why)
        rows.append((phone, _cell(row, "lead_id"), location, priority))
    added = enqueue(engine, campaign, rows, at)
    return LoadSummary(read=len(rows), added=added, already_queued=len(rows) - added)


def _location_problem(check_location: Callable[[str], None], location: str) -> str | None:
    try:
        check_location(location)
    except InputError as exc:
        return str(exc)
    return None


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
        standing: bool = True,
    ) -> Disposition:
        """What the queue does with an entry: the scrub's question."""
        try:
            if not facts.has_facts(phone.key):
                return self._common(phone, facts, campaign, location)[1]
        except Exception as exc:  # noqa: BLE001 - fail closed for this entry, keep going
            return _failed(phone, exc)[1]
        return self.decide(phone, facts.get(phone.key), campaign, location, standing)

    def decide(
        self,
        phone: PhoneNumber,
        own: NumberFacts,
        campaign: str | None,
        location: str | None,
        standing: bool = True,
    ) -> Disposition:
        """The disposition for these facts. A number with a standing block (a
        list, a registry, the three no's) is suppressed whatever the hour, so
        with ``standing`` its calling rules are worked out only if it is not;
        the suppression keeps exactly the same reasons either way."""
        try:
            if standing:
                found = dispose(
                    self.judge.verdict(
                        phone, own, campaign=campaign, at=self.at, standing_only=True
                    )
                )
                if found.action is Action.SUPPRESS:
                    return found
            return dispose(
                self.judge.verdict(phone, own, campaign=campaign, at=self.at, location=location)
            )
        except Exception as exc:  # noqa: BLE001 - fail closed for this entry, keep scrubbing
            return _failed(phone, exc)[1]

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
    clock: Clock,
) -> ScrubReport:
    """Scrub every ready or held entry (one campaign's, or all). One at a time."""
    started = time.perf_counter()
    job = "scrub-dry-run" if dry_run else "scrub"
    # ``at`` is the moment the verdicts are for; leases and run records keep
    # the service clock, so a scrub "as of tomorrow 08:00" cannot hold a lease
    # until tomorrow, and its run starts and ends when it really did.
    now = clock.now()
    owner = lease_owner(owner)
    with UnitOfWork(engine, write=True) as uow:
        if not jobs_repo.acquire(uow.connection, SCRUB_LEASE, owner, now, LEASE_TTL):
            found = jobs_repo.holder(uow.connection, SCRUB_LEASE)
            if found is None:  # released just now: this run still does not start
                raise ScrubBusyError("unknown", now, now)
            raise ScrubBusyError(found.owner, found.since, found.until)
        # The clock again: taking the lease may have waited for the last
        # holder's release, and this run starts after that one ended.
        run_id = jobs_repo.start(uow.connection, job, trigger, clock.now())
        uow.commit()
    report = ScrubReport(at=at, campaign=campaign, dry_run=dry_run, run_id=run_id)
    try:
        _scrub(engine, judge, report, owner, clock)
    except BaseException as exc:
        error = f"{type(exc).__name__}: {exc}"
        _finish(engine, run_id, owner, "failed", report, error, clock.now())
        raise
    report.seconds = time.perf_counter() - started
    _finish(engine, run_id, owner, "ok", report, None, clock.now())
    return report


def _scrub(engine: Engine, judge: Judge, report: ScrubReport, owner: str, clock: Clock) -> None:
    """Decide in a read transaction, then write in one short write transaction.

    Both on one connection, which holds the walk's temporary tables. Entries
    with facts of their own are decided one by one in Python; that runs on a
    second connection and thread while the first walks the queue in SQL
    (the database works without holding Python's lock, so the two overlap).
    Between reading and writing a dialer may record an opt-out: the writes
    never replace a suppression, and ``next_calls`` re-checks what it hands out.
    """
    with engine.connect() as conn, ThreadPoolExecutor(max_workers=1) as pool:
        # Facts of their own first: deciding those entries (Python) can then
        # start while the registry walk (SQL) runs.
        conn.begin()
        walk = scrub_repo.Walk(conn, report.campaign)
        try:
            plan = _Plan()
            facts, own = decide_walk(engine, judge, walk, report.at, pool)
            _decide_groups(walk, judge, facts, report, plan)
            conn.commit()
            if not report.dry_run:
                conn.execution_options(**WRITE)
                conn.begin()
                if not jobs_repo.renew(conn, SCRUB_LEASE, owner, clock.now(), LEASE_TTL):
                    raise DncError("the scrub lease was lost; stopping so two scrubs never overlap")
                plan.write_groups(walk, report.at)
            for campaign, disposition, verdict in own.result():
                report.count(campaign, disposition)
                plan.own.append(verdict)
            if not report.dry_run:
                queue_repo.write_verdicts(conn, plan.own, report.at)
                conn.commit()
        finally:
            if conn.in_transaction():
                conn.rollback()
            conn.execution_options(dnc_write=False)
            with conn.begin():
                walk.close()


Decided = list[tuple[str, Disposition, queue_repo.Verdict]]


def decide_walk(
    engine: Engine, judge: Judge, walk: scrub_repo.Walk, at: datetime, pool: ThreadPoolExecutor
) -> tuple[WalkFacts, Future[Decided]]:
    """What the scrub and the export share: mark the entries with facts of their
    own and start deciding them (on ``pool``, on a second connection), and
    join the registries in. The groups are then decided by ``decide_sets``."""
    groups = {g.id: g for g in walk.groups()}
    prefixes = [p for r in judge.config.registries for p in r.prefixes]
    mixed = [g.id for g in groups.values() if _mixed(g.head, prefixes)]
    walk.mark_own(_block_ranges(batch.live_prefixes(walk.conn)), mixed)
    own = pool.submit(_decide_own, engine, judge, walk.own_facts(), at)
    return _mark_registries(walk.conn, walk, groups, at), own


@dataclass
class _Plan:
    """What a scrub will write: per group, per group and registry set, per entry."""

    groups: list[tuple[int, str, datetime | None, str | None]] = field(default_factory=list)
    suppressed_groups: list[tuple[int, str | None]] = field(default_factory=list)
    picks: list[tuple[int, int, str, datetime | None, str | None]] = field(default_factory=list)
    own: list[queue_repo.Verdict] = field(default_factory=list)

    def write_groups(self, walk: scrub_repo.Walk, at: datetime) -> None:
        walk.decide_groups(self.groups, at)
        walk.forget_own()
        for group_id, reasons in self.suppressed_groups:
            walk.suppress_group(group_id, reasons, at)
        walk.apply_picks(self.picks, at)


@dataclass(frozen=True, slots=True)
class WalkFacts:
    """What every entry of the walk shares: the registries and what each is."""

    names: list[str]
    bits: dict[str, tuple[str, int]]
    groups: dict[int, scrub_repo.Group]
    empty: NumberFacts


def _mark_registries(
    conn: Connection, walk: scrub_repo.Walk, groups: dict[int, scrub_repo.Group], at: datetime
) -> WalkFacts:
    current = registry_repo.all_current(conn)
    names = sorted(current)
    bits = {
        name: (registry_repo.numbers_table(current[name].id), scrub_repo.REGISTRY_BIT << i)
        for i, name in enumerate(names)
    }
    walk.use_registries(bits)
    empty = NumberFacts(
        registry_snapshots={name: record.as_of for name, record in current.items()},
        attempts_since=at - ATTEMPT_HORIZON,
    )
    return WalkFacts(names, bits, groups, empty)


def _decide_groups(
    walk: scrub_repo.Walk, judge: Judge, facts: WalkFacts, report: ScrubReport, plan: _Plan
) -> None:
    """Each group once, and each group once per set of registries its entries are on."""
    counts = walk.counts()
    decided = decide_sets(judge, report.at, facts, counts)
    for group in facts.groups.values():
        disposition = decided[(group.id, 0)]
        plan.groups.append(
            (group.id, disposition.action.value, disposition.not_before, disposition.reasons_json())
        )
        if disposition.action is Action.SUPPRESS:
            plan.suppressed_groups.append((group.id, disposition.reasons_json()))
        if counts.get((group.id, 0)):
            report.count(group.campaign, disposition, counts[(group.id, 0)])
    for (group_id, mask), count in counts.items():
        if not mask:
            continue
        disposition = decided[(group_id, mask)]
        plan.picks.append(
            (
                group_id,
                mask,
                disposition.action.value,
                disposition.not_before,
                disposition.reasons_json(),
            )
        )
        report.count(facts.groups[group_id].campaign, disposition, count)


def decide_sets(
    judge: Judge, at: datetime, facts: WalkFacts, listed: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], Disposition]:
    """The disposition of every group (registry bits 0), and of each group's
    entries listed on exactly the registries of ``listed``'s (group id, bits)
    and on nothing else known: decided with exactly the facts such an entry has."""
    evaluator = Evaluator(judge, at)
    decided = {}
    for group in facts.groups.values():
        phone = from_stored(group.sample, group.region, group.zones)
        decided[(group.id, 0)] = evaluator.decide(
            phone, facts.empty, group.campaign, group.location
        )
    for group_id, mask in listed:
        if not mask:
            continue
        group = facts.groups[group_id]
        hits = frozenset(name for name in facts.names if mask & facts.bits[name][1])
        phone = from_stored(group.sample, group.region, group.zones)
        decided[(group_id, mask)] = evaluator.decide(
            phone, replace(facts.empty, registry_hits=hits), group.campaign, group.location
        )
    return decided


def _decide_own(
    engine: Engine, judge: Judge, rows: Sequence[tuple[Any, ...]], at: datetime
) -> list[tuple[str, Disposition, queue_repo.Verdict]]:
    """Entries with facts of their own, each decided on its facts (its own connection)."""
    evaluator = Evaluator(judge, at)
    with UnitOfWork(engine) as read:
        facts = batch.read(read.connection, [row[2] for row in rows], at - ATTEMPT_HORIZON)
    decided = []
    for entry_id, campaign, key, region, zones, location, bits in rows:
        phone = from_stored(key, region, zones)
        # Only these facts can suppress on their own; otherwise the full
        # verdict is the only one worth working out.
        standing = bool(bits & scrub_repo.MAY_SUPPRESS)
        disposition = evaluator.disposition(phone, facts, campaign, location, standing)
        verdict = (
            entry_id,
            key,
            disposition.action.value,
            disposition.reasons_json(),
            disposition.not_before,
        )
        decided.append((campaign, disposition, verdict))
    return decided


def _mixed(head: int, prefixes: Sequence[str]) -> bool:
    """Whether a registry covering by prefix covers some members of a group and
    not others: the group's leading digits stop short of the prefix."""
    digits = str(head)
    return any(len(p) > len(digits) and p.startswith(digits) for p in prefixes)


def _block_ranges(prefixes: Iterable[int]) -> list[tuple[int, int]]:
    """The number ranges a prefix covers, for every length an E.164 number can have."""
    return [r for prefix in prefixes for r in number_ranges(prefix)]


def _finish(
    engine: Engine,
    run_id: int,
    owner: str,
    status: str,
    report: ScrubReport,
    error: str | None,
    finished: datetime,
) -> None:
    with UnitOfWork(engine, write=True) as uow:
        jobs_repo.finish(
            uow.connection,
            run_id,
            status=status,
            at=finished,
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
        refused: list[queue_repo.Verdict] = []
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
                refused.append(
                    (
                        entry_id,
                        key,
                        disposition.action.value,
                        disposition.reasons_json(),
                        disposition.not_before,
                    )
                )
        if refused:
            with UnitOfWork(engine, write=True) as uow:
                queue_repo.release_refused(uow.connection, refused, at)
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
