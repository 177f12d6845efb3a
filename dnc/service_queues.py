"""Service methods for dialer queues, the scrub and jobs (mixed into Service)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from dnc import queue_export, queue_ops
from dnc.errors import InputError, InvalidNumberError
from dnc.numbers import PhoneNumber
from dnc.queue import QueueEntry, QueueStatus
from dnc.service_base import ServiceBase
from dnc.storage import jobs_repo, queue_repo
from dnc.storage.jobs_repo import JobRun
from dnc.storage.uow import UnitOfWork
from dnc.verdicts import Reason, ReasonCode, Verdict


class QueueMethods(ServiceBase):
    def enqueue(
        self,
        campaign: str,
        number: str,
        lead_id: str | None = None,
        location: str | None = None,
        priority: int = 0,
        at: datetime | None = None,
    ) -> bool:
        """Queue one number for a campaign; False if it was already queued.

        A ``location`` the rules cannot read raises LocationError.
        """
        if location is not None:
            self.judge.rulebook.check_location(location)
        added = queue_ops.enqueue(
            self.engine,
            campaign,
            [(self.parse(number), lead_id, location, priority)],
            self._at(at),
        )
        return added == 1

    def load_queue(
        self, path: str | Path, campaign: str, at: datetime | None = None
    ) -> queue_ops.LoadSummary:
        """Load a CSV (``number`` column; optional lead_id, location, priority).

        All or nothing: a bad number, priority or location (one the rules
        cannot read) raises BadLineError naming the line, and loads nothing.
        """
        return queue_ops.load_csv(
            self.engine,
            path,
            campaign,
            self.config.default_region,
            self._at(at),
            self.judge.rulebook.check_location,
        )

    def queue(
        self,
        campaign: str | None = None,
        status: str | None = None,
        number: str | None = None,
        limit: int | None = None,
    ) -> list[QueueEntry]:
        statuses = [_status(status)] if status else None
        key = self.parse(number).key if number else None
        with UnitOfWork(self.engine) as uow:
            return queue_repo.entries(
                uow.connection, campaign, statuses=statuses, number=key, limit=limit
            )

    def dialable(self, campaign: str, at: datetime | None = None) -> list[QueueEntry]:
        """Entries a dialer may take at ``at`` (default now), best first: every
        live entry decided at that instant, as the export does; nothing stored
        is trusted and nothing is written."""
        entries = queue_export.decided_entries(
            self.engine, self.judge, campaign, self._at(at), everything=False
        )
        return [e for e in entries if e.status is QueueStatus.READY]

    def export_queue(
        self,
        out: TextIO,
        campaign: str,
        at: datetime | None = None,
        everything: bool = False,
    ) -> queue_export.ExportSummary:
        """Write the entries callable at ``at`` (default now) as CSV, each decided
        at that instant with the scrub's engine; with ``everything``, every
        entry with its status and reason codes. A read: the queue is not changed."""
        if not campaign.strip():
            raise InputError("an export needs a campaign name")
        return queue_export.export(
            self.engine, self.judge, out, campaign, self._at(at), everything=everything
        )

    def scrub(
        self,
        campaign: str | None = None,
        at: datetime | None = None,
        dry_run: bool = False,
        trigger: str = "manual",
        owner: str | None = None,
    ) -> queue_ops.ScrubReport:
        """Suppress, defer or hold every queued number that may not be called now.

        One scrub at a time across processes and machines (a lease, named
        after ``owner`` (default the actor), the host, the process and the
        run); raises ScrubBusyError, naming the holder and since when, while
        another is running, even another of this process.
        """
        return queue_ops.scrub(
            self.engine,
            self.judge,
            campaign=campaign,
            at=self._at(at),
            dry_run=dry_run,
            owner=owner or self._actor(None),
            trigger=trigger,
            clock=self.clock,
        )

    def check_many(
        self, numbers: Iterable[str], campaign: str | None = None, at: datetime | None = None
    ) -> list[Verdict]:
        """One verdict per number, in order, read set-based (no round trip per number)."""
        when = self._at(at)
        texts = list(numbers)
        phones: list[PhoneNumber | None] = []
        for text in texts:
            try:
                phones.append(self.parse(text))
            except InvalidNumberError:
                phones.append(None)
        valid = [p for p in phones if p is not None]
        try:
            verdicts = iter(queue_ops.check_many(self.engine, self.judge, valid, campaign, when))
        except Exception as exc:  # noqa: BLE001 - fail closed for the whole batch
            detail = f"check could not complete: {type(exc).__name__}: {exc}"
            return [
                Verdict.refuse(p.e164 if p else t, [Reason(ReasonCode.CHECK_FAILED, detail)])
                for t, p in zip(texts, phones, strict=True)
            ]
        out: list[Verdict] = []
        for text, phone in zip(texts, phones, strict=True):
            if phone is None:
                why = _why(self, text)
                out.append(Verdict.refuse(str(text), [Reason(ReasonCode.INVALID_NUMBER, why)]))
            else:
                out.append(next(verdicts))
        return out

    def next_calls(
        self, campaign: str, limit: int, at: datetime | None = None, owner: str | None = None
    ) -> list[QueueEntry]:
        """Claim up to ``limit`` due entries, each re-checked at the last moment."""
        if limit < 1:
            raise InputError(f"limit must be at least 1, not {limit}")
        return queue_ops.next_calls(
            self.engine, self.judge, campaign, limit, self._at(at), owner or self._actor(None)
        )

    def job_runs(self, job: str | None = None, limit: int = 50) -> list[JobRun]:
        with UnitOfWork(self.engine) as uow:
            return jobs_repo.runs(uow.connection, job, limit)


def _status(value: str) -> QueueStatus:
    try:
        return QueueStatus(value)
    except ValueError:
        choices = ", ".join(s.value for s in QueueStatus)
        raise InputError(f"unknown queue status {value!r} (choose from {choices})") from None


def _why(service: QueueMethods, text: str) -> str:
    try:
        service.parse(text)
    except InvalidNumberError as exc:
        return exc.why
    return "invalid"


__all__: Sequence[str] = ["QueueMethods"]
