"""Wireless numbers and the dialing method (TCPA). Pure domain.

An autodialed or prerecorded call to a wireless number needs the called
party's prior express consent (47 CFR 64.1200(a)(1)(iii)); when the call is
telemarketing, prior express *written* consent (64.1200(a)(2)), which is what
this service checks for, since every campaign it washes is telemarketing. An
EBR is not consent here: it lifts a registry listing, never this rule.

The statute binds "any person within the United States" (47 U.S.C.
227(b)(1)(A)), so the rule is applied to every number a campaign calls,
whatever its country: the caller is the one in the United States.

A number's line type comes from, in this order:

1. a wireless/ported-number source (``--format wireless``, e.g. us-wireless)
   covering the number and listing it: ``wireless`` or ``wireline``. Porting
   is the one thing the numbering plan cannot know, so the data wins. A
   ``wireline`` mark in data older than the source's ``max_age_days`` no
   longer counts (the number may have been ported to wireless since); a
   ``wireless`` mark always does (it can only refuse);
2. the numbering plan (phonenumbers' ``number_type``): mobile and pager
   ranges are wireless, fixed-line ranges are wireline;
3. otherwise unknown (every US and Canadian number the data does not list,
   VoIP, personal and toll-free numbers), which an autodialed campaign treats
   as wireless: fail closed, and the reason says so.

A campaign that does not declare how it dials (``calling.call_type``) is
treated as autodialed, as every call-type rule is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberType

from dnc.consent import ConsentRecord, satisfies
from dnc.numbers import PhoneNumber
from dnc.policy import Calling
from dnc.registries import WIRELESS_FORMAT, RegistryDefinition
from dnc.verdicts import Reason, ReasonCode

RULE = "TCPA 47 CFR 64.1200(a)(1)(iii), (a)(2)"
LEVEL = "express_written"
MANUAL = "live"


class Line(StrEnum):
    WIRELESS = "wireless"
    WIRELINE = "wireline"
    UNKNOWN = "unknown"


_PLAN_LINES = {
    PhoneNumberType.MOBILE: Line.WIRELESS,
    # 64.1200(a)(1)(iii) names paging services beside cellular ones.
    PhoneNumberType.PAGER: Line.WIRELESS,
    PhoneNumberType.FIXED_LINE: Line.WIRELINE,
}

_CALLS = {"autodialed": "an autodialed call", "prerecorded": "a prerecorded call"}

_TYPE_NAMES = {
    value: name.lower().replace("_", " ")
    for name, value in vars(PhoneNumberType).items()
    if isinstance(value, int) and not name.startswith("_")
}


@lru_cache(maxsize=200_000)
def plan_line(e164: str) -> tuple[Line, str]:
    """What the numbering plan says of the number's line, and the plan's type
    name. Cached: phonenumbers takes 10-30 µs to tell, more than a check."""
    parsed = phonenumbers.parse(e164, None)
    kind = phonenumbers.number_type(parsed)
    return _PLAN_LINES.get(kind, Line.UNKNOWN), _TYPE_NAMES.get(kind, "unknown")


@lru_cache(maxsize=512)
def plan_splits(region: str) -> bool:
    """Whether numbers of ``region`` with the same leading digits can be of
    different lines in the numbering plan. Not in the US or Canada, where the
    plan tells no line from another (a whole area code is toll-free or not)."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.mobile is None or metadata.fixed_line is None:
        return True
    same = metadata.mobile.national_number_pattern == metadata.fixed_line.national_number_pattern
    return not (metadata.country_code == 1 and same)


def dials_automatically(calling: Calling) -> bool:
    """Autodialed, prerecorded or undeclared (the cautious reading)."""
    return calling.call_type != MANUAL


