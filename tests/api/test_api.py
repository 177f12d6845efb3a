"""The HTTP API in-process, on SQLite and PostgreSQL: each endpoint does what
its CLI twin does, behind keys and scopes, and fails closed."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

import dnc

Keys = Any  # the conftest's Keys: .check, .write, .admin secrets


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


NUMBER = "+12015550123"
OTHER = "+12015550124"
AT = "2026-11-23T15:00:00Z"


def verdict(client: TestClient, key: str, number: str = NUMBER, **params: str):  # type: ignore[no-untyped-def]
    return client.get(f"/v1/numbers/{number}/verdict", params=params, headers=bearer(key))


# -- authentication and scopes ---------------------------------------------------------


def test_no_key_unknown_key_and_revoked_key_are_401(
    client: TestClient, service: dnc.Service, keys: Keys
) -> None:
    assert client.get(f"/v1/numbers/{NUMBER}/verdict").status_code == 401
    unknown = verdict(client, "dnc_not-a-key")
    assert unknown.status_code == 401
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["code"] == "unauthenticated"
    assert verdict(client, keys.check).status_code == 200
    service.revoke_api_key("reader", actor="ops", reason="left")
    assert verdict(client, keys.check).status_code == 401


def test_a_key_without_the_scope_is_403_and_write_includes_check(
    client: TestClient, keys: Keys
) -> None:
    optout = {"number": NUMBER}
    denied = client.post("/v1/opt-outs", json=optout, headers=bearer(keys.check))
    assert denied.status_code == 403
    assert denied.json()["code"] == "forbidden"
    assert verdict(client, keys.write).status_code == 200
    assert client.get("/v1/api-keys", headers=bearer(keys.write)).status_code == 403
    listed = client.get("/v1/api-keys", headers=bearer(keys.admin))
    assert listed.status_code == 200
    assert {k["name"] for k in listed.json()} == {"reader", "dialer-7", "root"}
    assert "digest" not in listed.json()[0]
    # admin includes write and check
    assert client.post("/v1/opt-outs", json=optout, headers=bearer(keys.admin)).status_code == 201


def test_only_the_hash_of_a_key_is_stored(service: dnc.Service) -> None:
    made = service.create_api_key("hashed", ["check"])
    with service.store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT digest FROM api_key WHERE name='hashed'")).scalar()
    assert stored != made.secret
    assert made.secret not in str(stored)
    assert stored == dnc.ApiKey.hashed(made.secret)


def test_key_creation_and_revocation_are_audited(service: dnc.Service) -> None:
    service.create_api_key("temp", ["write"], actor="alice")
    service.revoke_api_key("temp", actor="bob", reason="rotated")
    actions = [(r.action, r.actor, r.reason) for r in service.audit_records()]
    assert ("api_key_create", "alice", None) in actions
    assert ("api_key_revoke", "bob", "rotated") in actions


# -- verdicts --------------------------------------------------------------------------


def test_a_verdict_is_the_dnc_check_json_object(
    client: TestClient, service: dnc.Service, keys: Keys
) -> None:
    service.opt_out(NUMBER, channel="sms")
    got = verdict(client, keys.check, campaign="spring", at=AT)
    assert got.status_code == 200
    expected = service.check(NUMBER, campaign="spring", at=datetime.fromisoformat(AT)).to_dict()
    assert got.json() == expected
    assert got.json()["reasons"][0]["code"] == "DNC_INTERNAL"
    assert verdict(client, keys.check, OTHER, at=AT).json()["allowed"] is True


def test_a_bad_time_or_location_is_400_an_unparsable_number_a_refusal(
    client: TestClient, keys: Keys
) -> None:
    naive = verdict(client, keys.check, at="2026-11-23T15:00:00")
    assert naive.status_code == 400
    assert naive.json()["code"] == "input"
    place = verdict(client, keys.check, location="Atlantis")
    assert place.status_code == 400
    assert place.json()["code"] == "location"
    junk = verdict(client, keys.check, "not-a-number")
    assert junk.status_code == 200
    assert junk.json()["allowed"] is False
    assert junk.json()["reasons"][0]["code"] == "INVALID_NUMBER"


def test_a_batch_answers_each_number_in_order_with_its_ref(
    client: TestClient, service: dnc.Service, keys: Keys
) -> None:
    service.opt_out(OTHER)
    body = {
        "numbers": [NUMBER, {"number": OTHER, "ref": "lead-42"}, {"number": "junk", "ref": "x"}],
        "at": AT,
    }
    got = client.post("/v1/verdicts", json=body, headers=bearer(keys.check))
    assert got.status_code == 200
    answers = got.json()["verdicts"]
    assert got.json()["count"] == 3
    assert [(a["number"], a["allowed"], a["ref"]) for a in answers] == [
        (NUMBER, True, None),
        (OTHER, False, "lead-42"),
        ("junk", False, "x"),
    ]
    assert answers[1]["reasons"][0]["code"] == "DNC_INTERNAL"


def test_a_batch_of_10000_is_answered_and_one_more_is_413(client: TestClient, keys: Keys) -> None:
    numbers = [f"+1201555{i:04d}" for i in range(10_000)]
    ok = client.post(
        "/v1/verdicts", json={"numbers": numbers, "at": AT}, headers=bearer(keys.check)
    )
    assert ok.status_code == 200
    assert ok.json()["count"] == 10_000
    over = client.post(
        "/v1/verdicts", json={"numbers": [*numbers, NUMBER]}, headers=bearer(keys.check)
    )
    assert over.status_code == 413
    assert over.json()["code"] == "batch_too_large"
    assert "10000" in over.json()["detail"]


def test_a_body_over_the_cap_is_413(service: dnc.Service, keys: Keys) -> None:
    from dnc.api.app import create_app

    with TestClient(create_app(service, max_body=1000)) as small:
        got = small.post(
            "/v1/verdicts", json={"numbers": [NUMBER] * 200}, headers=bearer(keys.check)
        )
    assert got.status_code == 413
    assert got.json()["code"] == "body_too_large"


# -- writes ----------------------------------------------------------------------------


def test_an_opt_out_is_201_audited_under_the_key_and_refused_at_once(
    client: TestClient, service: dnc.Service, keys: Keys
) -> None:
    got = client.post(
        "/v1/opt-outs",
        json={"number": "201-555-0123", "channel": "sms", "note": "STOP"},
        headers=bearer(keys.write),
    )
    assert got.status_code == 201
    entry = got.json()
    assert (entry["number"], entry["list"], entry["channel"], entry["actor"]) == (
        NUMBER,
        "internal",
        "sms",
        "dialer-7",
    )
    assert verdict(client, keys.check, at=AT).json()["allowed"] is False
    opt_outs = [r for r in service.audit_records() if r.action == "opt_out"]
    assert [r.actor for r in opt_outs] == ["dialer-7"]


def test_a_retried_opt_out_with_the_same_idempotency_key_makes_one_entry(
    client: TestClient, service: dnc.Service, keys: Keys
) -> None:
    body = {"number": NUMBER, "channel": "web"}
    headers = {**bearer(keys.write), "Idempotency-Key": "req-1"}
    first = client.post("/v1/opt-outs", json=body, headers=headers)
    again = client.post("/v1/opt-outs", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert (first.headers["idempotent-replayed"], again.headers["idempotent-replayed"]) == (
        "false",
        "true",
    )
    assert len(service.list_entries(number=NUMBER)) == 1
    other = client.post("/v1/opt-outs", json={**body, "channel": "sms"}, headers=headers)
    assert other.status_code == 409
    assert other.json()["code"] == "conflict"
    # Without the header a retry is a second entry: the key is what makes it once.
    client.post("/v1/opt-outs", json=body, headers=bearer(keys.write))
    assert len(service.list_entries(number=NUMBER)) == 2


def test_a_post_dated_opt_out_is_400(client: TestClient, keys: Keys) -> None:
    got = client.post(
        "/v1/opt-outs",
        json={"number": NUMBER, "at": "2030-01-01T00:00:00Z"},
        headers=bearer(keys.write),
    )
    assert got.status_code == 400
    assert got.json()["code"] == "time_range"


def test_list_entries_prefix_blocks_expiry_and_removal_with_a_reason(
    client: TestClient, keys: Keys
) -> None:
    h = bearer(keys.write)
    added = client.post(
        "/v1/list-entries",
        json={"number": NUMBER, "list": "campaign:spring", "expires_at": "2026-12-01T00:00:00Z"},
        headers=h,
    )
    assert added.status_code == 201
    assert (added.json()["list"], added.json()["expires_at"]) == (
        "campaign:spring",
        "2026-12-01T00:00:00+00:00",
    )
    spring = verdict(client, keys.check, campaign="spring", at=AT).json()
    assert spring["reasons"][0]["code"] == "DNC_CAMPAIGN"
    assert verdict(client, keys.check, at="2026-12-02T15:00:00Z", campaign="spring").json()[
        "allowed"
    ]
    block = client.post("/v1/list-entries", json={"prefix": "+1201555", "reason": "x"}, headers=h)
    assert block.status_code == 201
    assert block.json()["prefix"] == "+1201555"
    assert verdict(client, keys.check, OTHER, at=AT).json()["reasons"][0]["code"] == "DNC_PREFIX"
    both = client.post("/v1/list-entries", json={"number": NUMBER, "prefix": "+1"}, headers=h)
    assert both.status_code == 422
    assert both.headers["content-type"] == "application/problem+json"

    no_reason = client.post(
        "/v1/list-entries/removals", json={"prefix": "+1201555", "reason": " "}, headers=h
    )
    assert no_reason.status_code == 422
    lifted = client.post(
        "/v1/list-entries/removals",
        json={"prefix": "+1201555", "reason": "block was a mistake"},
        headers=h,
    )
    assert lifted.status_code == 200
    assert lifted.json()["blocks"][0]["removed_reason"] == "block was a mistake"
    assert lifted.json()["blocks"][0]["removed_by"] == "dialer-7"
    assert verdict(client, keys.check, OTHER, at=AT).json()["allowed"]
    missing = client.post(
        "/v1/list-entries/removals", json={"number": OTHER, "reason": "why not"}, headers=h
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_outcomes_and_replies(client: TestClient, keys: Keys) -> None:
    h = bearer(keys.write)
    got = client.post(
        "/v1/outcomes",
        json={
            "number": NUMBER,
            "campaign": "spring",
            "outcome": "callback",
            "at": "2026-11-23T14:50:00Z",
            "callback_at": "2026-11-24T15:00:00Z",
            "agent": "a1",
        },
        headers=h,
    )
    assert got.status_code == 201
    assert got.json()["outcome"] == "callback"
    assert got.json()["callback_at"] == "2026-11-24T15:00:00+00:00"
    after = verdict(client, keys.check, campaign="spring", at=AT).json()
    assert after["reasons"][0]["code"] == "CALLBACK_SCHEDULED"
    bad = client.post(
        "/v1/outcomes", json={"number": NUMBER, "campaign": "s", "outcome": "maybe"}, headers=h
    )
    assert bad.status_code == 422

    reply = client.post(
        "/v1/replies",
        json={"number": OTHER, "text": "STOP", "channel": "sms", "at": "2026-11-23T14:00:00Z"},
        headers=h,
    )
    assert reply.status_code == 201
    assert reply.json()["effect"] == "opt_out"
    assert verdict(client, keys.check, OTHER, at=AT).json()["allowed"] is False


def test_a_queue_loads_all_or_nothing_and_claims_end_with_an_outcome(
    client: TestClient, service: dnc.Service, keys: Keys
) -> None:
    h = bearer(keys.write)
    leads = [
        {"number": NUMBER, "lead_id": "L1", "priority": 5},
        {"number": OTHER, "lead_id": "L2", "location": "US-NJ"},
    ]
    bad = client.post(
        "/v1/campaigns/spring/queue",
        json={"leads": [*leads, {"number": "12345"}], "at": AT},
        headers=h,
    )
    assert bad.status_code == 400
    assert "leads[2]" in bad.json()["detail"]
    assert service.queue("spring") == []
    loaded = client.post("/v1/campaigns/spring/queue", json={"leads": leads, "at": AT}, headers=h)
    assert loaded.status_code == 201
    assert loaded.json() == {"read": 2, "added": 2, "already_queued": 0}

    claimed = client.post("/v1/campaigns/spring/claims", json={"limit": 1, "at": AT}, headers=h)
    assert claimed.status_code == 200
    assert claimed.json()["owner"] == "dialer-7"
    [first] = claimed.json()["claims"]
    assert (first["number"], first["lead_id"], first["status"]) == (NUMBER, "L1", "claimed")
    ended = client.post(
        "/v1/outcomes",
        json={"number": NUMBER, "campaign": "spring", "outcome": "sale", "at": AT},
        headers=h,
    )
    assert ended.status_code == 201
    assert [e.status.value for e in service.queue("spring", number=NUMBER)] != ["claimed"]
    nxt = client.post("/v1/campaigns/spring/claims", json={"limit": 5, "at": AT}, headers=h)
    assert [c["number"] for c in nxt.json()["claims"]] == [OTHER]
    zero = client.post("/v1/campaigns/spring/claims", json={"limit": 0}, headers=h)
    assert zero.status_code == 422


# -- reads and operations --------------------------------------------------------------


def test_history_registries_and_job_runs(
    client: TestClient, service: dnc.Service, keys: Keys
) -> None:
    client.post("/v1/opt-outs", json={"number": NUMBER}, headers=bearer(keys.write))
    hist = client.get(f"/v1/numbers/{NUMBER}/history", headers=bearer(keys.check))
    assert hist.status_code == 200
    assert hist.json()["number"] == NUMBER
    assert [e["actor"] for e in hist.json()["events"]] == ["dialer-7"]
    regs = client.get("/v1/registries", headers=bearer(keys.check))
    assert regs.status_code == 200
    assert "us-national" in {r["registry"] for r in regs.json()}
    service.run_job("registry-freshness")
    runs = client.get("/v1/jobs/runs", headers=bearer(keys.check))
    assert runs.status_code == 200
    assert runs.json()[0]["job"] == "registry-freshness"


def test_history_has_the_registry_movements(
    client: TestClient, service: dnc.Service, keys: Keys, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("2015550123\n2015550124\n")
    second.write_text("2015550124\n")
    service.import_registry(first, "us-national", as_of=date(2026, 11, 1), actor="ops")
    service.import_registry(
        second, "us-national", as_of=date(2026, 11, 20), actor="ops", allow_shrink=True
    )
    hist = client.get(f"/v1/numbers/{NUMBER}/history", headers=bearer(keys.check))
    assert hist.status_code == 200
    events = hist.json()["events"]
    assert [e["kind"] for e in events] == ["registry_since", "registry_left"]
    assert events[1]["summary"] == "left us-national (as of 2026-11-20)"
    assert events[1]["details"]["direction"] == "left"


def test_health_readiness_and_metrics(client: TestClient, keys: Keys) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    verdict(client, keys.check, at=AT)
    client.post(
        "/v1/opt-outs", json={"number": NUMBER, "channel": "sms"}, headers=bearer(keys.write)
    )
    verdict(client, keys.check, at=AT)
    text = client.get("/metrics").text
    assert 'dnc_verdicts_total{result="allowed"} 1.0' in text
    assert 'dnc_verdict_reasons_total{code="DNC_INTERNAL"} 1.0' in text
    assert 'dnc_opt_outs_total{channel="sms"} 1.0' in text
    assert 'dnc_verdict_seconds_count{endpoint="single"} 2.0' in text
    assert "dnc_scrub_runs" in text
    assert "dnc_store_up 1.0" in text


def test_a_stale_required_registry_makes_the_server_not_ready(
    db_url: str, clock: dnc.FixedClock, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from dnc.api.app import create_app

    config = tmp_path / "required.toml"
    config.write_text("[registries.us-national]\nrequired = true\n")
    svc = dnc.open(db_url, str(config), clock=clock, create=True)
    try:
        with TestClient(create_app(svc)) as c:
            ready = c.get("/readyz")
        assert ready.status_code == 503
        assert any("us-national is missing" in r for r in ready.json()["reasons"])
    finally:
        svc.close()


def test_a_registry_file_not_on_this_host_keeps_the_server_out_of_rotation_until_fetched(
    db_url: str, clock: dnc.FixedClock, tmp_path: Path
) -> None:
    """Another host's process meets a snapshot file it has no copy of: /readyz
    says so (503) while it is fetched, then ready; with the database's parts
    damaged it stays not ready, naming the registry."""
    import time

    from dnc.api.app import create_app

    listed = tmp_path / "listed.txt"
    listed.write_text("2015550123\n2015550124\n")
    importer = dnc.open(db_url, clock=clock, create=True)
    importer.import_registry(listed, "us-national", as_of=date(2026, 11, 20))
    importer.close()
    other = tmp_path / "other-host"
    config = tmp_path / "other.toml"
    config.write_text(f'[storage]\nsnapshot_dir = "{other}"\n')

    def ready_after_fetch() -> Any:
        svc = dnc.open(db_url, str(config), clock=clock)
        try:
            with TestClient(create_app(svc)) as c:
                for _ in range(100):
                    reasons = c.get("/readyz").json()["reasons"]
                    file_reasons = [r for r in reasons if r.startswith("registry us-national: ")]
                    if not file_reasons or "unusable" in file_reasons[0]:
                        break
                    time.sleep(0.05)
            return file_reasons
        finally:
            svc.close()

    # (The packaged configuration's other required registries are missing:
    # only this registry's file is looked at.)
    assert ready_after_fetch() == []
    assert len(list(other.glob("registry-*.snap"))) == 1
    for copy in other.glob("registry-*.snap"):
        copy.unlink()
    with dnc.open(db_url, clock=clock) as svc, svc.store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE registry_file_part SET data = :d"), {"d": b"damaged"})
    [reason] = ready_after_fetch()
    assert "registry snapshot unusable" in reason


def test_errors_are_problem_details_never_html(client: TestClient, keys: Keys) -> None:
    for response in (
        client.get("/v1/nothing-here"),
        client.delete("/v1/opt-outs", headers=bearer(keys.write)),
        client.post(
            "/v1/opt-outs",
            content=b"{not json",
            headers={**bearer(keys.write), "content-type": "application/json"},
        ),
    ):
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert {"type", "title", "status", "detail", "code"} <= set(body)
        assert body["status"] == response.status_code
        assert "Traceback" not in response.text


# -- fail closed -----------------------------------------------------------------------


def _drop_the_database(service: dnc.Service, db_url: str) -> None:
    """The store's tables gone from under a running server: on PostgreSQL its
    schema dropped, on SQLite its tables."""
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            schema = conn.execute(sa.text("SELECT current_schema()")).scalar()
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        else:
            for name in sa.inspect(conn).get_table_names():
                conn.execute(sa.text(f'DROP TABLE "{name}"'))
    engine.dispose()


def test_with_the_database_gone_a_verdict_is_503_and_a_refusal(
    client: TestClient, service: dnc.Service, keys: Keys, db_url: str
) -> None:
    assert verdict(client, keys.check, at=AT).json()["allowed"] is True
    _drop_the_database(service, db_url)
    got = verdict(client, keys.check, at=AT)
    assert got.status_code == 503
    body = got.json()
    assert body["number"] == NUMBER
    assert body["allowed"] is False
    assert body["reasons"][0]["code"] == "CHECK_FAILED"
    batch = client.post(
        "/v1/verdicts", json={"numbers": [NUMBER, OTHER], "at": AT}, headers=bearer(keys.check)
    )
    assert batch.status_code == 503
    assert [v["reasons"][0]["code"] for v in batch.json()["verdicts"]] == ["CHECK_FAILED"] * 2
    write = client.post("/v1/opt-outs", json={"number": NUMBER}, headers=bearer(keys.write))
    assert write.status_code == 503
    assert write.json()["code"] == "storage"
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["reasons"][0].startswith("database unreachable")
    assert "dnc_store_up 0.0" in client.get("/metrics").text
