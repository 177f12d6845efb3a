"""The report model: what happened over a period, per day. Pure domain.

Days are UTC calendar days: a report must read the same wherever it is
printed, and the stored instants are UTC.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dnc import durations
from dnc.errors import InputError
from dnc.reports.abandonment import AbandonSeries
from dnc.rules.calendars import holiday_names

MAX_DAYS = 1830
"""Five years of days: the retention period, and still a readable chart."""

NO_CHANNEL = "unknown"


@dataclass(frozen=True, slots=True)
class Split:
    """Queue entries the scrub took out of the dialable queue, and those it deferred."""

    suppressed: int = 0
    deferred: int = 0

    def __add__(self, other: Split) -> Split:
        return Split(self.suppressed + other.suppressed, self.deferred + other.deferred)


@dataclass(frozen=True, slots=True)
class ScrubSummary:
    runs: int = 0
    entries: int = 0
    suppressed: int = 0
    deferred: int = 0
    held: int = 0
    """Entries held because a check could not decide them (CHECK_FAILED)."""
    dialable: int = 0
    seconds: float = 0.0
    by_reason: Mapping[str, Split] = field(default_factory=dict)
    by_campaign: Mapping[str, Split] = field(default_factory=dict)
    unreadable_runs: int = 0


@dataclass(frozen=True, slots=True)
class EntryTotals:
    """The distinct queue entries the recorded scrub runs of a period decided.

    Each entry counts once, under the strongest disposition any run gave it
    (suppressed, then held, then deferred, then dialable): removed on the
    second night after a deferral on the first, it is removed, not also
    deferred. Per day the same holds within the day.
    """

    entries: int = 0
    suppressed: int = 0
    deferred: int = 0
    held: int = 0
    dialable: int = 0
    by_reason: Mapping[str, Split] = field(default_factory=dict)
    by_campaign: Mapping[str, Split] = field(default_factory=dict)
    daily_suppressed: Mapping[date, Mapping[str, int]] = field(default_factory=dict)
    daily_deferred: Mapping[date, int] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        *,
        by_campaign: Mapping[str, Mapping[str, int]],
        suppressed_by_code: Mapping[str, int],
        deferred_by_code: Mapping[str, int],
        daily_suppressed: Mapping[date, Mapping[str, int]],
        daily_deferred: Mapping[date, int],
    ) -> EntryTotals:
        """``by_campaign``: campaign -> disposition (action value) -> entries."""
        totals: Counter[str] = Counter()
        for actions in by_campaign.values():
            totals.update(actions)
        reasons = {
            code: Split(suppressed_by_code.get(code, 0), deferred_by_code.get(code, 0))
            for code in {*suppressed_by_code, *deferred_by_code}
        }
        return cls(
            entries=sum(totals.values()),
            suppressed=totals["suppressed"],
            deferred=totals["deferred"],
            held=totals["held"],
            dialable=totals["dialable"],
            by_reason=reasons,
            by_campaign={
                name: Split(a.get("suppressed", 0), a.get("deferred", 0))
                for name, a in by_campaign.items()
            },
            daily_suppressed={d: dict(c) for d, c in daily_suppressed.items()},
            daily_deferred=dict(daily_deferred),
        )


@dataclass(frozen=True, slots=True)
class DayCounts:
    """One UTC day: new opt-outs, three-no's suppressions, scrub removals by reason."""

    day: date
    opt_outs: int = 0
    three_nos: int = 0
    scrub_suppressed: Mapping[str, int] = field(default_factory=dict)
    scrub_deferred: int = 0


@dataclass(frozen=True, slots=True)
class RegistryAge:
    registry: str
    title: str
    required: bool
    state: str
    max_age_days: int
    as_of: date | None = None
    age_days: int | None = None
    days_left: int | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class JobFailure:
    job: str
    started_at: datetime
    error: str


class Arrival:
    """How an opt-out arrived (the keys of ``Report.opt_outs_by_arrival``)."""

    KEYWORD = "keyword"  # a reply that is a per-se keyword: STOP, QUIT, OPTOUT, СТОП
    PHRASE = "phrase"  # a reply read as an opt-out by another rule: "please don't call me"
    EXPLICIT = "explicit"  # told by the API, the CLI, a list import or a dialer's outcome

    ALL = (KEYWORD, PHRASE, EXPLICIT)


