"""Consent to be called, and what it can and cannot lift. Pure domain.

A valid consent lifts a registry listing (DNC_REGISTRY) and satisfies a
jurisdiction's prior-consent requirement (CONSENT_REQUIRED). It never lifts
an opt-out, the three no's, or an internal or campaign list entry: those are
the person's own later word, which beats any earlier permission. Nor a
litigator listing (DNC_LITIGATOR): company risk policy, which no consent
answers.

An established business relationship (EBR) is not consent in the GDPR/UWG
sense: it lifts a registry listing (US TSR 310.4(b)(1)(iii)(B)) but does not
satisfy a prior-consent jurisdiction such as Germany.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dateutil.relativedelta import relativedelta


class ConsentKind(StrEnum):
    EXPRESS = "express"
    EXPRESS_WRITTEN = "express_written"
    EBR_PURCHASE = "ebr_purchase"
    EBR_INQUIRY = "ebr_inquiry"


# FTC: an EBR lasts 18 months after the last purchase, payment or delivery,
# and 3 months after an inquiry or application.
EBR_LIFETIME = {
    ConsentKind.EBR_PURCHASE: relativedelta(months=18),
    ConsentKind.EBR_INQUIRY: relativedelta(months=3),
}


def default_expiry(kind: ConsentKind, granted_at: datetime) -> datetime | None:
    """When a consent of ``kind`` lapses if no expiry is given; None: it does not."""
    lifetime = EBR_LIFETIME.get(kind)
    return None if lifetime is None else granted_at + lifetime


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """A recorded consent for one campaign or one brand."""

    id: int
    number: str
    campaign: str | None
    brand: str | None
    kind: ConsentKind
    granted_at: datetime
    expires_at: datetime | None
    evidence: str | None
    actor: str
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revoked_reason: str | None = None

    @property
    def scope(self) -> str:
        return f"campaign {self.campaign!r}" if self.campaign else f"brand {self.brand!r}"

    def to_dict(self) -> dict[str, object]:
        """As ``dnc consent add/show --json`` print a consent."""
        return {
            "id": self.id,
            "number": self.number,
            "campaign": self.campaign,
            "brand": self.brand,
            "kind": self.kind.value,
            "granted_at": self.granted_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "evidence": self.evidence,
            "actor": self.actor,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "revoked_reason": self.revoked_reason,
        }

    def valid_for(self, campaign: str | None, brand: str | None, at: datetime) -> bool:
        """In force at ``at`` for a call in ``campaign`` (of ``brand``)."""
        if self.revoked_at is not None or at < self.granted_at:
            return False
        if self.expires_at is not None and at >= self.expires_at:
            return False
        if self.campaign is not None:
            return campaign is not None and self.campaign == campaign
        return brand is not None and self.brand == brand

    def describe(self) -> str:
        until = f", until {self.expires_at.date().isoformat()}" if self.expires_at else ""
        return f"{self.kind.value} consent for {self.scope} from {self.granted_at.date()}{until}"


def valid_consents(
    consents: Iterable[ConsentRecord], campaign: str | None, brand: str | None, at: datetime
) -> list[ConsentRecord]:
    return [c for c in consents if c.valid_for(campaign, brand, at)]


def satisfies(requirement: str, consents: Iterable[ConsentRecord]) -> bool:
    """Does any of ``consents`` meet a jurisdiction's requirement?

    ``requirement`` is "none", "express" or "express_written".
    """
    if requirement == "none":
        return True
    wanted = (
        {ConsentKind.EXPRESS_WRITTEN}
        if requirement == "express_written"
        else {ConsentKind.EXPRESS, ConsentKind.EXPRESS_WRITTEN}
    )
    return any(c.kind in wanted for c in consents)
