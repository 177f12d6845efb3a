"""A number's story, told in order: what a compliance officer reads. Pure domain.

The audit log is the backbone: every list entry and removal, consent,
preference, outcome and three-no's suppression is an audit record, and its
order (by the time it was recorded, then its id) is the order of events.
Three things the audit log does not hold per number are added: the
registries whose current snapshot lists the number, when it entered and left
each registry (the movements recorded at each snapshot swap), and what the
dialer queues did with it (suppressed, deferred, handed out).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from dnc.audit import AuditRecord
from dnc.moments import minute
from dnc.reassigned import Disconnect

SYSTEM_ACTOR = "dnc"
"""Named for what nobody did by hand: expiries, the scrub, registry look-ups."""


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One thing that happened to a number, with a sentence a person can read."""

    at: datetime
    kind: str
    summary: str
    actor: str
    reason: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    subject: str | None = None
    record: AuditRecord | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready. ``action``/``before``/``after`` keep the shape of the
        audit record an event came from, so older consumers of history keep working."""
        rec = self.record
        return {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "action": self.kind,
            "summary": self.summary,
            "actor": self.actor,
            "reason": self.reason,
            "subject": self.subject,
            "number": rec.number if rec else self.details.get("number"),
            "audit_id": rec.id if rec else None,
            "before": rec.before if rec else None,
            "after": rec.after if rec else None,
            "details": dict(self.details),
        }


@dataclass(frozen=True, slots=True)
class RegistryListing:
    """The number is in this registry's current snapshot."""

    registry: str
    as_of: date
    imported_at: datetime
    actor: str
    file: str
    changes_applied: int = 0


@dataclass(frozen=True, slots=True)
class RegistryMovement:
    """The number entered or left a registry at one snapshot swap."""

    registry: str
    direction: str  # "entered" or "left"
    kind: str  # the swap: "full" (a full list) or "change" (a change list)
    as_of: date
    imported_at: datetime
    snapshot_id: int
    actor: str


@dataclass(frozen=True, slots=True)
class RegistryBaseline:
    """The snapshot a registry's movements start from: its first import, or the
    last swap before the retention cutoff. Who was on it entered no one knows when."""

    registry: str
    as_of: date
    imported_at: datetime
    snapshot_id: int
    actor: str


@dataclass(frozen=True, slots=True)
class QueueFact:
    """One queue row of the number, as the scrub and the dialers left it."""

    campaign: str
    status: str
    created_at: datetime
    updated_at: datetime
    reasons: tuple[tuple[str, str], ...] = ()
    suppressed_at: datetime | None = None
    not_before: datetime | None = None
    claimed_at: datetime | None = None
    claimed_by: str | None = None
    lead_id: str | None = None


def build(
    number: str,
    records: Iterable[AuditRecord],
    listings: Iterable[RegistryListing] = (),
    queue: Iterable[QueueFact] = (),
    *,
    disconnects: Iterable[Disconnect] = (),
    movements: Iterable[RegistryMovement] = (),
    baselines: Mapping[str, RegistryBaseline] | None = None,
) -> list[TimelineEvent]:
    """Every event concerning ``number``, oldest first (ties keep the audit order)."""
    events = [from_audit(r) for r in records]
    listings = list(listings)
    # Before the listings: at one instant, "entered" reads before "listed".
    events.extend(
        registry_moves(number, movements, baselines or {}, {x.registry for x in listings})
    )
    events.extend(from_listing(number, listing) for listing in listings)
    events.extend(from_disconnect(number, d) for d in disconnects)
    for fact in queue:
        events.extend(from_queue(number, fact))
    # sorted() is stable: records arrive in audit-id order and keep it on ties.
    return sorted(events, key=lambda e: e.at)


# -- audit records ------------------------------------------------------------------


def from_audit(record: AuditRecord) -> TimelineEvent:
    describe = _DESCRIBERS.get(record.action, _generic)
    summary, details = describe(record)
    return TimelineEvent(
        at=record.at,
        kind=record.action,
        summary=summary,
        actor=record.actor,
        reason=record.reason,
        details=details,
        subject=record.subject,
        record=record,
    )


_Described = tuple[str, dict[str, Any]]


def _list_label(subject: str | None) -> str:
    if not subject or subject == "internal":
        return "the internal list"
    if subject.startswith("campaign:"):
        return f"the list of campaign {subject.partition(':')[2]!r}"
    return subject


