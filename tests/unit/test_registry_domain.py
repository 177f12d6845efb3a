"""Registry freshness and reasons, prefixes, registry configuration. Pure domain."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dnc import configuration
from dnc.errors import ConfigError, InputError
from dnc.numbers import parse
from dnc.prefixes import parse_prefix, prefixes_of
from dnc.registries import RegistryDefinition, freshness, registry_reasons
from dnc.verdicts import ReasonCode

AT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
US = RegistryDefinition("us-national", regions=frozenset({"US"}), max_age_days=31)
UK = RegistryDefinition("uk-tps", regions=frozenset({"GB"}), max_age_days=28)
NUMBER = parse("+12015550123")


def codes(reasons: list) -> list[ReasonCode]:  # type: ignore[type-arg]
    return [r.code for r in reasons]


def test_a_snapshot_is_usable_through_its_last_day_and_stale_the_day_after() -> None:
    assert freshness(date(2026, 10, 23), 31, AT).days_left == 0
    assert freshness(date(2026, 10, 23), 31, AT).state == "fresh"
    assert freshness(date(2026, 10, 22), 31, AT).state == "stale"
    assert freshness(None, 31, AT).state == "missing"


def test_missing_snapshot_of_a_required_covering_registry_is_registry_stale() -> None:
    reasons = registry_reasons(NUMBER, [US, UK], {}, frozenset(), AT)
    assert codes(reasons) == [ReasonCode.REGISTRY_STALE]
    assert "us-national" in reasons[0].detail


def test_old_snapshot_is_registry_stale_and_names_its_age() -> None:
    reasons = registry_reasons(NUMBER, [US], {"us-national": date(2026, 10, 1)}, set(), AT)
    assert codes(reasons) == [ReasonCode.REGISTRY_STALE]
    assert "53 days old" in reasons[0].detail


def test_a_registry_that_does_not_cover_the_number_never_blocks_it() -> None:
    assert registry_reasons(NUMBER, [UK], {}, set(), AT) == []


def test_a_registry_not_required_does_not_block_when_missing() -> None:
    optional = RegistryDefinition("us-national", regions=frozenset({"US"}), required=False)
    assert registry_reasons(NUMBER, [optional], {}, set(), AT) == []


def test_listed_number_is_dnc_registry_naming_registry_and_as_of_date() -> None:
    fresh = {"us-national": date(2026, 11, 20)}
    reasons = registry_reasons(NUMBER, [US], fresh, {"us-national"}, AT)
    assert codes(reasons) == [ReasonCode.DNC_REGISTRY]
    assert "us-national" in reasons[0].detail and "2026-11-20" in reasons[0].detail


def test_a_state_list_covers_by_prefix() -> None:
    florida = RegistryDefinition("state-fl", prefixes=("1305",))
    assert florida.covers(parse("+13055550123")) and not florida.covers(NUMBER)


def test_prefixes_of_a_number_run_from_the_number_to_its_first_digit() -> None:
    assert prefixes_of(12015550123)[:3] == (12015550123, 1201555012, 120155501)
    assert prefixes_of(12015550123)[-1] == 1 and len(prefixes_of(12015550123)) == 11


@pytest.mark.parametrize("text", ["1201", "+", "+1201x", "+0201", "+1234567890123456"])
def test_bad_prefixes_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_prefix(text)


def test_packaged_registries_are_the_four_national_ones_all_required_and_reassigned_data() -> None:
    cfg = configuration.load(env={})
    by_name = {d.name: d for d in cfg.registries}
    assert {n: (d.max_age_days, d.required) for n, d in by_name.items()} == {
        "us-national": (31, True),
        "ca-dncl": (31, True),
        "uk-tps": (28, True),
        "au-dncr": (30, True),
        "us-reassigned": (31, False),
        "us-wireless": (31, False),
    }


def test_a_user_file_changes_one_key_and_adds_a_registry(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[registries.uk-tps]\nrequired = false\n[registries.litigators]\nregions = ["US"]\n'
    )
    by_name = {d.name: d for d in configuration.load(path, env={}).registries}
    assert by_name["uk-tps"].required is False and by_name["uk-tps"].max_age_days == 28
    assert by_name["litigators"].required is True


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[registries.us-national]\nmax_age_days = "31"', "registries.us-national.max_age_days"),
        ('[registries.us-national]\nformat = "xml"', "registries.us-national.format"),
        ("[registries.mine]\nmax_age_days = 3", "registries.mine.regions"),
        ('[registries.us-national]\ncolour = "red"', "registries.us-national.colour"),
        ('[registries.us-national.changes]\nadd = ["X"]\ndelete = ["X"]', "changes"),
    ],
)
def test_bad_registry_keys_name_the_file_and_dotted_key(
    tmp_path: Path, text: str, key: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError) as info:
        configuration.load(path, env={})
    assert str(path) in str(info.value) and key in str(info.value)
