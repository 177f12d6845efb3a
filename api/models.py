"""Request and response bodies as typed models: the OpenAPI document is made
from these, so what the server accepts and what it documents cannot drift."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

BATCH_LIMIT = 10_000
"""Numbers in one POST /v1/verdicts: the commercial scrub services' batch size."""

LEAD_LIMIT = 10_000
"""Leads in one queue load; more go in several requests (or ``dnc queue load``)."""

CLAIM_LIMIT = 1_000

Text = Annotated[str, Field(min_length=1, max_length=500)]
Name = Annotated[str, Field(min_length=1, max_length=100)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- verdicts ---------------------------------------------------------------------------


class ReasonOut(BaseModel):
    code: str = Field(description="Stable reason code (docs/reasons.md).")
    detail: str


class VerdictOut(BaseModel):
    """Exactly the object ``dnc check --json`` prints."""

    number: str = Field(description="E.164 when the input parsed, else the input as given.")
    allowed: bool
    reasons: list[ReasonOut]
    next_allowed_at: str | None = Field(
        description="ISO 8601: the earliest instant every rule allows a call, if knowable."
    )


class NumberRef(Body):
    number: Annotated[str, Field(max_length=64)]
    ref: Annotated[str | None, Field(max_length=200)] = Field(
        default=None, description="The client's own reference (a CRM lead id), echoed back."
    )


class BatchIn(Body):
    numbers: list[Annotated[str, Field(max_length=64)] | NumberRef] = Field(
        description=f"Up to {BATCH_LIMIT} numbers (strings, or objects with a ref); "
        "more is refused with 413."
    )
    campaign: Name | None = None
    at: AwareDatetime | None = Field(default=None, description="When the calls would be made.")


class BatchVerdictOut(VerdictOut):
    ref: str | None = None


class BatchOut(BaseModel):
    count: int
    verdicts: list[BatchVerdictOut]


# -- lists ------------------------------------------------------------------------------


class OptOutIn(Body):
    number: Annotated[str, Field(max_length=64)]
    channel: Literal["call", "sms", "email", "web", "letter", "chat"] = "call"
    scope: Literal["company", "campaign", "client"] | None = Field(
        default=None,
        description="Absent: the configured default (company-wide unless configured), "
        "widened from 2027-01-31 by the US revoke-all rule for US numbers.",
    )
    campaign: Name | None = None
    client: Name | None = None
    note: Text | None = None
    at: AwareDatetime | None = Field(
        default=None, description="When the person asked (may be back-dated, never post-dated)."
    )


class EntryOut(BaseModel):
    id: int
    number: str
    list: str
    campaign: str | None
    client: str | None = None
    source: str
    channel: str | None
    created_at: str
    actor: str
    note: str | None
    expires_at: str | None
    removed_at: str | None
    removed_by: str | None
    removed_reason: str | None


class BlockOut(BaseModel):
    id: int
    prefix: str
    list: str
    created_at: str
    actor: str
    note: str | None
    expires_at: str | None
    removed_at: str | None
    removed_by: str | None
    removed_reason: str | None


class ListEntryIn(Body):
    """A number or a prefix (exactly one) on the internal list or a campaign list."""

    number: Annotated[str, Field(max_length=64)] | None = None
    prefix: Annotated[str, Field(max_length=20)] | None = Field(
        default=None, description='An E.164 prefix, e.g. "+1201555": every number under it.'
    )
    list: Annotated[str, Field(min_length=1, max_length=110)] = Field(
        default="internal", description='"internal" or "campaign:NAME".'
    )
    reason: Text | None = None
    at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = Field(default=None, description="When it stops blocking.")

    @model_validator(mode="after")
    def _one_target(self) -> ListEntryIn:
        if (self.number is None) == (self.prefix is None):
            raise ValueError("give exactly one of number or prefix")
        return self


class RemovalIn(Body):
    number: Annotated[str, Field(max_length=64)] | None = None
    prefix: Annotated[str, Field(max_length=20)] | None = None
    list: Annotated[str, Field(min_length=1, max_length=110)] = "internal"
    reason: Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")] = Field(
        description="Why it comes off the list: required, kept in the audit trail."
    )
    at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_target(self) -> RemovalIn:
        if (self.number is None) == (self.prefix is None):
            raise ValueError("give exactly one of number or prefix")
        return self


