"""Recording call outcomes: the write side behind ``Service.record_outcome``.

One unit of work per outcome holds the attempt row, its list entry when the
outcome is an opt-out or a wrong number, and the audit records, so a
dialer never sees half of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine

from dnc.audit import AuditRecord
from dnc.clock import not_after_now
from dnc.decide import combine
from dnc.errors import InputError
from dnc.lists import POST_DATED, Channel, ListEntry, Source, entry_snapshot, list_reasons
from dnc.numbers import PhoneNumber
from dnc.outcomes import (
    CampaignState,
    Outcome,
    OutcomeRecord,
    RecordedOutcome,
    attempts_on_local_day,
    latest,
    outcome_reasons,
    refusal_count,
)
from dnc.policy import CampaignPolicies, NosScope
from dnc.queue import QueueStatus, reasons_to_json
from dnc.storage import audit_repo, lists_repo, outcomes_repo, queue_repo
from dnc.storage.uow import UnitOfWork
from dnc.verdicts import ReasonCode

MAX_REFUSALS_PER_CALL = 100


def parse_outcome(value: str) -> Outcome:
    try:
        return Outcome(value)
    except ValueError:
        choices = ", ".join(o.value for o in Outcome)
        raise InputError(f"unknown outcome {value!r} (choose from {choices})") from None


def build_record(
    policies: CampaignPolicies,
    *,
    campaign: str,
    outcome: str,
    at: datetime,
    callback_at: datetime | None,
    refusals: int,
    note: str | None,
    agent: str | None,
    now: datetime,
) -> OutcomeRecord:
    """Validate what a dialer reported and resolve the callback time.

    An opt-out is never dated later than ``now`` (beyond the clock skew).
    """
    if not isinstance(campaign, str) or not campaign.strip():
        raise InputError("an outcome needs a campaign")
    name = campaign.strip()
    if len(name) > 100:
        raise InputError("a campaign name is at most 100 characters")
    kind = parse_outcome(outcome)
    if kind is Outcome.OPT_OUT:
        not_after_now(at, now, "opt-out time", POST_DATED)
    if isinstance(refusals, bool) or not isinstance(refusals, int):
        raise InputError(f"refusals must be a whole number, not {refusals!r}")
    if kind is Outcome.REFUSED:
        if not 1 <= refusals <= MAX_REFUSALS_PER_CALL:
            raise InputError(f"refusals must be between 1 and {MAX_REFUSALS_PER_CALL}")
    elif refusals != 1:
        raise InputError("refusals apply only to the outcome 'refused'")
    if callback_at is not None and kind is not Outcome.CALLBACK:
        raise InputError("a callback time applies only to the outcome 'callback'")
    if kind is Outcome.CALLBACK:
        if callback_at is None:
            callback_at = at + policies.for_campaign(name).callback_delay
        elif callback_at < at:
            raise InputError(
                f"the callback time {callback_at.isoformat()} is before the call ({at.isoformat()})"
            )
    return OutcomeRecord(
        campaign=name,
        outcome=kind,
        at=at,
        refusals=refusals if kind is Outcome.REFUSED else 0,
        callback_at=callback_at,
        agent=agent,
        note=note,
    )


def campaign_state(
    phone: PhoneNumber,
    policies: CampaignPolicies,
    campaign: str,
    entries: Sequence[ListEntry],
    outcomes: Sequence[OutcomeRecord],
    at: datetime,
) -> CampaignState:
    """The number's standing for ``campaign`` at ``at``, from lists and outcomes."""
    reasons = list_reasons(entries, campaign, at)
    reasons.extend(
        outcome_reasons(outcomes, policies.for_campaign, campaign, at, zones=phone.time_zones)
    )
    verdict = combine(phone.e164, reasons, at, schedule=None)
    own = [o for o in outcomes if o.campaign == campaign]
    last = latest(outcomes, campaign)
    return CampaignState(
        campaign=campaign,
        last_outcome=last.outcome if last else None,
        attempts_today=attempts_on_local_day(own, at, phone.time_zones)[0],
        attempts_total=len(own),
        refusals=refusal_count(outcomes, policies.for_campaign(campaign).three_nos, campaign, at),
        reasons=verdict.reasons,
        next_allowed_at=verdict.next_allowed_at,
    )


