"""Evidence: the audit trail, a number's history and timeline, reports, retention."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Connection

from dnc import retention, timeline
from dnc.abandonment import PERIOD, running_totals
from dnc.app import jobs, registries
from dnc.app.context import App
from dnc.audit import AuditRecord
from dnc.lists import ListEntry
from dnc.numbers import PhoneNumber
from dnc.prefixes import PrefixBlock, prefixes_of
from dnc.registries import RegistryStatus
from dnc.reports import RegistryAge, Report, build, period
from dnc.reports.abandonment import AbandonPoint, AbandonSeries
from dnc.storage import (
    abandon_repo,
    audit_repo,
    lists_repo,
    movement_repo,
    prefix_repo,
    reassigned_repo,
    report_repo,
    retention_repo,
    timeline_repo,
)
from dnc.storage.uow import UnitOfWork


def audit_records(
    app: App, *, since: datetime | None, until: datetime | None, number: str | None
) -> list[AuditRecord]:
    e164 = app.parse(number).e164 if number else None
    with app.store.unit() as uow:
        return list(audit_repo.records(uow.connection, since=since, until=until, number=e164))


def history(app: App, number: str, at: datetime | None) -> list[AuditRecord]:
    """Every recorded change concerning ``number``, oldest first; entries and
    prefix blocks that expired by ``at`` (default now) appear as
    ``list_expire`` records dated at their expiry."""
    phone = app.parse(number)
    when = app.at(at)
    with app.store.unit() as uow:
        records = audit_repo.for_number(uow.connection, phone.e164)
        expired = _expiries(uow, phone, when)
    return sorted([*records, *expired], key=lambda r: r.at) if expired else records


def number_timeline(app: App, number: str, at: datetime | None) -> list[timeline.TimelineEvent]:
    """The number's whole story, oldest first: list entries and removals,
    prefix blocks, registry listings and movements, outcomes, consents,
    preferences, queues."""
    phone = app.parse(number)
    when = app.at(at)
    with app.store.unit() as uow:
        records = timeline_repo.audit_records(uow.connection, phone.key)
        listings = timeline_repo.registry_listings(uow.connection, phone.key, app.store.snapshots)
        queue = timeline_repo.queue_facts(uow.connection, phone.key)
        expired = _expiries(uow, phone, when)
        disconnects = reassigned_repo.for_number(uow.connection, phone.key)
        movements = movement_repo.for_number(uow.connection, phone.key)
        baselines = movement_repo.baselines(uow.connection)
    return timeline.build(
        phone.e164,
        [*records, *expired],
        listings,
        queue,
        disconnects=disconnects,
        movements=movements,
        baselines=baselines,
    )


def report(
    app: App,
    *,
    since: date | None,
    until: date | None,
    at: datetime | None,
    client: str | None = None,
) -> Report:
    """What happened over UTC days ``since``..``until`` (inclusive; default: the
    30 days to ``at``): opt-outs, three no's, scrubs, registries, job failures
    (runs that failed or were abandoned). ``client``: only its lists and its
    campaigns (configuration says whose a campaign is)."""
    policies = app.config.campaigns
    lists = None
    if client is not None:
        mine = policies.campaigns_of(policies.known_client(client))
        others = set(policies.named) - mine if policies.default.client == client else None
        lists = report_repo.client_lists(client, mine, others)

    def theirs(campaign: str | None) -> bool:
        return bool(campaign) and policies.client_of(campaign) == client

    def their_list(name: str | None) -> bool:
        kind, _, rest = (name or "").removeprefix("prefix ").partition(":")
        return (kind == "client" and rest == client) or (kind == "campaign" and theirs(rest))

    when = app.at(at)
    last = until or when.astimezone(UTC).date()
    first = since or last - timedelta(days=29)
    start, end = period(first, last)
    statuses = registries.status(app, when)
    jobs.reap(app)  # a run that died is reported as abandoned, not as running
    # One read transaction: every section counts the same committed state.
    with app.store.unit() as uow:
        conn = uow.connection
        opt_outs = report_repo.opt_outs(conn, start, end, lists)
        three_nos = report_repo.three_nos(conn, start, end)
        runs = report_repo.scrub_runs(conn, start, end)
        entries = report_repo.scrub_entries(conn, report_repo.recorded_runs(conn, start, end))
        failures = report_repo.job_failures(conn, start, end)
        arrivals = report_repo.opt_out_arrivals(conn, start, end, lists)
        delays = report_repo.receipt_to_effect(conn, start, end, lists)
        removals = report_repo.audited(conn, report_repo.REMOVALS, start, end)
        replacements = report_repo.audited(conn, (report_repo.REPLACEMENT,), start, end)
        abandoned = _abandonment(app, conn, first, last)
    if client is not None:
        three_nos = [row for row in three_nos if theirs(row[1])]
        removals = [row for row in removals if their_list(row[1])]
        abandoned = [series for series in abandoned if theirs(series.campaign)]
    found = build(
        since=first,
        until=last,
        generated_at=when,
        opt_outs=opt_outs,
        three_nos=three_nos,
        scrub_runs=runs,
        registries=[_age(s) for s in statuses],
        failures=failures,
        arrivals=arrivals,
        receipt_to_effect=delays,
        removals=removals,
        replacements=replacements,
        abandonment=abandoned,
        scrub_entries=entries,
    )
    if client is None:
        return found
    scrub = found.scrub
    only = {name: split for name, split in scrub.by_campaign.items() if theirs(name)}
    return replace(found, client=client, scrub=replace(scrub, by_campaign=only))


def _abandonment(app: App, conn: Connection, first: date, last: date) -> list[AbandonSeries]:
    """Each campaign with answered calls: its period's rate so far, day by day."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    found = []
    for campaign in abandon_repo.campaigns(conn):
        policy = app.config.campaigns.for_campaign(campaign).abandonment
        epoch = policy.epoch or abandon_repo.first_answered(conn, campaign)
        counts = abandon_repo.days(conn, campaign, first - PERIOD, last)
        points = tuple(
            AbandonPoint(day, answered, abandoned)
            for day, answered, abandoned in running_totals(epoch, counts, days)
        )
        found.append(AbandonSeries(campaign, policy.limit, points))
    return found