LEGAL_LIMIT = "10 business days"
"""How long an opt-out may take to be honoured: 47 CFR 64.1200(a)(10), in
force 2025-04-11 (revocation by any reasonable means, honoured within a
reasonable time not exceeding ten business days from receipt)."""


@dataclass(frozen=True, slots=True)
class ReceiptToEffect:
    """Time from receiving an opt-out to its list entry taking effect, in seconds.

    Receipt is when the reply arrived (its ``received_at``) or the time the
    opt-out was given for; effect is when its list entry was recorded, from
    which every check refuses the number. A reply recorded as it arrives
    takes zero; a gateway export imported a day late shows the day.
    ``late`` counts opt-outs that took longer than the legal limit.
    """

    count: int = 0
    min_seconds: float | None = None
    median_seconds: float | None = None
    max_seconds: float | None = None
    late: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "min_seconds": self.min_seconds,
            "median_seconds": self.median_seconds,
            "max_seconds": self.max_seconds,
            "limit": LEGAL_LIMIT,
            "late": self.late,
        }


@dataclass(frozen=True, slots=True)
class Report:
    since: date
    until: date
    generated_at: datetime
    opt_outs_by_channel: Mapping[str, int]
    three_nos_by_campaign: Mapping[str, int]
    scrub: ScrubSummary
    daily: tuple[DayCounts, ...]
    registries: tuple[RegistryAge, ...]
    failures: tuple[JobFailure, ...]
    opt_outs_by_arrival: Mapping[str, int] = field(default_factory=dict)
    receipt_to_effect: ReceiptToEffect = ReceiptToEffect()
    removals: Mapping[str, int] = field(default_factory=dict)
    """Entries and prefix blocks taken off a list, by list ("prefix " before a block's)."""
    replacements: Mapping[str, int] = field(default_factory=dict)
    """Full registry lists that replaced a snapshot, by registry."""
    abandonment: tuple[AbandonSeries, ...] = ()
    client: str | None = None
    """A client's report: its lists, its campaigns; registries, job failures
    and the scrub's run totals stay the centre's (they serve every client)."""

    @property
    def opt_outs(self) -> int:
        return sum(self.opt_outs_by_channel.values())

    @property
    def three_nos(self) -> int:
        return sum(self.three_nos_by_campaign.values())

    @property
    def stale_registries(self) -> tuple[RegistryAge, ...]:
        """Required registries a check cannot rely on: missing or too old."""
        return tuple(r for r in self.registries if r.required and r.state != "fresh")

    def series(self) -> list[tuple[str, list[int]]]:
        """The chart's stacked series, per day: opt-outs, three no's, then each
        scrub reason (largest first, so the big ones sit at the bottom)."""
        found = [
            ("opt-outs", [d.opt_outs for d in self.daily]),
            ("three no's", [d.three_nos for d in self.daily]),
        ]
        totals: Counter[str] = Counter()
        for d in self.daily:
            totals.update(d.scrub_suppressed)
        # A reason that only deferred (hours, retry waits) suppressed nothing.
        for code, _ in sorted(
            ((c, n) for c, n in totals.items() if n), key=lambda kv: (-kv[1], kv[0])
        ):
            found.append((f"scrub: {code}", [d.scrub_suppressed.get(code, 0) for d in self.daily]))
        return found

    def to_dict(self) -> dict[str, Any]:
        def split(m: Mapping[str, Split]) -> dict[str, dict[str, int]]:
            return {k: {"suppressed": v.suppressed, "deferred": v.deferred} for k, v in m.items()}

        found: dict[str, Any] = {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "generated_at": self.generated_at.isoformat(),
            "client": self.client,
            "opt_outs": {"total": self.opt_outs, "by_channel": dict(self.opt_outs_by_channel)},
            "three_nos": {"total": self.three_nos, "by_campaign": dict(self.three_nos_by_campaign)},
            "scrub": {
                "runs": self.scrub.runs,
                "entries": self.scrub.entries,
                "suppressed": self.scrub.suppressed,
                "deferred": self.scrub.deferred,
                "held": self.scrub.held,
                "dialable": self.scrub.dialable,
                "seconds": durations.seconds(self.scrub.seconds),
                "by_reason": split(self.scrub.by_reason),
                "by_campaign": split(self.scrub.by_campaign),
                "unreadable_runs": self.scrub.unreadable_runs,
            },
            "daily": [
                {
                    "day": d.day.isoformat(),
                    "opt_outs": d.opt_outs,
                    "three_nos": d.three_nos,
                    "scrub_suppressed": dict(d.scrub_suppressed),
                    "scrub_deferred": d.scrub_deferred,
                }
                for d in self.daily
            ],
            "registries": [
                {
                    "registry": r.registry,
                    "title": r.title,
                    "required": r.required,
                    "state": r.state,
                    "as_of": r.as_of.isoformat() if r.as_of else None,
                    "age_days": r.age_days,
                    "days_left": r.days_left,
                    "max_age_days": r.max_age_days,
                    "size": r.size,
                }
                for r in self.registries
            ],
            "removals": {"total": sum(self.removals.values()), "by_list": dict(self.removals)},
            "registry_replacements": {
                "total": sum(self.replacements.values()),
                "by_registry": dict(self.replacements),
            },
            "job_failures": [
                {"job": f.job, "started_at": f.started_at.isoformat(), "error": f.error}
                for f in self.failures
            ],
            "abandonment": [s.to_dict() for s in self.abandonment],
        }
        found["opt_outs"]["by_arrival"] = dict(self.opt_outs_by_arrival)
        found["opt_outs"]["receipt_to_effect"] = self.receipt_to_effect.to_dict()
        return found


