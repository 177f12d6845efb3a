"""One place that turns a number's facts into a verdict, for every path.

The single check, ``check_many``, the scrub and ``next_calls`` all decide
through ``Judge.verdict``, so a dialer's last-moment check and the nightly
scrub can never disagree about the same facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from dnc.configuration import Config
from dnc.decide import decide
from dnc.errors import InputError, LocationError
from dnc.facts import NumberFacts
from dnc.numbers import PhoneNumber
from dnc.registries import with_area_codes
from dnc.rules import RuleBook
from dnc.verdicts import Reason, Verdict


class CampaignGate(Protocol):
    """Reasons that stop every call of a campaign (its abandonment rate), read
    from outside the domain; ``forget`` drops what it knows of campaigns whose
    facts just changed."""

    def reasons(self, campaign: str, at: datetime) -> Sequence[Reason]: ...

    def forget(self, campaigns: Iterable[str]) -> None: ...


class Judge:
    def __init__(
        self, config: Config, rulebook: RuleBook, gate: CampaignGate | None = None
    ) -> None:
        self.config = config
        self.rulebook = rulebook
        self.gate = gate
        # Where each state's list applies, placed by area code once, not per check.
        self.registries = with_area_codes(
            config.registries, {code: a.subdivisions for code, a in rulebook.area_codes.items()}
        )

    def verdict(
        self,
        phone: PhoneNumber,
        facts: NumberFacts,
        *,
        campaign: str | None,
        at: datetime,
        location: str | None = None,
        standing_only: bool = False,
    ) -> Verdict:
        """Raises LocationError for a location the rules cannot read.

        ``standing_only``: leave out the calling rules (hours, days, caps,
        consent laws); for a caller that only needs to know whether a list,
        registry or outcome blocks the number.
        """
        if standing_only:
            return decide(
                phone,
                facts,
                campaign=campaign,
                at=at,
                policies=self.config.campaigns,
                registries=self.registries,
                location=location,
            )
        calling = self.config.campaigns.for_campaign(campaign).calling
        try:
            schedule = self.rulebook.schedule_for(
                phone,
                location,
                campaign_hours=calling.hours,
                preference=facts.preference,
                call_type=calling.call_type,
            )
        except InputError as exc:
            # Only the location is the caller's to get wrong here; anything
            # else bad (a stored preference the rules refuse) is our failure.
            if location is not None:
                try:
                    self.rulebook.schedule_for(phone, location)
                except InputError:
                    raise LocationError(str(exc)) from None
            raise
        gate = self.gate
        return decide(
            phone,
            facts,
            campaign=campaign,
            at=at,
            policies=self.config.campaigns,
            registries=self.registries,
            schedule=schedule,
            campaign_reasons=gate.reasons(campaign, at) if gate and campaign else (),
            location=location,
        )
