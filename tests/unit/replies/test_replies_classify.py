"""How replies read: per-se keywords, traps, languages, evidence and bad input."""

from __future__ import annotations

import time

import pytest

import dnc
from dnc.replies import MAX_CHARS, Intent, classify_reply

PER_SE = [
    "STOP", "stop", "Stop.", "STOP!!!", "Stoooop", "stop 🛑", " STOP ", "ＳＴＯＰ", "QUIT", "End",
    "CANCEL", "Unsubscribe", "REVOKE", "opt out", "Opt-out", "OPT OUT", "optout", "OPTOUT",
    "STOPALL", "stop all", "Stop All!", "STOP STOP", "STOPP", "ABMELDEN", "LOOBU",
    "ATSISAKYTI", "СТОП", "Отписаться",
]  # fmt: skip


@pytest.mark.parametrize("text", PER_SE)
def test_a_bare_keyword_is_a_per_se_opt_out(text: str) -> None:
    reply = classify_reply(text)
    assert reply.intent is Intent.OPT_OUT
    assert reply.per_se


@pytest.mark.parametrize(
    "text",
    ["weekend", "Have a nice weekend", "my friend", "the backend team", "send it", "стопка",
     "stopover in Riga", "I'll stop by tomorrow", "the end of the month", "the bus stop"],
)  # fmt: skip
def test_keywords_inside_other_words_or_phrases_are_not_opt_outs(text: str) -> None:
    assert classify_reply(text).intent is not Intent.OPT_OUT


@pytest.mark.parametrize(
    "text",
    ["don't stop sending me offers", "What does STOP do?", "what happens if I text STOP?",
     "Please don't remove me from the list", "Was bedeutet STOPP?", "Что значит СТОП?"],
)  # fmt: skip
def test_negated_or_quoted_keywords_are_none_and_the_guard_is_shown(text: str) -> None:
    reply = classify_reply(text)
    assert reply.intent is Intent.NONE
    assert any(m.intent is Intent.NONE for m in reply.matches)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("my mother asked you not to call again", "en"),
        ("fifth call this week, take me off your list!", "en"),
        ("I object under GDPR", "en"),
        ("ich widerspreche der Nutzung meiner Daten", "de"),
        ("Meine Mutter möchte nicht mehr angerufen werden", "de"),
        ("ärge helistage mulle enam", "et"),
        ("arge helistage", "et"),
        ("eemaldage mu number", "et"),
        ("nebeskambinkite", "lt"),
        ("neskambinkit", "lt"),
        ("išbraukite mane iš sąrašo", "lt"),
        ("больше не звоните", "ru"),
        ("удалите мой номер", "ru"),
        ("ne zvonite", "ru"),
        ("bolshe ne zvonite", "ru"),
        ("rufen Sie mich nicht mehr an", "de"),
        ("bitte löschen Sie meine Nummer", "de"),
        ("nicht anrufen", "de"),
    ],
)
def test_requests_to_stop_read_as_opt_out_in_their_language(text: str, language: str) -> None:
    reply = classify_reply(text)
    assert reply.intent is Intent.OPT_OUT, reply
    assert reply.language == language
    assert not reply.per_se


@pytest.mark.parametrize(
    "text",
    ["Call me tomorrow. Actually no, stop calling me", "No thanks, and don't call again",
     "I'm busy. Remove my number", "Перезвоните завтра. Хотя нет, не звоните больше"],
)  # fmt: skip
def test_a_stop_request_wins_over_a_callback_or_refusal(text: str) -> None:
    assert classify_reply(text).intent is Intent.OPT_OUT


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("don't call before 10", Intent.CALLBACK_REQUEST),
        ("nicht vor 10 Uhr anrufen", Intent.CALLBACK_REQUEST),
        ("Не звоните до 10 утра", Intent.CALLBACK_REQUEST),
        ("Neskambinkite iki 10 val.", Intent.CALLBACK_REQUEST),
        ("Ärge helistage enne kella 10", Intent.CALLBACK_REQUEST),
        ("Not interested", Intent.REFUSAL),
        ("Nein danke", Intent.REFUSAL),
        ("No, call me tomorrow", Intent.CALLBACK_REQUEST),
        ("I'll call you back tomorrow", Intent.NONE),
        ("In a meeting, I'll call you back", Intent.NONE),
    ],
)
def test_callbacks_refusals_and_their_look_alikes(text: str, intent: Intent) -> None:
    assert classify_reply(text).intent is intent


def test_every_match_shows_its_span_in_the_original_text() -> None:
    text = "Ｓｔｏｐ!! 🛑 Больше  не звоните, и удалите мой номер"
    reply = classify_reply(text)
    assert reply.intent is Intent.OPT_OUT and reply.language == "ru"
    assert reply.matches
    for m in reply.matches:
        assert text[m.start : m.end] == m.text
    assert "удалите мой номер" in [m.text for m in reply.matches]


def test_detection_prefers_the_language_whose_rules_covered_more() -> None:
    assert classify_reply("Stop, ich will keine Anrufe mehr").language == "de"
    assert classify_reply("STOP").language == "en"
    assert classify_reply("нет").language == "ru"


def test_a_given_language_still_hears_an_opt_out_in_another() -> None:
    reply = classify_reply("не звоните мне больше", "et")
    assert reply.intent is Intent.OPT_OUT
    assert reply.language == "ru"


def test_a_given_language_keeps_its_own_reading_otherwise() -> None:
    assert classify_reply("Helistage homme", "et").language == "et"
    assert classify_reply("ne", "lt").intent is Intent.REFUSAL
    assert classify_reply("Rufen Sie morgen an", "de-DE").language == "de"


def test_nothing_readable_is_none_with_no_language() -> None:
    for text in ("", "   ", "🙂🙂", "?!", "12345"):
        reply = classify_reply(text)
        assert reply.intent is Intent.NONE and reply.language is None and not reply.matches


def test_text_that_is_not_a_str_is_an_input_error() -> None:
    with pytest.raises(dnc.InputError) as caught:
        classify_reply(b"STOP")  # type: ignore[arg-type]
    assert caught.value.kind == "input"


@pytest.mark.parametrize("language", ["xx", "", "english", 7])
def test_an_unknown_language_is_a_reply_language_error(language: object) -> None:
    with pytest.raises(dnc.InputError) as caught:
        classify_reply("stop", language)  # type: ignore[arg-type]
    assert caught.value.kind == "reply_language"


def test_very_long_text_is_read_in_bounded_time_up_to_the_cap() -> None:
    started = time.perf_counter()
    reply = classify_reply("blah " * 20_000 + "STOP")
    assert time.perf_counter() - started < 0.5
    # Documented limit: only the first MAX_CHARS characters are read.
    assert reply.intent is Intent.NONE
    assert classify_reply("STOP " + "x" * 100_000).intent is Intent.OPT_OUT
    assert MAX_CHARS == 2000


def test_nul_and_lone_surrogates_do_not_crash_and_do_not_hide_a_stop() -> None:
    assert classify_reply("\x00STOP\ud800").intent is Intent.OPT_OUT
    assert classify_reply("\ud83d").intent is Intent.NONE


def test_the_reading_is_public_and_serialisable() -> None:
    reply = dnc.classify_reply("stop calling me")
    assert isinstance(reply, dnc.ReplyIntent) and reply.intent is dnc.Intent.OPT_OUT
    data = reply.to_dict()
    assert data["intent"] == "opt_out" and data["callback"] is None
    assert {"rule", "intent", "start", "end", "text"} == set(data["matches"][0])