def line_of(
    phone: PhoneNumber,
    sources: Mapping[str, date],
    marks: Mapping[str, bool],
    definitions: Sequence[RegistryDefinition],
    at: datetime,
) -> tuple[Line, str]:
    """The number's line type at ``at`` and how it is known (for the detail).

    ``sources``: data as-of date of each wireless source with data;
    ``marks``: the sources listing the number (True: wireless).
    """
    # Only a mark's age depends on the day: most numbers have none.
    day = at.astimezone(UTC).date() if marks else None
    return _line(
        phone.e164,
        phone.region,
        tuple(sources.items()),
        tuple(marks.items()),
        _wireless_sources(tuple(definitions)),
        day,
    )


@lru_cache(maxsize=64)
def _wireless_sources(
    definitions: tuple[RegistryDefinition, ...],
) -> tuple[RegistryDefinition, ...]:
    return tuple(d for d in definitions if d.format == WIRELESS_FORMAT)


# The check is a hot path: what a number's line is, and the reason built from
# it, are worked out once per number and state of the data.
@lru_cache(maxsize=200_000)
def _line(
    e164: str,
    region: str,
    sources: tuple[tuple[str, date], ...],
    marks: tuple[tuple[str, bool], ...],
    definitions: tuple[RegistryDefinition, ...],
    day: date | None,
) -> tuple[Line, str]:
    dated, marked = dict(sources), dict(marks)
    unknown: list[str] = []
    for definition in definitions:
        if region not in definition.regions and not any(
            e164[1:].startswith(p) for p in definition.prefixes
        ):
            continue
        name = definition.name
        as_of = dated.get(name)
        if as_of is None:
            unknown.append(f"no {name} data imported")
            continue
        mark = marked.get(name)
        when = as_of.isoformat()
        if mark:
            return Line.WIRELESS, f"listed as wireless in the {name} data as of {when}"
        if mark is None:
            unknown.append(f"not in the {name} data as of {when}")
        elif day is not None and (day - as_of).days <= definition.max_age_days:
            return Line.WIRELINE, f"listed as wireline in the {name} data as of {when}"
        else:
            unknown.append(
                f"its wireline mark in the {name} data as of {when} is older than "
                f"{definition.max_age_days} days (it may have been ported to wireless since)"
            )
    if not plan_splits(region):
        # US and Canada: the plan never tells, and asking it costs 10-30 µs.
        plan = "its numbering plan does not tell wireless from wireline"
        return Line.UNKNOWN, "; ".join([*unknown, plan])
    line, kind = plan_line(e164)
    if line is not Line.UNKNOWN:
        return line, f"a {kind} number in its numbering plan"
    return Line.UNKNOWN, "; ".join([*unknown, f"its numbering plan says {kind}"])


def wireless_reason(
    phone: PhoneNumber,
    sources: Mapping[str, date],
    marks: Mapping[str, bool],
    definitions: Sequence[RegistryDefinition],
    calling: Calling,
    campaign: str | None,
    consents: Sequence[ConsentRecord],
    at: datetime,
) -> Reason | None:
    """CONSENT_REQUIRED for an automatic call to a (possibly) wireless number
    without prior express written consent for the call; None otherwise."""
    if not dials_automatically(calling) or (consents and satisfies(LEVEL, consents)):
        return None
    line, how = line_of(phone, sources, marks, definitions, at)
    if line is Line.WIRELINE:
        return None
    return _reason(calling.call_type, campaign, line is Line.WIRELESS, how)


@lru_cache(maxsize=4096)
def _reason(call_type: str | None, campaign: str | None, wireless: bool, how: str) -> Reason:
    if call_type is None:
        who = "the default campaign policy" if campaign is None else f"campaign {campaign!r}"
        dialing = f"an autodialed call ({who} does not declare how it dials: calling.call_type)"
    else:
        dialing = _CALLS.get(call_type, f"a {call_type} call")
    if wireless:
        number = f"the number is wireless: {how}"
    else:
        number = f"line type unknown, treated as wireless (fail closed): {how}"
    return Reason(
        ReasonCode.CONSENT_REQUIRED,
        f"{RULE}: {dialing} to a wireless number needs the called party's prior express "
        f"written consent; none is on record for this call ({number})",
    )
