"""The library's errors: one base class, one subclass per kind of failure.

Exceptions are for bad input and unusable set-ups. A check never raises for
a number it cannot clear: it returns a refusing verdict instead.
"""

from __future__ import annotations

from datetime import datetime


class DncError(Exception):
    """Base class of every error this library raises on purpose."""

    kind = "error"


class InvalidNumberError(DncError, ValueError):
    """A phone number could not be parsed or is not valid for its region."""

    kind = "invalid_number"

    def __init__(self, text: str, why: str) -> None:
        self.text = text
        self.why = why
        super().__init__(f"invalid phone number {text!r}: {why}")


class ConfigError(DncError):
    """A configuration file or value is missing or malformed."""

    kind = "config"

    def __init__(self, source: str, key: str | None, why: str) -> None:
        self.source = source
        self.key = key
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {why}")


class InputError(DncError, ValueError):
    """A user-supplied value (time, scope, reason, file line) is not acceptable."""

    kind = "input"


class LocationError(InputError):
    """A location hint is neither an ISO 3166-2 code nor an IANA time zone the rules know."""

    kind = "location"


class TimeRangeError(InputError):
    """A time that would open a hole: an opt-out or an as-of date in the future,
    an expiry already past."""

    kind = "time_range"

    def __init__(self, what: str, value: str, relation: str, now: str, why: str) -> None:
        self.what = what
        super().__init__(f"{what} {value} is {relation} (now {now}): {why}")


class BadLineError(InputError):
    """A line of an import file is malformed; names the file, line and value."""

    kind = "bad_line"

    def __init__(self, file: str, line: int, value: str, why: str) -> None:
        self.file = file
        self.line = line
        self.value = value
        self.why = why
        super().__init__(f"{file}: line {line}: {why}: {value!r}")


class RegistryShrinkError(InputError):
    """A full registry list is empty, or much smaller than the snapshot it would replace."""

    kind = "registry_shrink"


class StorageError(DncError):
    """The database could not be reached or used."""

    kind = "storage"


class DatabaseMissingError(StorageError):
    """There is no dnc database where the service was pointed; only ``dnc init``
    (``dnc.open(..., create=True)``) makes one."""

    kind = "no_database"

    def __init__(self, where: str) -> None:
        self.where = where
        super().__init__(
            f"no dnc database at {where}: run `dnc init` there, or set DNC_DATABASE_URL"
        )


class SchemaTooNewError(StorageError):
    """The database was migrated by a newer version of this software."""

    kind = "schema_too_new"

    def __init__(self, found: str, known: str) -> None:
        super().__init__(
            f"the database schema is at revision {found}, which this version of dnc "
            f"does not know (its newest is {known}); upgrade dnc before using it"
        )


class AnchorError(DncError):
    """The audit anchor file could not be written or read."""

    kind = "anchor"


class StorageUnhealthyError(StorageError):
    """The store's last integrity check failed: checks answer CHECK_FAILED
    until a later one passes (``dnc doctor``, the storage-integrity job)."""

    kind = "unhealthy"


class CheckTimeoutError(StorageError):
    """The database did not answer a check within ``storage.check_timeout``."""

    kind = "check_timeout"


class ScrubBusyError(DncError):
    """Another scrub holds the scrub lease."""

    kind = "busy"

    def __init__(self, owner: str, since: datetime, until: datetime) -> None:
        self.owner = owner
        self.since = since
        super().__init__(
            f"another scrub is running: {owner}, since {since.isoformat(timespec='seconds')}"
            f" (its lease runs until {until.isoformat(timespec='seconds')})"
        )


class ConflictError(DncError):
    """The request contradicts what is stored: a name already taken, an
    idempotency key reused for a different request."""

    kind = "conflict"


class NotFoundError(DncError, LookupError):
    """The thing asked for (an entry, a registry) does not exist."""

    kind = "not_found"


class SnapshotError(StorageError):
    """A registry snapshot file is missing, truncated, corrupt or not the one expected."""

    kind = "snapshot"

    def __init__(self, path: str, problem: str, why: str) -> None:
        self.path = path
        self.problem = problem
        self.why = why
        super().__init__(f"{path}: registry snapshot unusable ({problem}): {why}")


class ReplyLanguageError(InputError):
    """A reply was to be read in a language no intent rules are loaded for."""

    kind = "reply_language"

    def __init__(self, language: object, known: tuple[str, ...]) -> None:
        self.language = language
        self.known = known
        super().__init__(
            f"no reply rules for language {language!r} (known: {', '.join(known) or 'none'})"
        )


class InputWarning(UserWarning):
    """Decoration (a note, an agent, a reason) was cleaned so the request it
    decorates could be recorded: an opt-out is never refused for its note."""


def one_line(exc: BaseException) -> str:
    """An exception as one line for a reason or a log: its kind and the first
    line of its message."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
