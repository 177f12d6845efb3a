"""Campaign policy in configuration: defaults, overrides, errors naming the key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from dnc import configuration
from dnc.errors import ConfigError
from dnc.policy import CampaignPolicy, NosScope, parse_campaigns, parse_duration


def load(tmp_path: Path, text: str) -> configuration.Config:
    path = tmp_path / "dnc.toml"
    path.write_text(text)
    return configuration.load(path, env={})


def test_packaged_defaults_are_the_documented_ones() -> None:
    policy = configuration.load(env={}).campaigns.for_campaign("anything")
    assert policy == CampaignPolicy()
    assert policy.three_nos.threshold == 3
    assert policy.three_nos.scope is NosScope.COMPANY
    assert policy.three_nos.window is None and policy.three_nos.suppress is None
    assert policy.retry.no_answer == timedelta(hours=4)
    assert policy.retry.busy == timedelta(minutes=15)
    assert (policy.attempts.per_day, policy.attempts.total) == (3, 10)


def test_a_named_campaign_overrides_only_the_keys_it_gives(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        '[campaigns.spring.three_nos]\nthreshold = 2\nscope = "campaign"\n'
        '[campaigns.default.retry]\nbusy = "30m"\n',
    )
    spring = cfg.campaigns.for_campaign("spring")
    assert spring.three_nos.threshold == 2 and spring.three_nos.scope is NosScope.CAMPAIGN
    # Inherits the user's default, not only the packaged one.
    assert spring.retry.busy == timedelta(minutes=30)
    assert spring.retry.no_answer == timedelta(hours=4)
    other = cfg.campaigns.for_campaign("winter")
    assert other.three_nos.threshold == 3 and other.retry.busy == timedelta(minutes=30)


def test_window_suppression_and_unlimited_attempts(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        "[campaigns.spring.three_nos]\nwindow_days = 30\nsuppress_days = 180\n"
        '[campaigns.spring.attempts]\ntotal = "none"\n',
    )
    spring = cfg.campaigns.for_campaign("spring")
    assert spring.three_nos.window == timedelta(days=30)
    assert spring.three_nos.suppress == timedelta(days=180)
    assert spring.attempts.total is None and spring.attempts.per_day == 3


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[campaigns.spring.three_nos]\nthreshold = 0", "campaigns.spring.three_nos.threshold"),
        ("[campaigns.spring.three_nos]\nthreshold = true", "campaigns.spring.three_nos.threshold"),
        ('[campaigns.spring.three_nos]\nscope = "world"', "campaigns.spring.three_nos.scope"),
        (
            '[campaigns.spring.three_nos]\nsuppress_days = "forever"',
            "campaigns.spring.three_nos.suppress_days",
        ),
        ('[campaigns.default.retry]\nbusy = "soon"', "campaigns.default.retry.busy"),
        ("[campaigns.default.retry]\nbusy = 15", "campaigns.default.retry.busy"),
        ("[campaigns.x.attempts]\nper_day = -1", "campaigns.x.attempts.per_day"),
        ("[campaigns.x.attempts]\nhourly = 1", "campaigns.x.attempts.hourly"),
        ("[campaigns.x.colour]\nred = 1", "campaigns.x.colour"),
        ("[campaigns]\nx = 1", "campaigns.x"),
    ],
)
def test_bad_policy_values_name_the_file_and_the_dotted_key(
    tmp_path: Path, text: str, key: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text + "\n")
    assert str(tmp_path / "dnc.toml") in str(info.value)
    assert key in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15m", timedelta(minutes=15)),
        ("4h", timedelta(hours=4)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("0m", timedelta(0)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "4", "h4", "4 hours", "-1h"])
def test_bad_durations(text: str) -> None:
    assert parse_duration(text) is None


def test_a_campaign_cap_longer_than_the_attempts_a_check_reads_is_refused() -> None:
    # A week-long cap would be counted from three days of attempts: a silent undercount.
    with pytest.raises(ConfigError, match="per_hours"):
        parse_campaigns({"spring": {"calling": {"max_calls": 5, "per_hours": 168}}}, lambda k: "f")
