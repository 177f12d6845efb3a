"""Area codes across a time-zone line, through the service on both databases.

A number phonenumbers places only by its area code may be anywhere the area
code reaches: the single check, ``check_many``, the scrub and ``next_calls``
all allow a call only when every zone of the area code allows it, and name
the instant when all do. Monday 23 November 2026: Eastern is UTC-5, Central
UTC-6, Arizona UTC-7; on Monday 15 June 2026 the Navajo Nation (Denver) is
UTC-6 and the rest of Arizona still UTC-7.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

import dnc
from dnc import ReasonCode
from dnc.queue import QueueStatus

EASTERN = ZoneInfo("America/New_York")
CENTRAL = ZoneInfo("America/Chicago")
PHOENIX = ZoneInfo("America/Phoenix")

INDIANA = "+18122000123"  # 812, answered Eastern; the south-west corner is Central
PANHANDLE = "+18502010123"  # 850, answered Eastern; Florida's 08:00-20:00
TENNESSEE = "+14232000123"  # 423, answered Central; east Tennessee is Eastern
ARIZONA = "+19282000123"  # 928, answered Phoenix; the Navajo Nation keeps DST
PRINCETON_IN = "+18123850123"  # 812-385: placed in Central by its exchange
NEW_JERSEY = "+12015550123"  # one zone: the control

HOURS = ReasonCode.OUTSIDE_CALLING_HOURS


def nov23(hour: int, minute: int, zone: ZoneInfo = EASTERN) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=zone)


def nov24(hour: int, minute: int, zone: ZoneInfo = EASTERN) -> datetime:
    return datetime(2026, 11, 24, hour, minute, tzinfo=zone)


def jun15(hour: int, minute: int) -> datetime:
    return datetime(2026, 6, 15, hour, minute, tzinfo=PHOENIX)


# (number, at, reasons, next allowed when refused)
BOUNDARIES = [
    # Indiana: 08:00 Eastern is 07:00 in the Central corner.
    (INDIANA, nov23(8, 0), (HOURS,), nov23(8, 0, CENTRAL)),
    (INDIANA, nov23(8, 59), (HOURS,), nov23(9, 0)),
    (INDIANA, nov23(9, 0), (), None),
    (INDIANA, nov23(9, 1), (), None),
    (INDIANA, nov23(20, 59), (), None),
    (INDIANA, nov23(21, 0), (HOURS,), nov24(9, 0)),
    (INDIANA, nov23(21, 1), (HOURS,), nov24(9, 0)),
    # Placed by its exchange in Central: Central's hours alone.
    (PRINCETON_IN, nov23(21, 30), (), None),
    # The panhandle: Florida's 08:00 in Chicago, Florida's 20:00 in New York.
    (PANHANDLE, nov23(7, 59, CENTRAL), (HOURS, HOURS), nov23(8, 0, CENTRAL)),
    (PANHANDLE, nov23(8, 0, CENTRAL), (), None),
    (PANHANDLE, nov23(8, 1, CENTRAL), (), None),
    (PANHANDLE, nov23(19, 59), (), None),
    (PANHANDLE, nov23(20, 0), (HOURS,), nov24(8, 0, CENTRAL)),
    (PANHANDLE, nov23(20, 1), (HOURS,), nov24(8, 0, CENTRAL)),
    # Tennessee, answered Central: 20:00 Central is 21:00 in Knoxville.
    (TENNESSEE, nov23(19, 59, CENTRAL), (), None),
    (TENNESSEE, nov23(20, 0, CENTRAL), (HOURS,), nov24(8, 0, CENTRAL)),
    (TENNESSEE, nov23(20, 1, CENTRAL), (HOURS,), nov24(8, 0, CENTRAL)),
    # Arizona in summer: 21:00 on the Navajo Nation is 20:00 in Phoenix.
    (ARIZONA, jun15(7, 59), (HOURS,), jun15(8, 0)),
    (ARIZONA, jun15(8, 0), (), None),
    (ARIZONA, jun15(19, 59), (), None),
    (ARIZONA, jun15(20, 0), (HOURS,), datetime(2026, 6, 16, 8, 0, tzinfo=PHOENIX)),
    (ARIZONA, jun15(20, 1), (HOURS,), datetime(2026, 6, 16, 8, 0, tzinfo=PHOENIX)),
]


@pytest.fixture
def svc(db_url: str, clock: dnc.FixedClock) -> Iterator[dnc.Service]:
    with dnc.open(db_url, clock=clock, create=True) as service:
        yield service


@pytest.mark.parametrize(
    ("number", "at", "reasons", "next_allowed"),
    BOUNDARIES,
    ids=[f"{row[0]} {row[1].isoformat()}" for row in BOUNDARIES],
)
def test_check_and_check_many_at_the_boundaries(
    svc: dnc.Service,
    number: str,
    at: datetime,
    reasons: tuple[ReasonCode, ...],
    next_allowed: datetime | None,
) -> None:
    [many] = svc.check_many([number], at=at)
    for verdict in (svc.check(number, at=at), many):
        assert verdict.codes == reasons, verdict
        assert verdict.allowed is (not reasons)
        assert verdict.next_allowed_at == next_allowed


QUEUED = [INDIANA, PANHANDLE, TENNESSEE, ARIZONA, PRINCETON_IN, NEW_JERSEY]

# What the scrub and next_calls leave of each queued number: None = callable,
# else the instant it is deferred to.
AT_INSTANTS = [
    (
        nov23(8, 0),
        {
            INDIANA: nov23(9, 0),
            PANHANDLE: nov23(9, 0),
            TENNESSEE: nov23(9, 0),
            ARIZONA: nov23(8, 0, PHOENIX),
            PRINCETON_IN: nov23(8, 0, CENTRAL),
            NEW_JERSEY: None,
        },
    ),
    (
        nov23(9, 0),
        {
            INDIANA: None,
            PANHANDLE: None,
            TENNESSEE: None,
            ARIZONA: nov23(8, 0, PHOENIX),
            PRINCETON_IN: None,
            NEW_JERSEY: None,
        },
    ),
    (
        nov23(20, 0),
        {
            INDIANA: None,
            PANHANDLE: nov24(9, 0),
            TENNESSEE: None,
            ARIZONA: None,
            PRINCETON_IN: None,
            NEW_JERSEY: None,
        },
    ),
    (
        nov23(21, 0),
        {
            INDIANA: nov24(9, 0),
            PANHANDLE: nov24(9, 0),
            TENNESSEE: nov24(9, 0),
            ARIZONA: None,
            PRINCETON_IN: None,
            NEW_JERSEY: nov24(8, 0),
        },
    ),
]
AT_IDS = [row[0].strftime("%H:%M EST") for row in AT_INSTANTS]


@pytest.mark.parametrize(("at", "expected"), AT_INSTANTS, ids=AT_IDS)
def test_the_scrub_defers_until_every_zone_allows(
    svc: dnc.Service, at: datetime, expected: dict[str, datetime | None]
) -> None:
    for number in QUEUED:
        svc.enqueue("spring", number, at=nov23(0, 0))

    svc.scrub(at=at)

    for number, not_before in expected.items():
        [entry] = svc.queue("spring", number=number)
        assert entry.status is (QueueStatus.DEFERRED if not_before else QueueStatus.READY), number
        assert entry.not_before == not_before, number
        assert {r.code for r in entry.reasons} == ({HOURS} if not_before else set()), number


@pytest.mark.parametrize(("at", "expected"), AT_INSTANTS, ids=AT_IDS)
def test_next_calls_hands_out_only_what_every_zone_allows(
    svc: dnc.Service, at: datetime, expected: dict[str, datetime | None]
) -> None:
    for number in QUEUED:
        svc.enqueue("spring", number, at=nov23(0, 0))

    handed = svc.next_calls("spring", 10, at=at)

    assert sorted(e.number for e in handed) == sorted(n for n, nb in expected.items() if nb is None)
    for number, not_before in expected.items():
        if not_before is not None:
            [entry] = svc.queue("spring", number=number)
            assert entry.not_before == not_before, number


def test_queue_rows_keep_what_phonenumbers_said_and_are_judged_by_the_area_code(
    svc: dnc.Service,
) -> None:
    """The zones column holds phonenumbers' answer, as it always has; the
    rules widen it when they judge, so rows loaded before this rule (or
    before a change to the area-code table) need no migration."""
    svc.enqueue("spring", INDIANA, at=nov23(0, 0))
    with svc.store.engine.connect() as conn:
        stored = conn.execute(text("SELECT zones FROM queue_entry")).scalar_one()
    assert stored == "America/New_York"

    svc.scrub(at=nov23(8, 30))

    [entry] = svc.queue("spring")
    assert entry.not_before == nov23(9, 0)
