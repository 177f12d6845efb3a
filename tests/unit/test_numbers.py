"""Parsing phone numbers: any human format in, E.164 out, clear refusals."""

from __future__ import annotations

from collections.abc import Callable

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnc.errors import InvalidNumberError
from dnc.numbers import BulkParser, from_stored, parse

REGIONS = ["US", "CA", "GB", "DE", "AU", "FR", "RU", "EE", "LT", "IN", "BR", "JP"]
FORMATS = [
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.RFC3966,
]


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("+1 (201) 555-0123", "+12015550123"),
        ("201.555.0123", "+12015550123"),
        ("2015550123", "+12015550123"),
        ("1-201-555-0123", "+12015550123"),
        ("+44 113 211 1115", "+441132111115"),
        ("tel:+49-151-23456789", "+4915123456789"),
    ],
)
def test_human_formats_parse_to_e164(text: str, e164: str) -> None:
    assert parse(text).e164 == e164


def test_national_format_uses_the_default_region() -> None:
    assert parse("0113 211 1115", "GB").e164 == "+441132111115"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("12345", "too short"),
        ("hello", "not a phone number"),
        ("", "empty"),
        ("+999 123 4567", "country calling code"),
        ("+1 123 456 7890", "not a valid number for region"),
        ("+1 201 555 0123 4567 89", "too long"),
    ],
)
def test_bad_input_names_the_input_and_why(text: str, why: str) -> None:
    with pytest.raises(InvalidNumberError) as info:
        parse(text)
    assert why in str(info.value)
    assert repr(text.strip()) in str(info.value)


def test_number_knows_region_zones_and_area_code() -> None:
    alaska = parse("+1 907 555 1234")
    assert alaska.region == "US"
    assert set(alaska.time_zones) == {"America/Anchorage", "America/Adak"}
    assert alaska.area_code == "907"
    assert parse("+44 113 211 1115").area_code is None


@given(
    region=st.sampled_from(REGIONS),
    fmt=st.sampled_from(FORMATS),
    kind=st.sampled_from(
        [phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE]
    ),
)
def test_any_format_of_a_valid_number_round_trips_to_the_same_e164(
    region: str, fmt: int, kind: int
) -> None:
    example = phonenumbers.example_number_for_type(region, kind)
    if example is None:
        return
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    assert parse(phonenumbers.format_number(example, fmt), "US").e164 == e164
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    assert parse(national, region).e164 == e164
    stored = parse(e164)
    assert from_stored(stored.key, stored.region, ",".join(stored.time_zones)) == stored


@given(st.text(max_size=40))
def test_arbitrary_text_parses_or_raises_invalid_number_only(text: str) -> None:
    try:
        number = parse(text)
    except InvalidNumberError as exc:
        assert exc.why
    else:
        assert number.e164.startswith("+") and number.e164[1:].isdigit()
        assert phonenumbers.is_valid_number(phonenumbers.parse(number.e164))


@given(
    text=st.one_of(
        st.from_regex(r"\+[0-9]{1,16}", fullmatch=True),
        st.from_regex(r"1?[0-9]{10}", fullmatch=True),
        st.sampled_from(["+12015550123", "+390612345678", "+441132111115", "2015550123"]),
    ),
    region=st.sampled_from(["US", "CA", "GB", "DE"]),
)
def test_fast_path_agrees_with_the_full_parser(text: str, region: str) -> None:
    from dnc.numbers import fast_parse

    fast = fast_parse(text, region)
    if fast is None:
        return
    slow = phonenumbers.parse(text, region)
    assert (fast.country_code, fast.national_number) == (slow.country_code, slow.national_number)
    assert phonenumbers.is_valid_number(fast) == phonenumbers.is_valid_number(slow)
    assert not slow.italian_leading_zero


def _outcome(read: Callable[[], tuple[int, str, tuple[str, ...]]]) -> object:
    """A parse's answer, or its refusal as (input, why)."""
    try:
        return read()
    except InvalidNumberError as exc:
        return ("refused", exc.text, exc.why)


