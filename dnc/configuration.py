"""Typed configuration, validated at load.

Precedence: explicit argument > environment > user file > packaged defaults
(config/dnc.toml). Errors name the file and the dotted key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import phonenumbers

from dnc.errors import ConfigError
from dnc.operations import AuditSettings, StorageSettings, parse_audit, parse_storage
from dnc.policy import CampaignPolicies, parse_campaigns
from dnc.registries import RegistryDefinition
from dnc.registry_config import parse_registries
from dnc.retention import MAX_YEARS, RetentionPolicy
from dnc.revocation import OptOutSettings, parse_opt_out
from dnc.scheduling import SchedulerConfig, parse_scheduler

ENV_CONFIG = "DNC_CONFIG"
ENV_DATABASE_URL = "DNC_DATABASE_URL"
ENV_ACTOR = "DNC_ACTOR"

PACKAGED = "packaged config/dnc.toml"


def packaged_dir() -> Traversable:
    """The packaged config/ folder (default configuration and rule data)."""
    return resources.files("dnc.config")


@dataclass(frozen=True, slots=True)
class Config:
    """The service's configuration after merging and validation."""

    default_region: str = "US"
    database_url: str = ""
    actor: str = ""
    source: str = PACKAGED
    registries: tuple[RegistryDefinition, ...] = ()
    campaigns: CampaignPolicies = field(default_factory=CampaignPolicies)
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    storage: StorageSettings = field(default_factory=StorageSettings)
    audit: AuditSettings = field(default_factory=AuditSettings)
    opt_out: OptOutSettings = field(default_factory=OptOutSettings)


def load(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Load packaged defaults, then the user file (argument, else DNC_CONFIG)."""
    env = os.environ if env is None else env
    raw = _read_toml(packaged_dir().joinpath("dnc.toml").read_text("utf-8"), PACKAGED)
    merged = dict(raw)
    sources = dict.fromkeys(raw, PACKAGED)
    _record_sources(sources, raw, PACKAGED)
    user_path = path if path is not None else (env.get(ENV_CONFIG) or None)
    source = PACKAGED
    if user_path is not None:
        user_file = Path(user_path)
        source = str(user_file)
        try:
            data = user_file.read_bytes()
        except OSError as exc:
            raise ConfigError(source, None, f"cannot read: {exc.strerror}") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ConfigError(
                source, None, f"line {line}: byte 0x{data[exc.start]:02X} is not UTF-8 text"
            ) from None
        user = _read_toml(text, source)
        _deep_merge(merged, user)
        sources.update(dict.fromkeys(user, source))
        _record_sources(sources, user, source)
    return _validate(merged, sources, source)


def _deep_merge(into: dict[str, Any], other: Mapping[str, Any]) -> None:
    """Tables merge key by key, so a user file can change one key of a section."""
    for key, value in other.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            into[key] = dict(into[key])
            _deep_merge(into[key], value)
        else:
            into[key] = value


def _record_sources(
    sources: dict[str, str], table: Mapping[str, Any], source: str, prefix: str = ""
) -> None:
    """Remember which file set each nested key, so errors can name it."""
    for key, value in table.items():
        if isinstance(value, Mapping):
            dotted = f"{prefix}{key}"
            sources[dotted] = source
            _record_sources(sources, value, source, f"{dotted}.")


def _source_of(sources: dict[str, str], dotted: str) -> str:
    while dotted:
        if dotted in sources:
            return sources[dotted]
        dotted = dotted.rpartition(".")[0]
    return PACKAGED


def _read_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, None, f"not valid TOML: {exc}") from None


def _validate(raw: dict[str, Any], sources: dict[str, str], source: str) -> Config:
    known = {
        "default_region",
        "database_url",
        "actor",
        "registries",
        "campaigns",
        "retention",
        "scheduler",
        "storage",
        "audit",
        "opt_out",
    }
    for key in raw:
        if key not in known:
            raise ConfigError(sources[key], key, f"unknown key (known: {', '.join(sorted(known))})")
    region = _string(raw, sources, "default_region").upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(
            sources["default_region"], "default_region", f"{region!r} is not a known region code"
        )
    return Config(
        default_region=region,
        database_url=_string(raw, sources, "database_url"),
        actor=_string(raw, sources, "actor"),
        source=source,
        registries=parse_registries(
            raw.get("registries", {}), lambda key: _source_of(sources, key)
        ),
        campaigns=parse_campaigns(raw.get("campaigns"), lambda key: _source_of(sources, key)),
        retention=_retention(raw.get("retention", {}), sources),
        scheduler=parse_scheduler(raw.get("scheduler"), lambda key: _source_of(sources, key)),
        storage=parse_storage(raw.get("storage"), lambda key: _source_of(sources, key)),
        audit=parse_audit(raw.get("audit"), lambda key: _source_of(sources, key)),
        opt_out=parse_opt_out(raw.get("opt_out"), lambda key: _source_of(sources, key)),
    )


def _retention(raw: Any, sources: dict[str, str]) -> RetentionPolicy:
    source = _source_of(sources, "retention")
    if not isinstance(raw, Mapping):
        raise ConfigError(source, "retention", "must be a table")
    known = ("outcomes_years", "consent_evidence_years")
    for key in raw:
        if key not in known:
            raise ConfigError(
                source, f"retention.{key}", f"unknown key (known: {', '.join(known)})"
            )
    default = RetentionPolicy()
    years = raw.get("outcomes_years", default.outcomes_years)
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        raise ConfigError(
            source,
            "retention.outcomes_years",
            f"must be a whole number of years from 1 to {MAX_YEARS}, not {years!r}",
        )
    # UWG §7a asks for 5 years: a shorter period would purge proof the law
    # still requires, so it is refused rather than obeyed.
    evidence = raw.get("consent_evidence_years", default.consent_evidence_years)
    floor = default.consent_evidence_years
    if (
        isinstance(evidence, bool)
        or not isinstance(evidence, int)
        or not floor <= evidence <= MAX_YEARS
    ):
        raise ConfigError(
            source,
            "retention.consent_evidence_years",
            f"must be a whole number of years from {floor} (UWG §7a) to {MAX_YEARS}, "
            f"not {evidence!r}",
        )
    return RetentionPolicy(outcomes_years=years, consent_evidence_years=evidence)


def _string(raw: dict[str, Any], sources: dict[str, str], key: str) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise ConfigError(sources.get(key, PACKAGED), key, f"must be a string, not {value!r}")
    return value


def resolve_database_url(
    argument: str | None, config: Config, env: Mapping[str, str] | None = None
) -> str:
    """argument > DNC_DATABASE_URL > config > sqlite file dnc.db in the working directory."""
    env = os.environ if env is None else env
    for candidate in (argument, env.get(ENV_DATABASE_URL), config.database_url):
        if candidate:
            return candidate
    return f"sqlite:///{Path.cwd() / 'dnc.db'}"
