"""What every part of the Service shares: the store, the configuration, the
rules, how numbers are read and who acts. Mixed into ``dnc.service.Service``."""

from __future__ import annotations

import getpass
import os
import socket
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from dnc import (
    configuration,
)
from dnc.clock import Clock, aware
from dnc.configuration import Config
from dnc.errors import InputError
from dnc.judge import Judge
from dnc.numbers import PhoneNumber, parse


class ServiceBase:
    engine: Engine
    config: Config
    judge: Judge
    clock: Clock

    def now(self) -> datetime:
        """The service clock's current instant (aware, UTC)."""
        return self.clock.now()

    def _at(self, value: datetime | None, name: str = "at") -> datetime:
        """``value`` when given (it must be timezone-aware), else the clock's now."""
        return self.clock.now() if value is None else aware(value, name)

    def parse(self, number: str) -> PhoneNumber:
        """Parse with the configured default region; raises InvalidNumberError."""
        return parse(number, self.config.default_region)

    def _actor(self, actor: str | None) -> str:
        if actor:
            return actor
        if self.config.actor:
            return self.config.actor
        return os.environ.get(configuration.ENV_ACTOR) or _os_actor()


def _enum(kind: Any, value: str, name: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(m.value for m in kind)
        raise InputError(f"unknown {name} {value!r} (choose from {choices})") from None


def _os_actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only used in an error message
        return "<database>"
