"""Loading rule files and the area-code table: packaged data and strict validation."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from dnc.errors import ConfigError
from dnc.rules import CapScope, Consent, load_rulebook
from dnc.rules.loader import load_area_codes, load_jurisdictions

CONFIG = Path(__file__).resolve().parents[3] / "config"
RULES = CONFIG / "rules"
AREA_CODES = CONFIG / "nanp_area_codes.csv"

PACKAGED = {
    "DEFAULT", "US", "US-FL", "US-OK", "US-MD", "US-WA", "US-TX", "US-LA", "US-MS", "US-RI",
    "CA", "GB", "AU", "DE", "EE", "LT", "RU",
}  # fmt: skip

MINIMAL_DEFAULT = """
schema_version = 1
id = "DEFAULT"
name = "Default"

[[windows]]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
start = "09:00"
end = "17:00"
source = "test"
"""

GOOD_COUNTRY = """
schema_version = 1
id = "XX"
name = "Test country"
"""


ALL_DAYS = '[[windows]]\ndays=["mon","tue","wed","thu","fri","sat","sun"]\n'


def write_rules(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def test_packaged_rules_load_every_jurisdiction() -> None:
    rulebook = load_rulebook(RULES, AREA_CODES)
    assert set(rulebook.jurisdictions) == PACKAGED


def test_every_packaged_rule_carries_a_source() -> None:
    for rules in load_jurisdictions(RULES).values():
        items: list[Any] = [
            *(w for g in rules.window_groups for w in g.windows),
            *rules.blocked_weekdays,
            *rules.blocked_holidays,
            *rules.frequency_caps,
            *rules.consent,
        ]
        assert items, rules.id
        assert all(item.source.strip() for item in items), rules.id


def test_florida_cap_and_dates_are_read() -> None:
    (cap,) = load_jurisdictions(RULES)["US-FL"].frequency_caps
    assert (cap.calls, cap.per, cap.scope) == (3, timedelta(hours=24), CapScope.SUBJECT)
    assert cap.effective_from == date(2021, 7, 1)
    assert cap.jurisdiction == "US-FL"


def test_oklahoma_consent_is_typed_and_dated() -> None:
    (rule,) = load_jurisdictions(RULES)["US-OK"].consent
    assert rule.level is Consent.EXPRESS_WRITTEN
    assert rule.call_types == frozenset({"autodialed"})
    assert rule.effective_from == date(2022, 11, 1)


@pytest.mark.parametrize(
    ("code", "country", "subdivisions", "zones"),
    [
        ("201", "US", ("US-NJ",), ("America/New_York",)),
        ("212", "US", ("US-NY",), ("America/New_York",)),
        ("305", "US", ("US-FL",), ("America/New_York",)),
        ("405", "US", ("US-OK",), ("America/Chicago",)),
        ("907", "US", ("US-AK",), None),
        ("416", "CA", ("CA-ON",), ("America/Toronto",)),
        ("604", "CA", ("CA-BC",), ("America/Vancouver",)),
        # Old phonenumbers data put 623 in America/Denver; pin Phoenix.
        ("623", "US", ("US-AZ",), ("America/Phoenix",)),
        ("850", "US", ("US-FL",), ("America/Chicago", "America/New_York")),
        ("902", "CA", ("CA-NS", "CA-PE"), ("America/Halifax",)),
        ("787", "US", ("US-PR",), ("America/Puerto_Rico",)),
        ("800", "US", (), ()),
        ("888", "US", (), ()),
        ("900", "US", (), ()),
        ("600", "CA", (), ()),
    ],
)
def test_area_code_table(
    code: str, country: str, subdivisions: tuple[str, ...], zones: tuple[str, ...] | None
) -> None:
    entry = load_area_codes(AREA_CODES)[code]
    assert (entry.country, entry.subdivisions) == (country, subdivisions)
    if zones is not None:
        assert entry.zones == zones


def test_area_code_table_covers_every_state_and_province() -> None:
    table = load_area_codes(AREA_CODES)
    subdivisions = {s for entry in table.values() for s in entry.subdivisions}
    assert len([s for s in subdivisions if s.startswith("US-")]) == 56  # 50 + DC + 5 territories
    assert len([s for s in subdivisions if s.startswith("CA-")]) == 13


BAD_FILES = [
    ("not toml", "schema_version = ", None),
    ("missing name", 'schema_version = 1\nid = "XX"', "name"),
    ("unknown top key", GOOD_COUNTRY + "colour = 1", "colour"),
    (
        "wrong schema",
        GOOD_COUNTRY.replace("schema_version = 1", "schema_version = 2"),
        "schema_version",
    ),
    ("id differs from file", GOOD_COUNTRY.replace('"XX"', '"YY"'), "id"),
    (
        "window without source",
        GOOD_COUNTRY + '[[windows]]\ndays=["mon"]\nstart="08:00"\nend="20:00"',
        "windows[0].source",
    ),
    (
        "bad clock",
        GOOD_COUNTRY + ALL_DAYS + 'start="8am"\nend="20:00"\nsource="s"',
        "windows[0].start",
    ),
    (
        "end before start",
        GOOD_COUNTRY + ALL_DAYS + 'start="20:00"\nend="08:00"\nsource="s"',
        "windows[0].end",
    ),
    (
        "bad weekday",
        GOOD_COUNTRY + '[[windows]]\ndays=["monday"]\nstart="08:00"\nend="20:00"\nsource="s"',
        "windows[0].days[0]",
    ),
    (
        "uncovered weekday",
        GOOD_COUNTRY + '[[windows]]\ndays=["mon"]\nstart="08:00"\nend="20:00"\nsource="s"',
        "windows",
    ),
    (
        "date as string",
        GOOD_COUNTRY + '[[blocked_weekdays]]\ndays=["sun"]\nsource="s"\nfrom="2024-01-01"',
        "blocked_weekdays[0].from",
    ),
    (
        "until before from",
        GOOD_COUNTRY
        + '[[blocked_weekdays]]\ndays=["sun"]\nsource="s"\nfrom=2024-01-01\nuntil=2023-01-01',
        "blocked_weekdays[0].until",
    ),
    (
        "unknown holiday calendar",
        GOOD_COUNTRY + '[[blocked_holidays]]\ncalendar="US-ZZ"\nsource="s"',
        "blocked_holidays[0].calendar",
    ),
    (
        "cap with zero calls",
        GOOD_COUNTRY + '[[frequency_caps]]\ncalls=0\nper_hours=24\nscope="all"\nsource="s"',
        "frequency_caps[0].calls",
    ),
    (
        "cap with unknown scope",
        GOOD_COUNTRY + '[[frequency_caps]]\ncalls=3\nper_hours=24\nscope="campaign"\nsource="s"',
        "frequency_caps[0].scope",
    ),
    (
        "unknown consent level",
        GOOD_COUNTRY + '[[consent]]\nlevel="implied"\nsource="s"',
        "consent[0].level",
    ),
    ("unknown zone", GOOD_COUNTRY + 'zones = ["Mars/Olympus"]', "zones[0]"),
    (
        "bad call type",
        GOOD_COUNTRY + '[[consent]]\nlevel="express"\nsource="s"\ncall_types=["Auto Dialed"]',
        "consent[0].call_types",
    ),
]


@pytest.mark.parametrize(("case", "text", "key"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_rule_file_names_file_and_key(
    tmp_path: Path, case: str, text: str, key: str | None
) -> None:
    rules = write_rules(tmp_path / "rules", {"default.toml": MINIMAL_DEFAULT, "xx.toml": text})
    with pytest.raises(ConfigError) as caught:
        load_jurisdictions(rules)
    assert caught.value.source.endswith("xx.toml")
    assert caught.value.key == key


def test_rules_without_default_are_refused(tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules", {"xx.toml": GOOD_COUNTRY})
    with pytest.raises(ConfigError, match="default.toml is missing"):
        load_jurisdictions(rules)


def test_subdivision_file_needs_its_country(tmp_path: Path) -> None:
    text = 'schema_version = 1\nid = "XX-AB"\nname = "A subdivision"\n'
    rules = write_rules(tmp_path / "rules", {"default.toml": MINIMAL_DEFAULT, "xx-ab.toml": text})
    with pytest.raises(ConfigError, match="xx.toml"):
        load_jurisdictions(rules)


def test_default_may_not_name_a_holiday_calendar(tmp_path: Path) -> None:
    text = MINIMAL_DEFAULT + '[[blocked_holidays]]\ncalendar = "US"\nsource = "s"\n'
    rules = write_rules(tmp_path / "rules", {"default.toml": text})
    with pytest.raises(ConfigError) as caught:
        load_jurisdictions(rules)
    assert caught.value.key == "blocked_holidays[0].calendar"


HEADER = "area_code,country,subdivisions,time_zones\n"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("code,country\n201,US\n", None),
        (HEADER + "201,US,US-NJ\n", "row 1"),
        (HEADER + "101,US,US-NJ,America/New_York\n", "row 1.area_code"),
        (HEADER + "201,USA,US-NJ,America/New_York\n", "row 1.country"),
        (HEADER + "201,US,CA-ON,America/New_York\n", "row 1.subdivisions"),
        (HEADER + "201,US,US-NJ,America/Nowhere\n", "row 1.time_zones"),
        (HEADER + "201,US,US-NJ,\n201,US,US-NJ,\n", "row 2.area_code"),
        (HEADER, None),
    ],
)
def test_bad_area_code_table_names_the_row(tmp_path: Path, text: str, key: str | None) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("# a comment line\n" + text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_area_codes(path)
    assert caught.value.key == key
