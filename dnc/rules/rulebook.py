"""The loaded rule book: every jurisdiction, and schedules built from them.

Immutable after load. Its two caches (places by number facts and location,
schedules by everything a schedule depends on) are ``functools.lru_cache``,
which is thread-safe, so one RuleBook serves every thread of a dialer.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType

from dnc.errors import InputError, LocationError
from dnc.numbers import PhoneNumber
from dnc.rules.calendars import split_calendar, supports
from dnc.rules.inputs import CallingHours, Preference
from dnc.rules.loader import load_area_codes, load_jurisdictions, subdivision_zones_from
from dnc.rules.location import Locator, Place, zone_exists
from dnc.rules.model import DEFAULT_ID, AreaCode, Jurisdiction
from dnc.rules.schedule import Schedule
from dnc.rules.windows import Applied
from dnc.verdicts import Reason, ReasonCode

_CACHE_SIZE = 16_384


class RuleBook:
    """Calling rules for every packaged jurisdiction, ready to answer per number."""

    __slots__ = ("_jurisdictions", "_area_codes", "_locator", "_place", "_schedule")

    def __init__(
        self, jurisdictions: Mapping[str, Jurisdiction], area_codes: Mapping[str, AreaCode]
    ) -> None:
        if DEFAULT_ID not in jurisdictions:
            raise ValueError("a rule book needs the default rules")
        self._jurisdictions = MappingProxyType(dict(jurisdictions))
        self._area_codes = MappingProxyType(dict(area_codes))
        zones = subdivision_zones_from(self._area_codes.values(), dict(self._jurisdictions))
        self._locator = Locator(self._area_codes, self._jurisdictions, MappingProxyType(zones))
        self._place = lru_cache(maxsize=_CACHE_SIZE)(self._locator.locate)
        self._schedule = lru_cache(maxsize=_CACHE_SIZE)(self._build)

    @property
    def jurisdictions(self) -> Mapping[str, Jurisdiction]:
        """Every loaded rule file by id ("US", "US-FL", "DEFAULT")."""
        return self._jurisdictions

    @property
    def area_codes(self) -> Mapping[str, AreaCode]:
        """The NANP area-code table, by area code ("416")."""
        return self._area_codes

    def area_code(self, code: str) -> AreaCode | None:
        """Where a NANP area code is, or None if the table does not list it."""
        return self._area_codes.get(code)

    def check_location(self, location: str) -> None:
        """Raise LocationError unless ``location`` is a hint the rules can read
        (ISO 3166-2 subdivision or IANA zone), for a caller storing it for later."""
        if not isinstance(location, str):
            raise LocationError(f"location must be a string, got {location!r}")
        try:
            self._locator.check_hint(location)
        except InputError as exc:
            raise LocationError(str(exc)) from None

    def schedule_for(
        self,
        number: PhoneNumber,
        location: str | None = None,
        campaign_hours: CallingHours | None = None,
        preference: Preference | None = None,
        *,
        call_type: str | None = None,
    ) -> Schedule:
        """The calling schedule for ``number`` under every rule that applies.

        ``location`` is an ISO 3166-2 code ("US-FL") or an IANA zone
        ("America/Chicago"); anything else is an InputError. ``call_type``
        (e.g. "live", "autodialed") selects typed rules; None applies them all.
        """
        if not isinstance(number, PhoneNumber):
            raise InputError(f"number must be a parsed PhoneNumber, got {number!r}")
        if location is not None and not isinstance(location, str):
            raise InputError(f"location must be a string, got {location!r}")
        if campaign_hours is not None and not isinstance(campaign_hours, CallingHours):
            raise InputError(f"campaign_hours must be CallingHours, got {campaign_hours!r}")
        if preference is not None and not isinstance(preference, Preference):
            raise InputError(f"preference must be a Preference, got {preference!r}")
        if call_type is not None and not isinstance(call_type, str):
            raise InputError(f"call_type must be a string, got {call_type!r}")
        area = number.area_code if number.country_code == 1 else None
        return self._schedule(
            number.region,
            area,
            number.time_zones,
            location,
            campaign_hours,
            preference,
            call_type,
        )

    def _build(
        self,
        region: str,
        area: str | None,
        zones: tuple[str, ...],
        location: str | None,
        campaign_hours: CallingHours | None,
        preference: Preference | None,
        call_type: str | None,
    ) -> Schedule:
        place: Place = self._place(region, area, zones, location)
        problems = list(place.problems)
        applied = self._apply(place, problems)
        closed = tuple(
            Reason(ReasonCode.CHECK_FAILED, f"{problem}: do not call (fail closed)")
            for problem in problems
        )
        return Schedule(
            applied=applied,
            zones=tuple(z for z in place.zones if zone_exists(z)),
            countries=place.countries,
            subdivisions=place.subdivisions,
            closed=closed,
            call_type=call_type,
            campaign_hours=campaign_hours,
            preference=preference,
        )

    def _apply(self, place: Place, problems: list[str]) -> tuple[Applied, ...]:
        applied: list[Applied] = []
        for country in place.countries:
            rules = self._jurisdictions.get(country)
            if rules is None:
                applied.append(self._default_for(country, problems))
            else:
                applied.append(_as_is(rules))
        for sub in place.subdivisions:
            rules = self._jurisdictions.get(sub)
            if rules is not None:
                applied.append(_as_is(rules))
        return tuple(applied)

    def _default_for(self, country: str, problems: list[str]) -> Applied:
        rules = self._jurisdictions[DEFAULT_ID]
        calendars = []
        for holiday in rules.blocked_holidays:
            if supports(country):
                calendars.append((holiday, country, None))
            else:
                problems.append(
                    f"the default rules block {country}'s public holidays, "
                    f"but no holiday calendar is known for {country}"
                )
        return Applied(
            rules, tuple(calendars), f"{DEFAULT_ID}:{country}", f"{rules.name} ({country})"
        )


def _as_is(rules: Jurisdiction) -> Applied:
    calendars = tuple(
        (holiday, *split_calendar(holiday.calendar or rules.id))
        for holiday in rules.blocked_holidays
    )
    return Applied(rules, calendars, rules.id, rules.name)


def load_rulebook(rules_dir: Traversable | Path, area_codes: Traversable | Path) -> RuleBook:
    """Load and validate every ``*.toml`` in ``rules_dir`` and the NANP area-code CSV.

    Packaged data: ``files("dnc.config") / "rules"`` and
    ``files("dnc.config") / "nanp_area_codes.csv"``. Raises ConfigError naming
    the file and key of the first mistake.
    """
    return RuleBook(load_jurisdictions(rules_dir), load_area_codes(area_codes))
