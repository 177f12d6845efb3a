"""More lists in configuration: where a state's list applies, each list's
reason, and the commented examples shipped in config/dnc.toml. Pure domain."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnc import configuration
from dnc.bootstrap import packaged_rulebook
from dnc.errors import ConfigError
from dnc.numbers import parse
from dnc.registries import RegistryDefinition, registry_reasons, with_area_codes
from dnc.verdicts import ReasonCode

AT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
AREA_CODES = {code: a.subdivisions for code, a in packaged_rulebook().area_codes.items()}
[TEXAS] = with_area_codes(
    [RegistryDefinition("us-tx", regions=frozenset({"US"}), applies_to=frozenset({"US-TX"}))],
    AREA_CODES,
)
HINTS = (None, "US-TX", "us-tx", "US-NY", "US-OK", "America/Chicago", "Europe/Vilnius")


def _examples() -> str:
    """The commented example block of config/dnc.toml, uncommented."""
    text = (configuration.packaged_dir() / "dnc.toml").read_text()
    block = text.split("# -- examples: begin\n")[1].split("# -- examples: end\n")[0]
    return "".join(line[2:] if line.startswith("# ") else "\n" for line in block.splitlines(True))


def test_the_shipped_examples_load_as_written(tmp_path: Path) -> None:
    path = tmp_path / "dnc.toml"
    path.write_text(_examples())
    found = {d.name: d for d in configuration.load(path, env={}).registries}
    states = {"us-tx": "US-TX", "us-fl": "US-FL", "us-pa": "US-PA", "us-in": "US-IN"}
    states["us-co"] = "US-CO"
    for name, subdivision in states.items():
        assert found[name].applies_to == {subdivision}, name
        assert found[name].reason is ReasonCode.DNC_REGISTRY and found[name].source, name
    assert found["us-litigators"].reason is ReasonCode.DNC_LITIGATOR
    assert not found["us-litigators"].applies_to
    assert found["de-robinson"].regions == {"DE"}
    assert found["lt-netrukdyk"].regions == {"LT"}
    # Shipped commented out: the packaged configuration has none of them.
    packaged = {d.name for d in configuration.load(env={}).registries}
    assert not packaged & {*states, "us-litigators", "de-robinson", "lt-netrukdyk"}


@given(st.sampled_from(sorted(AREA_CODES)), st.sampled_from(HINTS))
def test_a_state_list_applies_where_the_number_may_be_located(
    area_code: str, hint: str | None
) -> None:
    subdivisions = AREA_CODES[area_code]
    placed_in_texas = "US-TX" in subdivisions or (hint or "").upper() == "US-TX"
    # Nothing places a number of an area code without a subdivision: fail closed.
    assert TEXAS.applies(area_code, hint) == (placed_in_texas or not subdivisions)


def test_area_codes_place_numbers_as_the_calling_rules_do() -> None:
    assert TEXAS.applies("512", None) and TEXAS.applies("737", None)
    assert not TEXAS.applies("212", None)
    assert TEXAS.applies("212", " us-tx")
    assert TEXAS.applies("800", None)  # toll-free: anywhere
    assert TEXAS.applies(None, None)  # not a +1 number: nothing places it
    assert TEXAS.applies("999", None)  # not in the table


def test_a_stale_state_list_refuses_only_what_it_applies_to() -> None:
    old = {"us-tx": date(2026, 1, 1)}
    austin, manhattan = parse("+15125550101"), parse("+12125550103")
    assert [r.code for r in registry_reasons(austin, [TEXAS], old, (), AT)] == [
        ReasonCode.REGISTRY_STALE
    ]
    assert registry_reasons(manhattan, [TEXAS], old, (), AT) == []
    assert registry_reasons(manhattan, [TEXAS], old, (), AT, "US-TX") != []
    # Before the area codes are worked out, the list applies to all it covers.
    unresolved = RegistryDefinition(
        "us-tx", regions=frozenset({"US"}), applies_to=frozenset({"US-TX"})
    )
    assert registry_reasons(manhattan, [unresolved], old, (), AT) != []


def test_one_reason_per_list_each_with_its_own_code() -> None:
    national = RegistryDefinition("us-national", regions=frozenset({"US"}))
    litigators = RegistryDefinition(
        "us-litigators", title="Litigators", regions=frozenset({"US"}), required=False,
        reason=ReasonCode.DNC_LITIGATOR,
    )  # fmt: skip
    snapshots = {"us-national": date(2026, 11, 20), "us-litigators": date(2026, 11, 22)}
    reasons = registry_reasons(
        parse("+12015550123"),
        [national, litigators],
        snapshots,
        {"us-national", "us-litigators"},
        AT,
    )
    assert [(r.code, r.detail) for r in reasons] == [
        (
            ReasonCode.DNC_LITIGATOR,
            "listed on registry us-litigators (Litigators) as of 2026-11-22",
        ),
        (ReasonCode.DNC_REGISTRY, "listed on registry us-national as of 2026-11-20"),
    ]


@pytest.mark.parametrize(
    ("table", "key", "message"),
    [
        ('applies_to = ["US-XX"]', "applies_to", "not a subdivision of US"),
        ('applies_to = ["Texas"]', "applies_to", "ISO 3166-2"),
        ("applies_to = [12]", "applies_to", "ISO 3166-2"),
        ("applies_to = []", "applies_to", "give the subdivisions"),
        ('applies_to = "US-TX"', "applies_to", "must be a list"),
        ('applies_to = ["CA-ON"]', "applies_to", "outside the regions it covers"),
        ('reason = "DNC_INTERNAL"', "reason", "DNC_REGISTRY, DNC_LITIGATOR"),
        ('format = "reassigned"\nreason = "DNC_LITIGATOR"', "", "no reason"),
    ],
)
def test_a_list_declared_wrong_is_refused_naming_its_key(
    tmp_path: Path, table: str, key: str, message: str
) -> None:
    path = tmp_path / "dnc.toml"
    path.write_text(f'[registries.us-tx]\nregions = ["US"]\n{table}\n')
    with pytest.raises(ConfigError, match=message) as info:
        configuration.load(path, env={})
    assert f"registries.us-tx{'.' + key if key else ''}" in str(info.value)
