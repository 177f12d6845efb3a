"""Consent evidence (UWG §7a): each use recorded, and a consent's whole record
exported for a regulator's request."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from dnc.app.context import App
from dnc.consent_evidence import ConsentEvidence
from dnc.storage import audit_repo, consent_repo, consent_use_repo

Use = tuple[int, datetime, str, str | None]


def record_uses(app: App, uses: Iterable[Use]) -> int:
    """Record (consent id, when, via, campaign) uses in one write; how many."""
    found = list(uses)
    if not found:
        return 0
    with app.store.unit(write=True) as uow:
        count = consent_use_repo.record(uow.connection, found)
        uow.commit()
    return count


def evidence(
    app: App, number: str, *, campaign: str | None, brand: str | None, include_revoked: bool
) -> list[ConsentEvidence]:
    """The number's consents (for ``campaign`` / ``brand`` when given), each with
    its uses and its audit records."""
    phone = app.parse(number)
    with app.store.unit() as uow:
        found = [
            c
            for c in consent_repo.consents(uow.connection, phone.key, live_only=not include_revoked)
            if (campaign is None or c.campaign == campaign) and (brand is None or c.brand == brand)
        ]
        uses = consent_use_repo.of_consents(uow.connection, [c.id for c in found])
        records = [
            r
            for r in audit_repo.for_number(uow.connection, phone.e164)
            if r.action.startswith("consent")
        ]
    return [
        ConsentEvidence(
            consent=c,
            uses=tuple(uses.get(c.id, ())),
            audit=tuple(r for r in records if _about(r.after, c.id) or _about(r.before, c.id)),
            years=app.config.retention.consent_evidence_years,
        )
        for c in found
    ]


def _about(snapshot: dict[str, object] | None, consent_id: int) -> bool:
    return snapshot is not None and snapshot.get("id") == consent_id
