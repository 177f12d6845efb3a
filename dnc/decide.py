"""The decision: facts + rules + the moment of the call → verdict. Pure domain.

Every applicable reason is listed, not just the first, so a compliance
officer sees the whole picture from one check.

How ``next_allowed_at`` is found: a reason either lapses at a known instant
(``Reason.until``: a callback time, the end of a retry wait), or is a window
reason that the calling schedule works out (hours, blocked days, preferred
hours), or does not lapse by itself (a do-not-call entry). One reason of the
last kind makes the next allowed time unknowable (None). Otherwise it is the
first instant the schedule opens at or after every lapse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from dnc.calling import calling_reasons
from dnc.consent import ConsentRecord, valid_consents
from dnc.facts import NumberFacts
from dnc.lists import list_reasons
from dnc.numbers import PhoneNumber
from dnc.outcomes import outcome_reasons
from dnc.policy import CampaignPolicies
from dnc.prefixes import prefix_reasons
from dnc.reassigned import reassigned_reason, split
from dnc.registries import RegistryDefinition, registry_reasons
from dnc.rules import Schedule
from dnc.verdicts import Reason, ReasonCode, Verdict
from dnc.wireless import wireless_reason

WINDOW_CODES = frozenset(
    {ReasonCode.OUTSIDE_CALLING_HOURS, ReasonCode.BLOCKED_DAY, ReasonCode.PREFERRED_HOURS}
)


_DEFAULT_POLICIES = CampaignPolicies()


class OpenTimes(Protocol):
    """The part of a calling schedule ``combine`` needs."""

    def next_open(self, start: datetime) -> datetime | None: ...


def decide(
    number: PhoneNumber,
    facts: NumberFacts,
    *,
    campaign: str | None,
    at: datetime,
    policies: CampaignPolicies | None = None,
    registries: Sequence[RegistryDefinition] = (),
    schedule: Schedule | None = None,
    campaign_reasons: Sequence[Reason] = (),
    location: str | None = None,
) -> Verdict:
    """Every reason a call to ``number`` at ``at`` for ``campaign`` is not allowed.

    ``campaign_reasons``: what stops every call of the campaign at ``at``
    (its abandonment rate), worked out by the caller.

    ``schedule`` is the calling-rules schedule for the number (built by the
    caller, who knows the location hint); without one no calling-time rule
    is applied, so the service always passes one. ``location``: that hint,
    which may place the number where a state's list applies.
    """
    policies = policies if policies is not None else _DEFAULT_POLICIES
    policy = policies.for_campaign(campaign)
    consents = valid_consents(facts.consents, campaign, policy.calling.brand, at)
    kept, void = split(consents, facts.disconnects, at) if facts.disconnects else (consents, [])
    args = (number, facts, campaign, at, policies, registries, schedule, location)
    reasons = _reasons(*args, kept)
    if void:
        # Shown beside the reasons the void consents would have lifted, and
        # only then: a reassignment alone never refuses a call.
        cleared = {r.code for r in _reasons(*args, consents)}
        if any(r.code not in cleared for r in reasons):
            reasons.append(reassigned_reason(void))
    reasons.extend(campaign_reasons)
    verdict = combine(number.e164, reasons, at, schedule=schedule)
    if kept and verdict.allowed and _reasons(*args, []):
        # Allowed only thanks to the consents in force: a use of each.
        return replace(verdict, relied_on=tuple(sorted(c.id for c in kept)))
    return verdict


def _reasons(
    number: PhoneNumber,
    facts: NumberFacts,
    campaign: str | None,
    at: datetime,
    policies: CampaignPolicies,
    registries: Sequence[RegistryDefinition],
    schedule: Schedule | None,
    location: str | None,
    consents: Sequence[ConsentRecord],
) -> list[Reason]:
    policy = policies.for_campaign(campaign)
    reasons: list[Reason] = []
    reasons.extend(list_reasons(facts.entries, campaign, at, policy.client))
    reasons.extend(prefix_reasons(facts.prefix_blocks, campaign, at))
    # Apart from the lists on purpose: a consent may lift a registry listing
    # (DNC_REGISTRY), never a list entry, an opt-out, the three no's or a
    # litigator list (DNC_LITIGATOR).
    registry = registry_reasons(
        number, registries, facts.registry_snapshots, facts.registry_hits, at, location
    )
    if consents:
        registry = [r for r in registry if r.code is not ReasonCode.DNC_REGISTRY]
    reasons.extend(registry)
    if facts.outcomes:
        reasons.extend(
            outcome_reasons(
                facts.outcomes,
                policies.for_campaign,
                campaign,
                at,
                zones=number.time_zones,
                totals=facts.attempt_totals,
            )
        )
    if schedule is not None:
        reasons.extend(
            calling_reasons(
                schedule,
                consents=consents,
                outcomes=facts.outcomes,
                attempts_since=facts.attempts_since,
                calling=policy.calling,
                campaign=campaign,
                at=at,
            )
        )
        wireless = wireless_reason(
            number, facts.line_sources, facts.line_marks, registries,
            policy.calling, campaign, consents, at,
        )  # fmt: skip
        if wireless is not None:
            reasons.append(wireless)
    return reasons


def combine(
    number: str, reasons: Iterable[Reason], at: datetime, schedule: OpenTimes | None
) -> Verdict:
    """Turn the reasons that apply into a verdict with its next allowed time."""
    reasons = tuple(reasons)
    if not reasons:
        return Verdict.allow(number)
    if any(r.until is None and r.code not in WINDOW_CODES for r in reasons):
        return Verdict.refuse(number, reasons, next_allowed_at=None)
    earliest = max([at, *(r.until for r in reasons if r.until is not None)])
    next_allowed = schedule.next_open(earliest) if schedule is not None else earliest
    return Verdict.refuse(number, reasons, next_allowed_at=next_allowed)