def _by_parse(text: str, region: str) -> object:
    def read() -> tuple[int, str, tuple[str, ...]]:
        phone = parse(text, region)
        return phone.key, phone.region, phone.time_zones

    return _outcome(read)


_DIGITS = st.text(alphabet="0123456789", min_size=10, max_size=10)
# Exchanges whose patterns read past the sixth digit (Jamaica, Barbados),
# the fictional 555-01XX, N11 codes, a toll-free and a Canadian exchange.
_EXCHANGES = st.sampled_from(
    ["876606", "246521", "246520", "201555", "212555", "800555", "411555", "204555", "555011"]
)


@given(
    text=st.one_of(
        st.builds(lambda d: f"+1{d}", _DIGITS),
        _DIGITS,
        st.builds(lambda d: f"1{d}", _DIGITS),
        st.builds(
            lambda p, s, fmt: fmt.format(p + s),
            _EXCHANGES,
            st.text(alphabet="0123456789", min_size=4, max_size=4),
            st.sampled_from(["+1{}", "{}", "1{}", " +1{} ", "+1 {}", "({})", "+1{}0", "+1{:.9}"]),
        ),
        st.text(alphabet="+0123456789 -()", max_size=16),
        st.text(max_size=16),
    ),
    region=st.sampled_from(["US", "CA", "JM", "GB", "DE"]),
)
def test_bulk_parser_answers_as_parse_does(text: str, region: str) -> None:
    bulk = BulkParser(region)
    assert _outcome(lambda: bulk(text)) == _by_parse(text, region)
    # And again from its per-exchange memory.
    assert _outcome(lambda: bulk(text)) == _by_parse(text, region)


def test_bulk_parser_agrees_on_every_suffix_of_exchanges_read_further() -> None:
    bulk = BulkParser("US")
    for exchange in ("876606", "246521", "246520", "201555", "246555"):
        for suffix in range(0, 10_000, 7):
            text = f"+1{exchange}{suffix:04d}"
            assert _outcome(lambda t=text: bulk(t)) == _by_parse(text, "US"), text


def test_only_patterns_that_read_past_the_exchange_turn_the_shortcut_off() -> None:
    from dnc.numbers import _nanp_read_further, _reads_past

    assert _reads_past(r"8(?:00|33)[2-9]\d{6}", 6) is False
    assert _reads_past(r"246521[0369]\d{3}", 6) is True
    assert _reads_past(r"2(?:0[1-9])[2-9]\d{2,}", 6) is False
    assert _reads_past(r"(?:2[0-9]){4}\d{2}", 6) is True
    assert _reads_past(r"2.\d{8}", 6) is True  # a construct it cannot follow
    assert _nanp_read_further() == frozenset({"BB", "JM"})


def test_a_head_decides_a_pattern_only_where_every_way_on_reads_any_digit() -> None:
    from dnc.numbers import _decided_by

    assert _decided_by(r"2(?:0[1-9])[2-9]\d{6}", "2015") is True
    assert _decided_by(r"2(?:0[1-9])[2-9]\d{6}", "201") is False  # the [2-9] is still ahead
    assert _decided_by(r"246521[0369]\d{3}", "2465") is False
    assert _decided_by(r"246521[0369]\d{3}", "2015") is True  # never matches
    assert _decided_by(r"(?:268)\d*", "2684") is True
    assert _decided_by(r"2.\d{8}", "2015") is False  # a construct it cannot follow


@given(
    region=st.sampled_from(sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])),
    head=st.text(alphabet="0123456789", min_size=4, max_size=4),
    suffixes=st.lists(st.text(alphabet="0123456789", min_size=6, max_size=6), min_size=2),
)
def test_a_decided_pattern_matches_all_of_a_head_or_none(
    region: str, head: str, suffixes: list[str]
) -> None:
    import re

    from dnc.numbers import _decided_by, _type_patterns

    for pattern in _type_patterns(region):
        if _decided_by(pattern, head):
            answers = {re.fullmatch(pattern, head + s) is not None for s in suffixes}
            assert len(answers) == 1, (pattern, head)
