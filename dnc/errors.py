"""The library's errors: one base class, one subclass per kind of failure.

Exceptions are for bad input and unusable set-ups. A check never raises for
a number it cannot clear: it returns a refusing verdict instead.
"""

from __future__ import annotations


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


class StorageError(DncError):
    """The database could not be reached or used."""

    kind = "storage"


class SchemaTooNewError(StorageError):
    """The database was migrated by a newer version of this software."""

    kind = "schema_too_new"

    def __init__(self, found: str, known: str) -> None:
        super().__init__(
            f"the database schema is at revision {found}, which this version of dnc "
            f"does not know (its newest is {known}); upgrade dnc before using it"
        )


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
