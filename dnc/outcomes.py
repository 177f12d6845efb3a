"""Call outcomes and what they say about the next call. Pure domain.

Every recorded outcome is an attempt. Per campaign, the latest outcome sets
the waiting state (a callback time, a retry delay): a later outcome always
supersedes an earlier one. Refusals accumulate towards the three no's;
attempts towards the campaign's limits. ``opt_out`` and ``wrong_number``
act through do-not-call list entries, not here: only an officer's removal
lifts those.

Outcomes whose time is after the instant checked still count: like the
lists, the store is read as it stands now, which is the safe way round
when dialer clocks drift.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from itertools import groupby
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dnc.moments import minute
from dnc.policy import CampaignPolicy, NosScope, ThreeNos
from dnc.verdicts import Reason, ReasonCode


class Outcome(StrEnum):
    REFUSED = "refused"
    OPT_OUT = "opt_out"
    CALLBACK = "callback"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"
    HUNG_UP = "hung_up"
    ANSWERED = "answered"
    SALE = "sale"
    WRONG_NUMBER = "wrong_number"
    # Answered by a person, no agent within 2 seconds (16 CFR 310.4(b)(4)(i)).
    ABANDONED = "abandoned"


RETRY_OUTCOMES = frozenset({Outcome.NO_ANSWER, Outcome.BUSY, Outcome.VOICEMAIL, Outcome.HUNG_UP})


@dataclass(frozen=True, slots=True)
class OutcomeRecord:
    """One call attempt and how it ended. ``refusals`` is 0 unless ``refused``."""

    campaign: str
    outcome: Outcome
    at: datetime
    refusals: int = 0
    callback_at: datetime | None = None
    id: int = 0
    agent: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Suppression:
    """A three-no's episode: ``count`` refusals from ``first`` to ``reached``."""

    count: int
    first: datetime
    reached: datetime
    until: datetime | None
    policy: ThreeNos
    campaign: str | None


@dataclass(frozen=True, slots=True)
class CampaignState:
    """Where a number stands for one campaign: what the outcomes (and lists) say."""

    campaign: str
    last_outcome: Outcome | None
    attempts_today: int
    attempts_total: int
    refusals: int
    reasons: tuple[Reason, ...]
    next_allowed_at: datetime | None

    @property
    def codes(self) -> tuple[ReasonCode, ...]:
        return tuple(r.code for r in self.reasons)

    @property
    def summary(self) -> str:
        if not self.reasons:
            return "may call"
        codes = ", ".join(dict.fromkeys(c.value for c in self.codes))
        nxt = minute(self.next_allowed_at) if self.next_allowed_at else "not knowable"
        return f"{codes}; next allowed: {nxt}"

    def to_dict(self) -> dict[str, object]:
        return {
            "campaign": self.campaign,
            "last_outcome": self.last_outcome.value if self.last_outcome else None,
            "attempts_today": self.attempts_today,
            "attempts_total": self.attempts_total,
            "refusals": self.refusals,
            "reasons": [r.to_dict() for r in self.reasons],
            "next_allowed_at": self.next_allowed_at.isoformat() if self.next_allowed_at else None,
            "summary": self.summary,
        }


@dataclass(frozen=True, slots=True)
class RecordedOutcome:
    """What ``record_outcome`` did: the attempt, and the state before and after."""

    record: OutcomeRecord
    before: CampaignState
    after: CampaignState
    warnings: tuple[str, ...] = field(default=(), compare=False)
    """What was cleaned from the request's decoration (dnc.app.inputs)."""


PolicyFor = Callable[[str | None], CampaignPolicy]