def record_outcome(
    engine: Engine,
    policies: CampaignPolicies,
    phone: PhoneNumber,
    record: OutcomeRecord,
    *,
    actor: str,
    recorded: datetime,
) -> RecordedOutcome:
    with UnitOfWork(engine, write=True) as uow:
        conn = uow.connection
        outcomes_repo.lock_number(conn, phone.key)
        entries = lists_repo.entries(conn, number=phone.key)
        outcomes = outcomes_repo.for_number(conn, phone.key)
        before = campaign_state(phone, policies, record.campaign, entries, outcomes, record.at)
        stored = outcomes_repo.insert_outcome(
            conn, number=phone.key, record=record, actor=actor, recorded_at=recorded
        )
        entry = _list_effect(conn, phone, stored, actor=actor, recorded=recorded)
        if entry is not None:
            entries = [*entries, entry]
        after = campaign_state(
            phone, policies, record.campaign, entries, [*outcomes, stored], record.at
        )
        audit_repo.append(
            conn,
            AuditRecord(
                at=recorded,
                actor=actor,
                action="outcome",
                number=phone.e164,
                subject=f"campaign:{stored.campaign}",
                before={"state": before.to_dict()},
                after={
                    "outcome": outcome_snapshot(stored),
                    "state": after.to_dict(),
                    "summary": f"{_describe(stored)} → {after.summary}",
                },
                reason=stored.note,
            ),
        )
        if ReasonCode.THREE_NOS in after.codes and ReasonCode.THREE_NOS not in before.codes:
            # The crossing is recorded once: writers of one number are
            # serialised (lock_number), so exactly one of them sees it.
            detail = next(r.detail for r in after.reasons if r.code is ReasonCode.THREE_NOS)
            audit_repo.append(
                conn,
                AuditRecord(
                    at=recorded,
                    actor=actor,
                    action="three_nos",
                    number=phone.e164,
                    subject=f"campaign:{stored.campaign}",
                    after={"state": after.to_dict(), "summary": detail},
                ),
            )
        _queue_effect(conn, phone, stored, entry, before, after, policies, recorded)
        uow.commit()
    return RecordedOutcome(stored, before, after)


# After these the number may be tried again (the next claim re-checks when).
_TRY_AGAIN = frozenset(
    {Outcome.NO_ANSWER, Outcome.BUSY, Outcome.VOICEMAIL, Outcome.HUNG_UP, Outcome.CALLBACK}
)


def _queue_effect(
    conn: Connection,
    phone: PhoneNumber,
    stored: OutcomeRecord,
    entry: ListEntry | None,
    before: CampaignState,
    after: CampaignState,
    policies: CampaignPolicies,
    at: datetime,
) -> None:
    """In the same transaction as the outcome: finish the dialer's claim, and take
    a number that must not be called again out of every queue it must leave."""
    queue_repo.finish_claimed(
        conn,
        phone.key,
        stored.campaign,
        QueueStatus.READY if stored.outcome in _TRY_AGAIN else QueueStatus.DONE,
        at,
    )
    if entry is not None:
        reasons = list_reasons([entry], entry.campaign, at)
        queue_repo.suppress_number(conn, phone.key, entry.campaign, reasons_to_json(reasons), at)
    crossed = [r for r in after.reasons if r.code is ReasonCode.THREE_NOS and r.until is None]
    if crossed and ReasonCode.THREE_NOS not in before.codes:
        scope = policies.for_campaign(stored.campaign).three_nos.scope
        campaign = None if scope is NosScope.COMPANY else stored.campaign
        queue_repo.suppress_number(conn, phone.key, campaign, reasons_to_json(crossed), at)


def outcomes(
    engine: Engine, phone: PhoneNumber, campaign: str | None = None
) -> list[OutcomeRecord]:
    with UnitOfWork(engine) as uow:
        return outcomes_repo.for_number(uow.connection, phone.key, campaign)


def outcome_snapshot(record: OutcomeRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "campaign": record.campaign,
        "outcome": record.outcome.value,
        "at": record.at.isoformat(),
        "refusals": record.refusals,
        "callback_at": record.callback_at.isoformat() if record.callback_at else None,
        "agent": record.agent,
        "note": record.note,
    }


def _describe(record: OutcomeRecord) -> str:
    if record.outcome is Outcome.REFUSED and record.refusals > 1:
        return f"refused ×{record.refusals}"
    if record.outcome is Outcome.CALLBACK and record.callback_at:
        return f"callback at {record.callback_at.isoformat()}"
    return record.outcome.value


def _list_effect(
    conn: Connection, phone: PhoneNumber, record: OutcomeRecord, *, actor: str, recorded: datetime
) -> ListEntry | None:
    """An opt-out goes on the internal list, as ``Service.opt_out`` puts it;
    a wrong number on the campaign's list."""
    if record.outcome is Outcome.OPT_OUT:
        campaign, source, channel, action = None, Source.OPT_OUT, Channel.CALL, "opt_out"
    elif record.outcome is Outcome.WRONG_NUMBER:
        campaign, source, channel, action = record.campaign, Source.WRONG_NUMBER, None, "list_add"
    else:
        return None

    entry = lists_repo.insert_entry(
        conn,
        number=phone.key,
        campaign=campaign,
        source=source,
        channel=channel,
        created_at=record.at,
        recorded_at=recorded,
        actor=record.agent or actor,
        note=record.note,
        expires_at=None,
    )
    audit_repo.append(
        conn,
        AuditRecord(
            at=recorded,
            actor=actor,
            action=action,
            number=phone.e164,
            subject=entry.list_name,
            after=entry_snapshot(entry),
            reason=record.note,
        ),
    )
    return entry
