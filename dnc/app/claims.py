"""Claims: a dialer takes its next numbers, each re-checked at the last moment."""

from __future__ import annotations

from datetime import datetime, timedelta

from dnc.app.consent_evidence import Use
from dnc.app.context import App
from dnc.consent_evidence import uses_of
from dnc.errors import InputError
from dnc.evaluate import Evaluator
from dnc.numbers import from_stored
from dnc.policy import ATTEMPT_HORIZON
from dnc.queue import Action, QueueEntry, QueueStatus
from dnc.storage import batch, consent_use_repo, queue_claims, queue_verdicts
from dnc.storage.queue_verdicts import EntryVerdict

CLAIM_TIMEOUT = timedelta(minutes=30)
"""A claim older than this (a dialer that died) is due again."""

ROUNDS = 5
"""How many times refused entries are replaced by new claims in one call."""


def next_calls(
    app: App, campaign: str, *, limit: int, at: datetime | None, owner: str | None
) -> list[QueueEntry]:
    """Claim up to ``limit`` due entries, re-check each, hand out only the callable.

    An entry that fails its re-check is suppressed, deferred or held at once
    and another is claimed in its place, a bounded number of rounds.
    """
    if limit < 1:
        raise InputError(f"limit must be at least 1, not {limit}")
    when = app.at(at)
    who = app.actor(owner)
    handed: list[QueueEntry] = []
    evaluator = Evaluator(app.judge, when)
    for _ in range(ROUNDS):
        wanted = limit - len(handed)
        if wanted <= 0:
            break
        with app.store.unit(write=True) as uow:
            claimed = queue_claims.claim(
                uow.connection, campaign, wanted, when, who, when - CLAIM_TIMEOUT
            )
            uow.commit()
        if not claimed:
            break
        with app.store.unit() as read:
            facts = batch.read(
                read.connection,
                [c.number for c in claimed],
                when - ATTEMPT_HORIZON,
                app.store.snapshots,
            )
        refused: list[EntryVerdict] = []
        relied: list[Use] = []
        for entry in claimed:
            phone = from_stored(entry.number, entry.region, entry.zones)
            disposition = evaluator.disposition(phone, facts, entry.campaign, entry.location)
            if disposition.action is Action.DIAL:
                relied.extend(uses_of(disposition.relied_on, when, "claim", entry.campaign))
                handed.append(
                    QueueEntry(
                        id=entry.id,
                        campaign=entry.campaign,
                        number=phone.e164,
                        status=QueueStatus.CLAIMED,
                        priority=entry.priority,
                        lead_id=entry.lead_id,
                        location=entry.location,
                    )
                )
            else:
                refused.append(
                    EntryVerdict(
                        entry.id,
                        entry.number,
                        disposition.action.value,
                        disposition.reasons_json(),
                        disposition.not_before,
                    )
                )
        if refused or relied:
            with app.store.unit(write=True) as uow:
                queue_verdicts.release_refused(uow.connection, refused, when)
                # A number handed out only thanks to consents is a use of them.
                consent_use_repo.record(uow.connection, relied)
                uow.commit()
    return handed
