"""What every command shares: opening the service, times, errors, output."""

from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TextIO, TypeVar

import typer

# Typer vendors click; its exceptions are only reachable here.
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperGroup

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


Encoding = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="The file's text encoding when it has no byte-order mark (default utf-8; "
        "e.g. latin-1, cp1252, utf-16).",
    ),
]


class OneLineGroup(TyperGroup):
    """The root command: a usage mistake (an unknown option, a value of the
    wrong type, a missing argument) is one line on stderr and exit 2, as a
    library error is, not a framed usage box."""

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as exc:
            exc.show()  # the help asked for by giving nothing
            code = exc.exit_code
        except ClickException as exc:
            where = exc.ctx.command_path if isinstance(exc, UsageError) and exc.ctx else "dnc"
            fail(f"{exc.format_message()} (see: {where} --help)", exc.exit_code)
            code = exc.exit_code
        except typer.Abort:
            fail("aborted", EXIT_REFUSED)
            code = EXIT_REFUSED
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else EXIT_OK)


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


def one_line(message: str) -> str:
    """``message`` as one printable line: line breaks folded, anything the
    terminal cannot encode (a lone surrogate from a mis-encoded argument)
    escaped, an over-long message cut."""
    folded = " ".join(message.split("\n")).replace("\r", " ")
    if len(folded) > MAX_MESSAGE:
        folded = folded[:MAX_MESSAGE] + "..."
    return folded.encode("utf-8", "backslashreplace").decode("utf-8")


MAX_MESSAGE = 2000
"""A message longer than this (one quoting a 100 000-character value) is cut."""


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print one line to stderr and return the Exit to raise. Not through rich:
    it wraps a long line at the terminal's width."""
    typer.echo(f"{typer.style('error:', fg='red', bold=True)} {one_line(message)}", err=True)
    return typer.Exit(code)


def warn(message: str) -> None:
    """Print one warning line to stderr (the command went ahead)."""
    typer.echo(f"{typer.style('warning:', fg='yellow')} {one_line(message)}", err=True)


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn library errors into one line and a non-zero exit: never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", dnc.InputWarning)
            try:
                result = func(*args, **kwargs)
            except dnc.StorageError as exc:
                raise fail(str(exc), EXIT_UNAVAILABLE) from None
            except dnc.DncError as exc:
                raise fail(str(exc)) from None
            except OSError as exc:
                # A file the user named could not be read or written.
                where = f"{exc.filename}: " if exc.filename else ""
                raise fail(f"{where}{exc.strerror or exc}") from None
        # Cleaned decoration is said once the request is recorded, never with an error.
        for record in caught:
            if issubclass(record.category, dnc.InputWarning):
                warn(str(record.message))
            else:
                warnings.warn_explicit(
                    record.message, record.category, record.filename, record.lineno
                )
        return result

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
    return dnc.valid_instant(parsed, option)


def parse_expiry(expires: str | None, days: int | None, now: datetime) -> datetime | None:
    """--expires DATE|ISO-TIME or --days N → an aware instant."""
    if expires and days is not None:
        raise dnc.InputError("give --expires or --days, not both")
    if days is not None:
        return now + dnc.expiry_days(days, "--days")
    if not expires:
        return None
    try:
        day = dnc.valid_day(date.fromisoformat(expires), "--expires")
    except ValueError as exc:
        if isinstance(exc, dnc.DncError):
            raise
        return parse_instant(expires, "--expires")
    # A bare date means "through that day" in UTC: it stops blocking at midnight after it.
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=now.tzinfo)


@contextmanager
def output_file(out: Path) -> Iterator[TextIO]:
    """A text stream onto ``out``, whole or not at all: a regular file is
    written to a temporary file in the same folder and renamed over ``out``
    once complete, so a failure (a full disk, a read-only place) leaves no
    partial file; a device or a pipe is written as it is. Any failure is
    one line naming the path (InputError, exit 2)."""
    try:
        if out.is_dir():
            raise dnc.InputError(f"{out}: is a folder, not a file")
        if out.exists() and not out.is_file():
            with out.open("w", newline="", encoding="utf-8") as stream:
                yield stream
            return
        folder = out.parent
        if not folder.is_dir():
            raise dnc.InputError(f"{out}: cannot write: folder {folder} does not exist")
        handle, temp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=folder)
        try:
            with os.fdopen(handle, "w", newline="", encoding="utf-8") as stream:
                yield stream
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp, out)
        finally:
            Path(temp).unlink(missing_ok=True)
    except OSError as exc:
        raise dnc.InputError(f"{out}: cannot write: {exc.strerror or exc}") from None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, default=str) + "\n")


@contextmanager
def service_for(ctx: typer.Context) -> Iterator[dnc.Service]:
    st = state(ctx)
    try:
        yield st.service()
    finally:
        st.close()
