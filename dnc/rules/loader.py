"""Reading rule files and the NANP area-code table, validated strictly at load.

Every mistake is a ConfigError naming the file and the dotted key, so a bad
edit to ``config/rules`` stops the service at start-up rather than letting it
dial on a half-read rule. The file shapes are documented in docs/rules.md.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

from dnc.errors import ConfigError
from dnc.rules.calendars import calendar_problem, split_calendar
from dnc.rules.location import zone_exists
from dnc.rules.model import (
    DAY_SECONDS,
    DEFAULT_ID,
    WEEKDAY_KEYS,
    AreaCode,
    BlockedWeekdays,
    CapScope,
    Consent,
    ConsentRule,
    FrequencyCap,
    HolidayRule,
    Jurisdiction,
    WindowGroup,
    WindowRule,
    parse_clock,
)

SCHEMA_VERSION = 1
AREA_CODE_HEADER = ["area_code", "country", "subdivisions", "time_zones"]

_ID = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")
_CALL_TYPE = re.compile(r"[a-z][a-z0-9_]*")
_TOP_KEYS = {
    "schema_version",
    "id",
    "name",
    "zones",
    "subdivision_zones",
    "windows",
    "blocked_weekdays",
    "blocked_holidays",
    "frequency_caps",
    "consent",
}
_RULE_KEYS = {"source", "from", "until", "call_types"}


class _File:
    """One file being read: raises ConfigError with its name and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str | None, why: str) -> NoReturn:
        raise ConfigError(self.source, key, why)

    def keys(self, table: dict[str, Any], key: str, allowed: set[str], required: set[str]) -> None:
        for name in table:
            if name not in allowed:
                self.fail(_join(key, name), f"unknown key (allowed: {', '.join(sorted(allowed))})")
        for name in sorted(required - table.keys()):
            self.fail(_join(key, name), "is required")

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be a non-empty string")
        return value.strip()

    def day(self, value: Any, key: str) -> date | None:
        if value is None:
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            self.fail(key, "must be a TOML date such as 2024-01-01 (no quotes, no time)")
        return value

    def tables(self, value: Any, key: str) -> list[dict[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(key, f"must be an array of tables ([[{key}]])")
        return value

    def zones(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            self.fail(key, "must be a non-empty list of IANA zone names")
        for i, name in enumerate(value):
            if not isinstance(name, str) or not zone_exists(name):
                self.fail(f"{key}[{i}]", f"{name!r} is not an IANA time zone known here")
        return tuple(dict.fromkeys(value))

    def rule_common(
        self, table: dict[str, Any], key: str
    ) -> tuple[str, date | None, date | None, frozenset[str] | None]:
        source = self.text(table.get("source"), f"{key}.source")
        start = self.day(table.get("from"), f"{key}.from")
        end = self.day(table.get("until"), f"{key}.until")
        if start is not None and end is not None and start >= end:
            self.fail(f"{key}.until", "must be later than from")
        call_types: frozenset[str] | None = None
        if "call_types" in table:
            raw = table["call_types"]
            if (
                not isinstance(raw, list)
                or not raw
                or not all(isinstance(c, str) and _CALL_TYPE.fullmatch(c) for c in raw)
            ):
                self.fail(f"{key}.call_types", "must be a non-empty list of lower-case names")
            call_types = frozenset(raw)
        return source, start, end, call_types

    def weekdays(self, value: Any, key: str) -> frozenset[int]:
        if not isinstance(value, list) or not value:
            self.fail(key, f"must be a non-empty list of {', '.join(WEEKDAY_KEYS)}")
        days: set[int] = set()
        for i, name in enumerate(value):
            if name not in WEEKDAY_KEYS:
                self.fail(f"{key}[{i}]", f"{name!r} is not one of {', '.join(WEEKDAY_KEYS)}")
            days.add(WEEKDAY_KEYS.index(name))
        return frozenset(days)

    def clock(self, value: Any, key: str) -> int:
        seconds = parse_clock(value) if isinstance(value, str) else None
        if seconds is None:
            self.fail(key, 'must be a local time "HH:MM" from "00:00" to "24:00"')
        return seconds


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _describe(entry: Traversable | Path) -> str:
    try:
        return str(entry)
    except TypeError:  # a zipfile.Path into an in-memory archive has no file name
        return entry.name


def parse_jurisdiction(data: dict[str, Any], source: str, expected_id: str) -> Jurisdiction:
    """Validate one decoded rule file."""
    f = _File(source)
    f.keys(data, "", _TOP_KEYS, {"schema_version", "id", "name"})
    version = data["schema_version"]
    if type(version) is not int or version != SCHEMA_VERSION:
        f.fail("schema_version", f"must be {SCHEMA_VERSION}")
    ident = f.text(data["id"], "id")
    if ident != DEFAULT_ID and not _ID.fullmatch(ident):
        f.fail("id", 'must be "DEFAULT", an ISO 3166-1 code ("US") or a 3166-2 code ("US-FL")')
    if ident != expected_id:
        f.fail("id", f"{ident!r} does not match the file name (expected {expected_id!r})")
    name = f.text(data["name"], "name")
    is_country = ident != DEFAULT_ID and "-" not in ident
    zones = f.zones(data["zones"], "zones") if "zones" in data else ()
    if zones and ident == DEFAULT_ID:
        f.fail("zones", "the default rules cannot name zones: they apply anywhere")
    subdivision_zones: dict[str, tuple[str, ...]] = {}
    raw_sub = data.get("subdivision_zones", {})
    if raw_sub and not is_country:
        f.fail("subdivision_zones", "belongs in a country's file")
    if not isinstance(raw_sub, dict):
        f.fail("subdivision_zones", "must be a table of subdivision code = [zones]")
    for code, value in raw_sub.items():
        key = f"subdivision_zones.{code}"
        if not _ID.fullmatch(code) or not code.startswith(f"{ident}-"):
            f.fail(key, f"must be an ISO 3166-2 code of {ident}, like {ident}-XX")
        subdivision_zones[code] = f.zones(value, key)

    windows = [
        _window(f, t, f"windows[{i}]")
        for i, t in enumerate(f.tables(data.get("windows"), "windows"))
    ]
    blocked = [
        _blocked(f, t, f"blocked_weekdays[{i}]")
        for i, t in enumerate(f.tables(data.get("blocked_weekdays"), "blocked_weekdays"))
    ]
    holiday_rules = [
        _holiday(f, t, f"blocked_holidays[{i}]", ident)
        for i, t in enumerate(f.tables(data.get("blocked_holidays"), "blocked_holidays"))
    ]
    caps = [
        _cap(f, t, f"frequency_caps[{i}]", ident)
        for i, t in enumerate(f.tables(data.get("frequency_caps"), "frequency_caps"))
    ]
    consent = [
        _consent(f, t, f"consent[{i}]", ident)
        for i, t in enumerate(f.tables(data.get("consent"), "consent"))
    ]
    return Jurisdiction(
        id=ident,
        name=name,
        file=source,
        window_groups=_groups(f, windows, blocked),
        blocked_weekdays=tuple(blocked),
        blocked_holidays=tuple(holiday_rules),
        frequency_caps=tuple(caps),
        consent=tuple(consent),
        zones=zones,
        subdivision_zones=MappingProxyType(subdivision_zones),
    )


def _window(f: _File, t: dict[str, Any], key: str) -> WindowRule:
    f.keys(t, key, _RULE_KEYS | {"days", "start", "end"}, {"days", "start", "end", "source"})
    source, start_day, end_day, call_types = f.rule_common(t, key)
    start = f.clock(t["start"], f"{key}.start")
    end = f.clock(t["end"], f"{key}.end")
    if start >= DAY_SECONDS:
        f.fail(f"{key}.start", "must be before 24:00")
    if end <= start:
        f.fail(f"{key}.end", "must be later than start (windows cannot cross midnight)")
    days = f.weekdays(t["days"], f"{key}.days")
    return WindowRule(days, start, end, source, start_day, end_day, call_types)


def _blocked(f: _File, t: dict[str, Any], key: str) -> BlockedWeekdays:
    f.keys(t, key, _RULE_KEYS | {"days"}, {"days", "source"})
    source, start_day, end_day, call_types = f.rule_common(t, key)
    return BlockedWeekdays(
        f.weekdays(t["days"], f"{key}.days"), source, start_day, end_day, call_types
    )


def _holiday(f: _File, t: dict[str, Any], key: str, ident: str) -> HolidayRule:
    f.keys(t, key, _RULE_KEYS | {"calendar", "categories"}, {"source"})
    source, start_day, end_day, call_types = f.rule_common(t, key)
    categories: tuple[str, ...] = ("public",)
    if "categories" in t:
        raw = t["categories"]
        if not isinstance(raw, list) or not raw or not all(isinstance(c, str) for c in raw):
            f.fail(f"{key}.categories", "must be a non-empty list of holidays categories")
        categories = tuple(sorted(set(raw)))
    calendar: str | None = None
    if "calendar" in t:
        calendar = f.text(t["calendar"], f"{key}.calendar")
        if not _ID.fullmatch(calendar):
            f.fail(f"{key}.calendar", "must be an ISO 3166-1 or 3166-2 code")
    if ident == DEFAULT_ID:
        if calendar is not None:
            f.fail(f"{key}.calendar", "the default rules use the called party's country")
        return HolidayRule(None, categories, source, start_day, end_day, call_types)
    country, subdiv = split_calendar(calendar or ident)
    problem = calendar_problem(country, subdiv, categories)
    if problem is not None:
        f.fail(f"{key}.calendar", f"no holiday calendar for {calendar or ident}: {problem}")
    return HolidayRule(calendar, categories, source, start_day, end_day, call_types)


def _cap(f: _File, t: dict[str, Any], key: str, ident: str) -> FrequencyCap:
    f.keys(
        t,
        key,
        _RULE_KEYS | {"calls", "per_hours", "scope"},
        {"calls", "per_hours", "scope", "source"},
    )
    source, start_day, end_day, call_types = f.rule_common(t, key)
    calls = t["calls"]
    if not isinstance(calls, int) or isinstance(calls, bool) or calls < 1:
        f.fail(f"{key}.calls", "must be a whole number of calls, at least 1")
    hours = t["per_hours"]
    if not isinstance(hours, int | float) or isinstance(hours, bool) or not hours > 0:
        f.fail(f"{key}.per_hours", "must be a positive number of hours")
    try:
        scope = CapScope(t["scope"])
    except ValueError:
        f.fail(f"{key}.scope", f"must be one of {', '.join(s.value for s in CapScope)}")
    return FrequencyCap(
        calls, timedelta(hours=hours), scope, ident, source, start_day, end_day, call_types
    )


def _consent(f: _File, t: dict[str, Any], key: str, ident: str) -> ConsentRule:
    f.keys(t, key, _RULE_KEYS | {"level"}, {"level", "source"})
    source, start_day, end_day, call_types = f.rule_common(t, key)
    try:
        level = Consent(t["level"])
    except ValueError:
        f.fail(f"{key}.level", f"must be one of {', '.join(c.value for c in Consent)}")
    return ConsentRule(level, ident, source, start_day, end_day, call_types)


def _groups(
    f: _File, windows: list[WindowRule], blocked: list[BlockedWeekdays]
) -> tuple[WindowGroup, ...]:
    by_types: dict[frozenset[str] | None, list[WindowRule]] = {}
    for window in windows:
        by_types.setdefault(window.call_types, []).append(window)
    closed = {d for rule in blocked for d in rule.days}
    groups = []
    for call_types, members in by_types.items():
        covered = {d for w in members for d in w.days} | closed
        missing = [WEEKDAY_KEYS[d] for d in range(7) if d not in covered]
        if missing:
            # A weekday without a window would be silently closed; make the
            # author say so with blocked_weekdays instead.
            scope = f" for call_types {sorted(call_types)}" if call_types else ""
            f.fail(
                "windows",
                f"no window{scope} and no blocked_weekdays entry for {', '.join(missing)}",
            )
        groups.append(WindowGroup(call_types, tuple(members)))
    groups.sort(key=lambda g: (g.call_types is not None, sorted(g.call_types or ())))
    return tuple(groups)


def load_jurisdictions(rules_dir: Traversable | Path) -> dict[str, Jurisdiction]:
    """Every ``*.toml`` in ``rules_dir``, keyed by id; default.toml is required."""
    if not rules_dir.is_dir():
        raise ConfigError(_describe(rules_dir), None, "is not a directory of rule files")
    found: dict[str, Jurisdiction] = {}
    for entry in sorted(rules_dir.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        source = _describe(entry)
        try:
            data = tomllib.loads(entry.read_bytes().decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(source, None, f"not valid TOML: {exc}") from None
        expected = entry.name.removesuffix(".toml").upper()
        found[expected] = parse_jurisdiction(data, source, expected)
    if DEFAULT_ID not in found:
        raise ConfigError(
            _describe(rules_dir), None, "default.toml is missing: it is the fail-safe"
        )
    for ident, rules in found.items():
        if "-" in ident and ident[:2] not in found:
            raise ConfigError(
                rules.file, "id", f"{ident} needs its country's file {ident[:2].lower()}.toml"
            )
    return found


def load_area_codes(path: Traversable | Path) -> dict[str, AreaCode]:
    """The NANP table: ``area_code,country,subdivisions,time_zones``; '#' lines are notes."""
    source = _describe(path)
    f = _File(source)
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, None, f"cannot read the area-code table: {exc}") from None
    rows = csv.reader(line for line in text.splitlines() if line and not line.startswith("#"))
    header = next(rows, None)
    if header != AREA_CODE_HEADER:
        f.fail(None, f"header must be {','.join(AREA_CODE_HEADER)}")
    table: dict[str, AreaCode] = {}
    for number, row in enumerate(rows, start=1):
        key = f"row {number}"
        if len(row) != 4:
            f.fail(key, "must have 4 columns")
        code, country, subdivisions, zones = (cell.strip() for cell in row)
        if not re.fullmatch(r"[2-9][0-9]{2}", code):
            f.fail(f"{key}.area_code", f"{code!r} is not a NANP area code")
        if code in table:
            f.fail(f"{key}.area_code", f"{code} is listed twice")
        if not re.fullmatch(r"[A-Z]{2}", country):
            f.fail(f"{key}.country", f"{country!r} is not an ISO 3166-1 code")
        subs = tuple(subdivisions.split())
        for sub in subs:
            if not _ID.fullmatch(sub) or not sub.startswith(f"{country}-"):
                f.fail(f"{key}.subdivisions", f"{sub!r} is not an ISO 3166-2 code of {country}")
        zone_list = tuple(zones.split())
        for zone in zone_list:
            if not zone_exists(zone):
                f.fail(f"{key}.time_zones", f"{zone!r} is not an IANA time zone known here")
        table[code] = AreaCode(code, country, subs, zone_list)
    if not table:
        f.fail(None, "has no area codes")
    return table


def subdivision_zones_from(
    area_codes: Iterable[AreaCode], jurisdictions: dict[str, Jurisdiction]
) -> dict[str, tuple[str, ...]]:
    """Zones per subdivision: its own file's, else its country file's, else the NANP table's."""
    zones: dict[str, dict[str, None]] = {}
    for entry in area_codes:
        for sub in entry.subdivisions:
            zones.setdefault(sub, {}).update(dict.fromkeys(entry.zones))
    result = {sub: tuple(sorted(z)) for sub, z in zones.items() if z}
    for rules in jurisdictions.values():
        result.update(rules.subdivision_zones)
    for ident, rules in jurisdictions.items():
        if "-" in ident and rules.zones:
            result[ident] = rules.zones
    return result
