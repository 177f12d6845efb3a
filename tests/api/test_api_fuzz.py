"""The whole API fuzzed from its own OpenAPI document (schemathesis): whatever
a client sends that the document allows, the answer is never a 5xx (the
database is up, so not even the designed 503) and always matches the document.
Bounded examples per operation keep it within seconds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import dnc
from dnc.api.app import create_app

NOT_REQUIRED = "".join(
    f"[registries.{name}]\nrequired = false\n"
    for name in ("us-national", "ca-dncl", "uk-tps", "au-dncr")
)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    where = tmp_path_factory.mktemp("fuzz")
    config = where / "config.toml"
    config.write_text(NOT_REQUIRED)
    service = dnc.open(
        f"sqlite:///{where / 'dnc.db'}",
        str(config),
        create=True,
    )
    key = service.create_api_key("fuzzer", ["admin"]).secret
    service.opt_out("+12015550123")
    yield schemathesis.openapi.from_asgi("/openapi.json", create_app(service, key_ttl=60)), key
    service.close()


def _operations() -> list[str]:
    app = create_app(dnc.open("sqlite://", create=True))
    found = schemathesis.openapi.from_asgi("/openapi.json", app)
    return sorted(r.ok().label for r in found.get_all_operations())


# The operations, read from the document once: a new endpoint is fuzzed
# without touching this file.
OPERATIONS = _operations()


@pytest.mark.parametrize("label", OPERATIONS)
def test_the_api_holds_to_its_own_document(label: str, fuzzed: tuple[Any, str]) -> None:
    api_schema, key = fuzzed
    operation = next(r.ok() for r in api_schema.get_all_operations() if r.ok().label == label)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def holds(case: Any) -> None:
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {key}"},
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
        )
        statuses.append(response.status_code)

    statuses: list[int] = []
    holds()
    # The key was accepted: the fuzzing reached the endpoint, not just the lock.
    assert statuses
    assert set(statuses) - {401, 403}, statuses
