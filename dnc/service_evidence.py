"""Service methods for evidence: the audit trail, timelines, reports, retention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dnc import (
    list_ops,
    registry_ops,
    retention,
    timeline,
)
from dnc.audit import AuditRecord
from dnc.reports import Report
from dnc.reports import collect as report_collect
from dnc.service_base import ServiceBase
from dnc.storage import (
    audit_repo,
    retention_repo,
    timeline_repo,
)
from dnc.storage.uow import UnitOfWork


class EvidenceMethods(ServiceBase):
    # -- the audit trail -------------------------------------------------------

    def verify_audit(self) -> audit_repo.ChainReport:
        """Walk the hash chain; the report names the first record that does not fit."""
        with UnitOfWork(self.engine) as uow:
            return audit_repo.verify(uow.connection)

    def audit_records(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        number: str | None = None,
    ) -> list[AuditRecord]:
        e164 = self.parse(number).e164 if number else None
        with UnitOfWork(self.engine) as uow:
            return list(audit_repo.records(uow.connection, since=since, until=until, number=e164))

    # -- evidence: timeline, reports, retention (dnc/timeline.py, dnc/reports/) ------

    def timeline(self, number: str, at: datetime | None = None) -> list[timeline.TimelineEvent]:
        """The number's whole story, oldest first: list entries and removals,
        prefix blocks, registry listings, outcomes, consents, preferences, queues."""
        phone = self.parse(number)
        with UnitOfWork(self.engine) as uow:
            records = timeline_repo.audit_records(uow.connection, phone.key)
            listings = timeline_repo.registry_listings(uow.connection, phone.key)
            queue = timeline_repo.queue_facts(uow.connection, phone.key)
        expired = list_ops.expiry_records(self.engine, phone, self._at(at, "at"))
        return timeline.build(phone.e164, [*records, *expired], listings, queue)

    def report(
        self, since: date | None = None, until: date | None = None, at: datetime | None = None
    ) -> Report:
        """What happened over UTC days ``since``..``until`` (inclusive; default:
        the 30 days to ``at``): opt-outs, three no's, scrubs, registries, job failures."""
        when = self._at(at, "at")
        last = until or when.astimezone(UTC).date()
        first = since or last - timedelta(days=29)
        return report_collect.report(
            self.engine,
            first,
            last,
            registries=registry_ops.status(self.engine, self.config.registries, when),
            generated_at=when,
        )

    def purge(
        self, at: datetime | None = None, dry_run: bool = False, actor: str | None = None
    ) -> retention.PurgeResult:
        """Delete call outcomes past ``[retention] outcomes_years`` (one statement),
        never what keeps an opt-out or a three-no's suppression honoured."""
        when = self._at(at, "at")
        policy = self.config.retention
        cutoff = policy.cutoff(when)
        with UnitOfWork(self.engine, write=not dry_run) as uow:
            deleted, kept = retention_repo.purge_outcomes(
                uow.connection,
                cutoff=cutoff,
                threshold=retention.protect_threshold(self.config.campaigns),
                dry_run=dry_run,
            )
            result = retention.PurgeResult(
                when, cutoff, policy.outcomes_years, deleted, kept, dry_run
            )
            if not dry_run:
                audit_repo.append(uow.connection, result.audit_record(self._actor(actor)))
                uow.commit()
        return result