def _expiry(snapshot: Mapping[str, Any]) -> str:
    expires = snapshot.get("expires_at")
    return f", until {_short(expires)}" if expires else ""


def _opt_out(r: AuditRecord) -> _Described:
    after = r.after or {}
    channel = after.get("channel")
    via = f" by {channel}" if channel else ""
    scope = "company-wide" if r.subject in (None, "internal") else _list_label(r.subject)
    text = f"opted out{via}: on {_list_label(r.subject)}"
    if scope != "company-wide":
        text = f"opted out{via} of one campaign: on {_list_label(r.subject)}"
    text += _expiry(after) + _effective(r, after)
    return text, {"list": r.subject, "channel": channel}


def _list_add(r: AuditRecord) -> _Described:
    after = r.after or {}
    source = after.get("source")
    if source == "wrong_number":
        text = f"reported as a wrong number: on {_list_label(r.subject)}"
    else:
        text = f"added to {_list_label(r.subject)}"
    return text + _expiry(after) + _effective(r, after), {"list": r.subject, "source": source}


def _list_import(r: AuditRecord) -> _Described:
    return f"imported onto {_list_label(r.subject)}" + _expiry(r.after or {}), {"list": r.subject}


def _list_remove(r: AuditRecord) -> _Described:
    return f"taken off {_list_label(r.subject)}", {"list": r.subject}


def _list_expire(r: AuditRecord) -> _Described:
    return f"entry on {_list_label(r.subject)} expired", {"list": r.subject}


def _prefix(r: AuditRecord) -> _Described:
    verb = "blocked" if r.action == "prefix_add" else "unblocked"
    return (
        f"prefix {r.number} {verb} on {_list_label(r.subject)}",
        {"prefix": r.number, "list": r.subject},
    )


def _consent_scope(snapshot: Mapping[str, Any]) -> str:
    if snapshot.get("campaign"):
        return f"campaign {snapshot['campaign']!r}"
    if snapshot.get("brand"):
        return f"brand {snapshot['brand']!r}"
    return "every campaign"


def _consent_add(r: AuditRecord) -> _Described:
    after = r.after or {}
    expires = after.get("expires_at")
    until = f", expires {_short(expires)}" if expires else ""
    kind = str(after.get("kind", "consent")).replace("_", " ")
    return f"consent ({kind}) for {_consent_scope(after)}{until}", {
        "kind": after.get("kind"),
        "campaign": after.get("campaign"),
        "brand": after.get("brand"),
    }


def _consent_revoke(r: AuditRecord) -> _Described:
    snap = r.after or r.before or {}
    kind = str(snap.get("kind", "consent")).replace("_", " ")
    return f"consent ({kind}) for {_consent_scope(snap)} revoked", {"kind": snap.get("kind")}


def _preference(r: AuditRecord) -> _Described:
    if r.action == "preference_clear" or not r.after:
        return "calling preference cleared", {}
    text = r.after.get("text") or "set"
    return f"calling preference: {text}", {"preference": text}


def _outcome(r: AuditRecord) -> _Described:
    after = r.after or {}
    outcome = after.get("outcome") or {}
    state = after.get("state") or {}
    campaign = outcome.get("campaign") or (r.subject or "").partition(":")[2]
    call_at = outcome.get("at")
    led_to = state.get("summary") or after.get("summary") or ""
    text = f"call in campaign {campaign!r}"
    if call_at:
        text += f" at {_short(call_at)}"
    text += f": {outcome.get('outcome', '?')}"
    if outcome.get("outcome") == "refused" and outcome.get("refusals", 1) > 1:
        text += f" ×{outcome['refusals']}"
    if led_to:
        text += f" → {led_to}"
    return text, {
        "campaign": campaign,
        "outcome": outcome.get("outcome"),
        "call_at": call_at,
        "agent": outcome.get("agent"),
        "state": led_to,
    }


def _three_nos(r: AuditRecord) -> _Described:
    after = r.after or {}
    return f"suppressed by the three no's: {after.get('summary', '')}".rstrip(": "), {
        "campaign": (r.subject or "").partition(":")[2] or None
    }


_REPLY_EFFECTS = {
    "opt_out": "opted out",
    "refused": "counted as a refusal",
    "callback": "a callback recorded",
    "preference": "preferred hours recorded",
    "no_campaign": "not counted (no campaign)",
    "none": "no effect",
}


