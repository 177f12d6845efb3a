"""One place that turns a number's facts into a verdict, for every path.

The single check, ``check_many``, the scrub and ``next_calls`` all decide
through ``Judge.verdict``, so a dialer's last-moment check and the nightly
scrub can never disagree about the same facts.
"""

from __future__ import annotations

from datetime import datetime

from dnc.configuration import Config
from dnc.decide import decide
from dnc.errors import InputError, LocationError
from dnc.facts import NumberFacts
from dnc.numbers import PhoneNumber
from dnc.rules import RuleBook
from dnc.verdicts import Verdict


class Judge:
    def __init__(self, config: Config, rulebook: RuleBook) -> None:
        self.config = config
        self.rulebook = rulebook

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
                registries=self.config.registries,
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
        return decide(
            phone,
            facts,
            campaign=campaign,
            at=at,
            policies=self.config.campaigns,
            registries=self.config.registries,
            schedule=schedule,
        )
