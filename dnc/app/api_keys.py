"""HTTP API keys: made (the secret shown once), listed, revoked; all audited."""

from __future__ import annotations

from collections.abc import Iterable

from dnc import access
from dnc.access import ApiKey, NewApiKey
from dnc.app.context import App
from dnc.audit import AuditRecord
from dnc.errors import ConflictError, NotFoundError
from dnc.storage import api_key_repo, audit_repo


def create(app: App, name: str, scopes: Iterable[str], actor: str | None) -> NewApiKey:
    """A new key named ``name``; ConflictError when the name is taken (revoked
    names stay taken: the audit trail names the key's actions by it)."""
    access.check_name(name)
    granted = access.parse_scopes(scopes)
    secret = access.new_secret()
    who = app.actor(actor)
    now = app.now()
    key = ApiKey(name, granted, access.digest(secret), now, who)
    with app.store.unit(write=True) as uow:
        if api_key_repo.by_name(uow.connection, name) is not None:
            raise ConflictError(f"an API key named {name!r} exists already")
        api_key_repo.insert_key(uow.connection, key)
        audit_repo.append(
            uow.connection,
            AuditRecord(
                at=now,
                actor=who,
                action="api_key_create",
                subject=f"api-key:{name}",
                after=key.to_dict(),
            ),
        )
        uow.commit()
    return NewApiKey(key, secret)


def revoke(app: App, name: str, actor: str | None, reason: str | None) -> ApiKey:
    who = app.actor(actor)
    now = app.now()
    with app.store.unit(write=True) as uow:
        key = api_key_repo.by_name(uow.connection, name)
        if key is None:
            raise NotFoundError(f"no API key named {name!r}")
        if key.revoked_at is not None:
            return key
        api_key_repo.revoke(uow.connection, name, now, who)
        revoked = api_key_repo.by_name(uow.connection, name)
        assert revoked is not None
        audit_repo.append(
            uow.connection,
            AuditRecord(
                at=now,
                actor=who,
                action="api_key_revoke",
                subject=f"api-key:{name}",
                before=key.to_dict(),
                after=revoked.to_dict(),
                reason=reason,
            ),
        )
        uow.commit()
    return revoked


def keys(app: App, *, live_only: bool) -> list[ApiKey]:
    with app.store.unit() as uow:
        return api_key_repo.keys(uow.connection, live_only=live_only)
