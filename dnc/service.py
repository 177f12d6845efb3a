"""The service a dialer, the CLI and the jobs all use: ``dnc.open(...)``.

Composition happens here and only here: configuration, engine, migrations.
Nothing connects at import time.
"""

from __future__ import annotations

import functools
import getpass
import os
import socket
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from dnc import (
    configuration,
    consent_ops,
    list_ops,
    outcome_ops,
    preferences,
    registry_ops,
    retention,
    timeline,
)
from dnc.audit import AuditRecord
from dnc.configuration import Config
from dnc.consent import ConsentKind, ConsentRecord
from dnc.errors import InputError, InvalidNumberError, NotFoundError, StorageError
from dnc.judge import Judge
from dnc.lists import Channel, ListEntry, Scope, Source, list_reasons
from dnc.numbers import PhoneNumber, parse
from dnc.outcomes import ATTEMPT_HORIZON, OutcomeRecord, RecordedOutcome
from dnc.prefixes import PrefixBlock
from dnc.queue import reasons_to_json
from dnc.reports import Report
from dnc.reports import collect as report_collect
from dnc.rules import Preference, RuleBook, load_rulebook
from dnc.service_queues import QueueMethods
from dnc.storage import (
    audit_repo,
    consent_repo,
    lists_repo,
    migrate,
    queue_repo,
    retention_repo,
    timeline_repo,
)
from dnc.storage.engine import create as create_engine
from dnc.storage.hotpath import HotReader
from dnc.storage.uow import UnitOfWork
from dnc.verdicts import Reason, ReasonCode, Verdict


