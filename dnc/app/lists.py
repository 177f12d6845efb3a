"""Opt-outs, list entries and prefix blocks: adding, removing, reading."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from dnc.app.context import App, choice, required_reason
from dnc.app.effects import record_block, record_entry
from dnc.clock import not_after_now, not_before_now
from dnc.errors import ConflictError, InputError, NotFoundError
from dnc.lists import (
    NEVER_BLOCKS,
    POST_DATED,
    Channel,
    ListEntry,
    ListRef,
    Source,
    entry_snapshot,
    parse_list,
    parse_list_name,
)
from dnc.numbers import PhoneNumber
from dnc.prefixes import PrefixBlock, block_snapshot, parse_prefix
from dnc.revocation import Scope, widest_known
from dnc.storage import api_key_repo, audit_repo, lists_repo, prefix_repo


def opt_out(
    app: App,
    number: str,
    *,
    campaign: str | None,
    scope: str | None,
    client: str | None = None,
    channel: str,
    at: datetime | None,
    note: str | None,
    actor: str | None,
) -> ListEntry:
    """A request not to be called: on the internal list (or the campaign's,
    or the client's), durable and out of every queue when this returns.
    ``scope`` None: the configured default, widened by the US revoke-all rule
    from its date (decided by ``at``). ``at`` may be back-dated to when the
    person asked, never post-dated."""
    _check_scope(app, scope, campaign, client)
    when = not_after_now(app.at(at), app.now(), "opt-out time", POST_DATED)
    channel_ = choice(Channel, channel, "channel")
    phone = app.parse(number)
    target = list_for(app, phone, scope=scope, campaign=campaign, client=client, at=when)
    return _add(
        app,
        phone,
        campaign=target.campaign,
        client=target.client,
        source=Source.OPT_OUT,
        channel=channel_,
        at=when,
        note=note,
        actor=actor,
        expires_at=None,
        action="opt_out",
    )


@dataclass(frozen=True, slots=True)
class OnceEntry:
    """An opt-out made under an idempotency key: the entry, and whether an
    earlier request with the same key had already made it."""

    entry: ListEntry
    replayed: bool


def opt_out_once(
    app: App,
    key: str,
    number: str,
    *,
    campaign: str | None,
    scope: str | None,
    client: str | None = None,
    channel: str,
    at: datetime | None,
    note: str | None,
    actor: str,
) -> OnceEntry:
    """``opt_out`` under a client's idempotency key: a retry of the same
    request (same key, same actor) returns the entry the first one made and
    makes none; the same key with a different request raises ConflictError.
    The key is taken in the entry's own transaction, so a crash between the
    two cannot leave a key without its entry or the reverse."""
    if not key.strip() or len(key) > 200:
        raise InputError("an idempotency key is 1 to 200 characters")
    _check_scope(app, scope, campaign, client)
    when = not_after_now(app.at(at), app.now(), "opt-out time", POST_DATED)
    channel_ = choice(Channel, channel, "channel")
    phone = app.parse(number)
    target = list_for(app, phone, scope=scope, campaign=campaign, client=client, at=when)
    asked = [phone.e164, campaign, scope or "company", channel_.value, note, at and at.isoformat()]
    # A client only when given, so a key's request made before clients existed hashes the same.
    request = hashlib.sha256(
        json.dumps(asked if client is None else [*asked, client]).encode()
    ).hexdigest()
    with app.store.unit(write=True) as uow:
        found = api_key_repo.claim_idempotency(uow.connection, actor, key, request, app.now())
        if found is not None:
            first, entry_id = found
            if first != request:
                raise ConflictError(
                    f"idempotency key {key!r} was used for a different opt-out request"
                )
            entry = lists_repo.by_id(uow.connection, entry_id) if entry_id is not None else None
            if entry is None:
                raise ConflictError(f"idempotency key {key!r}: its first request has no entry")
            return OnceEntry(entry, replayed=True)
        entry = record_entry(
            uow.connection,
            phone.key,
            campaign=target.campaign,
            client=target.client,
            client_of=app.config.campaigns.client_of,
            source=Source.OPT_OUT,
            channel=channel_,
            created_at=when,
            note=note,
            expires_at=None,
            actor=app.actor(actor),
            action="opt_out",
            recorded=app.now(),
        )
        api_key_repo.settle_idempotency(uow.connection, actor, key, entry.id)
        uow.commit()
    return OnceEntry(entry, replayed=False)


def add_to_list(
    app: App,
    number: str,
    *,
    list_name: str,
    reason: str | None,
    at: datetime | None,
    expires_at: datetime | None,
    actor: str | None,
) -> ListEntry:
    """A number on the internal list, a campaign list (``campaign:NAME``) or a
    client list (``client:NAME``)."""
    ref = _known(app, parse_list(list_name))
    until = expiry(app, expires_at)
    return _add(
        app,
        app.parse(number),
        campaign=ref.campaign,
        client=ref.client,
        source=Source.MANUAL,
        channel=None,
        at=app.at(at),
        note=reason,
        actor=actor,
        expires_at=until,
        action="list_add",
    )


def remove_from_list(
    app: App,
    number: str,
    *,
    reason: str,
    list_name: str,
    actor: str | None,
    at: datetime | None,
) -> list[ListEntry]:
    """A number off one list, with the reason; the entry is kept as history."""
    required_reason(reason)
    phone = app.parse(number)
    ref = parse_list(list_name)
    who = app.actor(actor)
    when = app.at(at)
    with app.store.unit(write=True) as uow:
        live = lists_repo.entries(
            uow.connection,
            number=phone.key,
            campaign=ref.campaign,
            client=ref.client,
            any_campaign=False,
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
    app: App,
    *,
    list_name: str | None,
    number: str | None,
    include_removed: bool,
    limit: int | None,
) -> list[ListEntry]:
    """Entries on one list (or all lists), optionally for one number."""
    key = app.parse(number).key if number else None
    ref = parse_list(list_name) if list_name else ListRef()
    with app.store.unit() as uow:
        return lists_repo.entries(
            uow.connection,
            number=key,
            campaign=ref.campaign,
            client=ref.client,
            any_campaign=list_name is None,
            live_only=not include_removed,
            limit=limit,
        )


def block_prefix(
    app: App,
    prefix: str,
    *,
    list_name: str,
    reason: str | None,
    at: datetime | None,
    expires_at: datetime | None,
    actor: str | None,
) -> PrefixBlock:
    """Every number under an E.164 prefix blocked (DNC_PREFIX), out of the queues now."""
    digits = parse_prefix(prefix)
    campaign = parse_list_name(list_name)
    until = expiry(app, expires_at)
    with app.store.unit(write=True) as uow:
        block = record_block(
            uow.connection,
            digits,
            campaign=campaign,
            created_at=app.at(at),
            note=reason,
            expires_at=until,
            actor=app.actor(actor),
            recorded=app.now(),
        )
        uow.commit()
    return block


def unblock_prefix(
    app: App,
    prefix: str,
    *,
    reason: str,
    list_name: str,
    actor: str | None,
    at: datetime | None,
) -> list[PrefixBlock]:
    """A prefix block lifted, with the reason; the block is kept as history."""
    required_reason(reason)
    digits = parse_prefix(prefix)
    campaign = parse_list_name(list_name)
    who = app.actor(actor)
    when = app.at(at)
    with app.store.unit(write=True) as uow:
        live = prefix_repo.blocks(
            uow.connection, prefix=digits, campaign=campaign, any_campaign=False
        )
        if not live:
            raise NotFoundError(f"prefix +{digits} is not blocked on that list")
        removed = prefix_repo.mark_removed(
            uow.connection, [b.id for b in live], at=when, actor=who, reason=reason
        )
        audit_repo.append_changes(
            uow.connection,
            zip(live, removed, strict=True),
            action="prefix_remove",
            snapshot=block_snapshot,
            number=lambda block: block.prefix,
            subject=lambda block: block.list_name,
            at=when,
            actor=who,
            reason=reason,
        )
        uow.commit()
    return removed


def prefix_blocks(app: App, *, list_name: str | None, include_removed: bool) -> list[PrefixBlock]:
    with app.store.unit() as uow:
        return prefix_repo.blocks(
            uow.connection,
            campaign=parse_list_name(list_name) if list_name else None,
            any_campaign=list_name is None,
            live_only=not include_removed,
        )


def expiry(app: App, expires_at: datetime | None) -> datetime | None:
    """An entry's or block's end: refused when it is already past (it would never block)."""
    if expires_at is None:
        return None
    return not_before_now(app.at(expires_at, "expires_at"), app.now(), "expiry", NEVER_BLOCKS)


def _add(
    app: App,
    phone: PhoneNumber,
    *,
    campaign: str | None,
    client: str | None = None,
    source: Source,
    channel: Channel | None,
    at: datetime,
    note: str | None,
    actor: str | None,
    expires_at: datetime | None,
    action: str,
) -> ListEntry:
    with app.store.unit(write=True) as uow:
        entry = record_entry(
            uow.connection,
            phone.key,
            campaign=campaign,
            source=source,
            channel=channel,
            created_at=at,
            note=note,
            expires_at=expires_at,
            actor=app.actor(actor),
            action=action,
            recorded=app.now(),
            client=client,
            client_of=app.config.campaigns.client_of,
        )
        uow.commit()
    return entry


def _known(app: App, ref: ListRef) -> ListRef:
    if ref.client is not None:
        _check_scope(app, None, None, ref.client)
    return ref


def _check_scope(app: App, scope: str | None, campaign: str | None, client: str | None) -> None:
    """What the request names must exist: a usage error otherwise."""
    if scope is not None:
        choice(Scope, scope, "scope")
    if client is not None:
        app.config.campaigns.known_client(client)


def list_for(
    app: App,
    phone: PhoneNumber,
    *,
    scope: str | None,
    campaign: str | None,
    client: str | None,
    at: datetime,
) -> ListRef:
    """The list an opt-out goes on. A campaign names its client (configuration);
    an explicit scope must have what it names, while the default scope (None)
    is the configured one, widened by revoke-all from its date for the
    number's region, and falls back to the company list when it lacks a name."""
    owner = app.config.campaigns.client_of(campaign)
    if client is not None and campaign is not None and owner != client:
        whom = f"client {owner!r}" if owner else "the centre itself (no client)"
        raise InputError(f"campaign {campaign!r} calls for {whom}, not for client {client!r}")
    owner = client or owner
    if scope is None:
        chosen = widest_known(app.config.opt_out.default_for(phone.region, at), campaign, owner)
    else:
        chosen = choice(Scope, scope, "scope")
        if chosen is Scope.CAMPAIGN and not campaign:
            raise InputError("scope 'campaign' needs a campaign")
        if chosen is Scope.CLIENT and owner is None:
            if campaign is not None:
                raise InputError(
                    f"campaign {campaign!r} has no client in configuration "
                    f'([campaigns.{campaign}] client = "NAME")'
                )
            raise InputError("scope 'client' needs a client or a campaign of one")
    if chosen is Scope.CAMPAIGN:
        return ListRef(campaign=campaign)
    if chosen is Scope.CLIENT:
        return ListRef(client=owner)
    return ListRef()
