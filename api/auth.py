"""Bearer keys: ``Authorization: Bearer KEY``, checked against the stored
hashes, each key's scopes required per route.

The verdict path must stay cheap, so the live keys are held in memory and
re-read from the database at most every ``ttl`` seconds (default 5,
DNC_API_KEY_TTL): a revoked key stops working within that time on every
server process. An unknown key re-reads at once (at most once a second, so
guessing keys cannot load the database), so a new key works on its first use.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request

import dnc
from dnc.api.problems import ApiProblem

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="dnc"'}
MISS_REFRESH = 1.0


class KeyCache:
    """The live keys by SHA-256, re-read from the service every ``ttl`` seconds."""

    def __init__(self, service: dnc.Service, ttl: float) -> None:
        self._service = service
        self._ttl = ttl
        self._keys: dict[str, dnc.ApiKey] | None = None
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        with self._lock:
            keys = self._service.api_keys(include_revoked=False)
            self._keys = {k.digest: k for k in keys}
            self._read_at = time.monotonic()

    def find(self, secret: str) -> dnc.ApiKey | None:
        """The live key whose secret this is, or None. StorageError when the
        keys cannot be read and were never read."""
        age = time.monotonic() - self._read_at
        if self._keys is None or age > self._ttl:
            try:
                self._refresh()
            except dnc.StorageError:
                if self._keys is None:
                    raise
                # The database is gone: keep the last keys read; whatever the
                # request does next fails closed on its own.
        wanted = dnc.ApiKey.hashed(secret)
        assert self._keys is not None
        key = self._keys.get(wanted)
        if key is None and age > MISS_REFRESH:
            try:
                self._refresh()
            except dnc.StorageError:
                return None
            key = self._keys.get(wanted)
        if key is None or not key.matches(wanted):
            return None
        return key


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate(request: Request, scope: dnc.Scope) -> dnc.ApiKey:
    """The request's key, which must hold ``scope``; ApiProblem 401 or 403."""
    secret = bearer(request)
    if secret is None:
        raise ApiProblem(
            401, "unauthenticated", "send Authorization: Bearer KEY", headers=CHALLENGE
        )
    cache: KeyCache = request.app.state.keys
    key = cache.find(secret)
    if key is None:
        raise ApiProblem(401, "unauthenticated", "unknown or revoked key", headers=CHALLENGE)
    if not key.allows(scope):
        raise ApiProblem(403, "forbidden", f"key {key.name!r} lacks the {scope.value!r} scope")
    return key


def require(scope: dnc.Scope) -> Callable[[Request], Coroutine[Any, Any, dnc.ApiKey]]:
    """A dependency: the request's key, which must hold ``scope`` (401, 403)."""

    async def dependency(request: Request) -> dnc.ApiKey:
        return authenticate(request, scope)

    return dependency
