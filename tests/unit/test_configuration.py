"""Configuration: defaults, precedence, and errors that name file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from dnc import configuration
from dnc.errors import ConfigError


def test_packaged_defaults_load() -> None:
    cfg = configuration.load(env={})
    assert cfg.default_region == "US"
    assert cfg.database_url == ""
    # A check is bounded well under a second; writers may wait longer.
    assert cfg.storage.check_timeout == 0.25 and cfg.storage.write_timeout == 5.0
    assert cfg.audit.anchor_file == "" and cfg.audit.syslog is False


def test_user_file_overrides_defaults_and_env_names_it(tmp_path: Path) -> None:
    path = tmp_path / "my.toml"
    path.write_text('default_region = "gb"\n')
    assert configuration.load(env={"DNC_CONFIG": str(path)}).default_region == "GB"


def test_database_url_precedence(tmp_path: Path) -> None:
    cfg = configuration.Config(database_url="sqlite:///from-config.db")
    env = {"DNC_DATABASE_URL": "sqlite:///from-env.db"}
    assert configuration.resolve_database_url("sqlite:///arg.db", cfg, env) == "sqlite:///arg.db"
    assert configuration.resolve_database_url(None, cfg, env) == "sqlite:///from-env.db"
    assert configuration.resolve_database_url(None, cfg, {}) == "sqlite:///from-config.db"
    fallback = configuration.resolve_database_url(None, configuration.Config(), {})
    assert fallback.startswith("sqlite:///") and fallback.endswith("dnc.db")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('default_region = "XX"', "default_region"),
        ("default_region = 1", "default_region"),
        ('colour = "blue"', "colour"),
        ("[storage]\ncheck_timeout = 0", "storage.check_timeout"),
        ("[storage]\ncheck_timeout = true", "storage.check_timeout"),
        ("[storage]\ncheck_timeout = 9.0", "storage.check_timeout"),  # above write_timeout
        ("[storage]\nkeepalive_count = 0", "storage.keepalive_count"),
        ("[storage]\nbusy = 1", "storage.busy"),
        ('[audit]\nsyslog = "yes"', "audit.syslog"),
        ('[audit]\nsyslog_facility = "kern"', "audit.syslog_facility"),
        ('[audit]\nanchor = "x"', "audit.anchor"),
    ],
)
def test_bad_values_name_the_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError) as info:
        configuration.load(path, env={})
    assert str(path) in str(info.value) and key in str(info.value)


def test_unreadable_and_malformed_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        configuration.load(tmp_path / "missing.toml", env={})
    broken = tmp_path / "broken.toml"
    broken.write_text("default_region = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        configuration.load(broken, env={})
