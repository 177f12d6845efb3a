"""The rows a walk of the queue reads and writes (dnc.storage.scrub_repo),
named: the scrub and the export pass them between storage and the use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple


class OwnEntry(NamedTuple):
    """A live entry whose number has facts of its own: decided on them alone."""

    id: int
    campaign: str
    number: int
    region: str
    zones: str
    location: str | None
    bits: int


class GroupVerdict(NamedTuple):
    """What a scrub decided for a group's members with no facts at all."""

    group_id: int
    action: str
    not_before: datetime | None
    reasons: str | None


class Pick(NamedTuple):
    """What a scrub decided for a group's members listed on exactly the
    registries of ``bits`` and on nothing else known."""

    group_id: int
    bits: int
    action: str
    not_before: datetime | None
    reasons: str | None


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    campaign: str
    region: str
    zones: str
    head: int
    location: str | None
    sample: int