def _reply(r: AuditRecord) -> _Described:
    after = r.after or {}
    channel = (r.subject or "reply:").partition(":")[2] or "a"
    intent = str(after.get("intent", "none")).replace("_", " ")
    rules = after.get("rules") or []
    read_by = f" by {rules[0]}" if rules else ""
    effect = _REPLY_EFFECTS.get(str(after.get("effect")), str(after.get("effect")))
    return f"{channel} reply read as {intent}{read_by}: {effect}", {
        "intent": after.get("intent"),
        "effect": after.get("effect"),
        "received_at": after.get("received_at"),
    }


def _generic(r: AuditRecord) -> _Described:
    where = f" ({r.subject})" if r.subject else ""
    return f"{r.action.replace('_', ' ')}{where}", {}


_DESCRIBERS = {
    "opt_out": _opt_out,
    "list_add": _list_add,
    "list_import": _list_import,
    "list_remove": _list_remove,
    "list_expire": _list_expire,
    "prefix_add": _prefix,
    "prefix_remove": _prefix,
    "consent_add": _consent_add,
    "consent_revoke": _consent_revoke,
    "preference_set": _preference,
    "preference_clear": _preference,
    "outcome": _outcome,
    "three_nos": _three_nos,
    "reply": _reply,
}


# -- registries and queues ----------------------------------------------------------


def from_listing(number: str, listing: RegistryListing) -> TimelineEvent:
    changes = (
        f", {listing.changes_applied} change list(s) applied" if listing.changes_applied else ""
    )
    return TimelineEvent(
        at=listing.imported_at,
        kind="registry_listed",
        summary=(
            f"listed on {listing.registry}, snapshot {listing.as_of.isoformat()}"
            f" (imported from {listing.file}{changes})"
        ),
        actor=listing.actor,
        subject=f"registry:{listing.registry}",
        details={
            "number": number,
            "registry": listing.registry,
            "as_of": listing.as_of.isoformat(),
            "file": listing.file,
        },
    )


def registry_moves(
    number: str,
    movements: Iterable[RegistryMovement],
    baselines: Mapping[str, RegistryBaseline],
    listed: Iterable[str],
) -> list[TimelineEvent]:
    """When the number entered and left each registry, and, where it was on a
    registry's baseline snapshot, since when at least.

    The baseline holds no movement rows, so being on it is inferred: the
    number's first movement after it is a departure, or it has none and the
    registry lists it now.
    """
    moves = sorted(movements, key=lambda m: m.imported_at)
    listed_now = set(listed)
    events = []
    for name, base in baselines.items():
        own = [m for m in moves if m.registry == name]
        on_baseline = own[0].direction == "left" if own else name in listed_now
        if on_baseline:
            events.append(_baseline_event(number, base))
    events.extend(_movement_event(number, m) for m in moves)
    return events


def _baseline_event(number: str, base: RegistryBaseline) -> TimelineEvent:
    return TimelineEvent(
        at=base.imported_at,
        kind="registry_since",
        summary=(
            f"on {base.registry} since at least {base.as_of.isoformat()} "
            "(its earliest snapshot on record)"
        ),
        actor=base.actor,
        subject=f"registry:{base.registry}",
        details={
            "number": number,
            "registry": base.registry,
            "as_of": base.as_of.isoformat(),
            "imported_at": base.imported_at.isoformat(),
            "snapshot": base.snapshot_id,
        },
    )


def _movement_event(number: str, move: RegistryMovement) -> TimelineEvent:
    via = " by a change list" if move.kind == "change" else ""
    return TimelineEvent(
        at=move.imported_at,
        kind=f"registry_{move.direction}",
        summary=f"{move.direction} {move.registry} (as of {move.as_of.isoformat()}){via}",
        actor=move.actor,
        subject=f"registry:{move.registry}",
        details={
            "number": number,
            "registry": move.registry,
            "direction": move.direction,
            "as_of": move.as_of.isoformat(),
            "imported_at": move.imported_at.isoformat(),
            "snapshot": move.snapshot_id,
            "swap": move.kind,
        },
    )


