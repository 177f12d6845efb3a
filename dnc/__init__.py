"""dnc: the do-not-call and calling-rules service.

A dialer needs only this module::

    import dnc
    service = dnc.open()                 # ./dnc.db (made by `dnc init`), or DNC_DATABASE_URL
    verdict = service.check("+1 201 555 0123", campaign="spring")
    if not verdict.allowed:
        print([r.code for r in verdict.reasons], verdict.next_allowed_at)

Every name a caller (a dialer, the CLI, the jobs, the HTTP API) uses is here;
everything else is private to the package.
"""

from dnc.abandonment import AbandonRate
from dnc.app.export import ExportSummary
from dnc.app.list_files import ListImportSummary
from dnc.app.queues import LoadSummary
from dnc.app.registries import ImportSummary, Progress
from dnc.app.replies import RecordedReply
from dnc.app.reply_files import ReplyImportSummary
from dnc.app.scheduled import JOBS
from dnc.app.scrub import ScrubReport
from dnc.audit import AuditRecord
from dnc.bootstrap import open
from dnc.clock import CLOCK_SKEW, Clock, FixedClock, SystemClock
from dnc.consent import ConsentKind, ConsentRecord
from dnc.consent_evidence import ConsentEvidence, ConsentUse
from dnc.errors import (
    BadLineError,
    ConfigError,
    DatabaseMissingError,
    DncError,
    InputError,
    InvalidNumberError,
    LocationError,
    NotFoundError,
    RegistryShrinkError,
    ReplyLanguageError,
    SchemaTooNewError,
    ScrubBusyError,
    SnapshotError,
    StorageError,
    TimeRangeError,
)
from dnc.lists import ListEntry
from dnc.numbers import PhoneNumber
from dnc.outcomes import CampaignState, Outcome, OutcomeRecord, RecordedOutcome
from dnc.prefixes import PrefixBlock
from dnc.queue import QueueEntry, QueueStatus
from dnc.reassigned import Disconnect
from dnc.registries import RegistryDefinition, RegistryStatus
from dnc.replies import Intent, ReplyIntent, ReplyRules, classify_reply, load_reply_rules
from dnc.reports import Report
from dnc.retention import PurgeResult
from dnc.rules import Preference
from dnc.service import Service
from dnc.storage.audit_repo import ChainReport
from dnc.storage.jobs_repo import JobRun
from dnc.storage.replies_repo import StoredReply
from dnc.timeline import TimelineEvent
from dnc.verdicts import Reason, ReasonCode, Verdict

__all__ = [
    "AbandonRate",
    "CLOCK_SKEW",
    "JOBS",
    "AuditRecord",
    "BadLineError",
    "CampaignState",
    "ChainReport",
    "Clock",
    "ConfigError",
    "ConsentKind",
    "ConsentEvidence",
    "ConsentRecord",
    "ConsentUse",
    "Disconnect",
    "DatabaseMissingError",
    "DncError",
    "ExportSummary",
    "FixedClock",
    "ImportSummary",
    "InputError",
    "Intent",
    "InvalidNumberError",
    "JobRun",
    "ListEntry",
    "ListImportSummary",
    "LoadSummary",
    "LocationError",
    "NotFoundError",
    "Outcome",
    "OutcomeRecord",
    "PhoneNumber",
    "Preference",
    "PrefixBlock",
    "Progress",
    "PurgeResult",
    "QueueEntry",
    "QueueStatus",
    "Reason",
    "ReasonCode",
    "RecordedOutcome",
    "RecordedReply",
    "RegistryDefinition",
    "RegistryShrinkError",
    "RegistryStatus",
    "ReplyImportSummary",
    "ReplyIntent",
    "ReplyLanguageError",
    "ReplyRules",
    "Report",
    "SchemaTooNewError",
    "ScrubBusyError",
    "ScrubReport",
    "SnapshotError",
    "Service",
    "StorageError",
    "StoredReply",
    "SystemClock",
    "TimeRangeError",
    "TimelineEvent",
    "Verdict",
    "classify_reply",
    "load_reply_rules",
    "open",
]
