"""Campaign policy for call outcomes: three no's, retries, callbacks, attempt limits.

Pure domain plus the parsing of the ``[campaigns.*]`` configuration tables.
``[campaigns.default]`` applies to every campaign not configured by name;
``[campaigns.NAME]`` changes only the keys it gives. Errors name the file
and the dotted key (``campaigns.spring.three_nos.threshold``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from dnc.errors import ConfigError, InputError
from dnc.preferences import parse_days
from dnc.rules import CallingHours

DEFAULT = "default"

ATTEMPT_HORIZON = timedelta(days=3)
"""The check reads every attempt of this last stretch (and only the few older
rows that can still matter): enough for a local calendar day in any zone
and for frequency caps of up to 72 hours, which configuration enforces."""


class NosScope(StrEnum):
    """Where refusals are counted and how far the suppression reaches."""

    COMPANY = "company"
    CAMPAIGN = "campaign"


@dataclass(frozen=True, slots=True)
class ThreeNos:
    """``threshold`` refusals (within ``window`` if set) suppress the number.

    ``suppress`` None means permanently; otherwise the count starts again
    after the suppression ends.
    """

    threshold: int = 3
    scope: NosScope = NosScope.COMPANY
    window: timedelta | None = None
    suppress: timedelta | None = None


@dataclass(frozen=True, slots=True)
class Retry:
    """How long to wait after each unanswered kind of attempt."""

    no_answer: timedelta = timedelta(hours=4)
    busy: timedelta = timedelta(minutes=15)
    voicemail: timedelta = timedelta(days=1)
    hung_up: timedelta = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Attempts:
    """Attempt limits per number in one campaign; None is unlimited."""

    per_day: int | None = 3
    total: int | None = 10


@dataclass(frozen=True, slots=True)
class Calling:
    """Who calls and how, and the campaign's own narrowing of the law.

    ``call_type`` None means unknown: every call-type rule applies (e.g.
    Oklahoma's written consent for autodialed calls), the safe reading.
    ``hours`` can only narrow the legal windows; ``max_calls`` per ``per``
    is the campaign's own frequency cap on one number.
    """

    brand: str | None = None
    call_type: str | None = None
    hours: CallingHours | None = None
    max_calls: int | None = None
    per: timedelta = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Abandonment:
    """The campaign's abandoned-call limit (16 CFR 310.4(b)(4)(i)): ``limit``
    a share of the calls answered by a person in each 30-day period from
    ``epoch`` (None: the campaign's first answered call); the nightly job
    warns at ``warn_at`` of the limit."""

    limit: float = 0.03
    epoch: date | None = None
    warn_at: float = 0.8


@dataclass(frozen=True, slots=True)
class CampaignPolicy:
    # The call centre's client (the seller) the campaign calls for; None: the
    # centre itself. Its do-not-call list (DNC_CLIENT) covers the campaign.
    client: str | None = None
    three_nos: ThreeNos = ThreeNos()
    retry: Retry = Retry()
    callback_delay: timedelta = timedelta(hours=2)
    attempts: Attempts = Attempts()
    calling: Calling = Calling()
    abandonment: Abandonment = Abandonment()


@dataclass(frozen=True, slots=True)
class CampaignPolicies:
    """The default policy and the campaigns configured by name."""

    default: CampaignPolicy = CampaignPolicy()
    named: Mapping[str, CampaignPolicy] = field(default_factory=dict)

    def for_campaign(self, campaign: str | None) -> CampaignPolicy:
        if campaign is None:
            return self.default
        return self.named.get(campaign, self.default)

    def client_of(self, campaign: str | None) -> str | None:
        """The client a call for ``campaign`` is made for (None: the centre's own,
        or a check that names no campaign)."""
        return None if campaign is None else self.for_campaign(campaign).client

    @property
    def clients(self) -> frozenset[str]:
        """Every client named in configuration."""
        found = {p.client for p in (self.default, *self.named.values())}
        return frozenset(c for c in found if c is not None)

    def known_client(self, client: str) -> str:
        """``client`` when configuration names it; a usage error otherwise."""
        if client not in self.clients:
            named = ", ".join(sorted(self.clients)) or "none configured"
            raise InputError(f"unknown client {client!r} (clients: {named})")
        return client

    def campaigns_of(self, client: str) -> frozenset[str]:
        """The campaigns configured by name for ``client``."""
        return frozenset(n for n, p in self.named.items() if p.client == client)


# -- parsing -------------------------------------------------------------------

_Flat = dict[tuple[str, str], tuple[Any, str]]

_SECTIONS: dict[str, frozenset[str]] = {
    "three_nos": frozenset({"threshold", "scope", "window_days", "suppress_days"}),
    "retry": frozenset({"no_answer", "busy", "voicemail", "hung_up"}),
    "callback": frozenset({"default_delay"}),
    "attempts": frozenset({"per_day", "total"}),
    "calling": frozenset({"brand", "call_type", "hours", "days", "max_calls", "per_hours"}),
    "abandonment": frozenset({"limit", "epoch", "warn_at"}),
}

CALL_TYPES = ("live", "autodialed", "prerecorded")
# The dialer's words for the same: a person dials by hand, a predictive
# dialer is an autodialer (47 CFR 64.1200(f)(2)).
CALL_TYPE_ALIASES = {"manual": "live", "predictive": "autodialed"}

CLIENT = "client"
"""``[campaigns.NAME] client = "acme"``: a key of the campaign itself, not of a section."""

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")


def parse_duration(text: str) -> timedelta | None:
    """``"4h"``, ``"15m"``, ``"1d12h"`` → timedelta; None when malformed."""
    match = _DURATION.fullmatch(text.strip())
    if not match or not text.strip():
        return None
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def parse_campaigns(table: Any, source_of: Callable[[str], str]) -> CampaignPolicies:
    """Validate the merged ``campaigns`` table; ``source_of`` names the file of a dotted key."""
    if table is None:
        return CampaignPolicies()
    if not isinstance(table, Mapping):
        raise ConfigError(source_of("campaigns"), "campaigns", "must be a table of campaigns")
    flat = {name: _flatten(name, body, source_of) for name, body in table.items()}
    base = flat.get(DEFAULT, {})
    # The default first, so a bad default value is reported under its own key.
    default = _build(DEFAULT, base)
    named = {name: _build(name, {**base, **keys}) for name, keys in flat.items() if name != DEFAULT}
    policies = CampaignPolicies(default=default, named=named)
    _one_client_per_brand(policies, flat, source_of)
    return policies


def _one_client_per_brand(
    policies: CampaignPolicies, flat: Mapping[str, _Flat], source_of: Callable[[str], str]
) -> None:
    """A brand belongs to one client, so a consent given to one client's brand
    can never clear a call for another client (consents are per campaign or
    per brand): two clients sharing a brand, or one client calling under
    another client's name, is refused at load."""
    owner: dict[str, tuple[str | None, str]] = {}
    for name, policy in sorted(
        [(DEFAULT, policies.default), *policies.named.items()], key=lambda item: item[0]
    ):
        brand = policy.calling.brand
        if brand is None:
            continue
        if brand in policies.clients and brand != policy.client:
            found = flat.get(name, {}).get(("calling", "brand"))
            where = f"campaigns.{name}.calling.brand"
            raise ConfigError(
                found[1] if found else source_of(where),
                where,
                f"{brand!r} is the name of client {brand!r}; campaign {name!r} calls for "
                f"{_whom(policy.client)}",
            )
        first = owner.setdefault(brand, (policy.client, name))
        if first[0] != policy.client:
            where = f"campaigns.{name}.client"
            raise ConfigError(
                source_of(where),
                where,
                f"brand {brand!r} is {_whom(first[0])}'s (campaign {first[1]!r}); a brand "
                f"belongs to one client, so its consents cannot clear another client's calls",
            )


def _whom(client: str | None) -> str:
    return f"client {client!r}" if client is not None else "the centre itself (no client)"


def _flatten(name: str, body: Any, source_of: Callable[[str], str]) -> _Flat:
    where = f"campaigns.{name}"
    if not isinstance(body, Mapping):
        raise ConfigError(source_of(where), where, "must be a table")
    flat: _Flat = {}
    for section, keys in body.items():
        dotted = f"{where}.{section}"
        if section == CLIENT:
            flat[(CLIENT, CLIENT)] = (keys, source_of(dotted))
            continue
        if section not in _SECTIONS:
            known = ", ".join(sorted({*_SECTIONS, CLIENT}))
            raise ConfigError(source_of(dotted), dotted, f"unknown section (known: {known})")
        if not isinstance(keys, Mapping):
            raise ConfigError(source_of(dotted), dotted, "must be a table")
        for key, value in keys.items():
            if key not in _SECTIONS[section]:
                known = ", ".join(sorted(_SECTIONS[section]))
                raise ConfigError(
                    source_of(f"{dotted}.{key}"), f"{dotted}.{key}", f"unknown key (known: {known})"
                )
            flat[(section, key)] = (value, source_of(f"{dotted}.{key}"))
    return flat


def _build(name: str, keys: _Flat, base: CampaignPolicy = CampaignPolicy()) -> CampaignPolicy:
    def get(section: str, key: str) -> tuple[Any, str, str] | None:
        found = keys.get((section, key))
        if found is None:
            return None
        within = "" if section == CLIENT else f".{section}"
        return found[0], found[1], f"campaigns.{name}{within}.{key}"

    nos, retry, attempts = base.three_nos, base.retry, base.attempts
    three_nos = ThreeNos(
        threshold=_positive(get("three_nos", "threshold"), nos.threshold),
        scope=_scope(get("three_nos", "scope"), nos.scope),
        window=_days(get("three_nos", "window_days"), nos.window, "none"),
        suppress=_days(get("three_nos", "suppress_days"), nos.suppress, "permanent"),
    )
    retries = Retry(
        no_answer=_duration(get("retry", "no_answer"), retry.no_answer),
        busy=_duration(get("retry", "busy"), retry.busy),
        voicemail=_duration(get("retry", "voicemail"), retry.voicemail),
        hung_up=_duration(get("retry", "hung_up"), retry.hung_up),
    )
    client = _text(get(CLIENT, CLIENT), base.client)
    return CampaignPolicy(
        client=client,
        three_nos=three_nos,
        retry=retries,
        callback_delay=_duration(get("callback", "default_delay"), base.callback_delay),
        attempts=Attempts(
            per_day=_limit(get("attempts", "per_day"), attempts.per_day),
            total=_limit(get("attempts", "total"), attempts.total),
        ),
        calling=_calling(get, base.calling, client),
        abandonment=_abandonment(get, base.abandonment),
    )


def _abandonment(
    get: Callable[[str, str], tuple[Any, str, str] | None], base: Abandonment
) -> Abandonment:
    limit, warn_at, epoch = base.limit, base.warn_at, base.epoch
    found = get("abandonment", "limit")
    if found is not None:
        limit = _share(found, "a share of answered calls (0.03 is 3 %)")
    found = get("abandonment", "warn_at")
    if found is not None:
        warn_at = _share(found, "a share of the limit (0.8 warns at 80 % of it)")
    found = get("abandonment", "epoch")
    if found is not None:
        value, source, key = found
        if isinstance(value, date) and not isinstance(value, datetime):
            epoch = value
        else:
            try:
                epoch = date.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                epoch = None
            if epoch is None:
                raise ConfigError(source, key, f"must be a date (YYYY-MM-DD), not {value!r}")
    return Abandonment(limit=limit, epoch=epoch, warn_at=warn_at)


def _share(found: tuple[Any, str, str], what: str) -> float:
    value, source, key = found
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(source, key, f"must be {what}, from 0 to 1, not {value!r}")
    return float(value)


def _calling(
    get: Callable[[str, str], tuple[Any, str, str] | None], base: Calling, client: str | None
) -> Calling:
    # A client's campaigns call under the client's name unless they name a
    # brand: a consent given to the client (``--brand acme``) covers them.
    brand = _text(get("calling", "brand"), base.brand or client)
    call_type = _text(get("calling", "call_type"), base.call_type)
    call_type = CALL_TYPE_ALIASES.get(call_type or "", call_type)
    found = get("calling", "call_type")
    if found is not None and call_type not in CALL_TYPES:
        words = ", ".join([*CALL_TYPES, *CALL_TYPE_ALIASES])
        raise ConfigError(found[1], found[2], f"must be one of {words}")
    hours = base.hours
    window, days = get("calling", "hours"), get("calling", "days")
    if window is not None or days is not None:
        hours = _hours(window, days)
    per_hours = get("calling", "per_hours")
    horizon = int(ATTEMPT_HORIZON.total_seconds() // 3600)
    if per_hours is not None and _is_int(per_hours[0]) and per_hours[0] > horizon:
        raise ConfigError(
            per_hours[1],
            per_hours[2],
            f"at most {horizon}: a check counts the last {horizon} hours of attempts",
        )
    return Calling(
        brand=brand,
        call_type=call_type,
        hours=hours,
        max_calls=_limit(get("calling", "max_calls"), base.max_calls),
        per=timedelta(hours=_positive(per_hours, 24)) if per_hours else base.per,
    )


def _text(found: tuple[Any, str, str] | None, default: str | None) -> str | None:
    if found is None:
        return default
    value, source, key = found
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(source, key, f"must be a non-empty string, not {value!r}")
    return value.strip()


def _hours(window: tuple[Any, str, str] | None, days: tuple[Any, str, str] | None) -> CallingHours:
    start, end = "00:00", "24:00"
    if window is not None:
        value, source, key = window
        first, sep, last = str(value).partition("-")
        if not isinstance(value, str) or not sep:
            raise ConfigError(source, key, f'must look like "09:00-18:00", not {value!r}')
        start, end = first.strip(), last.strip()
    weekdays: frozenset[int] = frozenset(range(7))
    try:
        if days is not None:
            if not isinstance(days[0], str):
                raise InputError(f"must be a string such as mon-fri, not {days[0]!r}")
            weekdays = parse_days(days[0])
        return CallingHours.daily(start, end, weekdays, label="the campaign's calling hours")
    except InputError as exc:
        source, key = (window or days or (None, "?", "campaigns"))[1:]
        raise ConfigError(source, key, str(exc)) from None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive(found: tuple[Any, str, str] | None, default: int) -> int:
    if found is None:
        return default
    value, source, key = found
    if not _is_int(value) or value < 1:
        raise ConfigError(source, key, f"must be a whole number of at least 1, not {value!r}")
    return int(value)


def _limit(found: tuple[Any, str, str] | None, default: int | None) -> int | None:
    if found is None:
        return default
    value, source, key = found
    if value == "none":
        return None
    if not _is_int(value) or value < 1:
        raise ConfigError(
            source, key, f'must be a whole number of at least 1 or "none", not {value!r}'
        )
    return int(value)


def _scope(found: tuple[Any, str, str] | None, default: NosScope) -> NosScope:
    if found is None:
        return default
    value, source, key = found
    try:
        return NosScope(value)
    except ValueError:
        raise ConfigError(source, key, f'must be "company" or "campaign", not {value!r}') from None


def _days(
    found: tuple[Any, str, str] | None, default: timedelta | None, word: str
) -> timedelta | None:
    if found is None:
        return default
    value, source, key = found
    if value == word:
        return None
    if not _is_int(value) or value < 1:
        raise ConfigError(
            source, key, f'must be a number of days of at least 1 or "{word}", not {value!r}'
        )
    return timedelta(days=value)


def _duration(found: tuple[Any, str, str] | None, default: timedelta) -> timedelta:
    if found is None:
        return default
    value, source, key = found
    parsed = parse_duration(value) if isinstance(value, str) else None
    if parsed is None:
        raise ConfigError(
            source, key, f'must be a duration such as "15m", "4h" or "1d12h", not {value!r}'
        )
    return parsed