def outcome_reasons(
    outcomes: Sequence[OutcomeRecord],
    policy_for: PolicyFor,
    campaign: str | None,
    at: datetime,
    *,
    zones: Sequence[str] = (),
    totals: Mapping[str, int] | None = None,
) -> list[Reason]:
    """THREE_NOS, CALLBACK_SCHEDULED, RETRY_WAIT and MAX_ATTEMPTS for a call at ``at``.

    ``outcomes`` are the number's attempts: every refusal, the latest
    outcome of each campaign and every attempt since ``at`` minus
    ATTEMPT_HORIZON at least. ``totals`` gives each campaign's attempt count
    when ``outcomes`` is not complete. ``zones`` are the called party's
    candidate time zones, for the per-day limit. A check that names no
    campaign cannot show which campaign calls, so every campaign's state
    applies to it.
    """
    if not outcomes:
        return []
    reasons = [_three_nos_reason(s, at) for s in suppressions(outcomes, policy_for, campaign, at)]
    by_campaign = _by_campaign(outcomes)
    names = [campaign] if campaign is not None else sorted(by_campaign)
    for name in names:
        own = by_campaign.get(name)
        if not own:
            continue
        policy = policy_for(name)
        wait = _waiting_reason(name, max(own, key=_order), policy, at)
        if wait is not None:
            reasons.append(wait)
        total = totals.get(name, len(own)) if totals is not None else len(own)
        reasons.extend(_attempt_reasons(name, own, total, policy, at, zones))
    return reasons


def suppressions(
    outcomes: Sequence[OutcomeRecord], policy_for: PolicyFor, campaign: str | None, at: datetime
) -> list[Suppression]:
    """The three-no's suppressions in force at ``at`` for a call in ``campaign``.

    The checking campaign's policy applies, and so does the policy of every
    campaign with refusals whose scope is company-wide: a company-wide
    suppression reaches every campaign.
    """
    refusals = [o for o in outcomes if o.refusals > 0]
    if not refusals:
        return []
    candidates: list[str | None] = [campaign]
    candidates.extend(sorted({o.campaign for o in refusals} - {campaign}))
    seen: set[tuple[ThreeNos, str | None]] = set()
    found: list[Suppression] = []
    for name in candidates:
        rule = policy_for(name).three_nos
        key: tuple[ThreeNos, str | None]
        if rule.scope is NosScope.COMPANY:
            counted, key = refusals, (rule, None)
        elif name is not None and campaign in (None, name):
            counted, key = [o for o in refusals if o.campaign == name], (rule, name)
        else:
            continue
        if key in seen:
            continue
        seen.add(key)
        episodes = suppression_episodes(counted, rule, key[1])
        found.extend(e for e in episodes if e.until is None or at < e.until)
    return found


def suppression_episodes(
    refusals: Iterable[OutcomeRecord], rule: ThreeNos, campaign: str | None = None
) -> list[Suppression]:
    """Walk the refusals in time order; each time the count reaches the threshold,
    suppress and start counting again after (permanent: stop there).

    Refusals at the same instant are added together, so the result does not
    depend on the order they were recorded in.
    """
    live: list[tuple[datetime, int]] = []
    episodes: list[Suppression] = []
    ordered = sorted((o for o in refusals if o.refusals > 0), key=lambda o: o.at)
    for instant, group in groupby(ordered, key=lambda o: o.at):
        if rule.window is not None:
            live = [(t, n) for t, n in live if t > instant - rule.window]
        live.append((instant, sum(o.refusals for o in group)))
        count = sum(n for _, n in live)
        if count >= rule.threshold:
            until = instant + rule.suppress if rule.suppress is not None else None
            episodes.append(Suppression(count, live[0][0], instant, until, rule, campaign))
            live = []
            if until is None:
                break
    return episodes


def refusal_count(
    outcomes: Iterable[OutcomeRecord], rule: ThreeNos, campaign: str, at: datetime
) -> int:
    """Refusals that count under ``rule`` at ``at``: within its window, and
    since the last suppression that has already ended."""
    counted = [
        o
        for o in outcomes
        if o.refusals > 0 and (rule.scope is NosScope.COMPANY or o.campaign == campaign)
    ]
    lapsed = [
        e for e in suppression_episodes(counted, rule) if e.until is not None and e.until <= at
    ]
    after = lapsed[-1].reached if lapsed else None
    since = at - rule.window if rule.window is not None else None
    return sum(
        o.refusals
        for o in counted
        if (after is None or o.at > after) and (since is None or o.at > since)
    )


def attempt_times(
    outcomes: Iterable[OutcomeRecord], since: datetime, campaign: str | None = None
) -> list[datetime]:
    """Instants of the attempts at or after ``since``, in one campaign or all.

    The check's facts hold every attempt since its ``at`` minus
    ATTEMPT_HORIZON: frequency caps count from here.
    """
    return sorted(
        o.at for o in outcomes if o.at >= since and (campaign is None or o.campaign == campaign)
    )


