"""Do-not-call registries (national lists, state lists, litigator lists). Pure domain.

A registry is defined in configuration (which numbers it covers, how fresh
its snapshot must be, whether calling without one is allowed at all) and
held in storage as snapshots: the numbers of one full list, as of a date,
plus any change lists applied on top.

Registry reasons come from their own function, ``registry_reasons``, so a
later consent rule can lift ``DNC_REGISTRY`` without ever touching the
internal list's ``DNC_INTERNAL`` (or a litigator list's ``DNC_LITIGATOR``).

Which numbers a list applies to: the regions and prefixes it covers, and,
for a list of one state or province (``applies_to``), the numbers that may
be located there. A +1 number is located by its area code (the NANP table,
as the calling rules locate it) and by an ISO 3166-2 location hint; a
number whose area code places it nowhere (toll-free, non-geographic, not in
the table) cannot be ruled out, so the list applies (fail closed).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from functools import lru_cache

from dnc.numbers import PhoneNumber
from dnc.verdicts import Reason, ReasonCode

FORMATS = ("ftc", "dncl", "tps", "csv", "reassigned", "wireless")
LISTING_REASONS = (ReasonCode.DNC_REGISTRY, ReasonCode.DNC_LITIGATOR)
"""The codes a listing may be given (``reason`` in a registry's configuration)."""
REASSIGNED_FORMAT = "reassigned"
"""Not a do-not-call list: permanent disconnects, which void older consents."""
WIRELESS_FORMAT = "wireless"
"""Not a do-not-call list: line types (wireless or wireline) of numbers (dnc.wireless)."""
NOT_LISTS = (REASSIGNED_FORMAT, WIRELESS_FORMAT)
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
MAX_SHRINK = 0.05
"""Default share by which a full list may be smaller than the snapshot it replaces."""


@dataclass(frozen=True, slots=True)
class NumberingPlan:
    """The numbers a registry's files may hold: regions and/or E.164 prefixes.

    A file holding any other number is for another registry (a Canadian list
    imported as us-national), and is refused before it replaces anything.
    For +1 numbers a region is the NANP area-code table's country, so "US"
    takes in its territories (PR, VI, GU, MP, AS) and non-geographic codes.
    """

    regions: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()  # E.164 digits, without "+"

    def __bool__(self) -> bool:
        return bool(self.regions or self.prefixes)

    def describe(self) -> str:
        return ", ".join([*sorted(self.regions), *(f"+{p}" for p in self.prefixes)])


@dataclass(frozen=True, slots=True)
class ChangeLayout:
    """Where a change list keeps the number and its add/delete marker.

    The FTC change-list field order is not public, so it is configuration:
    zero-based columns; several number columns are joined (area code, number).
    """

    number_columns: tuple[int, ...] = (0,)
    marker_column: int = 1
    add_markers: frozenset[str] = frozenset({"A", "ADD"})
    delete_markers: frozenset[str] = frozenset({"D", "DEL", "DELETE"})


@dataclass(frozen=True, slots=True)
class RegistryDefinition:
    """What configuration says about one registry."""

    name: str
    title: str = ""
    regions: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    max_age_days: int = 31
    required: bool = True
    format: str = "csv"
    source: str = ""
    changes: ChangeLayout = field(default_factory=ChangeLayout)
    plan: NumberingPlan = NumberingPlan()
    max_shrink: float = MAX_SHRINK
    # ISO 3166-2 subdivisions the list is for (a state list); empty: every
    # number it covers.
    applies_to: frozenset[str] = frozenset()
    # The code a listing is refused with: DNC_REGISTRY, or DNC_LITIGATOR
    # (which no consent lifts).
    reason: ReasonCode = ReasonCode.DNC_REGISTRY
    # NANP area codes located only outside ``applies_to``: worked out once
    # from the area-code table (``with_area_codes``), so a check only looks up.
    outside: frozenset[str] = frozenset()
    # Every check looks its registries up in caches keyed by them (see
    # registry_reasons): hashed once here, not field by field on each look-up.
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        key = (
            self.name,
            self.regions,
            self.prefixes,
            self.max_age_days,
            self.required,
            self.applies_to,
            self.outside,
        )
        object.__setattr__(self, "_hash", hash(key))

    def __hash__(self) -> int:
        return self._hash

    @property
    def numbering_plan(self) -> NumberingPlan:
        """The plan its files are held to: the one declared, else what it covers."""
        return self.plan or NumberingPlan(self.regions, self.prefixes)

    def covers(self, number: PhoneNumber) -> bool:
        """Whether a call to ``number`` must be washed against this registry."""
        if number.region in self.regions:
            return True
        digits = number.digits
        return any(digits.startswith(p) for p in self.prefixes)

    def applies(self, area_code: str | None, location: str | None) -> bool:
        """Whether a number it covers, of ``area_code`` (None: not a +1 number),
        called with ``location`` as hint, may be located where the list applies.

        Ruled out only when the area code places the number wholly outside
        ``applies_to`` and no ISO 3166-2 hint places it inside: a hint adds a
        place, as it does for the calling rules, and never takes one away.
        """
        if area_code is None or area_code not in self.outside:
            return True
        return location is not None and location.strip().upper() in self.applies_to


def with_area_codes(
    definitions: Iterable[RegistryDefinition], area_codes: Mapping[str, Collection[str]]
) -> tuple[RegistryDefinition, ...]:
    """The definitions with what a check needs to place a +1 number, once (at open).

    ``area_codes``: each NANP area code's subdivisions (config/nanp_area_codes.csv).
    An area code with none (toll-free, 5XX, 600) is never outside anything.
    """
    resolved = []
    for definition in definitions:
        if definition.applies_to:
            outside = frozenset(
                code
                for code, subdivisions in area_codes.items()
                if subdivisions and not definition.applies_to.intersection(subdivisions)
            )
            definition = replace(definition, outside=outside)
        resolved.append(definition)
    return Definitions(resolved)


class Definitions(tuple[RegistryDefinition, ...]):
    """A service's registry definitions, hashed once: every check looks them
    up whole in the caches below, and a plain tuple would hash each
    definition again at every look-up (a fifth of a check's rules time)."""

    _hash: int

    def __new__(cls, items: Iterable[RegistryDefinition]) -> Definitions:
        made = super().__new__(cls, items)
        made._hash = tuple.__hash__(made)
        return made

    def __hash__(self) -> int:
        return self._hash


@dataclass(frozen=True, slots=True)
class Freshness:
    """How old a snapshot is at one instant, against its registry's limit."""

    as_of: date | None
    age_days: int | None
    days_left: int | None
    max_age_days: int

    @property
    def state(self) -> str:
        """``missing``, ``stale`` or ``fresh``."""
        if self.as_of is None:
            return "missing"
        return "stale" if self.days_left is not None and self.days_left < 0 else "fresh"


def freshness(as_of: date | None, max_age_days: int, at: datetime) -> Freshness:
    """Age in whole days of a snapshot dated ``as_of``, seen at ``at`` (UTC days).

    A snapshot may be relied on while its age is at most ``max_age_days``
    ("no older than 31 days"), so ``days_left`` 0 is its last usable day.
    """
    if as_of is None:
        return Freshness(None, None, None, max_age_days)
    age = (at.astimezone(UTC).date() - as_of).days
    return Freshness(as_of, age, max_age_days - age, max_age_days)


def registry_reasons(
    number: PhoneNumber,
    definitions: Iterable[RegistryDefinition],
    snapshots: Mapping[str, date],
    listed_on: Collection[str],
    at: datetime,
    location: str | None = None,
) -> list[Reason]:
    """DNC_REGISTRY, DNC_LITIGATOR and REGISTRY_STALE reasons for one call.

    ``snapshots`` maps each registry with a current snapshot to its as-of
    date; ``listed_on`` names the registries whose current snapshot holds
    the number. A listing blocks whatever the registry is said to cover or
    apply to, with the registry's own reason, one per list: the data says
    the person asked (a Texan registers a New York mobile on the Texas
    list), which is the safe way to read it. What a list covers and applies
    to (``location``: the call's hint) decides only where a missing or
    stale snapshot refuses.
    """
    reasons: list[Reason] = []
    known = tuple(definitions)
    if listed_on:
        by_name = {d.name: d for d in known}
        for name in sorted(listed_on):
            definition = by_name.get(name)
            title = f" ({definition.title})" if definition and definition.title else ""
            as_of = snapshots.get(name)
            when = f" as of {as_of.isoformat()}" if as_of else ""
            code = definition.reason if definition else ReasonCode.DNC_REGISTRY
            reasons.append(Reason(code, f"listed on registry {name}{title}{when}"))
    head = number.digits[: _longest_prefix(known)]
    covering = _covering(known, number.region, head, number.area_code, location)
    if covering:
        day = at.astimezone(UTC).date()
        dates = tuple(snapshots.get(d.name) for d in covering)
        reasons.extend(_stale_reasons(covering, dates, day))
    return reasons


# A scrub or a batch check asks about thousands of numbers that share their
# region and leading digits, registry dates and day: worked out once each.
@lru_cache(maxsize=64)
def _longest_prefix(definitions: tuple[RegistryDefinition, ...]) -> int:
    return max((len(p) for d in definitions for p in d.prefixes), default=0)


@lru_cache(maxsize=4096)
def _covering(
    definitions: tuple[RegistryDefinition, ...],
    region: str,
    head: str,
    area_code: str | None,
    location: str | None,
) -> tuple[RegistryDefinition, ...]:
    """The required registries covering numbers of ``region`` that start with ``head``
    (as long as the longest prefix any registry covers by), and applying to
    numbers of ``area_code`` called with ``location``."""
    return Definitions(
        d
        for d in definitions
        if d.required
        and (region in d.regions or any(head.startswith(p) for p in d.prefixes))
        and d.applies(area_code, location)
    )


@lru_cache(maxsize=4096)
def _stale_reasons(
    covering: tuple[RegistryDefinition, ...], dates: tuple[date | None, ...], day: date
) -> tuple[Reason, ...]:
    reasons = []
    at = datetime.combine(day, time(12), UTC)
    for definition, as_of in zip(covering, dates, strict=True):
        fresh = freshness(as_of, definition.max_age_days, at)
        if fresh.as_of is None:
            reasons.append(
                Reason(
                    ReasonCode.REGISTRY_STALE,
                    f"required registry {definition.name} covers this number and has no "
                    "snapshot: import a full list first",
                )
            )
        elif fresh.state == "stale":
            reasons.append(
                Reason(
                    ReasonCode.REGISTRY_STALE,
                    f"required registry {definition.name} snapshot as of "
                    f"{fresh.as_of.isoformat()} is {fresh.age_days} days old "
                    f"(limit {definition.max_age_days})",
                )
            )
    return tuple(reasons)


def check_name(name: str) -> str:
    """A registry name is also an SQL literal and a file-name part: keep it plain."""
    if not NAME_PATTERN.fullmatch(name):
        raise ValueError(
            f"registry name {name!r} must be lower-case letters, digits, '-' or '_' "
            "(at most 63 characters)"
        )
    return name


@dataclass(frozen=True, slots=True)
class RegistryStatus:
    """One registry's definition and the freshness of its current snapshot."""

    definition: RegistryDefinition
    freshness: Freshness
    size: int | None = None
    as_of_source: str | None = None
    file: str | None = None
    imported_at: datetime | None = None
    changes_applied: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """As ``dnc registry status --json`` and ``GET /v1/registries`` give a row."""
        return {
            "registry": self.definition.name,
            "title": self.definition.title,
            "required": self.definition.required,
            "max_age_days": self.definition.max_age_days,
            "state": self.freshness.state,
            "as_of": self.freshness.as_of.isoformat() if self.freshness.as_of else None,
            "as_of_source": self.as_of_source,
            "size": self.size,
            "age_days": self.freshness.age_days,
            "days_left": self.freshness.days_left,
            "file": self.file,
            "imported_at": self.imported_at.isoformat() if self.imported_at else None,
            "changes_applied": self.changes_applied,
            "reason": self.definition.reason.value,
            "applies_to": sorted(self.definition.applies_to),
        }
