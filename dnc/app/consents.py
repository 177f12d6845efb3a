"""Consents and the person's own calling wishes: recording, revoking, lapsing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from dnc import preferences
from dnc.app.context import App, choice
from dnc.audit import AuditRecord
from dnc.consent import ConsentKind, ConsentRecord, default_expiry
from dnc.errors import InputError, NotFoundError
from dnc.numbers import PhoneNumber
from dnc.preferences import describe, format_days
from dnc.rules import Preference
from dnc.storage import audit_repo, consent_repo, jobs_repo

CONSENT_EXPIRY_JOB = "consent-expiry"


def add_consent(
    app: App,
    number: str,
    kind: str,
    *,
    campaign: str | None,
    brand: str | None,
    at: datetime | None,
    expires_at: datetime | None,
    evidence: str | None,
    actor: str | None,
) -> ConsentRecord:
    """A consent for one campaign or one brand, given at ``at``. EBR kinds
    expire by default (dnc.consent.default_expiry). A consent never lifts an
    opt-out or a list entry."""
    phone = app.parse(number)
    kind_ = choice(ConsentKind, kind, "consent kind")
    granted_at = app.at(at)
    until = app.at(expires_at, "expires_at") if expires_at else None
    who = app.actor(actor)
    if (campaign is None) == (brand is None):
        raise InputError("a consent is for exactly one campaign or one brand")
    expiry = until if until is not None else default_expiry(kind_, granted_at)
    if expiry is not None and expiry <= granted_at:
        raise InputError("a consent must expire after it was given")
    now = app.now()
    with app.store.unit(write=True) as uow:
        consent = consent_repo.insert_consent(
            uow.connection,
            {
                "number": phone.key,
                "campaign": campaign,
                "brand": brand,
                "kind": kind_.value,
                "granted_at": granted_at,
                "expires_at": expiry,
                "evidence": evidence,
                "actor": who,
                "recorded_at": now,
            },
        )
        audit_repo.append(
            uow.connection,
            AuditRecord(
                at=now,
                actor=who,
                action="consent_add",
                number=phone.e164,
                subject=consent.scope,
                after=consent_snapshot(consent),
                reason=evidence,
            ),
        )
        uow.commit()
    return consent


def revoke_consent(
    app: App,
    number: str,
    *,
    campaign: str | None,
    brand: str | None,
    reason: str | None,
    actor: str | None,
    at: datetime | None,
) -> list[ConsentRecord]:
    """Revoke the number's consents for ``campaign`` or ``brand`` (neither: all)."""
    phone = app.parse(number)
    who = app.actor(actor)
    when = app.at(at)
    with app.store.unit(write=True) as uow:
        live = [
            c
            for c in consent_repo.consents(uow.connection, phone.key)
            if (campaign is not None and c.campaign == campaign)
            or (brand is not None and c.brand == brand)
            or (campaign is None and brand is None)
        ]
        if not live:
            raise NotFoundError(f"{phone.e164} has no consent on record to revoke")
        revoked = consent_repo.revoke(
            uow.connection, [c.id for c in live], at=when, actor=who, reason=reason
        )
        audit_repo.append_changes(
            uow.connection,
            zip(live, revoked, strict=True),
            action="consent_revoke",
            snapshot=consent_snapshot,
            number=lambda consent: consent.number,
            subject=lambda consent: consent.scope,
            at=when,
            actor=who,
            reason=reason,
        )
        uow.commit()
    return revoked


def consents(app: App, number: str, *, include_revoked: bool) -> list[ConsentRecord]:
    key = app.parse(number).key
    with app.store.unit() as uow:
        return consent_repo.consents(uow.connection, key, live_only=not include_revoked)


def set_preference(
    app: App,
    number: str,
    *,
    not_before: str | None,
    not_after: str | None,
    days: str | None,
    actor: str | None,
) -> Preference:
    """The person's own calling wishes ("not before 10", "mon-fri"); an update
    changes only the parts it names, the others stay as recorded."""
    preferences.build(not_before, not_after, days)  # bad input refused before any write
    phone = app.parse(number)
    who = app.actor(actor)
    with app.store.unit(write=True) as uow:
        before = consent_repo.preference(uow.connection, phone.key)
        pref = preferences.update(before, not_before, not_after, days)
        store_preference(uow.connection, phone, pref, actor=who, now=app.now())
        uow.commit()
    return pref


def clear_preference(app: App, number: str, *, actor: str | None) -> None:
    _store_preference(app, number, None, actor)


def preference(app: App, number: str) -> Preference | None:
    key = app.parse(number).key
    with app.store.unit() as uow:
        return consent_repo.preference(uow.connection, key)


def expire_consents(app: App, at: datetime, actor: str) -> dict[str, Any]:
    """One audit record per consent that lapsed since the last run of the job.

    Nothing is changed: an expired consent simply stops counting in checks.
    The record makes the lapse visible in the number's timeline.
    """
    with app.store.unit(write=True) as uow:
        previous = jobs_repo.last_success(uow.connection, CONSENT_EXPIRY_JOB)
        since = previous.started_at if previous else at - timedelta(days=1)
        expired = consent_repo.lapsed(uow.connection, since, at)
        for consent in expired:
            audit_repo.append(
                uow.connection,
                AuditRecord(
                    at=at,
                    actor=actor,
                    action="consent_expired",
                    number=consent.number,
                    subject=consent.scope,
                    before=consent_snapshot(consent),
                ),
            )
        uow.commit()
    return {"expired": len(expired), "since": since.isoformat()}


def consent_snapshot(consent: ConsentRecord) -> dict[str, Any]:
    data = asdict(consent)
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in data.items()}


def preference_snapshot(pref: Preference | None) -> dict[str, Any] | None:
    if pref is None:
        return None
    return {
        "not_before": pref.not_before.strftime("%H:%M") if pref.not_before else None,
        "not_after": pref.not_after.strftime("%H:%M") if pref.not_after else None,
        "days": format_days(pref.days),
        "text": describe(pref),
    }


def _store_preference(app: App, number: str, pref: Preference | None, actor: str | None) -> None:
    phone = app.parse(number)
    who = app.actor(actor)
    with app.store.unit(write=True) as uow:
        store_preference(uow.connection, phone, pref, actor=who, now=app.now())
        uow.commit()


def store_preference(
    conn: Connection, phone: PhoneNumber, pref: Preference | None, *, actor: str, now: datetime
) -> None:
    """Set (or with None clear) the number's wishes, audited, in the caller's unit of work."""
    store_preferences(conn, [(phone, pref, actor)], now=now)


def store_preferences(
    conn: Connection,
    changes: Sequence[tuple[PhoneNumber, Preference | None, str]],
    *,
    now: datetime,
) -> None:
    """Set (None: clear) numbers' wishes in order, each audited with what it
    replaced (a number changed twice: its first change, then the second),
    set-based, in the caller's unit of work."""
    current = consent_repo.preferences_of(conn, [phone.key for phone, _, _ in changes])
    records = []
    for phone, pref, actor in changes:
        before = current.get(phone.key)
        records.append(
            AuditRecord(
                at=now,
                actor=actor,
                action="preference_set" if pref else "preference_clear",
                number=phone.e164,
                subject="preference",
                before=preference_snapshot(before),
                after=preference_snapshot(pref),
            )
        )
        if pref is None:
            current.pop(phone.key, None)
        else:
            current[phone.key] = pref
    consent_repo.set_preferences(
        conn, [(phone.key, pref, actor) for phone, pref, actor in changes], at=now
    )
    audit_repo.append_many(conn, records)
