"""A consent's evidence, kept as long as the law asks. Pure domain.

Germany's UWG §7a (since 2021-10-01): the advertiser documents each consent
when it is given and keeps the proof for 5 years after it was given and
5 years after each use. A use is a check or a claim whose call was allowed
only thanks to the consent (``Verdict.relied_on``).

The period is ``[retention] consent_evidence_years`` (5, the law's floor, by
default; never less). Past it, ``dnc purge`` deletes the uses, and the consent
row itself once the consent is no longer in force (see ``dnc.retention``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta

from dnc.audit import AuditRecord
from dnc.consent import ConsentRecord

EVIDENCE_YEARS = 5
SOURCE = "UWG §7a (Germany, since 2021-10-01)"


@dataclass(frozen=True, slots=True)
class ConsentUse:
    """A check or a claim (``via``) that relied on the consent."""

    at: datetime
    via: str
    campaign: str | None


@dataclass(frozen=True, slots=True)
class ConsentEvidence:
    """Everything kept about one consent, for a regulator's request."""

    consent: ConsentRecord
    uses: tuple[ConsentUse, ...]
    audit: tuple[AuditRecord, ...]
    years: int = EVIDENCE_YEARS

    @property
    def last_used_at(self) -> datetime | None:
        return max((u.at for u in self.uses), default=None)

    @property
    def keep_until(self) -> datetime:
        """The evidence is kept until ``years`` after it was given and after
        its last use; ``dnc purge`` may delete it from then on."""
        last = max(self.consent.granted_at, self.last_used_at or self.consent.granted_at)
        return last + relativedelta(years=self.years)

    def to_dict(self) -> dict[str, Any]:
        c = self.consent
        return {
            **c.to_dict(),
            "recorded_by": c.actor,
            "revoked_by": c.revoked_by,
            "uses": [
                {"at": u.at.isoformat(), "via": u.via, "campaign": u.campaign} for u in self.uses
            ],
            "use_count": len(self.uses),
            "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None,
            "keep_until": self.keep_until.isoformat(),
            "retention": f"{self.years} years after it was given and after each use ({SOURCE})",
            "audit": [
                {
                    "id": r.id,
                    "at": r.at.isoformat(),
                    "action": r.action,
                    "actor": r.actor,
                    "after": r.after,
                    "reason": r.reason,
                    "hash": r.hash,
                }
                for r in self.audit
            ],
        }


def uses_of(
    relied_on: Sequence[int], at: datetime, via: str, campaign: str | None
) -> list[tuple[int, datetime, str, str | None]]:
    return [(cid, at, via, campaign) for cid in relied_on]