LIMIT_BUSINESS_DAYS = 10


def business_days_between(received: datetime, effective: datetime) -> int:
    """Business days (Monday to Friday, US federal holidays off) after the UTC
    day of ``received`` up to and including that of ``effective``: an opt-out
    received on a Friday and honoured the next Monday took one."""
    first, last = received.astimezone(UTC).date(), effective.astimezone(UTC).date()
    days = 0
    day = first + timedelta(days=1)
    while day <= last:
        if day.weekday() < 5 and day not in holiday_names("US", None, ("public",), day.year):
            days += 1
        day += timedelta(days=1)
    return days


def is_late(received: datetime, effective: datetime) -> bool:
    """True when an opt-out took effect more than the legal ten business days after receipt."""
    if effective - received > timedelta(days=31):  # more than any ten business days span
        return True
    return business_days_between(received, effective) > LIMIT_BUSINESS_DAYS


def period(since: date, until: date) -> tuple[datetime, datetime]:
    """The UTC instants [start of ``since``, end of ``until``) of an inclusive day range."""
    if since > until:
        raise InputError(f"the report starts {since} after it ends {until}")
    if (until - since).days + 1 > MAX_DAYS:
        raise InputError(f"a report covers at most {MAX_DAYS} days")
    start = datetime.combine(since, time(0), tzinfo=UTC)
    return start, datetime.combine(until + timedelta(days=1), time(0), tzinfo=UTC)


def build(
    *,
    since: date,
    until: date,
    generated_at: datetime,
    opt_outs: Iterable[tuple[date, str | None, int]],
    three_nos: Iterable[tuple[date, str | None, int]],
    scrub_runs: Iterable[tuple[datetime, str | None]],
    registries: Sequence[RegistryAge],
    failures: Sequence[JobFailure],
    arrivals: Iterable[tuple[str, int]] = (),
    receipt_to_effect: ReceiptToEffect | None = None,
    removals: Iterable[tuple[str, str | None, int]] = (),
    replacements: Iterable[tuple[str, str | None, int]] = (),
    abandonment: Sequence[AbandonSeries] = (),
    scrub_entries: EntryTotals | None = None,
) -> Report:
    """Assemble a report from what the storage layer counted.

    ``opt_outs`` and ``three_nos`` are (day, channel or campaign, count)
    rows; ``scrub_runs`` the start time and ``counts`` JSON of each
    successful scrub (a run whose counts cannot be read is counted as such,
    never guessed at); ``scrub_entries`` the distinct entries of the runs
    that recorded their dispositions (those runs' own counts are not added
    again; a run from before that record is added as it counted);
    ``arrivals`` (how it arrived, count) rows of the same opt-outs, every
    kind of arrival shown, none as zero.
    """
    period(since, until)
    days = [since + timedelta(days=i) for i in range((until - since).days + 1)]
    opt_day: Counter[date] = Counter()
    by_channel: Counter[str] = Counter()
    for day, channel, count in opt_outs:
        opt_day[day] += count
        by_channel[channel or NO_CHANNEL] += count
    nos_day: Counter[date] = Counter()
    by_campaign: Counter[str] = Counter()
    for day, campaign, count in three_nos:
        nos_day[day] += count
        by_campaign[campaign or "company-wide"] += count
    scrub, per_day, deferred_day = _scrub(scrub_runs, scrub_entries or EntryTotals())
    daily = tuple(
        DayCounts(
            day=d,
            opt_outs=opt_day[d],
            three_nos=nos_day[d],
            scrub_suppressed=dict(per_day.get(d, {})),
            scrub_deferred=deferred_day[d],
        )
        for d in days
    )
    return Report(
        since=since,
        until=until,
        generated_at=generated_at,
        opt_outs_by_channel=dict(by_channel.most_common()),
        three_nos_by_campaign=dict(by_campaign.most_common()),
        scrub=scrub,
        daily=daily,
        registries=tuple(registries),
        failures=tuple(sorted(failures, key=lambda f: f.started_at)),
        opt_outs_by_arrival=_arrivals(arrivals),
        receipt_to_effect=receipt_to_effect or ReceiptToEffect(),
        removals=_by_subject(removals),
        replacements=_by_subject(replacements),
        abandonment=tuple(abandonment),
    )


