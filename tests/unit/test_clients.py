"""Clients in configuration, the client list in the domain, and the default
scope of an opt-out before and after the US revoke-all date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from dnc import configuration
from dnc.errors import ConfigError, InputError
from dnc.lists import ListEntry, ListRef, Source, list_reasons, parse_list
from dnc.revocation import OptOutSettings, Scope, widest_known
from dnc.verdicts import ReasonCode

AT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def load(tmp_path: Path, text: str) -> configuration.Config:
    path = tmp_path / "dnc.toml"
    path.write_text(text)
    return configuration.load(path, env={})


def test_a_campaign_names_its_client_and_calls_under_its_name(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        '[campaigns.spring]\nclient = "acme"\n'
        '[campaigns.promo]\nclient = "acme"\n[campaigns.promo.calling]\nbrand = "acme-deals"\n',
    )
    policies = cfg.campaigns
    assert policies.client_of("spring") == "acme"
    assert policies.for_campaign("spring").calling.brand == "acme"
    assert policies.for_campaign("promo").calling.brand == "acme-deals"
    assert policies.client_of("other") is None and policies.client_of(None) is None
    assert policies.clients == {"acme"}
    assert policies.campaigns_of("acme") == {"spring", "promo"}


def test_a_default_client_covers_every_campaign_not_named(tmp_path: Path) -> None:
    cfg = load(tmp_path, '[campaigns.default]\nclient = "acme"\n')
    assert cfg.campaigns.client_of("anything") == "acme"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # Two clients calling under one brand: a consent could clear both.
        (
            '[campaigns.a]\nclient = "acme"\n[campaigns.a.calling]\nbrand = "x"\n'
            '[campaigns.b]\nclient = "globex"\n[campaigns.b.calling]\nbrand = "x"\n',
            "campaigns.b.client",
        ),
        # One client calling under another client's name.
        (
            '[campaigns.a]\nclient = "acme"\n'
            '[campaigns.b]\nclient = "globex"\n[campaigns.b.calling]\nbrand = "acme"\n',
            "campaigns.b.calling.brand",
        ),
        ('[campaigns.a]\nclient = ""\n', "campaigns.a.client"),
        ("[campaigns.a]\nclient = 3\n", "campaigns.a.client"),
        ('[opt_out]\ndefault_scope = "everyone"\n', "opt_out.default_scope"),
        ('[opt_out]\nrevoke_all_scope = "campaign"\n', "opt_out.revoke_all_scope"),
        ('[opt_out]\nrevoke_all_from = "soon"\n', "opt_out.revoke_all_from"),
        ('[opt_out]\nrevoke_all_regions = "US"\n', "opt_out.revoke_all_regions"),
        ("[opt_out]\nrevoke_all = true\n", "opt_out.revoke_all"),
    ],
)
def test_bad_client_settings_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    assert caught.value.key == key


def test_the_packaged_revoke_all_date_is_da_26_12s() -> None:
    settings = configuration.load(env={}).opt_out
    assert settings.default_scope is Scope.COMPANY
    assert settings.revoke_all_from == date(2027, 1, 31)
    assert settings.revoke_all_scope is Scope.CLIENT
    assert "US" in settings.revoke_all_regions and "GB" not in settings.revoke_all_regions


def test_revoke_all_widens_a_narrower_default_from_the_date_on() -> None:
    rule = OptOutSettings(default_scope=Scope.CAMPAIGN)
    day = datetime(2027, 1, 31, tzinfo=UTC)
    # The date has begun somewhere (UTC+14) from 10:00 UTC the day before.
    assert rule.default_for("US", day - timedelta(hours=14, seconds=1)) is Scope.CAMPAIGN
    assert rule.default_for("US", day - timedelta(hours=14)) is Scope.CLIENT
    assert rule.default_for("GU", day) is Scope.CLIENT
    assert rule.default_for("GB", day) is Scope.CAMPAIGN
    # Never narrower than the configured default; off with no date.
    assert OptOutSettings().default_for("US", day) is Scope.COMPANY
    off = OptOutSettings(default_scope=Scope.CAMPAIGN, revoke_all_from=None)
    assert off.default_for("US", day) is Scope.CAMPAIGN


def test_a_default_that_lacks_its_name_is_wider() -> None:
    assert widest_known(Scope.CAMPAIGN, None, "acme") is Scope.CLIENT
    assert widest_known(Scope.CAMPAIGN, None, None) is Scope.COMPANY
    assert widest_known(Scope.CLIENT, "spring", None) is Scope.COMPANY
    assert widest_known(Scope.CAMPAIGN, "spring", None) is Scope.CAMPAIGN


def entry(client: str | None = None, campaign: str | None = None) -> ListEntry:
    return ListEntry(1, "+12015550123", campaign, Source.OPT_OUT, None, AT, "ops", client=client)


def test_a_client_entry_blocks_its_clients_calls_and_any_unnamed_call() -> None:
    acme = [entry(client="acme")]
    assert [r.code for r in list_reasons(acme, "spring", AT, "acme")] == [ReasonCode.DNC_CLIENT]
    assert list_reasons(acme, "autumn", AT, "globex") == []
    assert list_reasons(acme, "house", AT, None) == []
    assert [r.code for r in list_reasons(acme, None, AT, None)] == [ReasonCode.DNC_CLIENT]
    assert entry(client="acme").list_name == "client:acme"


def test_list_names() -> None:
    assert parse_list("client:acme").client == "acme"
    assert parse_list("campaign:spring").campaign == "spring"
    assert parse_list("internal") == ListRef()
    with pytest.raises(InputError, match="client:NAME"):
        parse_list("client:")
