"""The scrub decides most entries per group and per set of registries, not one
by one. Whatever the shortcut, every entry must end as its own single check
says, on SQLite and PostgreSQL, by night and by day."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

import dnc
from dnc import configuration
from dnc.queue import STATUS_OF, Action, Disposition, dispose
from dnc.storage import queue_verdicts, scrub_repo
from dnc.storage.queue_verdicts import EntryVerdict
from dnc.storage.uow import UnitOfWork

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
NY = ZoneInfo("America/New_York")
MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=NY)

# A registry that covers by a prefix longer than the leading digits the
# scrub groups by: +1201 555 numbers are covered, other +1201 numbers not.
# Its snapshot is too old, so what it covers is held (REGISTRY_STALE).
CONFIG = "".join(
    f"[registries.{name}]\nrequired = false\n"
    for name in ("us-national", "ca-dncl", "uk-tps", "au-dncr")
) + (
    '[registries.partner]\nprefixes = ["+1201555"]\nmax_age_days = 31\n'
    'required = true\nformat = "csv"\n'
    # A call centre's clients: spring and summer call for acme, autumn for globex.
    '[campaigns.spring]\nclient = "acme"\n[campaigns.summer]\nclient = "acme"\n'
    '[campaigns.autumn]\nclient = "globex"\n'
    # A state's list, stale: it holds what may be in Texas (area code or
    # hint; a number nothing places too), and nothing else.
    '[registries.us-tx]\nregions = ["US"]\napplies_to = ["US-TX"]\nmax_age_days = 92\n'
    # A litigator list: its own reason, which no consent lifts.
    '[registries.litigators]\nregions = ["US"]\nreason = "DNC_LITIGATOR"\nrequired = false\n'
    # A predictive dialer: a wireless number (or one of unknown line) needs
    # written consent (dnc.wireless).
    '[campaigns.spring.calling]\ncall_type = "predictive"\n'
    '[campaigns.desk.calling]\ncall_type = "manual"\n'
)

NUMBERS = {
    # number: (location, what is known about it)
    "+12012001956": (None, "on the FTC sample"),
    "+12012016008": (None, "on the FTC sample, with written consent"),
    "+12015550101": (None, "covered by the stale partner registry"),
    "+12015550102": (None, "covered by the stale partner registry, opted out"),
    "+12015550300": (None, "on the partner registry's list too"),
    "+12017770103": (None, "refused once yesterday"),
    "+12017770104": (None, "no answer an hour ago"),
    "+12017770105": (None, "asked to be called back at 15:00"),
    "+12017770106": (None, "not before 11:00, please"),
    "+12017770107": (None, "nothing known"),
    "+12017770108": ("US-FL", "nothing known, in Florida"),
    "+12017770109": ("America/Chicago", "nothing known, in Chicago"),
    "+13055550110": (None, "under a blocked prefix"),
    "+13052008966": (None, "on the FTC sample, Miami"),
    "+13052014607": ("US-FL", "on the FTC sample, in Florida"),
    "+13055560111": (None, "nothing known, Miami"),
    "+12135550112": (None, "nothing known, Los Angeles"),
    "+18005550113": (None, "toll-free: every US zone"),
    "+14165550114": (None, "Toronto"),
    "+442079460115": (None, "London"),
    "+493012345116": (None, "Berlin: consent only"),
    "+493012345117": (None, "Berlin, with written consent"),
    "+12017770118": (None, "opted out of this campaign only"),
    "+12017770119": (None, "opted out of another campaign only"),
    # Area codes across a zone line: placed only by the area code, every zone
    # of it applies; placed by the exchange, that exchange's.
    "+18122000120": (None, "Indiana: Eastern or Central"),
    "+18123850121": (None, "Indiana, a Central exchange"),
    "+18502010122": (None, "Florida panhandle: Eastern or Central"),
    "+18502010123": ("US-GA", "Florida panhandle number, in Georgia: Eastern"),
    "+14232000124": (None, "Tennessee: Central or Eastern"),
    "+19282000125": (None, "Arizona: Phoenix or the Navajo Nation"),
    # Reassigned numbers: a consent given before the number's disconnect is void.
    "+12012032988": (None, "on the FTC sample, consent before the number was disconnected"),
    "+12012034339": (None, "on the FTC sample, consent after the number was disconnected"),
    "+12017770126": (None, "consent before the number was disconnected, on no list"),
    # Clients: spring calls for acme.
    "+12017770127": (None, "on acme's list (spring's client)"),
    "+12017770128": (None, "on globex's list (another client)"),
    "+12017770129": (None, "on acme's list through another acme campaign"),
    "+493012345130": (None, "Berlin, consent given to acme (spring's brand)"),
    "+493012345131": (None, "Berlin, consent given to globex only"),
    # State and litigator lists.
    "+15125550127": (None, "Austin: under the stale Texas list"),
    "+15125550128": ("US-NY", "Austin number, hinted New York: still under the Texas list"),
    "+15125550129": ("America/New_York", "Austin number, placed by zone: still Texas"),
    "+15125550130": (None, "Austin, on the Texas list"),
    "+12125550131": (None, "Manhattan: the Texas list does not apply"),
    "+12125550132": ("US-TX", "Manhattan number, in Texas: the Texas list applies"),
    "+12125550133": ("America/Chicago", "Manhattan number, Central time: not in Texas"),
    "+12125550134": (None, "Manhattan, on the Texas list all the same"),
    "+12125550135": (None, "Manhattan, a litigator"),
    "+12012101192": (None, "on the FTC sample and a litigator"),
    "+12012119478": (None, "on the FTC sample and a litigator, with written consent"),
    "+15125550136": (None, "Austin, a litigator with written consent"),
    # Wireless numbers on a predictive campaign (TCPA 64.1200(a)(1)(iii), (a)(2)).
    "+447400123456": (None, "UK mobile, no consent"),
    "+447400123457": (None, "UK mobile, written consent"),
    "+4915123456789": (None, "German mobile, express (not written) consent"),
    "+12017770137": (None, "in the us-wireless data as wireless"),
    "+12017770138": (None, "not in the us-wireless data: line unknown"),
    "+12017770139": (None, "in the us-wireless data as wireline, and written consent"),
    "+12017770140": (None, "in the us-wireless data as wireless, with an EBR only"),
    # Jamaica: the plan tells mobiles from landlines within an area code.
    "+18762101234": (None, "Jamaica mobile, express (not written) consent"),
    # One group (same zone too), nothing known: a landline and an unknown line.
    "+18769221234": (None, "Jamaica landline, nothing known"),
    "+18765230123": (None, "Jamaica, a range of landlines and mobiles, nothing known"),
}
WIRELESS = {"+12017770137", "+12017770138", "+12017770140", "+14165550114"}


@pytest.fixture
def svc(db_url: str, tmp_path: Path, clock: dnc.FixedClock) -> Iterator[dnc.Service]:
    path = tmp_path / "dnc.toml"
    path.write_text(CONFIG)
    with dnc.open(db_url, configuration.load(path), clock=clock, create=True) as service:
        yield service


def _facts(svc: dnc.Service, tmp_path: Path) -> None:
    svc.import_registry(SAMPLES / "ftc-full-201-305.txt", "us-national", as_of=MORNING.date())
    partner = tmp_path / "partner.csv"
    partner.write_text("number\n+12015550300\n")
    svc.import_registry(partner, "partner", as_of=(MORNING - timedelta(days=60)).date())
    texas = tmp_path / "texas.csv"
    texas.write_text("number\n+15125550130\n+12125550134\n")
    svc.import_registry(texas, "us-tx", as_of=(MORNING - timedelta(days=100)).date())
    litigators = tmp_path / "litigators.csv"
    litigators.write_text("number\n+12125550135\n+12012101192\n+12012119478\n+15125550136\n")
    svc.import_registry(litigators, "litigators", as_of=MORNING.date())
    earlier = MORNING - timedelta(days=9)
    svc.add_consent("+12012016008", "express_written", campaign="spring", at=earlier)
    svc.add_consent("+493012345117", "express_written", campaign="spring", at=earlier)
    for number in ("+12012119478", "+15125550136"):
        svc.add_consent(number, "express_written", campaign="spring", at=earlier)
    svc.opt_out("+12015550102", at=earlier)
    svc.opt_out("+12017770118", campaign="spring", scope="campaign", at=earlier)
    svc.opt_out("+12017770119", campaign="autumn", scope="campaign", at=earlier)
    svc.record_outcome("+12017770103", "spring", "refused", at=MORNING - timedelta(days=1))
    svc.record_outcome("+12017770104", "spring", "no_answer", at=MORNING - timedelta(hours=1))
    svc.record_outcome(
        "+12017770105",
        "spring",
        "callback",
        at=MORNING - timedelta(hours=2),
        callback_at=MORNING.replace(hour=15),
    )
    svc.set_preference("+12017770106", not_before="11:00")
    svc.block_prefix("+1305555", reason="partner exchange")
    disconnects = tmp_path / "disconnects.csv"
    disconnects.write_text(
        "number,disconnected_on\n"
        "+12012032988,2026-11-20\n+12012034339,2026-11-01\n+12017770126,2026-11-20\n"
    )
    svc.import_registry(disconnects, "us-reassigned", as_of=MORNING.date())
    for number in ("+12012032988", "+12012034339", "+12017770126", "+12017770140"):
        svc.add_consent(number, "ebr_purchase", campaign="spring", at=earlier)
    svc.opt_out("+12017770127", scope="client", client="acme", at=earlier)
    svc.opt_out("+12017770128", scope="client", client="globex", at=earlier)
    svc.opt_out("+12017770129", scope="client", campaign="summer", at=earlier)
    svc.add_consent("+493012345130", "express_written", brand="acme", at=earlier)
    svc.add_consent("+493012345131", "express_written", brand="globex", at=earlier)
    # Every other US number is a landline here, so the other rules show.
    lines = tmp_path / "lines.csv"
    lines.write_text(
        "number,line_type\n+12017770137,wireless\n+12017770140,\n"
        + "".join(
            f"{n},ported-to-wireline\n"
            for n in NUMBERS
            if n[:2] == "+1" and n not in WIRELESS and n[:5] != "+1876"
        )
    )
    svc.import_registry(lines, "us-wireless", format="wireless", as_of=MORNING.date())
    svc.add_consent("+447400123457", "express_written", campaign="spring", at=earlier)
    svc.add_consent("+12017770139", "express_written", campaign="spring", at=earlier)
    for number in ("+4915123456789", "+18762101234"):
        svc.add_consent(number, "express", campaign="spring", at=earlier)


# 08:00 and 21:00 Eastern: one zone of a split area code open, the other not.
@pytest.mark.parametrize("hour", [2, 8, 10, 13, 21, 22])
def test_every_entry_ends_as_its_single_check_says(
    svc: dnc.Service, tmp_path: Path, hour: int
) -> None:
    _facts(svc, tmp_path)
    _ends_as_checked(svc, MORNING.replace(hour=hour))


@pytest.mark.parametrize("hour", [2, 13])
def test_the_verdicts_analyzed_between_writes_change_no_answer(
    svc: dnc.Service, tmp_path: Path, hour: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL's scrub analyzes queue_verdict again once it has written
    many rows into it (fresh plans for the next statements): here after
    every write, and every entry still ends as its single check says."""
    monkeypatch.setattr(scrub_repo, "STALE_AFTER", 0)
    _facts(svc, tmp_path)
    _ends_as_checked(svc, MORNING.replace(hour=hour))


