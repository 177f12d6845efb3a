"""What every command shares: opening the service, times, errors, output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, ParamSpec, TypeVar

import typer

import dnc
from dnc.cli.consoles import PipeAwareConsole

P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3

console = PipeAwareConsole()
err_console = PipeAwareConsole(stderr=True)


@dataclass
class State:
    """Global options, and the service opened from them on first use."""

    database_url: str | None = None
    config: str | None = None
    actor: str | None = None
    _service: dnc.Service | None = field(default=None, repr=False)

    def service(self, create: bool = False) -> dnc.Service:
        """The service; only ``dnc init`` passes ``create`` (every other command
        fails on a missing database instead of answering from a new, empty one)."""
        if self._service is None:
            self._service = dnc.open(self.database_url, self.config, create=create)
        return self._service

    def close(self) -> None:
        if self._service is not None:
            self._service.close()
            self._service = None


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):
        obj = State()
        ctx.find_root().obj = obj
    return obj


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print one line to stderr and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn library errors into one line and a non-zero exit: never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except dnc.StorageError as exc:
            raise fail(str(exc), EXIT_UNAVAILABLE) from None
        except dnc.DncError as exc:
            raise fail(str(exc)) from None

    return wrapper


def parse_instant(value: str | None, option: str = "--at") -> datetime | None:
    """ISO 8601 with an offset or Z; a naive time is refused as ambiguous."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise dnc.InputError(
            f"{option} {value!r} is not an ISO 8601 time (e.g. 2026-11-23T14:30:00-05:00)"
        ) from None
    if parsed.tzinfo is None:
        raise dnc.InputError(
            f"{option} {value!r} has no UTC offset: add one, e.g. {value}+00:00 or {value}Z"
        )
    return parsed


def parse_expiry(expires: str | None, days: int | None, now: datetime) -> datetime | None:
    """--expires DATE|ISO-TIME or --days N → an aware instant."""
    if expires and days is not None:
        raise dnc.InputError("give --expires or --days, not both")
    if days is not None:
        if days <= 0:
            raise dnc.InputError(f"--days must be positive, not {days}")
        return now + timedelta(days=days)
    if not expires:
        return None
    try:
        day = date.fromisoformat(expires)
    except ValueError:
        return parse_instant(expires, "--expires")
    # A bare date means "through that day" in UTC: it stops blocking at midnight after it.
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=now.tzinfo)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, default=str) + "\n")


@contextmanager
def service_for(ctx: typer.Context) -> Iterator[dnc.Service]:
    st = state(ctx)
    try:
        yield st.service()
    finally:
        st.close()
