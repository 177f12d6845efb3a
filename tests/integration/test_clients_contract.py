"""Clients of a call centre, through the service on both databases. A centre
dials for several clients; each has its own do-not-call list and its own
consents, and the centre's company-wide list applies to all of them. From
2027-01-31 (FCC order DA 26-12) the US "revoke-all" rule makes one
revocation cover every call of that caller, so an opt-out that names no
scope reaches the whole client list."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import dnc
from dnc import ReasonCode

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # the test clock: 10:00 in New Jersey
CALLER = "+12017770107"
BERLIN = "+493012345116"  # Germany: a call needs the person's prior consent

# acme has two campaigns, globex one; "house" is the centre calling for itself.
CLIENTS = """
[campaigns.spring]
client = "acme"
[campaigns.summer]
client = "acme"
[campaigns.autumn]
client = "globex"
[campaigns.house.calling]
brand = "centre"
"""

# A revoke-all test: the opt-outs are made by then (a post-dated one is refused).
LATER = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in New Jersey
EVE = datetime(2027, 1, 30, 9, 59, tzinfo=UTC)  # before the date began anywhere (UTC+14)
DAY = datetime(2027, 1, 31, 0, 0, tzinfo=UTC)  # the date itself


def open_with(db_url: str, tmp_path: Path, clock: dnc.FixedClock, extra: str) -> dnc.Service:
    cfg = tmp_path / "dnc.toml"
    cfg.write_text(Path(os.environ["DNC_CONFIG"]).read_text() + CLIENTS + extra)
    return dnc.open(db_url, dnc.load_config(cfg), clock=clock, create=True)


@pytest.fixture
def svc(db_url: str, tmp_path: Path, clock: dnc.FixedClock) -> Iterator[dnc.Service]:
    with open_with(db_url, tmp_path, clock, "") as service:
        yield service


def codes(svc: dnc.Service, campaign: str | None, at: datetime = NOW) -> tuple[ReasonCode, ...]:
    return svc.check(CALLER, campaign=campaign, at=at).codes


# -- the client list ------------------------------------------------------------------


def test_a_client_opt_out_refuses_every_campaign_of_that_client_only(svc: dnc.Service) -> None:
    entry = svc.opt_out(CALLER, scope="client", client="acme", note="said stop to acme")
    assert (entry.list_name, entry.client, entry.campaign) == ("client:acme", "acme", None)

    assert codes(svc, "spring") == (ReasonCode.DNC_CLIENT,)
    assert codes(svc, "summer") == (ReasonCode.DNC_CLIENT,)
    detail = svc.check(CALLER, campaign="spring", at=NOW).reasons[0].detail
    assert "client 'acme'" in detail and "said stop to acme" in detail
    # Another client's campaign, and the centre's own, may still call.
    assert codes(svc, "autumn") == ()
    assert codes(svc, "house") == ()
    # A check naming no campaign cannot show the call is for another client.
    assert codes(svc, None) == (ReasonCode.DNC_CLIENT,)


def test_a_campaign_names_its_client(svc: dnc.Service) -> None:
    entry = svc.opt_out(CALLER, scope="client", campaign="summer")
    assert entry.list_name == "client:acme"
    assert codes(svc, "spring") == (ReasonCode.DNC_CLIENT,)
    assert codes(svc, "autumn") == ()


def test_the_centre_list_applies_to_every_client(svc: dnc.Service) -> None:
    svc.opt_out(CALLER, campaign="autumn")  # no scope: company-wide, as configured
    for campaign in ("spring", "summer", "autumn", "house", None):
        assert codes(svc, campaign) == (ReasonCode.DNC_INTERNAL,), campaign


def test_every_list_that_applies_is_named(svc: dnc.Service) -> None:
    svc.opt_out(CALLER, scope="client", client="acme")
    svc.opt_out(CALLER, scope="campaign", campaign="spring")
    assert set(codes(svc, "spring")) == {ReasonCode.DNC_CLIENT, ReasonCode.DNC_CAMPAIGN}
    assert codes(svc, "summer") == (ReasonCode.DNC_CLIENT,)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"client": "initech"}, "unknown client 'initech'"),
        ({"campaign": "house"}, "campaign 'house' has no client"),
        ({"campaign": "nosuch"}, "campaign 'nosuch' has no client"),
        (
            {"campaign": "autumn", "client": "acme"},
            "calls for client 'globex', not for client 'acme'",
        ),
        ({}, "needs a client or a campaign"),
    ],
)
def test_a_client_scope_must_name_a_known_client(
    svc: dnc.Service, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(dnc.InputError, match=message):
        svc.opt_out(CALLER, scope="client", **kwargs)
    assert svc.list_entries(None, CALLER) == []


def test_a_client_list_is_listed_and_lifted_by_name(svc: dnc.Service) -> None:
    svc.opt_out(CALLER, scope="client", client="acme")
    [entry] = svc.list_entries("client:acme", CALLER)
    assert entry.client == "acme"
    assert svc.list_entries("internal", CALLER) == []
    svc.remove_from_list(CALLER, "entered in error", "client:acme")
    assert codes(svc, "spring") == ()


def test_a_client_opt_out_leaves_only_that_clients_queues(svc: dnc.Service) -> None:
    for campaign in ("spring", "summer", "autumn"):
        svc.enqueue(campaign, CALLER, at=NOW)
    svc.opt_out(CALLER, scope="client", client="acme")
    for campaign in ("spring", "summer"):
        [entry] = svc.queue(campaign)
        assert entry.status.value == "suppressed", campaign
        assert [r.code for r in entry.reasons] == [ReasonCode.DNC_CLIENT]
    assert [e.number for e in svc.next_calls("autumn", 5, at=NOW)] == [CALLER]
    assert svc.next_calls("spring", 5, at=NOW) == []


def test_a_client_opt_out_over_http_keeps_the_contract(svc: dnc.Service) -> None:
    from fastapi.testclient import TestClient

    from dnc.api.app import create_app

    key = svc.create_api_key("dialer", scopes=["write"])
    client = TestClient(create_app(svc))
    headers = {"Authorization": f"Bearer {key.secret}"}
    body = {"number": CALLER, "scope": "client", "campaign": "summer"}
    response = client.post("/v1/opt-outs", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert (response.json()["list"], response.json()["client"]) == ("client:acme", "acme")
    assert codes(svc, "spring") == (ReasonCode.DNC_CLIENT,)
    unknown = client.post(
        "/v1/opt-outs", json={**body, "campaign": None, "client": "initech"}, headers=headers
    )
    assert (unknown.status_code, unknown.json()["code"]) == (400, "input"), unknown.text
    # Under an idempotency key a retry returns the first entry, and the same
    # key naming another client is another request.
    once = {**headers, "Idempotency-Key": "k-1"}
    body = {"number": "+12017770109", "scope": "client", "client": "globex"}
    first = client.post("/v1/opt-outs", json=body, headers=once)
    again = client.post("/v1/opt-outs", json=body, headers=once)
    assert first.json()["list"] == again.json()["list"] == "client:globex"
    assert again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/v1/opt-outs", json={**body, "client": "acme"}, headers=once)
    assert other.status_code == 409, other.text
    # Without a scope the entry goes where it always went: the company list.
    plain = client.post("/v1/opt-outs", json={"number": "+12017770108"}, headers=headers)
    assert plain.json()["list"] == "internal"


# -- consents belong to one client ----------------------------------------------------


def test_a_consent_for_one_clients_brand_never_clears_another_clients_call(
    svc: dnc.Service,
) -> None:
    earlier = NOW - timedelta(days=3)
    refused = svc.check(BERLIN, campaign="spring", at=NOW)
    assert refused.codes == (ReasonCode.CONSENT_REQUIRED,)
    # acme's campaigns call under acme's name: a consent given to acme covers them.
    svc.add_consent(BERLIN, "express", brand="acme", at=earlier)
    assert svc.check(BERLIN, campaign="spring", at=NOW).allowed
    assert svc.check(BERLIN, campaign="summer", at=NOW).allowed
    # ... and never globex's, nor the centre's own.
    assert svc.check(BERLIN, campaign="autumn", at=NOW).codes == (ReasonCode.CONSENT_REQUIRED,)
    assert svc.check(BERLIN, campaign="house", at=NOW).codes == (ReasonCode.CONSENT_REQUIRED,)
    # A consent for one of acme's campaigns clears that campaign only.
    svc.add_consent("+493012345117", "express", campaign="spring", at=earlier)
    assert svc.check("+493012345117", campaign="spring", at=NOW).allowed
    for campaign in ("summer", "autumn"):
        verdict = svc.check("+493012345117", campaign=campaign, at=NOW)
        assert verdict.codes == (ReasonCode.CONSENT_REQUIRED,), campaign


# -- reports by client ----------------------------------------------------------------


def test_a_client_report_counts_its_own_lists(svc: dnc.Service) -> None:
    svc.opt_out("+12017770101", scope="client", client="acme", at=NOW - timedelta(days=1))
    svc.opt_out("+12017770102", scope="campaign", campaign="summer", at=NOW - timedelta(days=1))
    svc.opt_out("+12017770103", scope="client", client="globex", at=NOW - timedelta(days=1))
    svc.opt_out("+12017770104", at=NOW - timedelta(days=1))  # the centre's
    for number in ("+12017770105", "+12017770106", "+12017770109"):
        for _ in range(3):
            svc.record_outcome(number, "summer" if number[-1] != "9" else "autumn", "refused")
    svc.remove_from_list("+12017770101", "entered in error", "client:acme")
    svc.remove_from_list("+12017770103", "entered in error", "client:globex")
    acme = svc.report(at=NOW, client="acme")
    assert (acme.client, acme.opt_outs) == ("acme", 2)
    assert acme.removals == {"client:acme": 1}
    assert acme.three_nos_by_campaign == {"summer": 2}
    assert acme.to_dict()["client"] == "acme"
    assert svc.report(at=NOW, client="globex").opt_outs == 1
    assert svc.report(at=NOW).opt_outs == 4
    with pytest.raises(dnc.InputError, match="unknown client"):
        svc.report(at=NOW, client="initech")


# -- US revoke-all (47 CFR 64.1200(a)(10); FCC order DA 26-12: from 2027-01-31) -------

PER_CAMPAIGN = '\n[opt_out]\ndefault_scope = "campaign"\n'


@pytest.fixture
def per_campaign(db_url: str, tmp_path: Path) -> Iterator[dnc.Service]:
    """A centre whose opt-outs, by default, reach the campaign they were said to."""
    with open_with(db_url, tmp_path, dnc.FixedClock(LATER), PER_CAMPAIGN) as service:
        yield service


def test_before_revoke_all_a_default_opt_out_reaches_its_campaign(
    per_campaign: dnc.Service,
) -> None:
    entry = per_campaign.opt_out(CALLER, campaign="spring", at=EVE)
    assert entry.list_name == "campaign:spring"
    assert codes(per_campaign, "spring", LATER) == (ReasonCode.DNC_CAMPAIGN,)
    assert codes(per_campaign, "summer", LATER) == ()


def test_from_revoke_all_a_default_opt_out_reaches_every_campaign_of_the_caller(
    per_campaign: dnc.Service,
) -> None:
    entry = per_campaign.opt_out(CALLER, campaign="spring", at=DAY)
    assert entry.list_name == "client:acme"
    assert codes(per_campaign, "summer", LATER) == (ReasonCode.DNC_CLIENT,)
    # "That caller" is the client the call was made for: not every client.
    assert codes(per_campaign, "autumn", LATER) == ()


def test_revoke_all_is_decided_by_when_the_person_asked_not_by_the_clock(
    per_campaign: dnc.Service,
) -> None:
    # Recorded on LATER (after the date) for a request made before it.
    assert per_campaign.opt_out(CALLER, campaign="spring", at=EVE).list_name == ("campaign:spring")
    assert per_campaign.opt_out("+12017770108", campaign="spring", at=DAY).list_name == (
        "client:acme"
    )


def test_revoke_all_governs_us_numbers_only(per_campaign: dnc.Service) -> None:
    entry = per_campaign.opt_out("+442079460115", campaign="spring", at=DAY)
    assert entry.list_name == "campaign:spring"


def test_an_explicit_scope_stays_the_operators_word(per_campaign: dnc.Service) -> None:
    entry = per_campaign.opt_out(CALLER, campaign="spring", scope="campaign", at=DAY)
    assert entry.list_name == "campaign:spring"


def test_a_default_that_names_no_campaign_is_company_wide(per_campaign: dnc.Service) -> None:
    assert per_campaign.opt_out(CALLER, at=EVE).list_name == "internal"
    # The centre's own campaign has no client: the caller is the centre.
    assert per_campaign.opt_out("+12017770108", campaign="house", at=DAY).list_name == ("internal")


def test_the_packaged_default_is_company_wide_on_both_sides_of_the_date(
    db_url: str, tmp_path: Path
) -> None:
    with open_with(db_url, tmp_path, dnc.FixedClock(LATER), "") as service:
        assert service.opt_out(CALLER, campaign="spring", at=EVE).list_name == "internal"
        assert service.opt_out(CALLER, campaign="spring", at=DAY).list_name == "internal"


def test_a_centre_may_read_that_caller_as_itself(db_url: str, tmp_path: Path) -> None:
    extra = PER_CAMPAIGN + 'revoke_all_scope = "company"\n'
    with open_with(db_url, tmp_path, dnc.FixedClock(LATER), extra) as service:
        assert service.opt_out(CALLER, campaign="spring", at=EVE).list_name == "campaign:spring"
        assert service.opt_out(CALLER, campaign="spring", at=DAY).list_name == "internal"


def test_the_cli_takes_a_client_scope(db_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dnc.cli.app import app

    cfg = tmp_path / "cli.toml"
    cfg.write_text(Path(os.environ["DNC_CONFIG"]).read_text() + CLIENTS)
    dnc.open(db_url, dnc.load_config(cfg), create=True).close()
    env = {"DNC_CONFIG": str(cfg), "DNC_DATABASE_URL": db_url}
    runner = CliRunner()
    done = runner.invoke(
        app, ["opt-out", CALLER, "--scope", "client", "--campaign", "spring", "--json"], env=env
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["list"] == "client:acme"
    unknown = runner.invoke(app, ["opt-out", CALLER, "--scope", "client", "--client", "x"], env=env)
    assert unknown.exit_code == 2 and "unknown client 'x'" in unknown.output
    report = runner.invoke(app, ["report", "--client", "acme", "--json"], env=env)
    assert report.exit_code == 0, report.output
    assert json.loads(report.output)["client"] == "acme"
    table = runner.invoke(app, ["report", "--client", "acme"], env=env)
    assert "report for client acme" in table.output