def attempts_on_local_day(
    outcomes: Iterable[OutcomeRecord], at: datetime, zones: Sequence[str]
) -> tuple[int, datetime]:
    """The most attempts in the called party's local day of ``at``, over the
    candidate zones, and when that day ends (the latest end, to be safe)."""
    items = list(outcomes)
    best, end = 0, at
    for zone in _zones(zones):
        start, stop = _local_day(at, zone)
        count = sum(1 for o in items if start <= o.at < stop)
        if count > best or (count == best and stop > end):
            best, end = count, stop
    return best, end


def latest(outcomes: Iterable[OutcomeRecord], campaign: str) -> OutcomeRecord | None:
    own = [o for o in outcomes if o.campaign == campaign]
    return max(own, key=_order) if own else None


# -- internals -------------------------------------------------------------------


def _order(o: OutcomeRecord) -> tuple[datetime, int]:
    return (o.at, o.id)


def _by_campaign(outcomes: Iterable[OutcomeRecord]) -> dict[str, list[OutcomeRecord]]:
    grouped: dict[str, list[OutcomeRecord]] = {}
    for o in outcomes:
        grouped.setdefault(o.campaign, []).append(o)
    return grouped


def _three_nos_reason(s: Suppression, at: datetime) -> Reason:
    where = "company-wide" if s.campaign is None else f"in campaign {s.campaign!r}"
    span = (
        s.first.date().isoformat()
        if s.first.date() == s.reached.date()
        else f"{s.first.date().isoformat()} to {s.reached.date().isoformat()}"
    )
    until = f"until {minute(s.until)}" if s.until else "permanently"
    return Reason(
        ReasonCode.THREE_NOS,
        f"{s.count} refusals {where} ({span}), threshold {s.policy.threshold}: suppressed {until}",
        until=s.until,
    )


def _waiting_reason(
    campaign: str, last: OutcomeRecord, policy: CampaignPolicy, at: datetime
) -> Reason | None:
    if last.outcome is Outcome.CALLBACK:
        until = last.callback_at or last.at + policy.callback_delay
        if at < until:
            return Reason(
                ReasonCode.CALLBACK_SCHEDULED,
                f"callback requested for {minute(until)} in campaign {campaign!r}",
                until=until,
            )
        return None
    if last.outcome in RETRY_OUTCOMES:
        until = last.at + getattr(policy.retry, last.outcome.value)
        if at < until:
            return Reason(
                ReasonCode.RETRY_WAIT,
                f"last attempt in campaign {campaign!r} ended {last.outcome.value} at "
                f"{minute(last.at)}: retry from {minute(until)}",
                until=until,
            )
    return None


def _attempt_reasons(
    campaign: str,
    own: Sequence[OutcomeRecord],
    total: int,
    policy: CampaignPolicy,
    at: datetime,
    zones: Sequence[str],
) -> list[Reason]:
    reasons = []
    limits = policy.attempts
    if limits.total is not None and total >= limits.total:
        reasons.append(
            Reason(
                ReasonCode.MAX_ATTEMPTS,
                f"{total} attempts in campaign {campaign!r}: the limit is {limits.total}",
            )
        )
    if limits.per_day is not None:
        today, day_end = attempts_on_local_day(own, at, zones)
        if today >= limits.per_day:
            reasons.append(
                Reason(
                    ReasonCode.MAX_ATTEMPTS,
                    f"{today} attempts today in campaign {campaign!r}: the daily limit is "
                    f"{limits.per_day}, counted in the called party's local day",
                    until=day_end,
                )
            )
    return reasons


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _zones(names: Sequence[str]) -> list[ZoneInfo]:
    # A number with no known zone (or zone data missing) is counted by UTC
    # day, as documented in docs/outcomes.md.
    found = [z for z in (_zone(n) for n in names) if z is not None]
    return found or [ZoneInfo("UTC")]


def _local_day(at: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    local = at.astimezone(zone)
    start = datetime(local.year, local.month, local.day, tzinfo=zone)
    following = start.date() + timedelta(days=1)
    stop = datetime(following.year, following.month, following.day, tzinfo=zone)
    return start.astimezone(UTC), stop.astimezone(UTC)
