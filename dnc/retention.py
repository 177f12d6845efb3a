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
from dnc.moments import minute
from dnc.policy import CampaignPolicies

DEFAULT_OUTCOMES_YEARS = 5
MAX_YEARS = 100


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """``[retention]`` in the configuration."""

    outcomes_years: int = DEFAULT_OUTCOMES_YEARS

    def cutoff(self, at: datetime) -> datetime:
        """Outcomes of calls before this instant are past retention at ``at``."""
        return at - relativedelta(years=self.outcomes_years)


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
                f"{self.outcomes_years} years"
            ),
        )
