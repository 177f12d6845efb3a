"""Deciding many numbers at one instant: the single check's Judge, with the
common case worked out once. Pure: the facts come in, decisions go out.

Most numbers in a lead list or a queue have no facts of their own; their
verdict then depends only on where they are, the campaign and the registry
snapshots in force, so it is computed once per such combination. Anything
that goes wrong for one number is a CHECK_FAILED refusal for that number,
never an exception that stops the batch and never an accidental "allowed".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast

from dnc.errors import one_line
from dnc.facts import FactsByNumber, NumberFacts
from dnc.judge import Judge
from dnc.numbers import PhoneNumber
from dnc.queue import Action, Disposition, dispose
from dnc.verdicts import Reason, ReasonCode, Verdict
from dnc.wireless import dials_automatically, plan_line, plan_splits

R = TypeVar("R")


class Evaluator:
    """Verdicts and queue dispositions at one instant, for a batch of numbers."""

    def __init__(self, judge: Judge, at: datetime) -> None:
        self.judge = judge
        self.at = at
        self._common: dict[tuple[Any, ...], tuple[Verdict, Disposition]] = {}
        registries = judge.config.registries
        # Registries that cover by region need no per-number work.
        self._by_prefix = tuple(r for r in registries if r.prefixes)
        self._by_region: dict[str, tuple[str, ...]] = {}
        for region in {reg for r in registries for reg in r.regions}:
            self._by_region[region] = tuple(r.name for r in registries if region in r.regions)

    def verdict(
        self, phone: PhoneNumber, facts: FactsByNumber, campaign: str | None, location: str | None
    ) -> Verdict:
        """The full verdict, as the single check gives it."""
        own = facts.own(phone.key)

        def work() -> Verdict:
            if own is not None:
                return self._judge(phone, own, campaign, location)
            found = self._shared(phone, facts, campaign, location)[0]
            return Verdict(phone.e164, found.allowed, found.reasons, found.next_allowed_at)

        return _guarded(phone, work, lambda failed: failed)

    def disposition(
        self,
        phone: PhoneNumber,
        facts: FactsByNumber | NumberFacts,
        campaign: str | None,
        location: str | None,
        *,
        standing: bool = True,
    ) -> Disposition:
        """What a queue does with the number: the scrub's and a claim's question.

        ``facts``: a batch read (numbers without facts of their own are decided
        once per kind), or the very facts to decide on. With ``standing``, a
        number blocked whatever the hour (a list, a registry, the three no's)
        is suppressed without working out its calling rules: the suppression
        keeps exactly the same reasons either way.
        """
        own = facts if isinstance(facts, NumberFacts) else facts.own(phone.key)

        def work() -> Disposition:
            if own is None:  # only a batch read has numbers without facts of their own
                return self._shared(phone, cast(FactsByNumber, facts), campaign, location)[1]
            if standing:
                found = dispose(self._judge(phone, own, campaign, None, standing_only=True))
                if found.action is Action.SUPPRESS:
                    return found
            return dispose(self._judge(phone, own, campaign, location))

        return _guarded(phone, work, dispose)

    def _judge(
        self,
        phone: PhoneNumber,
        facts: NumberFacts,
        campaign: str | None,
        location: str | None,
        *,
        standing_only: bool = False,
    ) -> Verdict:
        return self.judge.verdict(
            phone,
            facts,
            campaign=campaign,
            at=self.at,
            location=location,
            standing_only=standing_only,
        )

    def _shared(
        self, phone: PhoneNumber, facts: FactsByNumber, campaign: str | None, location: str | None
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
            self._plan_line(phone, campaign),
        )
        found = self._common.get(key)
        if found is None:
            verdict = self._judge(phone, facts.shared, campaign, location)
            found = self._common[key] = (verdict, dispose(verdict))
        return found

    def _plan_line(self, phone: PhoneNumber, campaign: str | None) -> str | None:
        """The numbering plan's line type, where the campaign's calls depend on
        it (dnc.wireless): a mobile and a landline of one area differ."""
        calling = self.judge.config.campaigns.for_campaign(campaign).calling
        if not dials_automatically(calling) or not plan_splits(phone.region):
            return None
        return plan_line(phone.e164)[0]


def failed_verdict(number: str, exc: BaseException) -> Verdict:
    """The refusal for a check that could not complete, naming the cause."""
    detail = f"check could not complete: {one_line(exc)}"
    return Verdict.refuse(number, [Reason(ReasonCode.CHECK_FAILED, detail)])


def _guarded(phone: PhoneNumber, work: Callable[[], R], failed: Callable[[Verdict], R]) -> R:
    try:
        return work()
    except Exception as exc:  # noqa: BLE001 - fail closed for this number, keep going
        return failed(failed_verdict(phone.e164, exc))
