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
from dnc.access import ApiKey, NewApiKey, Scope
from dnc.app.auditing import AuditVerification
from dnc.app.export import ExportSummary
from dnc.app.health import DoctorReport
from dnc.app.list_files import ListImportSummary
from dnc.app.lists import OnceEntry
from dnc.app.queues import LoadSummary
from dnc.app.registries import ImportSummary, Progress
from dnc.app.replies import RecordedReply
from dnc.app.reply_files import ReplyImportSummary
from dnc.app.scheduled import JOBS
from dnc.app.scrub import ScrubReport
from dnc.audit import Anchor, AnchorCheck, AuditRecord
from dnc.bootstrap import open
from dnc.clock import CLOCK_SKEW, Clock, FixedClock, SystemClock
from dnc.configuration import Config
from dnc.configuration import load as load_config
from dnc.consent import ConsentKind, ConsentRecord
from dnc.consent_evidence import ConsentEvidence, ConsentUse
from dnc.durations import seconds as display_seconds
from dnc.errors import (
    AnchorError,
    BadLineError,
    CheckTimeoutError,
    ConfigError,
    ConflictError,
    DatabaseMissingError,
    DncError,
    InputError,
    InputWarning,
    InvalidNumberError,
    LocationError,
    NotFoundError,
    RegistryShrinkError,
    ReplyLanguageError,
    SchemaTooNewError,
    ScrubBusyError,
    SnapshotError,
    StorageError,
    StorageUnhealthyError,
    TimeRangeError,
)
from dnc.inputs import EARLIEST, LATEST, MAX_EXPIRY_DAYS, MAX_LIMIT
from dnc.inputs import day as valid_day
from dnc.inputs import days as expiry_days
from dnc.inputs import instant as valid_instant
from dnc.lists import ListEntry
from dnc.moments import describe as describe_time
from dnc.moments import minute as minute_time
from dnc.numbers import PhoneNumber
from dnc.numbers import parse as parse_number
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
from dnc.storage.reconcile_repo import Disagreement
from dnc.storage.replies_repo import StoredReply
from dnc.timeline import TimelineEvent
from dnc.verdicts import Reason, ReasonCode, Verdict

__all__ = [
    "AbandonRate",
    "EARLIEST",
    "LATEST",
    "MAX_EXPIRY_DAYS",
    "MAX_LIMIT",
    "expiry_days",
    "display_seconds",
    "load_config",
    "Config",
    "valid_day",
    "valid_instant",
    "CLOCK_SKEW",
    "JOBS",
    "Anchor",
    "AnchorCheck",
    "AnchorError",
    "ApiKey",
    "AuditRecord",
    "AuditVerification",
    "BadLineError",
    "CampaignState",
    "ChainReport",
    "Clock",
    "ConfigError",
    "ConflictError",
    "ConsentKind",
    "ConsentEvidence",
    "ConsentRecord",
    "CheckTimeoutError",
    "ConsentUse",
    "Disconnect",
    "DatabaseMissingError",
    "Disagreement",
    "DncError",
    "DoctorReport",
    "ExportSummary",
    "FixedClock",
    "ImportSummary",
    "InputError",
    "InputWarning",
    "Intent",
    "InvalidNumberError",
    "JobRun",
    "ListEntry",
    "ListImportSummary",
    "LoadSummary",
    "LocationError",
    "NewApiKey",
    "NotFoundError",
    "OnceEntry",
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
    "Scope",
    "Service",
    "StorageError",
    "StorageUnhealthyError",
    "StoredReply",
    "SystemClock",
    "TimeRangeError",
    "TimelineEvent",
    "Verdict",
    "classify_reply",
    "describe_time",
    "load_reply_rules",
    "minute_time",
    "open",
    "parse_number",
]
