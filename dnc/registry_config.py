"""Registry definitions read from the ``[registries.NAME]`` tables of configuration.

Kept apart from dnc/configuration.py so that module stays about precedence
and files; errors still name the file and the dotted key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import phonenumbers

from dnc.errors import ConfigError
from dnc.registries import (
    FORMATS,
    LISTING_REASONS,
    MAX_SHRINK,
    NOT_LISTS,
    ChangeLayout,
    NumberingPlan,
    RegistryDefinition,
    check_name,
)
from dnc.rules.calendars import subdivisions_of
from dnc.verdicts import ReasonCode

_KEYS = {
    "title",
    "regions",
    "prefixes",
    "max_age_days",
    "required",
    "format",
    "source",
    "effective_from",
    "changes",
    "plan",
    "max_shrink",
    "applies_to",
    "reason",
}
_SUBDIVISION = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
# Keys of the [registries] table itself that are settings, not registries.
_SHARED_KEYS = {"max_shrink"}
_CHANGE_KEYS = {"number_columns", "marker_column", "add", "delete"}


def parse_registries(raw: Any, source_of: Callable[[str], str]) -> tuple[RegistryDefinition, ...]:
    """Validate the ``registries`` table; ``source_of(dotted_key)`` names the file."""
    if not isinstance(raw, Mapping):
        raise ConfigError(source_of("registries"), "registries", "must be a table of registries")
    max_shrink = _share(raw.get("max_shrink", MAX_SHRINK), source_of, "registries.max_shrink")
    definitions = []
    for name, table in sorted(raw.items()):
        if name not in _SHARED_KEYS:
            definitions.append(_definition(str(name), table, source_of, max_shrink))
    return tuple(definitions)


def _share(value: Any, source_of: Callable[[str], str], key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(
            source_of(key), key, f"must be a share from 0 to 1 (0.05 is 5 %), not {value!r}"
        )
    return float(value)


def _definition(
    name: str, table: Any, source_of: Callable[[str], str], max_shrink: float
) -> RegistryDefinition:
    key = f"registries.{name}"
    src = source_of(key)
    try:
        check_name(name)
    except ValueError as exc:
        raise ConfigError(src, key, str(exc)) from None
    if not isinstance(table, Mapping):
        raise ConfigError(src, key, "must be a table")
    for sub in table:
        if sub not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(src, f"{key}.{sub}", f"unknown key (known: {known})")

    def get(sub: str, kind: type, default: Any) -> Any:
        value = table.get(sub, default)
        # bool is an int in Python; a max age of `true` days is a typo, not 1.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ConfigError(src, f"{key}.{sub}", f"must be a {kind.__name__}, not {value!r}")
        return value

    regions = get("regions", list, [])
    for region in regions:
        if not isinstance(region, str) or region.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ConfigError(src, f"{key}.regions", f"{region!r} is not a known region code")
    prefixes = get("prefixes", list, [])
    for prefix in prefixes:
        if not isinstance(prefix, str) or not _is_prefix(prefix):
            raise ConfigError(
                src, f"{key}.prefixes", f"{prefix!r} is not an E.164 prefix like '+1305'"
            )
    if not regions and not prefixes:
        raise ConfigError(src, f"{key}.regions", "give the regions or prefixes it covers")
    max_age = get("max_age_days", int, 31)
    if max_age < 0:
        raise ConfigError(src, f"{key}.max_age_days", f"must not be negative, not {max_age}")
    fmt = get("format", str, "csv")
    if fmt not in FORMATS:
        raise ConfigError(src, f"{key}.format", f"{fmt!r} is not one of {', '.join(FORMATS)}")
    get("effective_from", str, "")
    required = get("required", bool, fmt not in NOT_LISTS)
    if required and fmt in NOT_LISTS:
        raise ConfigError(
            src,
            f"{key}.required",
            f"a {fmt} source lists no one who asked not to be called: "
            "it informs other rules and is never required",
        )
    # Without a declared plan a registry's files are held to what it covers.
    plan = _plan(key, get("plan", list, []), src) if "plan" in table else NumberingPlan()
    applies_to = _applies_to(key, get("applies_to", list, []), src)
    if "applies_to" in table and not applies_to:
        raise ConfigError(
            src, f"{key}.applies_to", "give the subdivisions it is for, or leave the key out"
        )
    # A subdivision of a country it does not cover would never apply to anything.
    covered = {r.upper() for r in regions}
    outside = sorted(c for c in applies_to if not prefixes and c[:2] not in covered)
    if outside:
        raise ConfigError(
            src,
            f"{key}.applies_to",
            f"{', '.join(outside)} lies outside the regions it covers ({', '.join(regions)})",
        )
    reason = get("reason", str, ReasonCode.DNC_REGISTRY.value)
    if reason not in LISTING_REASONS:
        known = ", ".join(LISTING_REASONS)
        raise ConfigError(src, f"{key}.reason", f"{reason!r} is not one of {known}")
    if fmt in NOT_LISTS and ("reason" in table or applies_to):
        raise ConfigError(
            src,
            key,
            f"a {fmt!r} source (not a do-not-call list) refuses no call: no reason, no applies_to",
        )
    return RegistryDefinition(
        name=name,
        title=get("title", str, ""),
        regions=frozenset(r.upper() for r in regions),
        prefixes=tuple(p.lstrip("+") for p in prefixes),
        max_age_days=max_age,
        required=required,
        format=fmt,
        source=get("source", str, ""),
        changes=_changes(key, get("changes", dict, {}), src),
        plan=plan,
        max_shrink=_share(table.get("max_shrink", max_shrink), source_of, f"{key}.max_shrink"),
        applies_to=applies_to,
        reason=ReasonCode(reason),
    )


def _applies_to(key: str, entries: list[Any], src: str) -> frozenset[str]:
    """``["US-TX"]``: the ISO 3166-2 subdivisions a state's or province's list is for."""
    found = set()
    for entry in entries:
        code = entry.strip().upper() if isinstance(entry, str) else ""
        country = code[:2]
        if not _SUBDIVISION.fullmatch(code) or country not in phonenumbers.SUPPORTED_REGIONS:
            raise ConfigError(
                src, f"{key}.applies_to", f"{entry!r} is not an ISO 3166-2 subdivision like 'US-TX'"
            )
        known = subdivisions_of(country)
        # A typo would silently place every number outside the list.
        if known and code not in known:
            raise ConfigError(
                src, f"{key}.applies_to", f"{entry!r} is not a subdivision of {country}"
            )
        found.add(code)
    return frozenset(found)


def _plan(key: str, entries: list[Any], src: str) -> NumberingPlan:
    """``["US"]``, ``["+44"]``: regions and E.164 prefixes a registry's files may hold."""
    if not entries:
        raise ConfigError(src, f"{key}.plan", "give the regions or +prefixes its numbers are in")
    found_regions: set[str] = set()
    found_prefixes: list[str] = []
    for entry in entries:
        if isinstance(entry, str) and _is_prefix(entry):
            found_prefixes.append(entry[1:])
        elif isinstance(entry, str) and entry.upper() in phonenumbers.SUPPORTED_REGIONS:
            found_regions.add(entry.upper())
        else:
            raise ConfigError(
                src, f"{key}.plan", f"{entry!r} is neither a region code nor a prefix like '+44'"
            )
    return NumberingPlan(frozenset(found_regions), tuple(found_prefixes))


