"""API keys and what they may do. Pure domain: no I/O.

A key is a random secret shown once; only its SHA-256 is stored. The secret
has 256 bits of entropy, so a plain hash is as good as a slow one here: no
dictionary to try, and the lookup stays cheap on the verdict path.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dnc.errors import InputError

PREFIX = "dnc_"
"""Every key starts so: a leaked one is easy to recognise in logs and scanners."""

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")


class Scope(StrEnum):
    """What a key may do; each includes the ones below it."""

    CHECK = "check"
    WRITE = "write"
    ADMIN = "admin"


_INCLUDES = {
    Scope.CHECK: frozenset({Scope.CHECK}),
    Scope.WRITE: frozenset({Scope.CHECK, Scope.WRITE}),
    Scope.ADMIN: frozenset({Scope.CHECK, Scope.WRITE, Scope.ADMIN}),
}


def parse_scopes(values: Iterable[str]) -> frozenset[Scope]:
    """The scopes named (at least one); InputError naming the choices otherwise."""
    found = set()
    for value in values:
        try:
            found.add(Scope(value.strip().lower()))
        except ValueError:
            choices = ", ".join(s.value for s in Scope)
            raise InputError(f"unknown scope {value!r} (choose from {choices})") from None
    if not found:
        raise InputError("a key needs at least one scope (check, write or admin)")
    return frozenset(found)


def effective(scopes: Iterable[Scope]) -> frozenset[Scope]:
    """Every scope ``scopes`` grant: write includes check, admin both."""
    return frozenset(s for scope in scopes for s in _INCLUDES[scope])


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise InputError(
            f"key name {name!r} must be 1 to 100 letters, digits, '.', '_', '@' or '-'"
        )
    return name


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The stored form of a key: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def same_digest(a: str, b: str) -> bool:
    """Compared in constant time, so a response time says nothing of a near miss."""
    return hmac.compare_digest(a.encode(), b.encode())


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key as stored: its name, its scopes and its hash, never the secret."""

    name: str
    scopes: frozenset[Scope]
    digest: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    @property
    def grants(self) -> frozenset[Scope]:
        return effective(self.scopes)

    def allows(self, needed: Scope) -> bool:
        return self.revoked_at is None and needed in self.grants

    @staticmethod
    def hashed(secret: str) -> str:
        return digest(secret)

    def matches(self, hashed_secret: str) -> bool:
        """Whether a secret's hash is this key's, compared in constant time."""
        return same_digest(self.digest, hashed_secret)

    def to_dict(self) -> dict[str, object]:
        """What may be shown of a key: everything but the hash."""
        return {
            "name": self.name,
            "scopes": sorted(s.value for s in self.scopes),
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "revoked_by": self.revoked_by,
        }


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A key just made: the secret, shown once, and the key as stored."""

    key: ApiKey
    secret: str