def test_the_client_kinds_are_what_they_say(svc: dnc.Service, tmp_path: Path) -> None:
    _facts(svc, tmp_path)

    def codes(number: str) -> list[str]:
        return [c.value for c in svc.check(number, campaign="spring", at=MORNING).codes]

    assert codes("+12017770127") == codes("+12017770129") == ["DNC_CLIENT"]
    assert codes("+12017770128") == []
    assert codes("+493012345130") == []
    assert codes("+493012345131") == ["CONSENT_REQUIRED"]
    # check_many reads set-based and decides as the single check does, for a
    # campaign of each client, the centre's own and none.
    numbers = list(NUMBERS)
    for campaign in ("spring", "summer", "autumn", "house", None):
        singles = [svc.check(n, campaign=campaign, at=MORNING) for n in numbers]
        assert svc.check_many(numbers, campaign=campaign, at=MORNING) == singles, campaign


def test_a_campaign_over_its_abandonment_limit_ends_as_checked(
    svc: dnc.Service, tmp_path: Path
) -> None:
    _facts(svc, tmp_path)
    yesterday = MORNING - timedelta(days=1)
    for i, outcome in enumerate(("abandoned", "answered", "sale")):  # 1 of 3 abandoned
        svc.record_outcome(f"+1201999{i:04d}", "spring", outcome, at=yesterday)
    assert "ABANDON_RATE" in svc.check("+12017770107", campaign="spring", at=MORNING).codes
    _ends_as_checked(svc, MORNING)


