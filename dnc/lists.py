"""Do-not-call list entries and what they say about a call. Pure domain.

The internal list is company-wide (``campaign`` and ``client`` None); a
campaign list entry blocks only its campaign; a client list entry blocks
every campaign of that client (configuration says whose a campaign is). A
check that names no campaign cannot show the call is for another campaign or
another client, so campaign and client entries refuse it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from dnc.errors import InputError
from dnc.moments import minute
from dnc.verdicts import Reason, ReasonCode

POST_DATED = (
    "an opt-out may be back-dated to when the person asked, never post-dated "
    "(until then the number would be callable)"
)
NEVER_BLOCKS = "it would never block; give a later date or none"


class Channel(StrEnum):
    """How a person asked not to be called."""

    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    WEB = "web"
    LETTER = "letter"
    CHAT = "chat"


class Source(StrEnum):
    """Why an entry is on a list."""

    OPT_OUT = "opt_out"
    MANUAL = "manual"
    IMPORT = "import"
    WRONG_NUMBER = "wrong_number"


class Listed:
    """What a list entry and a prefix block share: which list, and whether it
    blocks a call. Mixed into frozen dataclasses that hold these fields."""

    __slots__ = ()
    campaign: str | None
    expires_at: datetime | None
    removed_at: datetime | None

    @property
    def list_name(self) -> str:
        return "internal" if self.campaign is None else f"campaign:{self.campaign}"

    def is_live(self, at: datetime) -> bool:
        """On the list at ``at``: not removed, not expired.

        Removal is not compared with ``at``: a list is as it stands now. An
        acknowledged opt-out therefore blocks even a check dated before it,
        which is the safe way round when dialer clocks drift.
        """
        if self.removed_at is not None:
            return False
        return self.expires_at is None or at < self.expires_at

    def blocks(self, campaign: str | None, at: datetime) -> bool:
        if not self.is_live(at):
            return False
        return self.campaign is None or campaign is None or self.campaign == campaign


@dataclass(frozen=True, slots=True)
class ListEntry(Listed):
    """One number on the internal list, a campaign list or a client list."""

    id: int
    number: str
    campaign: str | None
    source: Source
    channel: Channel | None
    created_at: datetime
    actor: str
    note: str | None = None
    expires_at: datetime | None = None
    removed_at: datetime | None = None
    removed_by: str | None = None
    removed_reason: str | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)
    """What was cleaned from the request's decoration (dnc.app.inputs)."""
    client: str | None = None

    @property
    def list_name(self) -> str:
        if self.client is not None:
            return f"client:{self.client}"
        return "internal" if self.campaign is None else f"campaign:{self.campaign}"

    def blocks_call(self, campaign: str | None, client: str | None, at: datetime) -> bool:
        """Blocks a call for ``campaign``, made for ``client`` (the campaign's)."""
        if self.client is None:
            return self.blocks(campaign, at)
        return self.is_live(at) and (campaign is None or client == self.client)


@dataclass(frozen=True, slots=True)
class NewEntry:
    """A list entry about to be recorded: the number's E.164 digits as an integer."""

    number: int
    campaign: str | None
    source: Source
    channel: Channel | None
    created_at: datetime
    actor: str
    note: str | None = None
    expires_at: datetime | None = None
    client: str | None = None


def list_reasons(
    entries: Iterable[ListEntry], campaign: str | None, at: datetime, client: str | None = None
) -> list[Reason]:
    """DNC_INTERNAL / DNC_CAMPAIGN / DNC_CLIENT reasons for the entries that
    block this call (``client``: the campaign's, from configuration)."""
    reasons = []
    for entry in entries:
        if entry.blocks_call(campaign, client, at):
            reasons.append(_reason(entry))
    return reasons


def _reason(entry: ListEntry) -> Reason:
    when = entry.created_at.date().isoformat()
    how = _describe_source(entry)
    extra = f" ({entry.note})" if entry.note else ""
    expiry = f", until {minute(entry.expires_at)}" if entry.expires_at else ""
    if entry.client is not None:
        return Reason(
            ReasonCode.DNC_CLIENT,
            f"on the do-not-call list of client {entry.client!r} since {when}: "
            f"{how}{extra}{expiry}",
            until=entry.expires_at,
        )
    if entry.campaign is None:
        return Reason(
            ReasonCode.DNC_INTERNAL,
            f"on the internal do-not-call list since {when}: {how}{extra}{expiry}",
            until=entry.expires_at,
        )
    return Reason(
        ReasonCode.DNC_CAMPAIGN,
        f"on the do-not-call list of campaign {entry.campaign!r} since {when}: "
        f"{how}{extra}{expiry}",
        until=entry.expires_at,
    )


def _describe_source(entry: ListEntry) -> str:
    if entry.source is Source.OPT_OUT:
        via = f" by {entry.channel.value}" if entry.channel else ""
        return f"opt-out{via}, recorded by {entry.actor}"
    if entry.source is Source.WRONG_NUMBER:
        return f"wrong number, reported by {entry.actor}"
    if entry.source is Source.IMPORT:
        return f"imported by {entry.actor}"
    return f"added by {entry.actor}"


def entry_snapshot(entry: ListEntry) -> dict[str, Any]:
    """The entry as the audit trail records it."""
    return {
        "id": entry.id,
        "list": entry.list_name,
        "source": entry.source.value,
        "channel": entry.channel.value if entry.channel else None,
        "created_at": entry.created_at.isoformat(),
        "expires_at": entry.expires_at.isoformat() if entry.expires_at else None,
        "note": entry.note,
        "removed_at": entry.removed_at.isoformat() if entry.removed_at else None,
    }


def parse_list_name(name: str) -> str | None:
    """``internal`` → None (company-wide); ``campaign:NAME`` → NAME."""
    if name == "internal":
        return None
    kind, sep, campaign = name.partition(":")
    if kind == "campaign" and sep and campaign.strip():
        return campaign.strip()
    raise InputError(f"unknown list {name!r}: use 'internal' or 'campaign:NAME'")


@dataclass(frozen=True, slots=True)
class ListRef:
    """One list of numbers: the internal list (both None), a campaign's or a client's."""

    campaign: str | None = None
    client: str | None = None


def parse_list(name: str) -> ListRef:
    """``internal``, ``campaign:NAME`` or ``client:NAME``."""
    kind, sep, client = name.partition(":")
    if kind == "client":
        if sep and client.strip():
            return ListRef(client=client.strip())
        raise InputError(f"unknown list {name!r}: use 'client:NAME'")
    try:
        return ListRef(campaign=parse_list_name(name))
    except InputError:
        raise InputError(
            f"unknown list {name!r}: use 'internal', 'campaign:NAME' or 'client:NAME'"
        ) from None
