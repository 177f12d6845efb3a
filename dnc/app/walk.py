"""What the scrub and the export share: deciding a whole queue at one instant,
set-based, through the single check's Judge.

The walk (dnc.storage.scrub_repo) marks the entries whose numbers have facts
of their own (list entries, outcomes, consents, preferences, prefix blocks);
those are read in one batch and decided one by one, on a second connection
and thread while the first walks the queue in SQL. Every other entry is
decided by its group (campaign, region, zones, leading digits, location)
and the set of registries it is listed on: once per such set, not per entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime

from dnc.evaluate import Evaluator
from dnc.facts import NumberFacts
from dnc.judge import Judge
from dnc.numbers import from_stored
from dnc.policy import ATTEMPT_HORIZON
from dnc.prefixes import number_ranges
from dnc.queue import Disposition
from dnc.storage import batch, registry_repo, scrub_repo, wireless_repo
from dnc.storage.queue_verdicts import EntryVerdict
from dnc.storage.store import Store
from dnc.storage.walk_rows import Group, OwnEntry
from dnc.wireless import dials_automatically, plan_splits


@dataclass(frozen=True, slots=True)
class OwnDecision:
    """An entry with facts of its own, decided on them."""

    campaign: str
    disposition: Disposition
    verdict: EntryVerdict


@dataclass(frozen=True, slots=True)
class WalkFacts:
    """What every entry of the walk shares: the groups, the registries in force
    (each with its bit in the walk) and the facts of a number with none."""

    groups: dict[int, Group]
    names: list[str]
    bits: dict[str, int]
    shared: NumberFacts


def start(
    store: Store, judge: Judge, walk: scrub_repo.Walk, at: datetime, pool: ThreadPoolExecutor
) -> tuple[WalkFacts, Future[list[OwnDecision]]]:
    """Mark the entries with facts of their own and start deciding them on
    ``pool`` (on a second connection), and join the registries in. The groups
    are then decided by ``decide_sets``."""
    groups = {g.id: g for g in walk.groups()}
    prefixes = [p for r in judge.config.registries for p in r.prefixes]
    policies = judge.config.campaigns
    mixed = [
        g.id
        for g in groups.values()
        if _mixed(g.head, prefixes)
        # A mobile and a landline can share a group's leading digits.
        or (
            dials_automatically(policies.for_campaign(g.campaign).calling) and plan_splits(g.region)
        )
    ]
    ranges = [r for prefix in batch.live_prefixes(walk.conn) for r in number_ranges(prefix)]
    walk.mark_own(ranges, mixed)
    own = pool.submit(_decide_own, store, judge, walk.own_facts(), at)
    return _registries(walk, groups, at, store), own


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
        decided[(group.id, 0)] = evaluator.disposition(
            phone, facts.shared, group.campaign, group.location
        )
    for group_id, mask in listed:
        if not mask:
            continue
        group = facts.groups[group_id]
        hits = frozenset(name for name in facts.names if mask & facts.bits[name])
        phone = from_stored(group.sample, group.region, group.zones)
        decided[(group_id, mask)] = evaluator.disposition(
            phone, replace(facts.shared, registry_hits=hits), group.campaign, group.location
        )
    return decided


def _registries(
    walk: scrub_repo.Walk, groups: dict[int, Group], at: datetime, store: Store
) -> WalkFacts:
    current = registry_repo.all_current(walk.conn)
    names = sorted(current)
    bits = {name: scrub_repo.REGISTRY_BIT << i for i, name in enumerate(names)}
    walk.use_registries(
        {name: (store.snapshots.get(current[name].file_id), bits[name]) for name in names}
    )
    shared = NumberFacts(
        registry_snapshots={name: record.as_of for name, record in current.items()},
        attempts_since=at - ATTEMPT_HORIZON,
        line_sources=wireless_repo.sources(walk.conn),
    )
    return WalkFacts(groups, names, bits, shared)


def _decide_own(
    store: Store, judge: Judge, rows: Sequence[OwnEntry], at: datetime
) -> list[OwnDecision]:
    """Entries with facts of their own, each decided on its facts (its own connection)."""
    evaluator = Evaluator(judge, at)
    with store.unit() as read:
        facts = batch.read(
            read.connection, [row.number for row in rows], at - ATTEMPT_HORIZON, store.snapshots
        )
    decided = []
    for row in rows:
        phone = from_stored(row.number, row.region, row.zones)
        # Only these facts can suppress on their own; otherwise the full
        # verdict is the only one worth working out.
        standing = bool(row.bits & scrub_repo.MAY_SUPPRESS)
        disposition = evaluator.disposition(
            phone, facts, row.campaign, row.location, standing=standing
        )
        verdict = EntryVerdict(
            row.id,
            row.number,
            disposition.action.value,
            disposition.reasons_json(),
            disposition.not_before,
        )
        decided.append(OwnDecision(row.campaign, disposition, verdict))
    return decided


def _mixed(head: int, prefixes: Sequence[str]) -> bool:
    """Whether a registry covering by prefix covers some members of a group and
    not others: the group's leading digits stop short of the prefix."""
    digits = str(head)
    return any(len(p) > len(digits) and p.startswith(digits) for p in prefixes)