def _ends_as_checked(svc: dnc.Service, at: datetime) -> None:
    hour = at.hour
    for number, (location, _) in NUMBERS.items():
        assert svc.enqueue("spring", number, location=location, at=MORNING)
    expected = {
        number: dispose(svc.check(number, campaign="spring", at=at, location=location))
        for number, (location, _) in NUMBERS.items()
    }
    # The export decides every entry as the scrub would, before any scrub.
    _exports_as_checked(svc, at, expected, f"export before the scrub at {hour}:00")

    report = svc.scrub(at=at)

    for number, want in expected.items():
        [entry] = svc.queue("spring", number=number)
        why = f"{number} ({NUMBERS[number][1]}) at {hour}:00"
        assert entry.status == STATUS_OF[want.action], why
        assert [r.code for r in entry.reasons] == [r.code for r in want.reasons], why
        assert [r.detail for r in entry.reasons] == [r.detail for r in want.reasons], why
        assert entry.not_before == want.not_before, why
    assert report.actions == Counter(w.action.value for w in expected.values())
    _exports_as_checked(svc, at, expected, f"export after the scrub at {hour}:00")


def _exports_as_checked(
    svc: dnc.Service, at: datetime, expected: dict[str, Disposition], when: str
) -> None:
    """The export's answer for every entry is its single check's: status,
    reason codes (and details), not_before; and it writes the callable only."""
    out = io.StringIO()
    summary = svc.export_queue(out, "spring", at=at, everything=True)
    rows = {r["number"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    entries = {e.number: e for e in svc.queue_at("spring", at)}
    assert set(rows) == set(entries) == set(expected), when
    for number, want in expected.items():
        why = f"{number} ({NUMBERS[number][1]}), {when}"
        row, entry = rows[number], entries[number]
        assert row["status"] == STATUS_OF[want.action].value, why
        assert row["reasons"] == ";".join(dict.fromkeys(r.code.value for r in want.reasons)), why
        assert [r.detail for r in entry.reasons] == [r.detail for r in want.reasons], why
        assert entry.not_before == want.not_before, why
        nb = row["not_before"]
        assert (datetime.fromisoformat(nb) if nb else None) == want.not_before, why
    callable_ = [n for n, w in expected.items() if w.action is Action.DIAL]
    assert summary.dialable == len(callable_), when
    assert sorted(e.number for e in svc.dialable("spring", at=at)) == sorted(callable_), when


def test_the_next_night_decides_again_and_a_suppression_stays(
    svc: dnc.Service, tmp_path: Path
) -> None:
    _facts(svc, tmp_path)
    for number, (location, _) in NUMBERS.items():
        svc.enqueue("spring", number, location=location, at=MORNING)
    svc.scrub(at=MORNING.replace(hour=2))
    # Facts change between the nights: a consent, a listing taken back.
    svc.add_consent("+493012345116", "express_written", campaign="spring", at=MORNING)
    svc.remove_from_list("+12015550102", "entered in error")
    night = MORNING.replace(hour=2) + timedelta(days=1)
    # Before that night's scrub the stored state is a day old; the export
    # decides from today's facts. A suppression stays (it is final).
    gone = {e.number for e in svc.queue("spring", status="suppressed")}
    assert "+12015550102" in gone
    fresh = {
        number: dispose(svc.check(number, campaign="spring", at=night, location=location))
        for number, (location, _) in NUMBERS.items()
    }
    exported = {e.number: e for e in svc.queue_at("spring", night)}
    for number, want in fresh.items():
        entry = exported[number]
        if number in gone:
            assert entry.status.value == "suppressed", number
            continue
        assert entry.status == STATUS_OF[want.action], number
        assert entry.reasons == want.reasons and entry.not_before == want.not_before, number

    svc.scrub(at=night)

    for number, (location, _) in NUMBERS.items():
        [entry] = svc.queue("spring", number=number)
        if number == "+12015550102":
            # Suppressed is final for the entry: the evidence stays.
            assert entry.status.value == "suppressed"
            continue
        if entry.status.value == "suppressed":
            continue
        want = dispose(svc.check(number, campaign="spring", at=night, location=location))
        assert entry.not_before == want.not_before, number
        assert [r.code for r in entry.reasons] == [r.code for r in want.reasons], number


def test_no_later_verdict_replaces_a_suppression(svc: dnc.Service) -> None:
    """An opt-out recorded while a scrub or a claim was deciding is never
    overwritten by what they decided from older facts."""
    svc.enqueue("spring", "+12017770107", at=MORNING)
    svc.opt_out("+12017770107", at=MORNING)
    [entry] = svc.queue("spring")
    assert entry.status.value == "suppressed"
    with UnitOfWork(svc.store.engine, write=True) as uow:
        queue_verdicts.write_verdicts(
            uow.connection, [EntryVerdict(entry.id, 12017770107, "dialable", None, None)], MORNING
        )
        queue_verdicts.release_refused(
            uow.connection,
            [EntryVerdict(entry.id, 12017770107, "deferred", None, MORNING)],
            MORNING,
        )
        uow.commit()
    [after] = svc.queue("spring")
    assert after.status.value == "suppressed"
    assert [r.code.value for r in after.reasons] == ["DNC_INTERNAL"]


def test_an_entry_loaded_after_the_scrub_is_never_handed_out_unchecked(
    svc: dnc.Service, tmp_path: Path
) -> None:
    _facts(svc, tmp_path)
    # Dialled by hand: the +1201 group's members without facts are callable.
    svc.enqueue("desk", "+12017770107", at=MORNING)
    svc.scrub(at=MORNING)
    # Same group as the entry above, already decided "dialable"; but this
    # number is on the FTC list and opted out.
    svc.opt_out("+12012001956", at=MORNING)
    svc.enqueue("desk", "+12012001956", at=MORNING)
    handed = svc.next_calls("desk", 10, at=MORNING)
    assert [e.number for e in handed] == ["+12017770107"]
    [entry] = svc.queue("desk", number="+12012001956")
    assert entry.status.value == "suppressed"


# -- On SQLite the scrub keeps its scope in memory, and when its write
# transaction finds the database as its read transaction left it, writes the
# verdicts and dispositions from there instead of reading the queue back
# (dnc.storage.scrub_scope). The rows must be exactly those the SQL writes;
# and a commit by anyone else in between sends the scrub back to the SQL.

TABLES = {
    "queue_verdict": (
        "SELECT v.number, v.entry_id, v.action, v.not_before, r.reasons, v.decided_at"
        " FROM queue_verdict v LEFT JOIN queue_reason r ON r.id = v.reason_id"
    ),
    "queue_disposition": (
        "SELECT entry_id, campaign, action, codes, since_run, since_at, until_run, until_at"
        " FROM queue_disposition"
    ),
    "queue_group": (
        "SELECT id, action, not_before, reasons, decided_at, checked_through FROM queue_group"
    ),
}


@pytest.fixture
def opened(tmp_path: Path, clock: dnc.FixedClock) -> Iterator[Callable[[str], dnc.Service]]:
    config = tmp_path / "dnc.toml"
    config.write_text(CONFIG)
    services: list[dnc.Service] = []

    def open_(name: str) -> dnc.Service:
        url = f"sqlite:///{tmp_path / name}.db"
        services.append(dnc.open(url, configuration.load(config), clock=clock, create=True))
        return services[-1]

    yield open_
    for service in services:
        service.close()


def _nights(svc: dnc.Service, tmp_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Four scrubs (a first night, the same instant again, the next night
    after facts change, one campaign then all) and every row they wrote."""
    _facts(svc, tmp_path)
    for number, (location, _) in NUMBERS.items():
        svc.enqueue("spring", number, location=location, at=MORNING)
    svc.enqueue("autumn", "+12017770107", at=MORNING)
    svc.scrub(at=MORNING.replace(hour=2))
    svc.scrub(at=MORNING.replace(hour=2))
    svc.add_consent("+493012345116", "express_written", campaign="spring", at=MORNING)
    svc.remove_from_list("+12015550102", "entered in error")
    svc.opt_out("+12017770107", campaign="spring", scope="campaign", at=MORNING)
    night = MORNING.replace(hour=2) + timedelta(days=1)
    svc.scrub(campaign="spring", at=night)
    svc.scrub(at=night)
    with svc.store.engine.connect() as conn:
        return {t: sorted(map(tuple, conn.execute(sa.text(q)))) for t, q in TABLES.items()}


def _spy(monkeypatch: pytest.MonkeyPatch, exact: bool | None) -> list[bool]:
    """Each scrub's choice (from memory or not); ``exact`` False forces SQL."""
    seen: list[bool] = []
    begin = scrub_repo.Walk.begin_writing

    def begin_writing(walk: scrub_repo.Walk, at: Any = None) -> None:
        begin(walk, at)
        if exact is False:
            walk._exact = False
        seen.append(walk._exact)

    monkeypatch.setattr(scrub_repo.Walk, "begin_writing", begin_writing)
    return seen


def test_the_rows_written_from_memory_are_the_rows_the_sql_writes(
    opened: Callable[[str], dnc.Service], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _spy(monkeypatch, None)
    # Chunks and batches of a few entries: every boundary is crossed (and a
    # number queued in two campaigns comes twice).
    monkeypatch.setattr(scrub_repo, "SCOPE_CHUNK", 3)
    monkeypatch.setattr(scrub_repo, "PACKED_BATCH", 5)
    from_memory = _nights(opened("memory"), tmp_path)
    # The same instant again finds suppressions decided then: the SQL's.
    assert fast == [True, False, True, True]
    monkeypatch.undo()
    slow = _spy(monkeypatch, False)
    from_sql = _nights(opened("sql"), tmp_path)
    assert slow == [False] * 4
    for table, rows in from_sql.items():
        assert rows, table
        assert from_memory[table] == rows, table


def test_a_commit_between_reading_and_writing_sends_the_scrub_to_the_sql(
    opened: Callable[[str], dnc.Service], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = opened("dnc")
    _facts(svc, tmp_path)
    for number, (location, _) in NUMBERS.items():
        svc.enqueue("spring", number, location=location, at=MORNING)
    seen = _spy(monkeypatch, None)
    end_reading = scrub_repo.Walk.end_reading

    def opt_out_meanwhile(walk: scrub_repo.Walk) -> None:
        end_reading(walk)
        svc.opt_out("+12017770107", at=MORNING - timedelta(minutes=1))

    monkeypatch.setattr(scrub_repo.Walk, "end_reading", opt_out_meanwhile)
    svc.scrub(at=MORNING.replace(hour=2))
    assert seen == [False]
    [entry] = svc.queue("spring", number="+12017770107")
    assert entry.status.value == "suppressed"
    assert [r.code.value for r in entry.reasons] == ["DNC_INTERNAL"]
