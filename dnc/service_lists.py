"""Service methods for opt-outs, lists, prefix blocks, list files and registries."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from dnc import (
    list_ops,
    registry_ops,
)
from dnc.audit import AuditRecord
from dnc.clock import not_after_now, not_before_now
from dnc.errors import InputError, NotFoundError
from dnc.lists import (
    NEVER_BLOCKS,
    POST_DATED,
    Channel,
    ListEntry,
    Scope,
    Source,
    entry_snapshot,
    list_reasons,
)
from dnc.prefixes import PrefixBlock
from dnc.queue import reasons_to_json
from dnc.service_base import ServiceBase, _enum
from dnc.storage import (
    audit_repo,
    lists_repo,
    queue_repo,
)
from dnc.storage.uow import UnitOfWork


class ListMethods(ServiceBase):
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
        ``at`` may be back-dated to when the person asked, never later than
        now (TimeRangeError; dnc.clock.CLOCK_SKEW allowed).
        """
        scope_ = _enum(Scope, scope, "scope")
        if scope_ is Scope.CAMPAIGN and not campaign:
            raise InputError("scope 'campaign' needs a campaign")
        when = not_after_now(self._at(at, "at"), self.now(), "opt-out time", POST_DATED)
        return self._add(
            number,
            campaign=campaign if scope_ is Scope.CAMPAIGN else None,
            source=Source.OPT_OUT,
            channel=_enum(Channel, channel, "channel"),
            at=when,
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
        """Put a number on the internal list or a campaign list (``campaign:NAME``).

        An ``expires_at`` already past is refused (TimeRangeError).
        """
        return self._add(
            number,
            campaign=parse_list_name(list_name),
            source=Source.MANUAL,
            channel=None,
            at=at,
            note=reason,
            actor=actor,
            expires_at=self._expiry(expires_at),
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
        when = self._at(at, "at")
        with UnitOfWork(self.engine, write=True) as uow:
            live = lists_repo.entries(
                uow.connection, number=phone.key, campaign=campaign, any_campaign=False
            )
            if not live:
                raise NotFoundError(f"{phone.e164} is not on the {list_name} list")
            removed = lists_repo.mark_removed(
                uow.connection, [e.id for e in live], at=when, actor=who, reason=reason
            )
            audit_repo.append_changes(
                uow.connection,
                zip(live, removed, strict=True),
                action="list_remove",
                snapshot=entry_snapshot,
                number=lambda entry: entry.number,
                subject=lambda entry: entry.list_name,
                at=when,
                actor=who,
                reason=reason,
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
        expired = list_ops.expiry_records(self.engine, phone, self._at(at, "at"))
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
        """Block every number under an E.164 prefix ("+1201", "+1201555") → DNC_PREFIX.

        An ``expires_at`` already past is refused (TimeRangeError).
        """
        return list_ops.add_prefix(
            self.engine,
            prefix,
            campaign=parse_list_name(list_name),
            note=reason,
            expires_at=self._expiry(expires_at),
            actor=self._actor(actor),
            at=self._at(at, "at"),
            recorded=self.now(),
        )

    def unblock_prefix(
        self,
        prefix: str,
        reason: str,
        list_name: str = "internal",
        actor: str | None = None,
        at: datetime | None = None,
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
            at=self._at(at),
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
            now=self.now(),
        )

    def export_list(
        self, out: TextIO, list_name: str = "internal", at: datetime | None = None
    ) -> int:
        """Write the numbers blocking on a list at ``at`` as CSV; returns how many."""
        return list_ops.export_list(
            self.engine, out, campaign=parse_list_name(list_name), at=self._at(at, "at")
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
        allow_shrink: bool = False,
    ) -> registry_ops.ImportSummary:
        """Replace a registry's snapshot with a full list, or apply a change list.

        ``as_of`` defaults to the file's own date; one after today (UTC) is
        refused (TimeRangeError). A bad line, or a number outside the
        registry's numbering plan, raises BadLineError and changes nothing,
        unless ``skip_invalid``. A full list that is empty, or smaller than the
        current snapshot by more than the registry's ``max_shrink``, raises
        RegistryShrinkError and changes nothing (the latter unless ``allow_shrink``).
        """
        return registry_ops.import_registry(
            self.engine,
            registry_ops.definition_for(self.config.registries, registry),
            path,
            fmt=format,
            as_of=as_of,
            changes=changes,
            skip_invalid=skip_invalid,
            allow_shrink=allow_shrink,
            region=self.config.default_region,
            nanp=self._nanp_countries(),
            actor=self._actor(actor),
            now=self.now(),
            progress=progress,
        )

    def registry_status(self, at: datetime | None = None) -> list[registry_ops.RegistryStatus]:
        """Each configured registry's snapshot: as-of date, size, age, days left."""
        return registry_ops.status(self.engine, self.config.registries, self._at(at, "at"))

    # -- internals -------------------------------------------------------------

    def _nanp_countries(self) -> dict[str, str]:
        return {code: entry.country for code, entry in self.judge.rulebook.area_codes.items()}

    def _expiry(self, expires_at: datetime | None) -> datetime | None:
        if expires_at is None:
            return None
        when = self._at(expires_at, "expires_at")
        return not_before_now(when, self.now(), "expiry", NEVER_BLOCKS)

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
        when = self._at(at, "at")
        recorded = self.now()
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


def parse_list_name(name: str) -> str | None:
    """``internal`` → None (company-wide); ``campaign:NAME`` → NAME."""
    if name == "internal":
        return None
    kind, sep, campaign = name.partition(":")
    if kind == "campaign" and sep and campaign.strip():
        return campaign.strip()
    raise InputError(f"unknown list {name!r}: use 'internal' or 'campaign:NAME'")
