"""Recording consents and preferences: the write side behind Service methods."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from dnc.audit import AuditRecord
from dnc.consent import ConsentKind, ConsentRecord, default_expiry
from dnc.errors import InputError, NotFoundError
from dnc.numbers import PhoneNumber
from dnc.preferences import describe, format_days
from dnc.rules import Preference
from dnc.storage import audit_repo, consent_repo
from dnc.storage.uow import UnitOfWork


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


def add_consent(
    engine: Engine,
    phone: PhoneNumber,
    *,
    kind: ConsentKind,
    campaign: str | None,
    brand: str | None,
    granted_at: datetime,
    expires_at: datetime | None,
    evidence: str | None,
    actor: str,
    now: datetime,
) -> ConsentRecord:
    if (campaign is None) == (brand is None):
        raise InputError("a consent is for exactly one campaign or one brand")
    expiry = expires_at if expires_at is not None else default_expiry(kind, granted_at)
    if expiry is not None and expiry <= granted_at:
        raise InputError("a consent must expire after it was given")
    with UnitOfWork(engine, write=True) as uow:
        consent = consent_repo.insert_consent(
            uow.connection,
            {
                "number": phone.key,
                "campaign": campaign,
                "brand": brand,
                "kind": kind.value,
                "granted_at": granted_at,
                "expires_at": expiry,
                "evidence": evidence,
                "actor": actor,
                "recorded_at": now,
            },
        )
        audit_repo.append(
            uow.connection,
            AuditRecord(
                at=now,
                actor=actor,
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
    engine: Engine,
    phone: PhoneNumber,
    *,
    campaign: str | None,
    brand: str | None,
    reason: str | None,
    actor: str,
    at: datetime,
) -> list[ConsentRecord]:
    with UnitOfWork(engine, write=True) as uow:
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
            uow.connection, [c.id for c in live], at=at, actor=actor, reason=reason
        )
        audit_repo.append_changes(
            uow.connection,
            zip(live, revoked, strict=True),
            action="consent_revoke",
            snapshot=consent_snapshot,
            number=lambda consent: consent.number,
            subject=lambda consent: consent.scope,
            at=at,
            actor=actor,
            reason=reason,
        )
        uow.commit()
    return revoked


def set_preference(
    engine: Engine, phone: PhoneNumber, pref: Preference | None, *, actor: str, now: datetime
) -> None:
    with UnitOfWork(engine, write=True) as uow:
        before = consent_repo.preference(uow.connection, phone.key)
        consent_repo.set_preference(uow.connection, phone.key, pref, at=now, actor=actor)
        audit_repo.append(
            uow.connection,
            AuditRecord(
                at=now,
                actor=actor,
                action="preference_set" if pref else "preference_clear",
                number=phone.e164,
                subject="preference",
                before=preference_snapshot(before),
                after=preference_snapshot(pref),
            ),
        )
        uow.commit()