def open(  # noqa: A001 - the front door is dnc.open(), as documented
    database_url: str | None = None,
    config: Config | str | Path | None = None,
    *,
    migrate_schema: bool = True,
) -> Service:
    """Open the service: load configuration, connect, bring the schema to head.

    URL precedence: argument > DNC_DATABASE_URL > config > ./dnc.db (SQLite).
    Raises StorageError when the database cannot be reached, and
    SchemaTooNewError when it was migrated by a newer dnc.
    """
    cfg = config if isinstance(config, Config) else configuration.load(config)
    url = configuration.resolve_database_url(database_url, cfg)
    engine = create_engine(url)
    try:
        if migrate_schema:
            migrate.upgrade(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StorageError(f"cannot use database {_redact(url)}: {_first_line(exc)}") from exc
    except BaseException:
        engine.dispose()
        raise
    return Service(engine, cfg)


@functools.cache
def packaged_rulebook() -> RuleBook:
    """The packaged calling rules, loaded once per process (~50 ms)."""
    data = configuration.packaged_dir()
    return load_rulebook(data / "rules", data / "nanp_area_codes.csv")


class Service(QueueMethods):
    """Checks, opt-outs and list management over one database."""

    def __init__(self, engine: Engine, config: Config, rulebook: RuleBook | None = None) -> None:
        self.engine = engine
        self.config = config
        self.rulebook = rulebook if rulebook is not None else packaged_rulebook()
        self.judge = Judge(config, self.rulebook)
        self._hot = HotReader(engine)

    # -- lifecycle -----------------------------------------------------------

    def close(self) -> None:
        self._hot.close()
        self.engine.dispose()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- numbers -------------------------------------------------------------

    def parse(self, number: str) -> PhoneNumber:
        """Parse with the configured default region; raises InvalidNumberError."""
        return parse(number, self.config.default_region)

    # -- the check -------------------------------------------------------------

    def check(
        self,
        number: str,
        campaign: str | None = None,
        at: datetime | None = None,
        location: str | None = None,
    ) -> Verdict:
        """May ``number`` be called at ``at`` (default now) for ``campaign``?

        Never raises for a number it cannot clear, and never answers
        "allowed" by accident: any internal failure is a CHECK_FAILED refusal.
        A naive ``at`` is a caller bug and raises InputError.
        """
        when = _instant(at, "at")
        try:
            phone = self.parse(number)
        except InvalidNumberError as exc:
            return Verdict.refuse(str(number), [Reason(ReasonCode.INVALID_NUMBER, exc.why)])
        try:
            facts = self._hot.facts(phone.key, since=when - ATTEMPT_HORIZON)
            return self.judge.verdict(
                phone, facts, campaign=campaign, at=when, location=location
            )
        except InputError:
            raise  # a location the rules cannot read: the caller's mistake, said as such
        except Exception as exc:  # noqa: BLE001 - fail closed, with the cause named
            return Verdict.refuse(
                phone.e164,
                [Reason(ReasonCode.CHECK_FAILED, f"check could not complete: {_first_line(exc)}")],
            )

    # -- opt-outs and lists ------------------------------------------------------

    def opt_out(
        self,
        number: str,
        campaign: str | None = None,
        scope: str = "company",
        channel: str = "call",
        at: datetime | None = None,
        note: str | None = None,
        actor: str | None = None,
    ) -> ListEntry:
        """Record a request not to be called; durable when this returns.

        Company-wide by default; ``scope="campaign"`` limits it to ``campaign``.
        """
        scope_ = _enum(Scope, scope, "scope")
        if scope_ is Scope.CAMPAIGN and not campaign:
            raise InputError("scope 'campaign' needs a campaign")
        return self._add(
            number,
            campaign=campaign if scope_ is Scope.CAMPAIGN else None,
            source=Source.OPT_OUT,
            channel=_enum(Channel, channel, "channel"),
            at=at,
            note=note,
            actor=actor,
            expires_at=None,
            action="opt_out",
        )

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
        return self._add(
            number,
            campaign=parse_list_name(list_name),
            source=Source.MANUAL,
            channel=None,
            at=at,
            note=reason,
            actor=actor,
            expires_at=_instant(expires_at, "expires_at") if expires_at else None,
            action="list_add",
        )

    def remove_from_list(
        self,
        number: str,
        reason: str,
        list_name: str = "internal",
        actor: str | None = None,
        at: datetime | None = None,
    ) -> list[ListEntry]:
        """Take a number off one list. A reason is required; the entry is kept as history."""
        if not reason or not reason.strip():
            raise InputError("a removal needs a reason")
        phone = self.parse(number)
        campaign = parse_list_name(list_name)
        who = self._actor(actor)
        when = _instant(at, "at")
        with UnitOfWork(self.engine, write=True) as uow:
            live = lists_repo.entries(
                uow.connection, number=phone.key, campaign=campaign, any_campaign=False
            )
            if not live:
                raise NotFoundError(f"{phone.e164} is not on the {list_name} list")
            removed = lists_repo.mark_removed(
                uow.connection, [e.id for e in live], at=when, actor=who, reason=reason
            )
            for before, after in zip(live, removed, strict=True):
                audit_repo.append(
                    uow.connection,
                    AuditRecord(
                        at=when,
                        actor=who,
                        action="list_remove",
                        number=phone.e164,
                        subject=after.list_name,
                        before=entry_snapshot(before),
                        after=entry_snapshot(after),
                        reason=reason,
                    ),
                )
            uow.commit()
        return removed

    def list_entries(
        self,
        list_name: str | None = None,
        number: str | None = None,
        include_removed: bool = False,
        limit: int | None = None,
    ) -> list[ListEntry]:
        """Entries on one list (or all lists), optionally for one number."""
        key = self.parse(number).key if number else None
        campaign = parse_list_name(list_name) if list_name else None
        with UnitOfWork(self.engine) as uow:
            return lists_repo.entries(
                uow.connection,
                number=key,
                campaign=campaign,
                any_campaign=list_name is None,
                live_only=not include_removed,
                limit=limit,
            )

    def history(self, number: str, at: datetime | None = None) -> list[AuditRecord]:
        """Every recorded change concerning ``number``, oldest first.

        Entries and prefix blocks that expired by ``at`` (default now) appear
        as ``list_expire`` records dated at their expiry.
        """
        phone = self.parse(number)
        with UnitOfWork(self.engine) as uow:
            records = audit_repo.for_number(uow.connection, phone.e164)
        expired = list_ops.expiry_records(self.engine, phone, _instant(at, "at"))
        return sorted([*records, *expired], key=lambda r: r.at) if expired else records

    # -- prefix blocks, list files and registries (dnc/list_ops.py, dnc/registry_ops.py) --

    def block_prefix(
        self,
        prefix: str,
        list_name: str = "internal",
        reason: str | None = None,
        at: datetime | None = None,
        expires_at: datetime | None = None,
        actor: str | None = None,
    ) -> PrefixBlock:
        """Block every number under an E.164 prefix ("+1201", "+1201555") → DNC_PREFIX."""
        return list_ops.add_prefix(
            self.engine,
            prefix,
            campaign=parse_list_name(list_name),
            note=reason,
            expires_at=_instant(expires_at, "expires_at") if expires_at else None,
            actor=self._actor(actor),
            at=_instant(at, "at"),
        )

    def unblock_prefix(
        self, prefix: str, reason: str, list_name: str = "internal", actor: str | None = None
    ) -> list[PrefixBlock]:
        """Lift a prefix block; a reason is required and the block is kept as history."""
        if not reason or not reason.strip():
            raise InputError("a removal needs a reason")
        return list_ops.remove_prefix(
            self.engine,
            prefix,
            campaign=parse_list_name(list_name),
            reason=reason,
            actor=self._actor(actor),
            at=datetime.now(UTC),
        )

    def prefix_blocks(
        self, list_name: str | None = None, include_removed: bool = False
    ) -> list[PrefixBlock]:
        return list_ops.prefix_blocks(
            self.engine,
            campaign=parse_list_name(list_name) if list_name else None,
            any_campaign=list_name is None,
            include_removed=include_removed,
        )

    def import_list(
        self,
        path: str | Path,
        list_name: str = "internal",
        skip_invalid: bool = False,
        actor: str | None = None,
    ) -> list_ops.ListImportSummary:
        """Add the numbers of a generic CSV (number/phone, added, expires, reason) to a list."""
        return list_ops.import_list(
            self.engine,
            path,
            campaign=parse_list_name(list_name),
            list_name=list_name,
            region=self.config.default_region,
            skip_invalid=skip_invalid,
            actor=self._actor(actor),
            now=datetime.now(UTC),
        )

    def export_list(
        self, out: TextIO, list_name: str = "internal", at: datetime | None = None
    ) -> int:
        """Write the numbers blocking on a list at ``at`` as CSV; returns how many."""
        return list_ops.export_list(
            self.engine, out, campaign=parse_list_name(list_name), at=_instant(at, "at")
        )

    def import_registry(
        self,
        path: str | Path,
        registry: str,
        format: str | None = None,  # noqa: A002 - the CLI's --format
        as_of: date | None = None,
        changes: bool = False,
        skip_invalid: bool = False,
        actor: str | None = None,
        progress: registry_ops.Progress | None = None,
    ) -> registry_ops.ImportSummary:
        """Replace a registry's snapshot with a full list, or apply a change list.

        ``as_of`` defaults to the file's own date. A bad line raises
        BadLineError and changes nothing, unless ``skip_invalid``.
        """
        return registry_ops.import_registry(
            self.engine,
            registry_ops.definition_for(self.config.registries, registry),
            path,
            fmt=format,
            as_of=as_of,
            changes=changes,
            skip_invalid=skip_invalid,
            region=self.config.default_region,
            actor=self._actor(actor),
            now=datetime.now(UTC),
            progress=progress,
        )

    def registry_status(self, at: datetime | None = None) -> list[registry_ops.RegistryStatus]:
        """Each configured registry's snapshot: as-of date, size, age, days left."""
        return registry_ops.status(self.engine, self.config.registries, _instant(at, "at"))

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
            granted_at=_instant(at, "at"),
            expires_at=_instant(expires_at, "expires_at") if expires_at else None,
            evidence=evidence,
            actor=self._actor(actor),
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
            at=_instant(at, "at"),
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
        consent_ops.set_preference(self.engine, self.parse(number), pref, actor=self._actor(actor))
        return pref

    @staticmethod
    def describe_preference(pref: Preference) -> str:
        return preferences.describe(pref)

    def clear_preference(self, number: str, actor: str | None = None) -> None:
        consent_ops.set_preference(self.engine, self.parse(number), None, actor=self._actor(actor))

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
        the campaign's list, in the same transaction. The audit names
        ``actor``, else ``agent``, else the configured actor.
        """
        phone = self.parse(number)
        when = _instant(at, "at")
        record = outcome_ops.build_record(
            self.config.campaigns,
            campaign=campaign,
            outcome=outcome,
            at=when,
            callback_at=_instant(callback_at, "callback_at") if callback_at else None,
            refusals=refusals,
            note=note,
            agent=agent,
        )
        who = self._actor(actor or agent)
        return outcome_ops.record_outcome(
            self.engine, self.config.campaigns, phone, record, actor=who
        )

    def outcomes(self, number: str, campaign: str | None = None) -> list[OutcomeRecord]:
        """Every recorded outcome of ``number`` (optionally one campaign), oldest first."""
        return outcome_ops.outcomes(self.engine, self.parse(number), campaign)

    # -- evidence: timeline, reports, retention (dnc/timeline.py, dnc/reports/) ------

    def timeline(self, number: str, at: datetime | None = None) -> list[timeline.TimelineEvent]:
        """The number's whole story, oldest first: list entries and removals,
        prefix blocks, registry listings, outcomes, consents, preferences, queues."""
        phone = self.parse(number)
        with UnitOfWork(self.engine) as uow:
            records = timeline_repo.audit_records(uow.connection, phone.key)
            listings = timeline_repo.registry_listings(uow.connection, phone.key)
            queue = timeline_repo.queue_facts(uow.connection, phone.key)
        expired = list_ops.expiry_records(self.engine, phone, _instant(at, "at"))
        return timeline.build(phone.e164, [*records, *expired], listings, queue)

    def report(
        self, since: date | None = None, until: date | None = None, at: datetime | None = None
    ) -> Report:
        """What happened over UTC days ``since``..``until`` (inclusive; default:
        the 30 days to ``at``): opt-outs, three no's, scrubs, registries, job failures."""
        when = _instant(at, "at")
        last = until or when.astimezone(UTC).date()
        first = since or last - timedelta(days=29)
        return report_collect.report(
            self.engine,
            first,
            last,
            registries=self.registry_status(when),
            generated_at=when,
        )

    def purge(
        self, at: datetime | None = None, dry_run: bool = False, actor: str | None = None
    ) -> retention.PurgeResult:
        """Delete call outcomes past ``[retention] outcomes_years`` (one statement),
        never what keeps an opt-out or a three-no's suppression honoured."""
        when = _instant(at, "at")
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

    # -- internals -------------------------------------------------------------

    def _add(
        self,
        number: str,
        *,
        campaign: str | None,
        source: Source,
        channel: Channel | None,
        at: datetime | None,
        note: str | None,
        actor: str | None,
        expires_at: datetime | None,
        action: str,
    ) -> ListEntry:
        phone = self.parse(number)
        who = self._actor(actor)
        when = _instant(at, "at")
        recorded = datetime.now(UTC)
        with UnitOfWork(self.engine, write=True) as uow:
            entry = lists_repo.insert_entry(
                uow.connection,
                number=phone.key,
                campaign=campaign,
                source=source,
                channel=channel,
                created_at=when,
                recorded_at=recorded,
                actor=who,
                note=note,
                expires_at=expires_at,
            )
            audit_repo.append(
                uow.connection,
                AuditRecord(
                    at=recorded,
                    actor=who,
                    action=action,
                    number=phone.e164,
                    subject=entry.list_name,
                    after=entry_snapshot(entry),
                    reason=note,
                ),
            )
            if entry.expires_at is None:
                # Out of every queue it must leave, in this same transaction:
                # an acknowledged opt-out is never already in tomorrow's queue.
                reasons = list_reasons([entry], entry.campaign, when)
                queue_repo.suppress_number(
                    uow.connection, phone.key, entry.campaign, reasons_to_json(reasons), recorded
                )
            uow.commit()
        return entry

    def _actor(self, actor: str | None) -> str:
        if actor:
            return actor
        if self.config.actor:
            return self.config.actor
        return os.environ.get(configuration.ENV_ACTOR) or _os_actor()


def parse_list_name(name: str) -> str | None:
    """``internal`` → None (company-wide); ``campaign:NAME`` → NAME."""
    if name == "internal":
        return None
    kind, sep, campaign = name.partition(":")
    if kind == "campaign" and sep and campaign.strip():
        return campaign.strip()
    raise InputError(f"unknown list {name!r}: use 'internal' or 'campaign:NAME'")


def entry_snapshot(entry: ListEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "list": entry.list_name,
        "source": entry.source.value,
        "channel": entry.channel.value if entry.channel else None,
        "created_at": entry.created_at.isoformat(),
        "expires_at": entry.expires_at.isoformat() if entry.expires_at else None,
        "note": entry.note,
        "removed_at": entry.removed_at.isoformat() if entry.removed_at else None,
    }


def _instant(value: datetime | None, name: str) -> datetime:
    if value is None:
        return datetime.now(UTC)
    if not isinstance(value, datetime):
        raise InputError(f"{name} must be a datetime, not {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{name} must be timezone-aware, got {value.isoformat()}")
    return value


def _enum(kind: Any, value: str, name: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(m.value for m in kind)
        raise InputError(f"unknown {name} {value!r} (choose from {choices})") from None


def _os_actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only used in an error message
        return "<database>"


__all__ = ["Service", "open", "parse_list_name"]
