"""Where the called party is: countries, subdivisions and candidate zones.

The number gives a first answer (phonenumbers' region and zones; for +1
numbers the area-code table's country and state or province, and, unless
phonenumbers placed the number by its exchange, every zone of its area
code). A location hint from the dialer adds to it: an ISO 3166-2 code adds
its subdivision and country to the rules (stricter wins) and narrows the
zones to those inside it; an IANA zone replaces the zones and leaves the
rules alone. What cannot be known is reported as a problem, and a schedule
with problems is closed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from dnc.errors import InputError
from dnc.numbers import exchange_zones
from dnc.rules.calendars import subdivisions_of
from dnc.rules.model import AreaCode, Jurisdiction

_SUBDIVISION = re.compile(r"[A-Za-z]{2}-[A-Za-z0-9]{1,3}")
_COUNTRY_ONLY = re.compile(r"[A-Za-z]{2}")
_NO_COUNTRY = {"ZZ", "001"}


@dataclass(frozen=True, slots=True)
class Place:
    """What the rules need to know of where a called party is."""

    countries: tuple[str, ...]
    subdivisions: tuple[str, ...]
    zones: tuple[str, ...]
    problems: tuple[str, ...]


@lru_cache(maxsize=1024)
def zone_exists(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


class Locator:
    """Resolves (number facts, location hint) to a :class:`Place`."""

    __slots__ = (
        "_area_codes",
        "_jurisdictions",
        "_subdivision_zones",
        "_own_subdivisions",
        "_by_exchange",
    )

    def __init__(
        self,
        area_codes: Mapping[str, AreaCode],
        jurisdictions: Mapping[str, Jurisdiction],
        subdivision_zones: Mapping[str, tuple[str, ...]],
    ) -> None:
        self._area_codes = area_codes
        self._jurisdictions = jurisdictions
        self._subdivision_zones = subdivision_zones
        own = {sub for entry in area_codes.values() for sub in entry.subdivisions}
        own.update(subdivision_zones)
        own.update(ident for ident in jurisdictions if "-" in ident)
        self._own_subdivisions = frozenset(own)
        # Once, at load: the check's hot path reads it only on a cache miss.
        self._by_exchange = {code: exchange_zones(code) for code in area_codes}

    def locate(
        self,
        region: str,
        area_code: str | None,
        number_zones: tuple[str, ...],
        location: str | None,
    ) -> Place:
        countries: list[str] = []
        subdivisions: list[str] = []
        problems: list[str] = []
        entry = self._area_codes.get(area_code) if area_code else None
        zones = number_zones
        if entry is not None:
            countries.append(entry.country)
            subdivisions.extend(entry.subdivisions)
            zones = self._candidate_zones(entry, number_zones)
        elif region not in _NO_COUNTRY:
            countries.append(region)
        if location is not None:
            zones = self._apply_hint(location, countries, subdivisions, zones, problems)
        hint_explains = bool(problems)
        if not countries:
            problems.append("the number belongs to no country, so no calling rules are known")
        unknown = [z for z in zones if not zone_exists(z)]
        if unknown:
            problems.append(f"time zones {', '.join(unknown)} are unknown to this system")
        if not zones and not hint_explains:
            # Never leave a schedule without zones unexplained: with no zone
            # to check, every instant would pass.
            problems.append("no time zone is known for the number, so its local time is unknown")
        return Place(
            tuple(dict.fromkeys(countries)),
            tuple(dict.fromkeys(subdivisions)),
            tuple(dict.fromkeys(zones)),
            tuple(problems),
        )

    def _candidate_zones(self, entry: AreaCode, number_zones: tuple[str, ...]) -> tuple[str, ...]:
        """Where a +1 number may be, by time zone.

        phonenumbers answers one zone for most numbers of an area code that
        crosses a zone line (every 812 number off its list of Central
        exchanges is "America/New_York"): that says no more than the area
        code, so every zone the area code reaches applies. A function of the
        area code and the stored zones alone, so a queue group's sample
        stands for every member and rows stored before this rule are judged
        by it too.
        """
        if not entry.zones or number_zones in self._by_exchange.get(entry.code, ()):
            return number_zones
        return tuple(sorted({*entry.zones, *number_zones}))

    def check_hint(self, location: str) -> None:
        """Raise InputError for a hint the rules cannot read, whatever the number:
        the same refusals ``locate`` makes, without a number."""
        self._apply_hint(location, [], [], (), [])

    def _apply_hint(
        self,
        location: str,
        countries: list[str],
        subdivisions: list[str],
        zones: tuple[str, ...],
        problems: list[str],
    ) -> tuple[str, ...]:
        text = location.strip()
        if _SUBDIVISION.fullmatch(text):
            code = text.upper()
            country = code[:2]
            self._check_subdivision(code, location)
            number_countries = set(countries)
            countries.append(country)
            subdivisions.append(code)
            inside = self._subdivision_zones.get(code)
            country_rules = self._jurisdictions.get(country)
            if not inside and country_rules is not None and country_rules.zones:
                inside = country_rules.zones
            if inside:
                # Keep the number's zones that lie there: a 305 number hinted
                # US-FL stays Eastern rather than gaining the Central
                # panhandle, which the hint alone would allow.
                return tuple(z for z in zones if z in inside) or inside
            if country in number_countries:
                return zones
            problems.append(
                f"no time zone is known for location {code}; pass an IANA zone as the location"
            )
            return ()
        if _COUNTRY_ONLY.fullmatch(text):
            raise InputError(
                f"location {location!r} is a country, not a place: give an ISO 3166-2 "
                "subdivision (e.g. US-FL) or an IANA time zone (e.g. America/Chicago)"
            )
        if not zone_exists(text):
            raise InputError(
                f"location {location!r} is neither an ISO 3166-2 subdivision (e.g. US-FL) "
                "nor an IANA time zone (e.g. America/Chicago)"
            )
        return (text,)

    def _check_subdivision(self, code: str, location: str) -> None:
        country = code[:2]
        if country not in phonenumbers.SUPPORTED_REGIONS:
            raise InputError(f"location {location!r}: {country} is not a country code")
        if code in self._own_subdivisions or code in subdivisions_of(country):
            return
        raise InputError(
            f"location {location!r} is not a subdivision known to the rules or to the holiday "
            "calendars; pass an IANA time zone (e.g. Europe/Moscow) instead"
        )
