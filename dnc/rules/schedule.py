"""A called party's calling schedule: the rules that apply, asked about instants.

A schedule is immutable apart from a bounded cache of day plans (a benign
race under threads: two threads may compute the same plan). A call is allowed
at an instant only when it is allowed in every candidate zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dnc.errors import InputError
from dnc.rules.inputs import CallingHours, Preference
from dnc.rules.model import ConsentRule, FrequencyCap, Span, applies_to_call
from dnc.rules.spans import Interval, intersect
from dnc.rules.timeline import from_utc_seconds, open_utc, utc_seconds_ceil, utc_seconds_floor
from dnc.rules.windows import Applied, DayPlan, plan_day
from dnc.verdicts import Reason, ReasonCode

DEFAULT_HORIZON = timedelta(days=370)
_DAY = 86_400


def _require_aware(moment: object, what: str) -> datetime:
    if not isinstance(moment, datetime):
        raise InputError(f"{what} must be a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError(f"{what} must be timezone-aware, got {moment.isoformat()}")
    return moment


class Schedule:
    """When one number may be called, under every rule that applies to it."""

    __slots__ = (
        "_jurisdictions",
        "_zones",
        "_countries",
        "_subdivisions",
        "_call_type",
        "_campaign_hours",
        "_preference",
        "_applied",
        "_zone_infos",
        "_closed",
        "_plan",
        "_memo",
        "_offsets",
        "_reasons_memo",
    )

    def __init__(
        self,
        *,
        applied: tuple[Applied, ...],
        zones: tuple[str, ...],
        countries: tuple[str, ...],
        subdivisions: tuple[str, ...],
        closed: tuple[Reason, ...] = (),
        call_type: str | None = None,
        campaign_hours: CallingHours | None = None,
        preference: Preference | None = None,
    ) -> None:
        self._jurisdictions = tuple(a.id for a in applied)
        self._zones = zones
        self._countries = countries
        self._subdivisions = subdivisions
        self._call_type = call_type
        self._campaign_hours = campaign_hours
        self._preference = preference
        self._applied = applied
        self._zone_infos = tuple((key, ZoneInfo(key)) for key in zones)
        if not zones and not closed:
            # With no zone to check every instant would pass: fail closed.
            closed = (Reason(ReasonCode.CHECK_FAILED, "no time zone is known: do not call"),)
        self._closed = closed

        def compute(day: date) -> DayPlan:
            return plan_day(day, applied, call_type, campaign_hours, preference)

        self._plan: Callable[[date], DayPlan] = lru_cache(maxsize=64)(compute)
        # The last closed stretch found, [from, to) in UTC seconds: checks of
        # one number come at nearby times, and most fall in the same night.
        self._memo: tuple[int, int] | None = None
        # Zones grouped by UTC offset for one quarter hour (see _by_offset).
        self._offsets: tuple[int, tuple[tuple[int, tuple[tuple[str, ZoneInfo], ...]], ...]] | None
        self._offsets = None
        # The last instant asked about and its answer (see reasons_at).
        self._reasons_memo: tuple[datetime, tuple[Reason, ...]] | None = None

    # Read-only: schedules are cached and shared between callers and threads.

    @property
    def jurisdictions(self) -> tuple[str, ...]:
        """Ids of the rule files applied, countries first ("US", "US-FL", "DEFAULT:FR")."""
        return self._jurisdictions

    @property
    def zones(self) -> tuple[str, ...]:
        """IANA zones whose local time counts; a call must be allowed in all of them."""
        return self._zones

    @property
    def countries(self) -> tuple[str, ...]:
        return self._countries

    @property
    def subdivisions(self) -> tuple[str, ...]:
        """ISO 3166-2 codes where the called party may be (area code, location)."""
        return self._subdivisions

    @property
    def call_type(self) -> str | None:
        return self._call_type

    @property
    def campaign_hours(self) -> CallingHours | None:
        return self._campaign_hours

    @property
    def preference(self) -> Preference | None:
        return self._preference

    def __repr__(self) -> str:
        return f"<Schedule {'+'.join(self.jurisdictions) or '-'} in {', '.join(self.zones) or '-'}>"

    # -- consent and caps ---------------------------------------------------

    @property
    def consent_rules(self) -> tuple[ConsentRule, ...]:
        """Every consent rule of the applicable jurisdictions for this call type."""
        return tuple(
            rule
            for a in self._applied
            for rule in a.jurisdiction.consent
            if applies_to_call(rule.call_types, self._call_type)
        )

    @property
    def consent(self) -> ConsentRule | None:
        """The strictest consent rule without an end date, or None.

        Dateless on purpose (a schedule has no clock): a rule announced for a
        future date already counts. Use :meth:`consent_at` for a dated answer.
        """
        return _strictest(r for r in self.consent_rules if r.effective_until is None)

    @property
    def consent_required(self) -> bool:
        rule = self.consent
        return rule is not None and rule.level.rank > 0

    def consent_at(self, at: datetime) -> ConsentRule | None:
        """The strictest consent rule in force at ``at`` (in any candidate zone)."""
        days = self._local_dates(_require_aware(at, "at"))
        return _strictest(r for r in self.consent_rules if any(r.in_force_on(d) for d in days))

    def consent_reason(self, at: datetime | None = None) -> Reason | None:
        """A CONSENT_REQUIRED reason naming the law, when consent is required
        (at ``at`` if given, else by any rule without an end date)."""
        rule = self.consent if at is None else self.consent_at(at)
        if rule is None or rule.level.rank == 0:
            return None
        name = self._name_of(rule.jurisdiction)
        level = rule.level.value.replace("_", " ")
        calls = "marketing calls"
        if rule.call_types is not None:
            calls = f"{' or '.join(sorted(rule.call_types))} {calls}"
        return Reason(
            ReasonCode.CONSENT_REQUIRED,
            f"{name} requires the called party's prior {level} consent to {calls} ({rule.source})",
        )

    @property
    def frequency_caps(self) -> tuple[FrequencyCap, ...]:
        """Caps without an end date (dateless, like :attr:`consent`)."""
        return tuple(c for c in self._caps() if c.effective_until is None)

    def frequency_caps_at(self, at: datetime) -> tuple[FrequencyCap, ...]:
        """Caps in force at ``at`` (in any candidate zone)."""
        days = self._local_dates(_require_aware(at, "at"))
        return tuple(c for c in self._caps() if any(c.in_force_on(d) for d in days))

    # -- calling hours ------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        """True when :meth:`reasons_at` would be empty; cheaper."""
        _require_aware(at, "at")
        if self._closed:
            return False
        now = utc_seconds_floor(at)
        for offset, _ in self._by_offset(now):
            day, seconds = divmod(now + offset, 86_400)
            if not self._plan(_EPOCH_DATE + timedelta(days=day)).is_open(seconds):
                return False
        return True

    def _by_offset(self, now: int) -> tuple[tuple[int, tuple[tuple[str, ZoneInfo], ...]], ...]:
        """The candidate zones grouped by their UTC offset at ``now`` (UTC seconds).

        Zones that share an offset share a local time, hence a day plan and
        a verdict: a toll-free number's 42 zones make about ten groups. Every
        UTC offset and every DST change falls on a quarter hour, so the
        grouping holds for the whole quarter hour and is kept for it.
        """
        quarter = now // 900
        memo = self._offsets
        if memo is not None and memo[0] == quarter:
            return memo[1]
        moment = from_utc_seconds(quarter * 900)
        groups: dict[int, list[tuple[str, ZoneInfo]]] = {}
        for key, zone in self._zone_infos:
            offset = moment.astimezone(zone).utcoffset()
            seconds = int(offset.total_seconds()) if offset is not None else 0
            groups.setdefault(seconds, []).append((key, zone))
        result = tuple((offset, tuple(members)) for offset, members in groups.items())
        self._offsets = (quarter, result)
        return result

    def reasons_at(self, at: datetime) -> list[Reason]:
        """Why a call at ``at`` is not allowed by hours, days or preferences; [] if it is."""
        # A scrub asks one schedule about one instant for every number that
        # shares it: answered once (the memo is replaced whole, so threads
        # at worst work it out twice).
        memo = self._reasons_memo
        if memo is not None and memo[0] == at:
            return list(memo[1])
        found = self._reasons_at(at)
        self._reasons_memo = (at, tuple(found))
        return found

    def _reasons_at(self, at: datetime) -> list[Reason]:
        _require_aware(at, "at")
        if self._closed:
            return list(self._closed)
        found: list[Reason] = []
        closed_zones: list[str] = []
        seen: set[tuple[int, tuple[int, ...]]] = set()
        now = utc_seconds_floor(at)
        for offset, members in self._by_offset(now):
            day, seconds = divmod(now + offset, 86_400)
            plan = self._plan(_EPOCH_DATE + timedelta(days=day))
            if plan.is_open(seconds):
                continue
            closed_zones.extend(key for key, _ in members)
            # Zones on the same day plan breaking the same rules would only
            # repeat the wording: write it once.
            signature = (id(plan), plan.broken(seconds))
            if signature not in seen:
                seen.add(signature)
                key, zone = members[0]
                found.extend(plan.reasons(at.astimezone(zone), key, seconds))
        if len(closed_zones) > 1:
            return _merged(found, closed_zones, len(self._zone_infos))
        return found

    def next_open(
        self, start: datetime, *, horizon: timedelta = DEFAULT_HORIZON
    ) -> datetime | None:
        """The earliest instant >= ``start`` at which a call is allowed, in UTC.

        None when nothing opens within ``horizon`` (a preference that
        contradicts the law, a schedule that fails closed).
        """
        _require_aware(start, "start")
        if self._closed:
            return None
        # Rule boundaries fall on whole seconds, so being open is the same
        # for every instant of one second: a stretch known closed answers
        # any start inside it.
        floor = utc_seconds_floor(start)
        memo = self._memo
        if memo is not None and memo[0] <= floor < memo[1]:
            return from_utc_seconds(memo[1])
        if self.is_open(start):
            return start.astimezone(UTC)
        first = utc_seconds_ceil(start)
        for lo, _ in self._open_intervals(first, first + int(horizon.total_seconds())):
            self._memo = (floor, lo)
            return from_utc_seconds(lo)
        return None

    def open_periods(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The UTC periods in ``[start, end)`` when calls are allowed, whole seconds."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        if self._closed:
            return []
        periods = []
        for lo, hi in self._open_intervals(utc_seconds_ceil(start), utc_seconds_ceil(end)):
            periods.append((from_utc_seconds(lo), from_utc_seconds(hi)))
        # Periods of neighbouring chunks touch at chunk boundaries; join them.
        joined: list[tuple[datetime, datetime]] = []
        for lo_dt, hi_dt in periods:
            if joined and joined[-1][1] == lo_dt:
                joined[-1] = (joined[-1][0], hi_dt)
            else:
                joined.append((lo_dt, hi_dt))
        return joined

    # -- internals ----------------------------------------------------------

    def _open_intervals(self, start: int, end: int) -> Iterator[Interval]:
        """Yield open UTC intervals in order, one day's chunk at a time."""
        if not self._zone_infos:
            return
        chunk_start = start
        while chunk_start < end:
            chunk_end = min(chunk_start + _DAY, end)
            common: tuple[Interval, ...] = ((chunk_start, chunk_end),)
            for _, zone in self._zone_infos:
                common = intersect(common, open_utc(zone, chunk_start, chunk_end, self._spans))
                if not common:
                    break
            yield from common
            chunk_start = chunk_end

    def _spans(self, day: date) -> tuple[Span, ...]:
        return self._plan(day).open

    def _caps(self) -> tuple[FrequencyCap, ...]:
        # The default rules may apply for two countries; list their caps once.
        caps = dict.fromkeys(
            cap
            for a in self._applied
            for cap in a.jurisdiction.frequency_caps
            if applies_to_call(cap.call_types, self._call_type)
        )
        return tuple(caps)

    def _local_dates(self, at: datetime) -> set[date]:
        if not self._zone_infos:
            return {at.astimezone(UTC).date()}
        now = utc_seconds_floor(at)
        return {
            _EPOCH_DATE + timedelta(days=(now + offset) // 86_400)
            for offset, _ in self._by_offset(now)
        }

    def _name_of(self, jurisdiction_id: str) -> str:
        for a in self._applied:
            if a.jurisdiction.id == jurisdiction_id:
                return a.name
        return jurisdiction_id


_EPOCH_DATE = date(1970, 1, 1)


def _merged(found: list[Reason], closed: list[str], zones: int) -> list[Reason]:
    """One reason per code and rule for a number with several candidate zones
    (a toll-free number has 42): the first zone's wording, then which zones."""
    kept: dict[tuple[ReasonCode, str], Reason] = {}
    for reason in found:
        # The rule is named after the local time: "... is outside <rule>".
        rule = reason.detail.split(" is ", 1)[-1]
        kept.setdefault((reason.code, rule), reason)
    names = f": {', '.join(closed)}" if len(closed) <= 8 else ""
    note = f"; closed in {len(closed)} of {zones} candidate time zones{names}"
    return [Reason(r.code, r.detail + note, r.until) for r in kept.values()]


def _strictest(rules: Iterable[ConsentRule]) -> ConsentRule | None:
    best: ConsentRule | None = None
    for rule in rules:
        if best is None or rule.level.rank > best.level.rank:
            best = rule
    return best
