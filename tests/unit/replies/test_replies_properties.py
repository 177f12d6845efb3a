"""Invariants of reading replies, over generated text.

Never raises on any str; spans always index the original text; a bare STOP
is always an opt-out and a later STOP line is never lost; an opt-out stays an
opt-out when upper-cased, stripped of diacritics, given emoji, or followed
by a callback request.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from test_replies_corpus import everything

from dnc.replies import CallbackHint, Intent, classify_reply, resolve_callback

ANY_TEXT = st.text(alphabet=st.characters(codec=None, categories=None), max_size=400)
LANGUAGES = st.sampled_from([None, "en", "de", "et", "lt", "ru"])
OPT_OUTS = [line for line in everything() if line.expected is Intent.OPT_OUT]
CALLBACKS = [line.text for line in everything() if line.expected is Intent.CALLBACK_REQUEST]
EMOJI = ["🛑", "😡", "🙏", "👍🏽", "👨‍👩‍👧", "❤️", "🤬🤬🤬", "✋"]


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT, language=LANGUAGES)
def test_any_text_is_read_without_raising_and_spans_index_it(
    text: str, language: str | None
) -> None:
    reply = classify_reply(text, language)
    assert reply.intent in Intent
    for m in reply.matches:
        assert text[m.start : m.end] == m.text


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=2_000, max_size=20_000))
def test_long_text_never_raises(text: str) -> None:
    classify_reply(text)


@given(st.sampled_from(["STOP", "stop", "Stop!", "STOP.", " stop ", "STOP 🛑"]), LANGUAGES)
def test_stop_as_the_whole_message_is_always_a_per_se_opt_out(
    text: str, language: str | None
) -> None:
    reply = classify_reply(text, language)
    assert reply.intent is Intent.OPT_OUT and reply.per_se


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300), language=LANGUAGES)
def test_stop_on_a_line_of_its_own_after_anything_is_an_opt_out(
    text: str, language: str | None
) -> None:
    assert classify_reply(text + "\nSTOP", language).intent is Intent.OPT_OUT


@settings(max_examples=200, deadline=None)
@given(
    line=st.sampled_from(OPT_OUTS),
    change=st.sampled_from(["upper", "diacritics", "emoji", "callback"]),
    emoji=st.sampled_from(EMOJI),
    callback=st.sampled_from(CALLBACKS),
)
def test_an_opt_out_stays_an_opt_out(line: object, change: str, emoji: str, callback: str) -> None:
    text: str = line.text  # type: ignore[attr-defined]
    changed = {
        "upper": text.upper(),
        "diacritics": strip_diacritics(text),
        "emoji": f"{text} {emoji}",
        "callback": f"{text}. {callback}",
    }[change]
    assert classify_reply(changed).intent is Intent.OPT_OUT, changed
    assert classify_reply(changed, line.language).intent is Intent.OPT_OUT, changed  # type: ignore[attr-defined]


def test_every_corpus_opt_out_survives_case_diacritics_emoji_and_a_callback() -> None:
    for line in OPT_OUTS:
        variants = [line.text.upper(), strip_diacritics(line.text), f"{line.text} 🤬🤬"]
        variants += [f"{line.text}. {callback}" for callback in CALLBACKS[::7]]
        for text in variants:
            assert classify_reply(text).intent is Intent.OPT_OUT, text
            assert classify_reply(text, line.language).intent is Intent.OPT_OUT, text


@given(
    minutes=st.integers(1, 60 * 24 * 31),
    received=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
)
def test_a_delay_resolves_to_receipt_plus_the_delay(minutes: int, received: datetime) -> None:
    got = resolve_callback(CallbackHint(in_minutes=minutes), received, "Europe/Vilnius")
    # Compared in UTC: PEP 495 makes == across zones False inside a repeated hour.
    assert got is not None and got.astimezone(UTC) == received + timedelta(minutes=minutes)


@given(
    offset=st.integers(0, 31),
    received=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
)
def test_a_named_day_resolves_after_receipt_and_aware(offset: int, received: datetime) -> None:
    got = resolve_callback(CallbackHint(day_offset=offset), received, "America/New_York")
    if offset == 0:
        assert got is None
    else:
        assert got is not None and got.tzinfo is not None and got > received
