"""How far an opt-out reaches when it names no scope, and the US "revoke-all"
rule that widens it from a date. Pure domain plus the parsing of ``[opt_out]``.

Scopes, narrowest first: a campaign's list (DNC_CAMPAIGN), a client's list
(DNC_CLIENT: every campaign of that client), the centre's internal list
(DNC_INTERNAL: every call). An explicit scope is the operator's word and is
kept; only the default is decided here.

Revoke-all (47 CFR 64.1200(a)(10), FCC 24-24; delayed by CGB order to
2026-04-11 and by FCC order DA 26-12 of 2026-01-06 to 2027-01-31): a
revocation in reply to one kind of call or text covers every robocall and
robotext *from that caller* on unrelated matters. "That caller" is read as
the seller the consent was given to, which for a call centre is the client
the call was made for: from the date, a default-scope opt-out of a number in
the rule's regions reaches at least the whole client list (and the internal
list when it names no client). A centre whose counsel reads "caller" as the
centre itself sets ``revoke_all_scope = "company"``. The instant that
decides is the opt-out's own (when the person asked), never the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from dnc.errors import ConfigError


class Scope(StrEnum):
    """Which list an opt-out goes on."""

    COMPANY = "company"
    CAMPAIGN = "campaign"
    CLIENT = "client"


# Narrowest first: the default may only ever be widened along this order.
_WIDTH = {Scope.CAMPAIGN: 0, Scope.CLIENT: 1, Scope.COMPANY: 2}

EARLIEST_OFFSET = timedelta(hours=14)

# The FCC's rules apply to the United States and its territories, all in NANP.
US_REGIONS = ("US", "PR", "VI", "GU", "AS", "MP")


@dataclass(frozen=True, slots=True)
class OptOutSettings:
    """``[opt_out]``: the default scope, and the revoke-all rule's date,
    scope and regions."""

    default_scope: Scope = Scope.COMPANY
    revoke_all_from: date | None = date(2027, 1, 31)
    revoke_all_scope: Scope = Scope.CLIENT
    revoke_all_regions: frozenset[str] = frozenset(US_REGIONS)

    def revoke_all(self, region: str, at: datetime) -> bool:
        """Does the revoke-all rule govern an opt-out of a number in ``region``
        made at ``at``? From the first instant the date has begun anywhere
        (UTC+14; Guam's UTC+10 is among the rule's regions): widening a few
        hours early is the safe side, applying it late is not."""
        if self.revoke_all_from is None or region not in self.revoke_all_regions:
            return False
        return at >= datetime.combine(self.revoke_all_from, time(), UTC) - EARLIEST_OFFSET

    def default_for(self, region: str, at: datetime) -> Scope:
        """The scope of an opt-out that names none, of a number in ``region``
        asked at ``at``: the configured default, widened by revoke-all."""
        scope = self.default_scope
        if self.revoke_all(region, at) and _WIDTH[self.revoke_all_scope] > _WIDTH[scope]:
            return self.revoke_all_scope
        return scope


def widest_known(scope: Scope, campaign: str | None, client: str | None) -> Scope:
    """A default scope that lacks what it names (no campaign, no client) falls
    back to the company list: wider, never narrower, when in doubt."""
    if scope is Scope.CAMPAIGN and campaign is None:
        scope = Scope.CLIENT
    if scope is Scope.CLIENT and client is None:
        scope = Scope.COMPANY
    return scope


# -- parsing -------------------------------------------------------------------

_KEYS = ("default_scope", "revoke_all_from", "revoke_all_scope", "revoke_all_regions")


def parse_opt_out(table: Any, source_of: Callable[[str], str]) -> OptOutSettings:
    """Validate the ``opt_out`` table; ``source_of`` names the file of a dotted key."""
    if table is None:
        return OptOutSettings()
    if not isinstance(table, Mapping):
        raise ConfigError(source_of("opt_out"), "opt_out", "must be a table")
    for key in table:
        if key not in _KEYS:
            raise ConfigError(
                source_of(f"opt_out.{key}"),
                f"opt_out.{key}",
                f"unknown key (known: {', '.join(_KEYS)})",
            )
    base = OptOutSettings()

    def scope(key: str, default: Scope) -> Scope:
        value = table.get(key, default.value)
        try:
            return Scope(value)
        except ValueError:
            choices = ", ".join(s.value for s in Scope)
            raise ConfigError(
                source_of(f"opt_out.{key}"), f"opt_out.{key}", f"must be one of {choices}"
            ) from None

    start = table.get("revoke_all_from", base.revoke_all_from)
    if start == "none":
        start = None
    elif isinstance(start, str):
        try:
            start = date.fromisoformat(start)
        except ValueError:
            start = False
    if start is not None and (not isinstance(start, date) or isinstance(start, datetime)):
        raise ConfigError(
            source_of("opt_out.revoke_all_from"),
            "opt_out.revoke_all_from",
            f'must be a date (YYYY-MM-DD) or "none", not {table.get("revoke_all_from")!r}',
        )
    regions = table.get("revoke_all_regions", list(base.revoke_all_regions))
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise ConfigError(
            source_of("opt_out.revoke_all_regions"),
            "opt_out.revoke_all_regions",
            'must be a list of region codes such as ["US", "PR"]',
        )
    wider = scope("revoke_all_scope", base.revoke_all_scope)
    if wider is Scope.CAMPAIGN:
        raise ConfigError(
            source_of("opt_out.revoke_all_scope"),
            "opt_out.revoke_all_scope",
            'must be "client" or "company": the rule covers every campaign of the caller',
        )
    return OptOutSettings(
        default_scope=scope("default_scope", base.default_scope),
        revoke_all_from=start,
        revoke_all_scope=wider,
        revoke_all_regions=frozenset(r.strip().upper() for r in regions),
    )