def purge(
    app: App, *, at: datetime | None, dry_run: bool, actor: str | None
) -> retention.PurgeResult:
    """Delete call outcomes and registry movements past ``[retention]
    outcomes_years``, and consent evidence past its keep-until (``[retention]
    consent_evidence_years`` after given and after last use; a consent in
    force is kept), set-based in one unit of work, never what keeps an
    opt-out or a three-no's suppression honoured."""
    when = app.at(at)
    policy = app.config.retention
    cutoff = policy.cutoff(when)
    with app.store.unit(write=not dry_run) as uow:
        deleted, kept = retention_repo.purge_outcomes(
            uow.connection,
            cutoff=cutoff,
            threshold=retention.protect_threshold(app.config.campaigns),
            dry_run=dry_run,
        )
        moved = movement_repo.purge(uow.connection, cutoff=cutoff, dry_run=dry_run)
        dispositions = retention_repo.purge_dispositions(
            uow.connection, cutoff=cutoff, dry_run=dry_run
        )
        uses, consents, in_force = retention_repo.purge_consent_evidence(
            uow.connection, at=when, cutoff=policy.consent_cutoff(when), dry_run=dry_run
        )
        result = retention.PurgeResult(
            when,
            cutoff,
            policy.outcomes_years,
            deleted,
            kept,
            dry_run,
            deleted_movements=moved,
            deleted_dispositions=dispositions,
            consent_evidence_years=policy.consent_evidence_years,
            deleted_consent_uses=uses,
            deleted_consents=consents,
            kept_consents_in_force=in_force,
        )
        if not dry_run:
            audit_repo.append(uow.connection, result.audit_record(app.actor(actor)))
            uow.commit()
    return result


def _expiries(uow: UnitOfWork, phone: PhoneNumber, at: datetime) -> list[AuditRecord]:
    """Entries and prefix blocks of a number that have expired by ``at``.

    Expiry is not a change anybody makes, so the audit log has no row for
    it; history shows it as a record dated at the expiry.
    """
    conn = uow.connection
    entries = lists_repo.entries(conn, number=phone.key)
    blocks = [b for p in prefixes_of(phone.key) for b in prefix_repo.blocks(conn, prefix=p)]
    found: list[AuditRecord] = []
    items: list[ListEntry | PrefixBlock] = [*entries, *blocks]
    for item in items:
        if item.expires_at is None or item.expires_at > at:
            continue
        what = f"prefix {item.prefix}" if isinstance(item, PrefixBlock) else "entry"
        found.append(
            AuditRecord(
                at=item.expires_at,
                actor="dnc",
                action="list_expire",
                number=phone.e164,
                subject=item.list_name,
                reason=f"{what} expired: no longer blocks (added by {item.actor})",
            )
        )
    return found


def _age(status: RegistryStatus) -> RegistryAge:
    return RegistryAge(
        registry=status.definition.name,
        title=status.definition.title,
        required=status.definition.required,
        state=status.freshness.state,
        max_age_days=status.definition.max_age_days,
        as_of=status.freshness.as_of,
        age_days=status.freshness.age_days,
        days_left=status.freshness.days_left,
        size=status.size,
    )
