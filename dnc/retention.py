"""How long call outcomes are kept, and what a purge must never touch. Pure domain.

Outcome rows (one per call attempt) are personal data kept for the record-keeping
period (US TSR, 16 CFR 310.5: five years by default) and then purged. What keeps
an opt-out or a suppression honoured is never purged:

- list entries and the audit log are not touched at all: an opt-out lives in a
  list entry, never in an outcome row;
- the refusal rows of a number that has ever collected enough refusals to be
  suppressed by the three no's are kept whatever their age, so its suppression
  (and the evidence for it) survives. Counting per number against the lowest
  threshold of any campaign is a superset of every policy's suppressions, and
  it is one set-based statement.

Registry movements (when a number entered or left a registry snapshot) are
history of the same kind and follow the same period: a purge forgets the
movements of snapshot swaps before the cutoff, and each registry's last swap
before it becomes the baseline its history counts from ("on the list since at
least" its as-of date), so what history still says stays true. The snapshot
the check reads is never touched.

Consent evidence (UWG §7a: the proof of each consent, kept 5 years after it
was given and 5 years after each use) has its own period, ``[retention]
consent_evidence_years``. Once a consent's keep-until (that period after the
later of its grant and its last use) lies before the purge instant, its use
rows go, and so does the consent row itself if the consent is no longer in
force at that instant (revoked or expired). A consent in force is never
deleted, however old: it still lifts listings. Nothing an opt-out or a list
entry depends on refers to a consent, and a consent only ever lifts a
refusal, so deleting one that no longer lifts anything cannot open a hole.
The consent's audit records stay: the audit log is append-only and
hash-chained.

Forgotten on purpose: old refusals of a number that never reached the
threshold (a retention period means they stop counting), and old attempts
towards a campaign's total attempt limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta

from dnc.audit import AuditRecord
from dnc.consent_evidence import EVIDENCE_YEARS
from dnc.moments import minute
from dnc.policy import CampaignPolicies

DEFAULT_OUTCOMES_YEARS = 5
MAX_YEARS = 100


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """``[retention]`` in the configuration."""

    outcomes_years: int = DEFAULT_OUTCOMES_YEARS
    consent_evidence_years: int = EVIDENCE_YEARS

    def cutoff(self, at: datetime) -> datetime:
        """Outcomes of calls before this instant are past retention at ``at``."""
        return at - relativedelta(years=self.outcomes_years)

    def consent_cutoff(self, at: datetime) -> datetime:
        """A consent given and last used before this instant is past its
        keep-until at ``at``. (Subtracting from ``at`` rather than adding to
        each grant errs towards keeping: a consent last used on 29 February
        is kept a day longer, never purged early.)"""
        return at - relativedelta(years=self.consent_evidence_years)


def protect_threshold(policies: CampaignPolicies) -> int:
    """The fewest refusals that suppress a number under any configured campaign."""
    rules = [policies.default, *policies.named.values()]
    return min(p.three_nos.threshold for p in rules)


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What a purge removed (or, dry, would remove), and what it kept on purpose."""

    at: datetime
    cutoff: datetime
    outcomes_years: int
    deleted: int
    kept_refusals: int
    dry_run: bool
    deleted_movements: int = 0
    # Queue disposition rows closed before the cutoff (the scrub's per-entry
    # record for the report): past retention like the outcomes.
    deleted_dispositions: int = 0
    # Consent evidence past its keep-until (UWG §7a): the uses of such
    # consents, the consents no longer in force, and the ones kept because
    # they are still in force.
    consent_evidence_years: int = EVIDENCE_YEARS
    deleted_consent_uses: int = 0
    deleted_consents: int = 0
    kept_consents_in_force: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "cutoff": self.cutoff.isoformat(),
            "outcomes_years": self.outcomes_years,
            "deleted_outcomes": self.deleted,
            "kept_refusals": self.kept_refusals,
            "deleted_registry_movements": self.deleted_movements,
            "dry_run": self.dry_run,
            "deleted_dispositions": self.deleted_dispositions,
            "consent_evidence_years": self.consent_evidence_years,
            "deleted_consent_uses": self.deleted_consent_uses,
            "deleted_consents": self.deleted_consents,
            "kept_consents_in_force": self.kept_consents_in_force,
        }

    def line(self) -> str:
        verb = "would delete" if self.dry_run else "deleted"
        return (
            f"{verb} {self.deleted:,} call outcome(s) from before "
            f"{minute(self.cutoff)} ({self.outcomes_years}-year retention); "
            f"kept {self.kept_refusals:,} older refusal(s) that keep three-no's "
            f"suppressions in force; {verb} {self.deleted_movements:,} registry movement(s)"
            + (
                f"; {verb} {self.deleted_dispositions:,} old queue disposition row(s)"
                if self.deleted_dispositions
                else ""
            )
            + (
                f"; {verb} {self.deleted_consents:,} consent(s) no longer in force and "
                f"{self.deleted_consent_uses:,} consent use(s) past their "
                f"{self.consent_evidence_years}-year evidence period"
                if self.deleted_consents or self.deleted_consent_uses
                else ""
            )
            + (
                f"; kept {self.kept_consents_in_force:,} such consent(s) still in force"
                if self.kept_consents_in_force
                else ""
            )
        )

    def audit_record(self, actor: str) -> AuditRecord:
        return AuditRecord(
            at=self.at,
            actor=actor,
            action="purge",
            subject="call_outcome",
            after=self.to_dict(),
            reason=(
                f"retention: call outcomes and registry movements older than "
                f"{self.outcomes_years} years; consent evidence past its keep-until "
                f"({self.consent_evidence_years} years after given and after last use)"
            ),
        )
