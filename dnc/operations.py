"""How the service guards its answers and its log: the ``[storage]`` and
``[audit]`` configuration tables. Pure: parsed and validated here, applied
by the storage (timeouts) and the audit anchors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dnc.errors import ConfigError


@dataclass(frozen=True, slots=True)
class StorageSettings:
    """Time bounds, in seconds.

    ``check_timeout``: the longest a single check waits on the database
    before it answers CHECK_FAILED (a locked SQLite file, a slow or frozen
    PostgreSQL). ``write_timeout``: how long writers and every other read
    wait for a lock. ``connect_timeout``: to open a PostgreSQL connection.
    ``keepalive_*``: TCP keepalives on PostgreSQL connections, so a dead
    peer is noticed by connections that sit idle.
    """

    check_timeout: float = 0.25
    write_timeout: float = 5.0
    connect_timeout: float = 3.0
    keepalive_idle: int = 10
    keepalive_interval: int = 3
    keepalive_count: int = 3
    health_ttl: float = 1.0
    snapshot_dir: str = ""


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """Where the audit head is anchored outside the database.

    ``anchor_file``: "" is the default (``<file>.anchors`` next to a SQLite
    database, none for PostgreSQL), "none" turns the file off, anything else
    is the path of the append-only file. ``syslog``: also send each anchor
    to syslog at ``syslog_address`` (a socket path, or "host:port" for UDP).
    """

    anchor_file: str = ""
    syslog: bool = False
    syslog_address: str = "/dev/log"
    syslog_facility: str = "user"


_FLOATS = ("check_timeout", "write_timeout", "connect_timeout", "health_ttl")
_INTS = ("keepalive_idle", "keepalive_interval", "keepalive_count")
_MAX_SECONDS = 3600.0


def parse_storage(raw: Any, source_of: Callable[[str], str]) -> StorageSettings:
    table = _table(raw, "storage", set(_FLOATS) | set(_INTS) | {"snapshot_dir"}, source_of)
    base = StorageSettings()
    values: dict[str, Any] = {}
    folder = table.get("snapshot_dir", base.snapshot_dir)
    if not isinstance(folder, str) or "\x00" in folder:
        where = "storage.snapshot_dir"
        raise ConfigError(source_of(where), where, f"must be a folder path, not {folder!r}")
    values["snapshot_dir"] = folder
    for key in _FLOATS:
        value = table.get(key, getattr(base, key))
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not 0 < value <= _MAX_SECONDS
        ):
            where = f"storage.{key}"
            raise ConfigError(
                source_of(where), where, f"must be seconds above 0, at most 3600, not {value!r}"
            )
        values[key] = float(value)
    for key in _INTS:
        value = table.get(key, getattr(base, key))
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3600:
            where = f"storage.{key}"
            raise ConfigError(
                source_of(where), where, f"must be a whole number from 1 to 3600, not {value!r}"
            )
        values[key] = value
    if values["check_timeout"] > values["write_timeout"]:
        where = "storage.check_timeout"
        raise ConfigError(source_of(where), where, "must not be longer than storage.write_timeout")
    return StorageSettings(**values)


_FACILITIES = ("user", "daemon", "auth", *(f"local{n}" for n in range(8)))


def parse_audit(raw: Any, source_of: Callable[[str], str]) -> AuditSettings:
    keys = {"anchor_file", "syslog", "syslog_address", "syslog_facility"}
    table = _table(raw, "audit", keys, source_of)
    base = AuditSettings()
    values: dict[str, Any] = {}
    for key in ("anchor_file", "syslog_address", "syslog_facility"):
        value = table.get(key, getattr(base, key))
        if not isinstance(value, str) or "\x00" in value:
            where = f"audit.{key}"
            raise ConfigError(source_of(where), where, f"must be a string, not {value!r}")
        values[key] = value
    syslog = table.get("syslog", base.syslog)
    if not isinstance(syslog, bool):
        raise ConfigError(
            source_of("audit.syslog"), "audit.syslog", f"must be true or false, not {syslog!r}"
        )
    values["syslog"] = syslog
    if values["syslog_facility"] not in _FACILITIES:
        where = "audit.syslog_facility"
        raise ConfigError(source_of(where), where, f"must be one of {', '.join(_FACILITIES)}")
    if not values["syslog_address"]:
        where = "audit.syslog_address"
        raise ConfigError(source_of(where), where, "must not be empty")
    return AuditSettings(**values)


def _table(
    raw: Any, name: str, keys: set[str], source_of: Callable[[str], str]
) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(source_of(name), name, "must be a table")
    for key in raw:
        if key not in keys:
            where = f"{name}.{key}"
            raise ConfigError(
                source_of(where), where, f"unknown key (known: {', '.join(sorted(keys))})"
            )
    return raw
