"""Callback hints as data, turned into instants only given the receipt time and zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

import dnc
from dnc.outcomes import Outcome
from dnc.replies import CallbackHint, Intent, classify_reply, resolve_callback

TALLINN = ZoneInfo("Europe/Tallinn")
# A Wednesday, 09:30 in Tallinn.
RECEIVED = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)


def hint(text: str, language: str | None = None) -> CallbackHint:
    reply = classify_reply(text, language)
    assert reply.intent is Intent.CALLBACK_REQUEST, reply
    assert reply.callback is not None
    return reply.callback


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call me tomorrow after 10", {"day_offset": 1, "not_before": time(10)}),
        ("Call me at 4:30 pm", {"at": time(16, 30)}),
        ("ring me at 3", {"at": time(15)}),
        ("call me back in 20 minutes", {"in_minutes": 20}),
        ("Ring me back in half an hour", {"in_minutes": 30}),
        ("Can you call me on Monday?", {"weekday": 0}),
        ("call me between 2 and 4 tomorrow", {"day_offset": 1, "window": (time(14), time(16))}),
        ("helistage homme kell 12", {"day_offset": 1, "at": time(12)}),
        ("Helista mulle poole tunni pärast", {"in_minutes": 30}),
        ("Helistage kella 15 ja 17 vahel", {"window": (time(15), time(17))}),
        ("rufen Sie morgen nach 10 Uhr an", {"day_offset": 1, "not_before": time(10)}),
        ("Bitte rufen Sie um 15 Uhr an", {"at": time(15)}),
        ("Rufen Sie mich morgen an", {"day_offset": 1, "window": None}),
        ("Rufen Sie zwischen 14 und 16 Uhr an", {"window": (time(14), time(16)), "at": None}),
        ("paskambinkite rytoj po pietų", {"day_offset": 1, "window": (time(13), time(17))}),
        ("Vairuoju, paskambinkit po 20 minučių", {"in_minutes": 20, "not_before": None}),
        ("Esu darbe, paskambinkite po 18 val.", {"not_before": time(18)}),
        ("перезвоните завтра после обеда", {"day_offset": 1, "window": (time(13), time(17))}),
        ("Я на работе, перезвоните после 18:00", {"not_before": time(18)}),
        ("Позвоните в 7 вечера", {"at": time(19)}),
        ("Перезвоните через 2 часа", {"in_minutes": 120}),
        ("Позвоните в пятницу в 11", {"weekday": 4, "at": time(11)}),
        ("Guten Morgen, rufen Sie später an", {"day_offset": None}),
        ("Call me later", {"day_offset": None, "at": None, "in_minutes": None}),
    ],
)
def test_hints_keep_what_the_words_gave(text: str, expected: dict[str, object]) -> None:
    found = hint(text)
    for name, value in expected.items():
        assert getattr(found, name) == value, (name, found)


@pytest.mark.parametrize(
    ("text", "not_before"),
    [
        ("don't call before 10", time(10)),
        ("nicht vor 10 Uhr anrufen", time(10)),
        ("Не звоните до 10 утра", time(10)),
        ("Neskambinkite iki 10 val.", time(10)),
        ("Ärge helistage enne kella 10", time(10)),
    ],
)
def test_not_before_is_a_standing_wish(text: str, not_before: time) -> None:
    found = hint(text)
    assert found.standing and found.not_before == not_before


def test_tomorrow_at_a_clock_time_resolves_in_the_zone() -> None:
    got = resolve_callback(CallbackHint(day_offset=1, at=time(12)), RECEIVED, TALLINN)
    assert got == datetime(2026, 11, 26, 12, 0, tzinfo=TALLINN)


def test_a_clock_time_alone_is_its_next_occurrence() -> None:
    later = resolve_callback(CallbackHint(not_before=time(18)), RECEIVED, TALLINN)
    assert later == datetime(2026, 11, 25, 18, 0, tzinfo=TALLINN)
    passed = resolve_callback(CallbackHint(at=time(9)), RECEIVED, TALLINN)
    assert passed == datetime(2026, 11, 26, 9, 0, tzinfo=TALLINN)


def test_a_weekday_is_the_next_one_never_today() -> None:
    wednesday = resolve_callback(CallbackHint(weekday=2), RECEIVED, TALLINN)
    assert wednesday == datetime(2026, 12, 2, 0, 0, tzinfo=TALLINN)
    friday = resolve_callback(CallbackHint(weekday=4, at=time(11)), RECEIVED, "Europe/Tallinn")
    assert friday == datetime(2026, 11, 27, 11, 0, tzinfo=TALLINN)


def test_a_part_of_the_day_starts_the_window() -> None:
    got = resolve_callback(
        CallbackHint(day_offset=1, window=(time(13), time(17))), RECEIVED, TALLINN
    )
    assert got == datetime(2026, 11, 26, 13, 0, tzinfo=TALLINN)


def test_a_delay_counts_from_receipt() -> None:
    got = resolve_callback(CallbackHint(in_minutes=90), RECEIVED, TALLINN)
    assert got == RECEIVED + timedelta(minutes=90)
    assert got is not None and got.tzinfo is TALLINN


@pytest.mark.parametrize(
    "empty",
    [CallbackHint(), CallbackHint(day_offset=0), CallbackHint(not_after=time(17))],
)
def test_no_time_given_resolves_to_none(empty: CallbackHint) -> None:
    assert resolve_callback(empty, RECEIVED, TALLINN) is None


def test_a_wall_time_in_a_dst_gap_moves_forward_by_the_gap() -> None:
    received = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    got = resolve_callback(
        CallbackHint(day_offset=1, at=time(2, 30)), received, ZoneInfo("Europe/Berlin")
    )
    assert got is not None
    assert got.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert (got.hour, got.minute) == (3, 30)


def test_a_naive_receipt_time_or_an_unknown_zone_is_an_input_error() -> None:
    with pytest.raises(dnc.InputError):
        resolve_callback(CallbackHint(at=time(9)), datetime(2026, 11, 25, 9, 0), TALLINN)
    with pytest.raises(dnc.InputError):
        resolve_callback(CallbackHint(at=time(9)), RECEIVED, "Mars/Olympus")


def test_each_intent_maps_to_what_recording_it_would_do() -> None:
    stop = classify_reply("STOP").action(RECEIVED, TALLINN)
    assert stop.outcome is Outcome.OPT_OUT
    no = classify_reply("Not interested").action(RECEIVED, TALLINN)
    assert (no.outcome, no.refusals) == (Outcome.REFUSED, 1)
    later = classify_reply("helistage homme kell 12").action(RECEIVED, TALLINN)
    assert later.outcome is Outcome.CALLBACK
    assert later.callback_at == datetime(2026, 11, 26, 12, 0, tzinfo=TALLINN)
    vague = classify_reply("call me later").action(RECEIVED, TALLINN)
    assert vague.outcome is Outcome.CALLBACK and vague.callback_at is None
    wish = classify_reply("don't call before 10").action(RECEIVED, TALLINN)
    assert wish.outcome is None and wish.not_before == time(10)
    nothing = classify_reply("who is this?").action(RECEIVED, TALLINN)
    assert nothing.outcome is None


def test_hint_serialises_with_names_and_clock_strings() -> None:
    data = CallbackHint(weekday=4, at=time(11), window=(time(13), time(17))).to_dict()
    assert data["weekday"] == "fri" and data["at"] == "11:00"
    assert data["window"] == ["13:00", "17:00"]