def from_disconnect(number: str, found: Disconnect) -> TimelineEvent:
    """A permanent disconnect, dated at the start of its (UTC) day: consents
    given before it no longer count."""
    return TimelineEvent(
        at=datetime.combine(found.disconnected_on, time(0), UTC),
        kind="number_disconnected",
        summary=(
            f"permanently disconnected on {found.disconnected_on.isoformat()} "
            f"(registry {found.registry}, imported from {found.file}): "
            "consents given before no longer count"
        ),
        actor=found.actor,
        subject=f"registry:{found.registry}",
        details={
            "number": number,
            "registry": found.registry,
            "disconnected_on": found.disconnected_on.isoformat(),
            "file": found.file,
            "imported_at": found.imported_at.isoformat(),
        },
    )


def from_queue(number: str, fact: QueueFact) -> list[TimelineEvent]:
    subject = f"campaign:{fact.campaign}"
    base = {"number": number, "campaign": fact.campaign, "status": fact.status}
    lead = f" (lead {fact.lead_id})" if fact.lead_id else ""
    events = [
        TimelineEvent(
            at=fact.created_at,
            kind="queued",
            summary=f"entered the queue of campaign {fact.campaign!r}{lead}",
            actor=SYSTEM_ACTOR,
            subject=subject,
            details={**base, "lead_id": fact.lead_id},
        )
    ]
    codes = ", ".join(dict.fromkeys(code for code, _ in fact.reasons))
    first_detail = fact.reasons[0][1] if fact.reasons else None
    reasons = [{"code": c, "detail": d} for c, d in fact.reasons]
    if fact.status == "suppressed":
        events.append(
            TimelineEvent(
                at=fact.suppressed_at or fact.updated_at,
                kind="queue_suppressed",
                summary=f"left the dialable queue of campaign {fact.campaign!r}: "
                f"{codes or 'suppressed'}",
                actor=SYSTEM_ACTOR,
                reason=first_detail,
                subject=subject,
                details={**base, "reasons": reasons},
            )
        )
    elif fact.status == "held" and fact.reasons:
        events.append(
            TimelineEvent(
                at=fact.updated_at,
                kind="queue_held",
                summary=f"held in the queue of campaign {fact.campaign!r} "
                f"(no knowable next time, re-checked by every scrub): {codes}",
                actor=SYSTEM_ACTOR,
                reason=first_detail,
                subject=subject,
                details={**base, "reasons": reasons},
            )
        )
    elif fact.not_before is not None and fact.reasons:
        events.append(
            TimelineEvent(
                at=fact.updated_at,
                kind="scrub_deferred",
                summary=f"deferred in the queue of campaign {fact.campaign!r} until "
                f"{_short(fact.not_before.isoformat())}: {codes}",
                actor=SYSTEM_ACTOR,
                reason=first_detail,
                subject=subject,
                details={**base, "not_before": fact.not_before.isoformat(), "reasons": reasons},
            )
        )
    if fact.claimed_at is not None:
        who = f" to {fact.claimed_by}" if fact.claimed_by else ""
        events.append(
            TimelineEvent(
                at=fact.claimed_at,
                kind="queue_claimed",
                summary=f"handed out{who} from the queue of campaign {fact.campaign!r}",
                actor=fact.claimed_by or SYSTEM_ACTOR,
                subject=subject,
                details=base,
            )
        )
    return events


def parse_reasons(raw: str | None) -> tuple[tuple[str, str], ...]:
    """A queue row's reasons JSON (``[{"code", "detail"}]``) as pairs; tolerant of
    anything else, because a timeline must never fail on one odd row."""
    if not raw:
        return ()
    try:
        data = json.loads(raw)
    except ValueError:
        return (("UNKNOWN", raw),)
    items: Sequence[Any] = data if isinstance(data, list) else [data]
    found = []
    for item in items:
        if isinstance(item, Mapping):
            found.append((str(item.get("code", "UNKNOWN")), str(item.get("detail", ""))))
        else:
            found.append((str(item), ""))
    return tuple(found)


def _short(value: Any) -> str:
    """A stored ISO time as a person reads it in a summary: minutes, in UTC."""
    text = str(value)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return text
    if parsed.tzinfo is None:
        return text
    return minute(parsed)


def _effective(record: AuditRecord, snapshot: Mapping[str, Any]) -> str:
    """When an entry took effect, if not when it was recorded (a backdated opt-out)."""
    created = snapshot.get("created_at")
    try:
        when = datetime.fromisoformat(str(created))
    except ValueError:
        return ""
    if when.tzinfo is None or abs((when - record.at).total_seconds()) < 60:
        return ""
    return f" (effective {_short(created)})"
