"""Public holidays, from the ``holidays`` package, cached per calendar and year.

Building a ``holidays`` calendar costs milliseconds; a dialer asks about the
same few (country, subdivision, year) triples all day, so each is built once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from types import MappingProxyType

import holidays

_ISO_SUBDIVISION = re.compile(r"[A-Z0-9]{1,3}")


def split_calendar(code: str) -> tuple[str, str | None]:
    """ "US-LA" -> ("US", "LA"); "AU" -> ("AU", None)."""
    country, _, subdiv = code.partition("-")
    return country, subdiv or None


def calendar_problem(country: str, subdiv: str | None, categories: tuple[str, ...]) -> str | None:
    """Why ``holidays`` cannot give this calendar, or None when it can."""
    try:
        calendar = holidays.country_holidays(country, subdiv=subdiv)
    except NotImplementedError as exc:
        return str(exc)
    unknown = set(categories) - set(calendar.supported_categories)
    if unknown:
        return f"holiday categories {sorted(unknown)} are not known for {country}"
    return None


@lru_cache(maxsize=512)
def supports(country: str) -> bool:
    return calendar_problem(country, None, ("public",)) is None


@lru_cache(maxsize=512)
def subdivisions_of(country: str) -> frozenset[str]:
    """ISO-looking subdivision codes ("DE-BY") the ``holidays`` package knows for a country."""
    try:
        calendar = holidays.country_holidays(country)
    except NotImplementedError:
        return frozenset()
    return frozenset(
        f"{country}-{s}" for s in calendar.subdivisions if _ISO_SUBDIVISION.fullmatch(str(s))
    )


@lru_cache(maxsize=4096)
def holiday_names(
    country: str, subdiv: str | None, categories: tuple[str, ...], year: int
) -> Mapping[date, str]:
    """The holidays falling in ``year``, observed days included, by date."""
    language = _english(country)
    # Observed days can fall in the neighbouring year (1 January on a Saturday
    # is observed on 31 December), so build three years and keep this one's.
    calendar = holidays.country_holidays(
        country,
        subdiv=subdiv,
        years=range(year - 1, year + 2),
        categories=categories,
        language=language,
    )
    return MappingProxyType({d: name for d, name in calendar.items() if d.year == year})


@lru_cache(maxsize=512)
def _english(country: str) -> str | None:
    languages = holidays.country_holidays(country).supported_languages
    return "en_US" if "en_US" in languages else None