def _changes(key: str, table: Mapping[str, Any], src: str) -> ChangeLayout:
    key = f"{key}.changes"
    for sub in table:
        if sub not in _CHANGE_KEYS:
            known = ", ".join(sorted(_CHANGE_KEYS))
            raise ConfigError(src, f"{key}.{sub}", f"unknown key (known: {known})")
    default = ChangeLayout()
    columns = table.get("number_columns", list(default.number_columns))
    if (
        not isinstance(columns, list)
        or not columns
        or not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in columns)
    ):
        raise ConfigError(src, f"{key}.number_columns", "must be a list of column numbers")
    marker = table.get("marker_column", default.marker_column)
    if not isinstance(marker, int) or isinstance(marker, bool) or marker < 0 or marker in columns:
        raise ConfigError(src, f"{key}.marker_column", "must be a column number not a number's")
    markers = {}
    for sub, fallback in (("add", default.add_markers), ("delete", default.delete_markers)):
        values = table.get(sub, sorted(fallback))
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) for v in values)
        ):
            raise ConfigError(src, f"{key}.{sub}", "must be a list of marker strings")
        markers[sub] = frozenset(v.strip().upper() for v in values)
    if markers["add"] & markers["delete"]:
        raise ConfigError(src, key, "a marker cannot mean both add and delete")
    return ChangeLayout(tuple(columns), marker, markers["add"], markers["delete"])


def _is_prefix(text: str) -> bool:
    digits = text[1:] if text.startswith("+") else ""
    return digits.isdigit() and digits.isascii() and 1 <= len(digits) <= 15