def _arrivals(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    counted: Counter[str] = Counter(dict.fromkeys(Arrival.ALL, 0))
    for kind, count in rows:
        counted[kind] += count
    return dict(counted)


def _by_subject(rows: Iterable[tuple[str, str | None, int]]) -> dict[str, int]:
    """Audit counts by what they concern: a list ("internal", "campaign:spring";
    a prefix block's as "prefix internal"), a registry ("registry:" dropped),
    largest first."""
    found: Counter[str] = Counter()
    for action, subject, count in rows:
        name = (subject or "?").removeprefix("registry:")
        found[f"prefix {name}" if action == "prefix_remove" else name] += count
    return dict(found.most_common())


def _scrub(
    runs: Iterable[tuple[datetime, str | None]], entries: EntryTotals
) -> tuple[ScrubSummary, dict[date, Counter[str]], Counter[date]]:
    totals: Counter[str] = Counter(
        entries=entries.entries,
        suppressed=entries.suppressed,
        deferred=entries.deferred,
        held=entries.held,
        dialable=entries.dialable,
    )
    seconds = 0.0
    by_reason: dict[str, Split] = defaultdict(Split, entries.by_reason)
    by_campaign: dict[str, Split] = defaultdict(Split, entries.by_campaign)
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    for d, codes in entries.daily_suppressed.items():
        per_day[d].update(codes)
    deferred_day: Counter[date] = Counter(entries.daily_deferred)
    count = unreadable = 0
    for started, raw in runs:
        counts = _counts(raw)
        if counts is None:
            unreadable += 1
            continue
        count += 1
        seconds += _float(counts.get("seconds"))
        if counts.get("dispositions_recorded") is True:
            continue  # its entries are in ``entries``, each once
        day = started.astimezone(UTC).date()
        for key in ("entries", "suppressed", "deferred", "held", "dialable"):
            totals[key] += _int(counts.get(key))
        deferred_day[day] += _int(counts.get("deferred"))
        for code, split in _splits(counts.get("by_reason")).items():
            by_reason[code] += split
            if split.suppressed:
                per_day[day][code] += split.suppressed
        for name, split in _splits(counts.get("by_campaign")).items():
            by_campaign[name] += split
    summary = ScrubSummary(
        runs=count,
        entries=totals["entries"],
        suppressed=totals["suppressed"],
        deferred=totals["deferred"],
        held=totals["held"],
        dialable=totals["dialable"],
        seconds=seconds,
        by_reason=_ordered(by_reason),
        by_campaign=_ordered(by_campaign),
        unreadable_runs=unreadable,
    )
    return summary, per_day, deferred_day


def _counts(raw: str | None) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _splits(value: Any) -> dict[str, Split]:
    if not isinstance(value, dict):
        return {}
    return {
        str(k): Split(_int(v.get("suppressed")), _int(v.get("deferred")))
        for k, v in value.items()
        if isinstance(v, dict)
    }


def _ordered(splits: Mapping[str, Split]) -> dict[str, Split]:
    return dict(sorted(splits.items(), key=lambda kv: (-kv[1].suppressed - kv[1].deferred, kv[0])))


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _float(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
