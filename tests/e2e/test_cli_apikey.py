"""``dnc api-key``: the key printed once, alone; only its hash kept; revocation."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import dnc
from dnc.cli.app import app


def _run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--database-url", url, *args])
    return result.exit_code, result.stdout


def test_a_key_is_printed_once_alone_and_listed_without_its_secret(sqlite_url: str) -> None:
    code, out = _run(sqlite_url, "api-key", "create", "--name", "dialer-7", "--scope", "write")
    assert code == 0
    secret = out.strip()
    assert out == secret + "\n" and secret.startswith("dnc_")
    code, out = _run(
        sqlite_url,
        "api-key",
        "create",
        "--name",
        "ops",
        "--scope",
        "check",
        "--scope",
        "admin",
        "--json",
    )
    made = json.loads(out)
    assert (made["name"], made["scopes"]) == ("ops", ["admin", "check"])
    code, out = _run(sqlite_url, "api-key", "list", "--json")
    listed = json.loads(out)
    assert [k["name"] for k in listed] == ["dialer-7", "ops"]
    assert secret not in out and made["key"] not in out
    assert _run(sqlite_url, "api-key", "create", "--name", "ops")[0] == 2  # taken
    assert _run(sqlite_url, "api-key", "create", "--name", "x", "--scope", "root")[0] == 2
    assert _run(sqlite_url, "api-key", "revoke", "dialer-7", "--reason", "rotated")[0] == 0
    assert _run(sqlite_url, "api-key", "revoke", "nobody")[0] == 2
    with dnc.open(sqlite_url) as service:
        revoked = {k.name: k.revoked_at for k in service.api_keys()}
        assert revoked["dialer-7"] is not None and revoked["ops"] is None
        assert [k.name for k in service.api_keys(include_revoked=False)] == ["ops"]
