"""The service a dialer, the CLI, the jobs and the HTTP API all use.

Each method is one use case, delegated to its module in ``dnc.app``; this
class is the table of contents of what the service does. ``dnc.open()``
(dnc.bootstrap) builds one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from dnc import inputs
from dnc import preferences as _preferences
from dnc.abandonment import AbandonRate
from dnc.access import ApiKey, NewApiKey
from dnc.app import abandonment as abandon_cases
from dnc.app import (
    api_keys,
    auditing,
    checks,
    claims,
    evidence,
    export,
    health,
    jobs,
    list_files,
    lists,
    queues,
    registries,
    replies,
    reply_files,
    scheduled,
)
from dnc.app import consent_evidence as evidence_cases
from dnc.app import consents as consent_cases
from dnc.app import outcomes as outcome_cases
from dnc.app import reassigned as reassigned_cases
from dnc.app import scrub as scrub_cases
from dnc.app.abandonment import AbandonGate
from dnc.app.context import App
from dnc.audit import Anchor, AuditRecord
from dnc.clock import Clock, SystemClock
from dnc.configuration import Config
from dnc.consent import ConsentRecord
from dnc.consent_evidence import ConsentEvidence
from dnc.importing.sources import Progress
from dnc.judge import Judge
from dnc.lists import ListEntry
from dnc.numbers import PhoneNumber
from dnc.outcomes import OutcomeRecord, RecordedOutcome
from dnc.prefixes import PrefixBlock
from dnc.queue import QueueEntry
from dnc.reassigned import Disconnect
from dnc.registries import RegistryStatus
from dnc.reports import Report
from dnc.retention import PurgeResult
from dnc.rules import Preference, RuleBook
from dnc.storage.jobs_repo import JobRun
from dnc.storage.replies_repo import StoredReply
from dnc.storage.store import Store
from dnc.timeline import TimelineEvent
from dnc.verdicts import Verdict


class Service:
    """Checks, lists, outcomes, consents, registries, queues and evidence over one store."""

    def __init__(
        self,
        store: Store,
        config: Config,
        rulebook: RuleBook,
        clock: Clock | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.rulebook = rulebook
        self.clock = clock if clock is not None else SystemClock()
        self.judge = Judge(config, rulebook, AbandonGate(store, config))
        self._app = App(store, config, rulebook, self.judge, self.clock)

    # -- lifecycle and shared reading ---------------------------------------------

    @property
    def database(self) -> str:
        """The database in use, as its URL without the password."""
        return self.store.database

    def now(self) -> datetime:
        """The service clock's current instant (aware, UTC)."""
        return self.clock.now()

    @inputs.guarded()
    def parse(self, number: str) -> PhoneNumber:
        """Parse with the configured default region; raises InvalidNumberError."""
        return self._app.parse(number)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- checks (dnc/app/checks.py) -------------------------------------------------

    @inputs.guarded(number=inputs.number_for_check)
    def check(
        self,
        number: str,
        campaign: str | None = None,
        at: datetime | None = None,
        location: str | None = None,
    ) -> Verdict:
        """May ``number`` be called at ``at`` (default now) for ``campaign``? Never
        raises for a number it cannot clear; any failure inside is CHECK_FAILED."""
        return checks.check(self._app, number, campaign=campaign, at=at, location=location)

    @inputs.guarded()
    def check_many(
        self, numbers: Iterable[str], campaign: str | None = None, at: datetime | None = None
    ) -> list[Verdict]:
        """One verdict per number, in order, read set-based (no round trip per number)."""
        return checks.check_many(self._app, numbers, campaign=campaign, at=at)

    @inputs.guarded()
    def other_readings(self, number: str) -> tuple[str, ...]:
        """E.164 readings of a number the default region cannot read, in the
        regions of the configured registries (``020 7946 0000`` → ``+44 20 7946 0000``)."""
        return checks.other_readings(self._app, number)

    # -- opt-outs, lists and prefix blocks (dnc/app/lists.py, list_files.py) -----------

    @inputs.guarded(campaign=inputs.scoping_campaign)
    def opt_out(
        self,
        number: str,
        campaign: str | None = None,
        scope: str | None = None,
        channel: str = "call",
        at: datetime | None = None,
        note: str | None = None,
        actor: str | None = None,
        client: str | None = None,
    ) -> ListEntry:
        """A request not to be called: durable and out of every queue when this
        returns. ``scope`` "company" (every call), "client" (every campaign of
        ``client``, or of ``campaign``'s client) or "campaign"; None: the
        configured default (``[opt_out]``, company-wide unless configured),
        widened from 2027-01-31 by the US revoke-all rule as of ``at``. ``at``
        may be back-dated, never post-dated (TimeRangeError)."""
        return lists.opt_out(
            self._app,
            number,
            campaign=campaign,
            client=client,
            scope=scope,
            channel=channel,
            at=at,
            note=note,
            actor=actor,
        )

    @inputs.guarded()
    def opt_out_once(
        self,
        key: str,
        number: str,
        *,
        actor: str,
        campaign: str | None = None,
        scope: str | None = None,
        channel: str = "call",
        at: datetime | None = None,
        note: str | None = None,
        client: str | None = None,
    ) -> lists.OnceEntry:
        """``opt_out`` under a client's idempotency key (unique per ``actor``):
        a retry returns the first request's entry (``replayed``) and makes
        none; the key reused for another request raises ConflictError."""
        return lists.opt_out_once(
            self._app,
            key,
            number,
            campaign=campaign,
            client=client,
            scope=scope,
            channel=channel,
            at=at,
            note=note,
            actor=actor,
        )

    @inputs.guarded()
    def add_to_list(
        self,
        number: str,
        list_name: str = "internal",
        reason: str | None = None,
        at: datetime | None = None,
        expires_at: datetime | None = None,
        actor: str | None = None,
    ) -> ListEntry:
        """Put a number on the internal list or a campaign list (``campaign:NAME``)."""
        return lists.add_to_list(
            self._app,
            number,
            list_name=list_name,
            reason=reason,
            at=at,
            expires_at=expires_at,
            actor=actor,
        )

    @inputs.guarded()
    def remove_from_list(
        self,
        number: str,
        reason: str,
        list_name: str = "internal",
        actor: str | None = None,
        at: datetime | None = None,
    ) -> list[ListEntry]:
        """Take a number off one list; a reason is required, the entry kept as history."""
        return lists.remove_from_list(
            self._app, number, reason=reason, list_name=list_name, actor=actor, at=at
        )

    @inputs.guarded()
    def list_entries(
        self,
        list_name: str | None = None,
        number: str | None = None,
        include_removed: bool = False,
        limit: int | None = None,
    ) -> list[ListEntry]:
        """Entries on one list (or all lists), optionally for one number."""
        return lists.list_entries(
            self._app,
            list_name=list_name,
            number=number,
            include_removed=include_removed,
            limit=limit,
        )

    @inputs.guarded()
    def block_prefix(
        self,
        prefix: str,
        list_name: str = "internal",
        reason: str | None = None,
        at: datetime | None = None,
        expires_at: datetime | None = None,
        actor: str | None = None,
    ) -> PrefixBlock:
        """Block every number under an E.164 prefix ("+1201555") → DNC_PREFIX."""
        return lists.block_prefix(
            self._app,
            prefix,
            list_name=list_name,
            reason=reason,
            at=at,
            expires_at=expires_at,
            actor=actor,
        )

    @inputs.guarded()
    def unblock_prefix(
        self,
        prefix: str,
        reason: str,
        list_name: str = "internal",
        actor: str | None = None,
        at: datetime | None = None,
    ) -> list[PrefixBlock]:
        """Lift a prefix block; a reason is required, the block kept as history."""
        return lists.unblock_prefix(
            self._app, prefix, reason=reason, list_name=list_name, actor=actor, at=at
        )

    @inputs.guarded()
    def prefix_blocks(
        self, list_name: str | None = None, include_removed: bool = False
    ) -> list[PrefixBlock]:
        return lists.prefix_blocks(self._app, list_name=list_name, include_removed=include_removed)

    @inputs.guarded()
    def import_list(
        self,
        path: str | Path,
        list_name: str = "internal",
        skip_invalid: bool = False,
        actor: str | None = None,
        encoding: str | None = None,
        progress: Progress | None = None,
    ) -> list_files.ListImportSummary:
        """Add the numbers of a generic CSV (number/phone, added, expires, reason) to a list.
        The file is read by its byte-order mark, else ``encoding``, else as UTF-8."""
        return list_files.import_list(
            self._app,
            path,
            list_name=list_name,
            skip_invalid=skip_invalid,
            actor=actor,
            encoding=encoding,
            progress=progress,
        )

    @inputs.guarded()
    def export_list(
        self, out: TextIO, list_name: str = "internal", at: datetime | None = None
    ) -> int:
        """Write the numbers blocking on a list at ``at`` as CSV; returns how many."""
        return list_files.export_list(self._app, out, list_name=list_name, at=at)

    # -- call outcomes, consents and preferences (dnc/app/outcomes.py, consents.py) ------

    @inputs.guarded(campaign=inputs.outcome_campaign)
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
        """How a call ended (docs/outcomes.md); durable when this returns."""
        return outcome_cases.record_outcome(
            self._app,
            number,
            campaign=campaign,
            outcome=outcome,
            at=at,
            callback_at=callback_at,
            refusals=refusals,
            note=note,
            agent=agent,
            actor=actor,
        )

    @inputs.guarded()
    def abandon_rate(self, campaign: str, at: datetime | None = None) -> AbandonRate:
        """The campaign's abandoned-call rate in the 30-day period containing ``at``."""
        return abandon_cases.rate(self._app, campaign, at)

    @inputs.guarded()
    def outcomes(self, number: str, campaign: str | None = None) -> list[OutcomeRecord]:
        """Every recorded outcome of ``number`` (optionally one campaign), oldest first."""
        return outcome_cases.outcomes(self._app, number, campaign)

    @inputs.guarded()
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
        """A consent for one campaign or one brand, given at ``at``; never lifts an opt-out."""
        return consent_cases.add_consent(
            self._app,
            number,
            kind,
            campaign=campaign,
            brand=brand,
            at=at,
            expires_at=expires_at,
            evidence=evidence,
            actor=actor,
        )

    @inputs.guarded()
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
        return consent_cases.revoke_consent(
            self._app, number, campaign=campaign, brand=brand, reason=reason, actor=actor, at=at
        )

    @inputs.guarded()
    def consent_evidence(
        self,
        number: str,
        *,
        campaign: str | None = None,
        brand: str | None = None,
        include_revoked: bool = True,
    ) -> list[ConsentEvidence]:
        """Each consent of ``number`` (for ``campaign``/``brand``) with its uses, its
        audit records and until when its evidence is kept (UWG §7a)."""
        return evidence_cases.evidence(
            self._app, number, campaign=campaign, brand=brand, include_revoked=include_revoked
        )

    @inputs.guarded()
    def consents(self, number: str, include_revoked: bool = False) -> list[ConsentRecord]:
        return consent_cases.consents(self._app, number, include_revoked=include_revoked)

    @inputs.guarded()
    def set_preference(
        self,
        number: str,
        not_before: str | None = None,
        not_after: str | None = None,
        days: str | None = None,
        actor: str | None = None,
    ) -> Preference:
        """The person's own calling wishes ("not before 10", "mon-fri"); an update
        changes only the parts it names."""
        return consent_cases.set_preference(
            self._app, number, not_before=not_before, not_after=not_after, days=days, actor=actor
        )

    @inputs.guarded()
    def clear_preference(self, number: str, actor: str | None = None) -> None:
        consent_cases.clear_preference(self._app, number, actor=actor)

    @inputs.guarded()
    def preference(self, number: str) -> Preference | None:
        return consent_cases.preference(self._app, number)

    @staticmethod
    def describe_preference(pref: Preference) -> str:
        return _preferences.describe(pref)

    @staticmethod
    def preference_dict(pref: Preference | None) -> dict[str, Any] | None:
        """not_before and not_after (HH:MM), days (``mon,tue``) and text, or None."""
        return consent_cases.preference_snapshot(pref)

    # -- replies: what people wrote or said (dnc/app/replies.py, reply_files.py) ---------

    @inputs.guarded(campaign=inputs.reply_campaign)
    def record_reply(
        self,
        number: str,
        text: str,
        channel: str = "sms",
        campaign: str | None = None,
        at: datetime | None = None,
        agent: str | None = None,
        *,
        language: str | None = None,
        actor: str | None = None,
    ) -> replies.RecordedReply:
        """Read a reply (dnc.classify_reply) received at ``at`` and record it with
        its effect: an opt-out, a refusal, a callback or preferred hours, or none."""
        reply = replies.Reply(number, text, channel, at, campaign, agent)
        return replies.record_reply(self._app, reply, language=language, actor=actor)

    @inputs.guarded()
    def import_replies(
        self,
        path: str | Path,
        language: str | None = None,
        actor: str | None = None,
        progress: reply_files.Progress | None = None,
        encoding: str | None = None,
    ) -> reply_files.ReplyImportSummary:
        """Record every reply of a CSV (number, text, received_at, channel), all or nothing."""
        return reply_files.import_replies(
            self._app, path, language=language, actor=actor, progress=progress, encoding=encoding
        )

    @inputs.guarded()
    def replies(self, number: str) -> list[StoredReply]:
        """Every reply recorded from ``number``, oldest first."""
        return replies.replies(self._app, number)

    # -- registries (dnc/app/registries.py) --------------------------------------------

    @inputs.guarded()
    def import_registry(
        self,
        path: str | Path,
        registry: str,
        format: str | None = None,  # noqa: A002 - the CLI's --format
        as_of: date | None = None,
        changes: bool = False,
        skip_invalid: bool = False,
        actor: str | None = None,
        progress: registries.Progress | None = None,
        allow_shrink: bool = False,
        encoding: str | None = None,
    ) -> registries.ImportSummary:
        """Replace a registry's snapshot with a full list, or apply a change list;
        all or nothing (BadLineError, RegistryShrinkError, TimeRangeError)."""
        return registries.import_registry(
            self._app,
            path,
            registry,
            fmt=format,
            as_of=as_of,
            changes=changes,
            skip_invalid=skip_invalid,
            allow_shrink=allow_shrink,
            actor=actor,
            progress=progress,
            encoding=encoding,
        )

    @inputs.guarded()
    def registry_status(self, at: datetime | None = None) -> list[RegistryStatus]:
        """Each configured registry's snapshot: as-of date, size, age, days left."""
        return registries.status(self._app, at)

    @inputs.guarded()
    def registry_files(self) -> list[str]:
        """Open every current registry snapshot file in this process, fetching a
        missing copy from the database in the background: what is not ready
        yet, or cannot be made good, as one line each (empty: all open)."""
        return registries.files_ready(self._app)

    @inputs.guarded()
    def disconnects(self, number: str) -> list[Disconnect]:
        """The number's permanent disconnects (reassigned-numbers data), oldest first."""
        return reassigned_cases.disconnects(self._app, self._app.parse(number).key)

    @inputs.guarded()
    def registry_freshness(self, at: datetime | None = None) -> dict[str, Any]:
        """The required registries about to go stale (or without a snapshot)."""
        return registries.freshness_warnings(self._app, at)

    # -- queues: load, scrub, export, claim (dnc/app/queues.py, scrub.py, export.py, claims.py)

    @inputs.guarded()
    def enqueue(
        self,
        campaign: str,
        number: str,
        lead_id: str | None = None,
        location: str | None = None,
        priority: int = 0,
        at: datetime | None = None,
    ) -> bool:
        """Queue one number for a campaign; False if it was already queued."""
        return queues.enqueue(
            self._app,
            campaign,
            number,
            lead_id=lead_id,
            location=location,
            priority=priority,
            at=at,
        )

    @inputs.guarded()
    def load_queue(
        self,
        path: str | Path,
        campaign: str,
        at: datetime | None = None,
        encoding: str | None = None,
        progress: Progress | None = None,
    ) -> queues.LoadSummary:
        """Load a CSV (``number``; optional lead_id, location, priority), all or nothing;
        ``progress(bytes read, file size)`` is told now and then."""
        return queues.load_queue(self._app, path, campaign, at, encoding, progress)

    @inputs.guarded()
    def load_leads(
        self, campaign: str, leads: Sequence[Mapping[str, Any]], at: datetime | None = None
    ) -> queues.LoadSummary:
        """Queue leads given as records (``number``; optional lead_id, location,
        priority), all or nothing: InputError names the first bad one."""
        return queues.load_leads(self._app, campaign, leads, at)

    @inputs.guarded()
    def queue(
        self,
        campaign: str | None = None,
        status: str | None = None,
        number: str | None = None,
        limit: int | None = None,
    ) -> list[QueueEntry]:
        """Entries as last decided (``unchecked`` if never)."""
        return queues.entries(
            self._app, campaign=campaign, status=status, number=number, limit=limit
        )

    @inputs.guarded()
    def scrub(
        self,
        campaign: str | None = None,
        at: datetime | None = None,
        dry_run: bool = False,
        trigger: str = "manual",
        owner: str | None = None,
    ) -> scrub_cases.ScrubReport:
        """Suppress, defer or hold every queued number that may not be called at
        ``at``; one scrub at a time (ScrubBusyError names the holder)."""
        return scrub_cases.scrub(
            self._app, campaign=campaign, at=at, dry_run=dry_run, trigger=trigger, owner=owner
        )

    @inputs.guarded()
    def export_queue(
        self,
        out: TextIO,
        campaign: str,
        at: datetime | None = None,
        everything: bool = False,
    ) -> export.ExportSummary:
        """Write the entries callable at ``at`` as CSV, each decided then (with
        ``everything``: every entry, its status and reason codes). A read."""
        return export.export(self._app, out, campaign, at, everything=everything)

    @inputs.guarded()
    def queue_at(self, campaign: str, at: datetime | None = None) -> list[QueueEntry]:
        """Every entry of a campaign's queue as it is at ``at``: the live ones
        decided then (as the export does), the others as stored. A read."""
        return list(export.decided_entries(self._app, campaign, at, everything=True))

    @inputs.guarded()
    def dialable(self, campaign: str, at: datetime | None = None) -> list[QueueEntry]:
        """Entries a dialer may take at ``at``, best first, each decided then."""
        return export.dialable(self._app, campaign, at)

    @inputs.guarded()
    def next_calls(
        self, campaign: str, limit: int, at: datetime | None = None, owner: str | None = None
    ) -> list[QueueEntry]:
        """Claim up to ``limit`` due entries, each re-checked at the last moment."""
        return claims.next_calls(self._app, campaign, limit=limit, at=at, owner=owner)

    # -- evidence (dnc/app/evidence.py) ------------------------------------------------

    @inputs.guarded()
    def history(self, number: str, at: datetime | None = None) -> list[AuditRecord]:
        """Every recorded change concerning ``number``, oldest first, expiries included."""
        return evidence.history(self._app, number, at)

    @inputs.guarded()
    def timeline(self, number: str, at: datetime | None = None) -> list[TimelineEvent]:
        """The number's whole story, oldest first: lists, registries, outcomes, queues."""
        return evidence.number_timeline(self._app, number, at)

    @inputs.guarded()
    def verify_audit(
        self, use_anchor: bool = True, reconcile: bool = True
    ) -> auditing.AuditVerification:
        """Walk the hash chain (the report names the first record that does not
        fit), hold it to its latest anchor (records lost off the end or
        rewritten), and reconcile the lists and consents with the log."""
        return auditing.verify(self._app, use_anchor=use_anchor, reconcile=reconcile)

    @inputs.guarded()
    def anchor_audit(self) -> tuple[Anchor, list[str]]:
        """Write the audit chain's head and count outside the database (the
        anchor file, syslog); return the anchor and where it went."""
        return auditing.anchor(self._app)

    @inputs.guarded()
    def audit_records(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        number: str | None = None,
    ) -> list[AuditRecord]:
        return evidence.audit_records(self._app, since=since, until=until, number=number)

    @inputs.guarded()
    def report(
        self,
        since: date | None = None,
        until: date | None = None,
        at: datetime | None = None,
        client: str | None = None,
    ) -> Report:
        """What happened over UTC days ``since``..``until`` (default: 30 days to
        ``at``); ``client``: only that client's lists and campaigns."""
        return evidence.report(self._app, since=since, until=until, at=at, client=client)

    @inputs.guarded()
    def purge(
        self, at: datetime | None = None, dry_run: bool = False, actor: str | None = None
    ) -> PurgeResult:
        """Delete call outcomes and consent evidence past their retention, never
        what keeps an opt-out honoured nor a consent in force."""
        return evidence.purge(self._app, at=at, dry_run=dry_run, actor=actor)

    # -- scheduled jobs (dnc/app/jobs.py) ----------------------------------------------

    @inputs.guarded()
    def expire_consents(self, at: datetime | None = None) -> dict[str, Any]:
        """Record each consent that lapsed since the job last ran (the timeline shows it)."""
        return consent_cases.expire_consents(self._app, self._app.at(at), scheduled.JOB_ACTOR)

    @inputs.guarded()
    def doctor(self) -> health.DoctorReport:
        """Check the store's integrity (SQLite integrity_check, PostgreSQL
        amcheck) and record it: while it fails, every check answers CHECK_FAILED."""
        return health.doctor(self._app)

    @inputs.guarded()
    def run_job(self, job: str, trigger: str = "manual") -> dict[str, Any]:
        """Run one scheduled job now (``nightly-scrub``, ``registry-freshness``,
        ``consent-expiry``, ``storage-integrity``), recorded under its name."""
        return scheduled.run(self._app, job, trigger)

    @inputs.guarded()
    def job_runs(self, job: str | None = None, limit: int = 50) -> list[JobRun]:
        """Recorded job runs, newest first (failures and skips included)."""
        return jobs.job_runs(self._app, job, limit)

    @inputs.guarded()
    def job_run_counts(self) -> dict[tuple[str, str], int]:
        """How many runs each job has had, by (job, status)."""
        return jobs.job_run_counts(self._app)

    # -- HTTP API keys (dnc/app/api_keys.py) ---------------------------------------------

    @inputs.guarded()
    def create_api_key(
        self, name: str, scopes: Iterable[str], actor: str | None = None
    ) -> NewApiKey:
        """A key for the HTTP API (scopes check, write, admin); its secret is in
        the result only: the store keeps its SHA-256. Audited."""
        return api_keys.create(self._app, name, scopes, actor)

    @inputs.guarded()
    def revoke_api_key(
        self, name: str, actor: str | None = None, reason: str | None = None
    ) -> ApiKey:
        """Revoke a key (kept, so the audit trail's actor stays explained). Audited."""
        return api_keys.revoke(self._app, name, actor, reason)

    @inputs.guarded()
    def api_keys(self, include_revoked: bool = True) -> list[ApiKey]:
        return api_keys.keys(self._app, live_only=not include_revoked)
