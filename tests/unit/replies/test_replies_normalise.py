"""Folding and tokens: what every language's rules read, with spans in the original text."""

from __future__ import annotations

import pytest

from dnc.replies.normalise import MAX_CHARS, QUESTION, SENTENCE_END, fold, tokenize


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("ÄRGE", "arge"),
        ("išbraukite", "isbraukite"),
        ("ＳＴＯＰ", "stop"),  # full-width, as some phone keyboards send it
        ("ﬁnal", "final"),  # ligature
        ("Straße", "strasse"),
        ("больше", "болше"),  # soft sign dropped: often left out in texts
        ("ещё", "еще"),
        ("мой", "мои"),
        ("это", "ето"),
        ("don’t", "don't"),
    ],
)
def test_fold_reads_what_phones_type_the_same(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def keys(text: str) -> list[str]:
    tokens, _ = tokenize(text)
    return [t.key for t in tokens]


def test_apostrophes_inside_words_vanish() -> None:
    assert keys("Don't call, don’t TEXT") == ["dont", "call", SENTENCE_END, "dont", "text"]


def test_boundaries_collapse_never_lead_and_only_a_question_trails() -> None:
    assert keys("!!STOP!!!") == ["stop"]
    assert keys("Stop?!") == ["stop", QUESTION]
    assert keys("Who is this?? Stop.") == ["who", "is", "this", QUESTION, "stop"]


def test_emoji_and_quotes_vanish() -> None:
    assert keys('"STOP" 🛑👍🏽 👨‍👩‍👧') == ["stop"]


def test_clock_times_are_one_token_and_dates_are_not() -> None:
    assert keys("after 18:00 or 9.30") == ["after", "18:00", "or", "9.30"]
    assert "01.12" not in keys("on 01.12.2026")


def test_spans_point_into_the_original_text_whatever_folding_did() -> None:
    text = "ﬁnal: Ｓｔｏｐ, больше не звоните e\u0301mail"
    tokens, _ = tokenize(text)
    words = [text[t.start : t.end] for t in tokens if t.kind != "b"]
    assert words == ["ﬁnal", "Ｓｔｏｐ", "больше", "не", "звоните", "e\u0301mail"]


def test_nul_lone_surrogates_and_controls_separate_words() -> None:
    assert keys("st\x00op\ud800STOP\x07go") == ["st", "op", "stop", "go"]


def test_format_characters_inside_words_are_dropped() -> None:
    assert keys("un\u00adsub\u200bscribe") == ["unsubscribe"]


def test_only_the_first_max_chars_are_read() -> None:
    tokens, cut = tokenize("a " * MAX_CHARS + "stop")
    assert cut
    assert "stop" not in [t.key for t in tokens]
    assert tokenize("stop")[1] is False
