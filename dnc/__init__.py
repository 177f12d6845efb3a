"""dnc: the do-not-call and calling-rules service.

A dialer needs only this module::

    import dnc
    service = dnc.open()                 # ./dnc.db (made by `dnc init`), or DNC_DATABASE_URL
    verdict = service.check("+1 201 555 0123", campaign="spring")
    if not verdict.allowed:
        print([r.code for r in verdict.reasons], verdict.next_allowed_at)
"""

from dnc.clock import Clock, FixedClock, SystemClock
from dnc.consent import ConsentKind, ConsentRecord
from dnc.errors import (
    ConfigError,
    DatabaseMissingError,
    DncError,
    InputError,
    InvalidNumberError,
    LocationError,
    NotFoundError,
    RegistryShrinkError,
    SchemaTooNewError,
    StorageError,
    TimeRangeError,
)
from dnc.lists import ListEntry
from dnc.numbers import PhoneNumber
from dnc.outcomes import CampaignState, Outcome, OutcomeRecord, RecordedOutcome
from dnc.prefixes import PrefixBlock
from dnc.registries import RegistryDefinition
from dnc.registry_ops import ImportSummary, RegistryStatus
from dnc.replies import Intent, ReplyIntent, classify_reply
from dnc.service import Service, open
from dnc.verdicts import Reason, ReasonCode, Verdict

__all__ = [
    "CampaignState",
    "Clock",
    "ConfigError",
    "ConsentKind",
    "ConsentRecord",
    "DatabaseMissingError",
    "DncError",
    "FixedClock",
    "ImportSummary",
    "InputError",
    "Intent",
    "InvalidNumberError",
    "LocationError",
    "ListEntry",
    "NotFoundError",
    "Outcome",
    "OutcomeRecord",
    "PhoneNumber",
    "PrefixBlock",
    "Reason",
    "ReasonCode",
    "RecordedOutcome",
    "RegistryDefinition",
    "RegistryShrinkError",
    "RegistryStatus",
    "ReplyIntent",
    "SchemaTooNewError",
    "Service",
    "StorageError",
    "SystemClock",
    "TimeRangeError",
    "Verdict",
    "classify_reply",
    "open",
]
