"""Do-not-call registries (national lists, state lists, litigator lists). Pure domain.

A registry is defined in configuration (which numbers it covers, how fresh
its snapshot must be, whether calling without one is allowed at all) and
held in storage as snapshots: the numbers of one full list, as of a date,
plus any change lists applied on top.

Registry reasons come from their own function, ``registry_reasons``, so a
later consent rule can lift ``DNC_REGISTRY`` without ever touching the
internal list's ``DNC_INTERNAL``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache

from dnc.numbers import PhoneNumber
from dnc.verdicts import Reason, ReasonCode

FORMATS = ("ftc", "dncl", "tps", "csv", "reassigned", "wireless")
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
    # Every check looks its registries up in caches keyed by them (see
    # registry_reasons): hashed once here, not field by field on each look-up.
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        key = (self.name, self.regions, self.prefixes, self.max_age_days, self.required)
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
) -> list[Reason]:
    """DNC_REGISTRY and REGISTRY_STALE reasons for one call.

    ``snapshots`` maps each registry with a current snapshot to its as-of
    date; ``listed_on`` names the registries whose current snapshot holds
    the number. A listing blocks whatever the registry is said to cover:
    the data says the person asked, which is the safe way to read it.
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
            reasons.append(
                Reason(ReasonCode.DNC_REGISTRY, f"listed on registry {name}{title}{when}")
            )
    head = number.digits[: _longest_prefix(known)]
    covering = _covering(known, number.region, head)
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
    definitions: tuple[RegistryDefinition, ...], region: str, head: str
) -> tuple[RegistryDefinition, ...]:
    """The required registries covering numbers of ``region`` that start with ``head``
    (as long as the longest prefix any registry covers by)."""
    return tuple(
        d
        for d in definitions
        if d.required and (region in d.regions or any(head.startswith(p) for p in d.prefixes))
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
        }
