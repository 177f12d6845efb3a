"""May this number be called now? The single check (a dialer's hot path) and
``check_many`` (a lead list, set-based): both through the one Judge."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from dnc.app.consent_evidence import record_uses
from dnc.app.context import App
from dnc.consent_evidence import uses_of
from dnc.errors import InvalidNumberError, LocationError, StorageUnhealthyError
from dnc.evaluate import Evaluator, failed_verdict
from dnc.numbers import PhoneNumber
from dnc.numbers import other_readings as other_readings_in
from dnc.policy import ATTEMPT_HORIZON
from dnc.storage import batch, health_repo
from dnc.verdicts import Reason, ReasonCode, Verdict


def check(
    app: App, number: str, *, campaign: str | None, at: datetime | None, location: str | None
) -> Verdict:
    """Never raises for a number it cannot clear, and never answers "allowed"
    by accident: any failure inside is a CHECK_FAILED refusal. Only a naive
    ``at`` (InputError) or a location the rules cannot read (LocationError),
    both the caller's mistakes, raise."""
    when = app.at(at)
    try:
        phone = app.parse(number)
    except InvalidNumberError as exc:
        return Verdict.refuse(str(number), [Reason(ReasonCode.INVALID_NUMBER, exc.why)])
    try:
        facts = app.store.hot.facts(phone.key, since=when - ATTEMPT_HORIZON)
        verdict = app.judge.verdict(phone, facts, campaign=campaign, at=when, location=location)
        if verdict.relied_on:
            # A call allowed only by consents is a use of them, kept as evidence;
            # unrecorded, it is not allowed (the except below).
            record_uses(app, uses_of(verdict.relied_on, when, "check", campaign))
        return verdict
    except LocationError:
        raise  # a location the rules cannot read: the caller's mistake, said as such
    except Exception as exc:  # noqa: BLE001 - fail closed, with the cause named
        return failed_verdict(phone.e164, exc)


def check_many(
    app: App, numbers: Iterable[str], *, campaign: str | None, at: datetime | None
) -> list[Verdict]:
    """One verdict per number, in order, the facts read set-based (a handful
    of statements for the whole list, never one per number)."""
    when = app.at(at)
    texts = list(numbers)
    phones: list[PhoneNumber | InvalidNumberError] = []
    for text in texts:
        try:
            phones.append(app.parse(text))
        except InvalidNumberError as exc:
            phones.append(exc)
    valid = [p for p in phones if isinstance(p, PhoneNumber)]
    try:
        with app.store.unit() as uow:
            health = health_repo.read(uow.connection)
            if health is not None and not health.ok:
                raise StorageUnhealthyError(
                    health_repo.failure(health.ok, health.detail, health.checked_at) or ""
                )
            facts = batch.read(
                uow.connection, [p.key for p in valid], when - ATTEMPT_HORIZON, app.store.snapshots
            )
    except Exception as exc:  # noqa: BLE001 - fail closed for the whole batch
        return [
            failed_verdict(p.e164 if isinstance(p, PhoneNumber) else str(t), exc)
            for t, p in zip(texts, phones, strict=True)
        ]
    evaluator = Evaluator(app.judge, when)
    verdicts = [
        evaluator.verdict(p, facts, campaign, None)
        if isinstance(p, PhoneNumber)
        else Verdict.refuse(str(t), [Reason(ReasonCode.INVALID_NUMBER, p.why)])
        for t, p in zip(texts, phones, strict=True)
    ]
    relied = [u for v in verdicts for u in uses_of(v.relied_on, when, "check", campaign)]
    if relied:
        try:
            record_uses(app, relied)
        except Exception as exc:  # noqa: BLE001 - unrecorded, no consent-cleared call goes out
            return [failed_verdict(v.number, exc) if v.relied_on else v for v in verdicts]
    return verdicts


def other_readings(app: App, number: str) -> tuple[str, ...]:
    """Where a number the default region cannot read would be valid: the
    regions a configured registry covers are the ones this operator calls."""
    regions = {r for d in app.config.registries for r in d.regions}
    return other_readings_in(number, app.config.default_region, regions)
