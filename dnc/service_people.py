"""Service methods for what people said: consents, preferences, call outcomes."""

from __future__ import annotations

from datetime import datetime

from dnc import (
    consent_ops,
    outcome_ops,
    preferences,
)
from dnc.consent import ConsentKind, ConsentRecord
from dnc.outcomes import OutcomeRecord, RecordedOutcome
from dnc.rules import Preference
from dnc.service_base import ServiceBase, _enum
from dnc.storage import (
    consent_repo,
)
from dnc.storage.uow import UnitOfWork


class PeopleMethods(ServiceBase):
    # -- consents and preferences ------------------------------------------------

    def add_consent(
        self,
        number: str,
        kind: str,
        *,
        campaign: str | None = None,
        brand: str | None = None,
        at: datetime | None = None,
        expires_at: datetime | None = None,
        evidence: str | None = None,
        actor: str | None = None,
    ) -> ConsentRecord:
        """Record a consent for one campaign or one brand, given at ``at``.

        EBR kinds expire by default 18 months (purchase) or 3 months (inquiry)
        after ``at``. A consent never lifts an opt-out or a list entry.
        """
        return consent_ops.add_consent(
            self.engine,
            self.parse(number),
            kind=_enum(ConsentKind, kind, "consent kind"),
            campaign=campaign,
            brand=brand,
            granted_at=self._at(at, "at"),
            expires_at=self._at(expires_at, "expires_at") if expires_at else None,
            evidence=evidence,
            actor=self._actor(actor),
            now=self.now(),
        )

    def revoke_consent(
        self,
        number: str,
        *,
        campaign: str | None = None,
        brand: str | None = None,
        reason: str | None = None,
        actor: str | None = None,
        at: datetime | None = None,
    ) -> list[ConsentRecord]:
        """Revoke the number's consents for ``campaign`` or ``brand`` (neither: all)."""
        return consent_ops.revoke_consent(
            self.engine,
            self.parse(number),
            campaign=campaign,
            brand=brand,
            reason=reason,
            actor=self._actor(actor),
            at=self._at(at, "at"),
        )

    def consents(self, number: str, include_revoked: bool = False) -> list[ConsentRecord]:
        with UnitOfWork(self.engine) as uow:
            return consent_repo.consents(
                uow.connection, self.parse(number).key, live_only=not include_revoked
            )

    def set_preference(
        self,
        number: str,
        not_before: str | None = None,
        not_after: str | None = None,
        days: str | None = None,
        actor: str | None = None,
    ) -> Preference:
        """Record the person's own calling wishes ("not before 10", "mon-fri")."""
        pref = preferences.build(not_before, not_after, days)
        consent_ops.set_preference(
            self.engine, self.parse(number), pref, actor=self._actor(actor), now=self.now()
        )
        return pref

    @staticmethod
    def describe_preference(pref: Preference) -> str:
        return preferences.describe(pref)

    def clear_preference(self, number: str, actor: str | None = None) -> None:
        consent_ops.set_preference(
            self.engine, self.parse(number), None, actor=self._actor(actor), now=self.now()
        )

    def preference(self, number: str) -> Preference | None:
        with UnitOfWork(self.engine) as uow:
            return consent_repo.preference(uow.connection, self.parse(number).key)

    # -- call outcomes -----------------------------------------------------------

    def record_outcome(
        self,
        number: str,
        campaign: str,
        outcome: str,
        at: datetime | None = None,
        callback_at: datetime | None = None,
        refusals: int = 1,
        note: str | None = None,
        agent: str | None = None,
        *,
        actor: str | None = None,
    ) -> RecordedOutcome:
        """Record how a call ended (docs/outcomes.md); durable when this returns.

        ``opt_out`` puts the number on the internal list, ``wrong_number`` on
        the campaign's list, in the same transaction; an ``opt_out`` dated
        later than now is refused (TimeRangeError). The audit names
        ``actor``, else ``agent``, else the configured actor.
        """
        phone = self.parse(number)
        when = self._at(at, "at")
        record = outcome_ops.build_record(
            self.config.campaigns,
            campaign=campaign,
            outcome=outcome,
            at=when,
            callback_at=self._at(callback_at, "callback_at") if callback_at else None,
            refusals=refusals,
            note=note,
            agent=agent,
            now=self.now(),
        )
        who = self._actor(actor or agent)
        return outcome_ops.record_outcome(
            self.engine, self.config.campaigns, phone, record, actor=who, recorded=self.now()
        )

    def outcomes(self, number: str, campaign: str | None = None) -> list[OutcomeRecord]:
        """Every recorded outcome of ``number`` (optionally one campaign), oldest first."""
        return outcome_ops.outcomes(self.engine, self.parse(number), campaign)
