"""What every use case is given: the store, the configuration, the rules and
the clock, and the few ways of reading input they all share."""

from __future__ import annotations

import getpass
import os
import socket
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TypeVar

from dnc import configuration
from dnc.clock import Clock, aware
from dnc.configuration import Config
from dnc.errors import InputError
from dnc.judge import Judge
from dnc.numbers import PhoneNumber, parse
from dnc.rules import RuleBook
from dnc.storage.store import Store

E = TypeVar("E", bound=Enum)


@dataclass(frozen=True, slots=True)
class App:
    """The dependencies of the use cases in ``dnc.app``, built once by ``dnc.open``."""

    store: Store
    config: Config
    rulebook: RuleBook
    judge: Judge
    clock: Clock

    def now(self) -> datetime:
        """The service clock's current instant (aware, UTC)."""
        return self.clock.now()

    def at(self, value: datetime | None, name: str = "at") -> datetime:
        """``value`` when given (it must be timezone-aware), else the clock's now."""
        return self.clock.now() if value is None else aware(value, name)

    def parse(self, number: str) -> PhoneNumber:
        """Parse with the configured default region; raises InvalidNumberError."""
        return parse(number, self.config.default_region)

    def actor(self, name: str | None) -> str:
        """Who the audit trail names: ``name``, else the configured actor, else
        DNC_ACTOR, else the operating-system user at this host."""
        if name:
            return name
        if self.config.actor:
            return self.config.actor
        return os.environ.get(configuration.ENV_ACTOR) or _os_actor()


def choice(kind: type[E], value: str, name: str) -> E:
    """``value`` as a member of ``kind``; InputError listing the choices otherwise."""
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(str(m.value) for m in kind)
        raise InputError(f"unknown {name} {value!r} (choose from {choices})") from None


def required_reason(reason: str | None) -> str:
    """A removal or revocation names why; InputError otherwise."""
    if not reason or not reason.strip():
        raise InputError("a removal needs a reason")
    return reason


def _os_actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"