class RemovalOut(BaseModel):
    entries: list[EntryOut]
    blocks: list[BlockOut]


# -- outcomes and replies ---------------------------------------------------------------


class OutcomeIn(Body):
    number: Annotated[str, Field(max_length=64)]
    campaign: Name
    outcome: Literal[
        "refused",
        "opt_out",
        "callback",
        "no_answer",
        "busy",
        "voicemail",
        "hung_up",
        "answered",
        "sale",
        "wrong_number",
    ]
    at: AwareDatetime | None = None
    callback_at: AwareDatetime | None = None
    refusals: Annotated[int, Field(ge=1, le=100)] = 1
    note: Text | None = None
    agent: Name | None = None


class OutcomeOut(BaseModel):
    """What ``dnc outcome --json`` prints."""

    number: str
    id: int
    campaign: str
    outcome: str
    at: str
    refusals: int
    callback_at: str | None
    state: dict[str, Any]


class ReplyIn(Body):
    number: Annotated[str, Field(max_length=64)]
    text: Annotated[str, Field(min_length=1, max_length=5000)]
    channel: Literal["call", "sms", "email", "web", "letter", "chat"] = "sms"
    campaign: Name | None = None
    at: AwareDatetime | None = Field(default=None, description="When the reply was received.")
    agent: Name | None = None
    language: Annotated[str, Field(min_length=2, max_length=8)] | None = None


class ReplyOut(BaseModel):
    """What ``dnc reply --json`` prints."""

    id: int
    number: str
    channel: str
    campaign: str | None
    received_at: str
    recorded_at: str
    reading: dict[str, Any]
    effect: str
    list_entry_id: int | None
    outcome_id: int | None


# -- queues and claims ------------------------------------------------------------------


class LeadIn(Body):
    number: Annotated[str, Field(max_length=64)]
    lead_id: Annotated[str, Field(max_length=200)] | None = None
    location: Annotated[str, Field(max_length=64)] | None = None
    priority: int = 0


class QueueIn(Body):
    leads: list[LeadIn] = Field(max_length=LEAD_LIMIT)
    at: AwareDatetime | None = None


class QueueLoadOut(BaseModel):
    read: int
    added: int
    already_queued: int


class ClaimIn(Body):
    limit: Annotated[int, Field(ge=1, le=CLAIM_LIMIT)] = 1
    at: AwareDatetime | None = None


class QueueEntryOut(BaseModel):
    id: int
    campaign: str
    number: str
    status: str
    priority: int
    lead_id: str | None
    location: str | None
    not_before: str | None
    reasons: list[ReasonOut]
    suppressed_at: str | None


class ClaimOut(BaseModel):
    owner: str = Field(description="The claim's holder: the API key's name.")
    claims: list[QueueEntryOut]


# -- reads and operations ---------------------------------------------------------------


class EventOut(BaseModel):
    at: str
    kind: str
    action: str
    summary: str
    actor: str | None
    reason: str | None
    subject: str | None
    number: str | None
    audit_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    details: dict[str, Any]


class HistoryOut(BaseModel):
    number: str
    events: list[EventOut]


class RegistryOut(BaseModel):
    """One row of ``dnc registry status --json``."""

    registry: str
    title: str | None
    required: bool
    max_age_days: int
    state: str
    as_of: str | None
    as_of_source: str | None
    size: int | None
    age_days: int | None
    days_left: int | None
    file: str | None
    imported_at: str | None
    changes_applied: int
    reason: str
    applies_to: list[str]


class JobRunOut(BaseModel):
    id: int
    job: str
    trigger: str
    started_at: str
    finished_at: str | None
    status: str
    counts: dict[str, Any] | None
    error: str | None


class ApiKeyOut(BaseModel):
    name: str
    scopes: list[str]
    created_at: str
    created_by: str
    revoked_at: str | None
    revoked_by: str | None


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    database: str
    reasons: list[str]


class Problem(BaseModel):
    """RFC 9457 problem details, with a stable ``code``: the library error kind."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable: invalid_number, input, not_found, conflict, ...")
    errors: list[dict[str, Any]] | None = None
