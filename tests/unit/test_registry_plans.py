"""Numbering plans: a registry file's numbers must be its registry's numbers, checked
a chunk at a time by a compiled prefix trie that agrees with the number-by-number answer."""

from __future__ import annotations

import re
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnc import configuration
from dnc.bootstrap import packaged_rulebook
from dnc.errors import ConfigError
from dnc.importing import BadLineError, InputFile, PlanFilter, Skipped, formats, read_numbers
from dnc.importing.plans import trie_pattern
from dnc.registries import NumberingPlan

NANP = {code: entry.country for code, entry in packaged_rulebook().area_codes.items()}
US = PlanFilter("us-national", NumberingPlan(frozenset({"US"})), NANP)
CA = PlanFilter("ca-dncl", NumberingPlan(frozenset({"CA"})), NANP)

digit_strings = st.text("0123456789", min_size=1, max_size=6)
nanp_numbers = st.tuples(st.integers(200, 999), st.integers(2_000_000, 9_999_999)).map(
    lambda t: f"1{t[0]}{t[1]}"
)


@given(st.lists(digit_strings, max_size=12), st.text("0123456789", max_size=12))
def test_the_trie_matches_exactly_the_strings_under_a_prefix(
    prefixes: list[str], text: str
) -> None:
    pattern = re.compile(trie_pattern(prefixes))
    assert (pattern.match(text) is not None) == any(text.startswith(p) for p in prefixes)


@given(st.lists(nanp_numbers, min_size=1, max_size=30))
def test_a_chunk_passes_whole_only_if_every_number_is_in_the_plan(numbers: list[str]) -> None:
    chunk = "".join(f"{n}\n" for n in numbers).encode()
    for plan in (US, CA):
        if plan.block_ok(chunk):
            assert all(plan.refusal(n) is None for n in numbers)
        else:
            assert any(plan.refusal(n) is not None for n in numbers)


@pytest.mark.parametrize(
    ("number", "us", "ca"),
    [
        ("12015550123", True, False),  # New Jersey
        ("14165550123", False, True),  # Toronto
        ("17875550123", True, False),  # Puerto Rico: in the US registry's plan
        ("18005550123", True, False),  # toll-free, US in the NANP table
        ("18765550123", False, False),  # Jamaica
    ],
)
def test_us_and_canada_are_told_apart_by_area_code(number: str, us: bool, ca: bool) -> None:
    assert (US.refusal(number) is None) == us
    assert (CA.refusal(number) is None) == ca


def test_a_refusal_says_which_region_and_which_plan() -> None:
    why = US.refusal("14165550123")
    assert why == "a CA number, outside the numbering plan of registry us-national (US)"


def test_a_prefix_plan_takes_in_every_number_under_it() -> None:
    gb = PlanFilter("uk-tps", NumberingPlan(prefixes=("44",)), NANP)
    assert gb.block_ok(b"441132111115\n\n442079695374\n")
    assert gb.refusal("441481222222") is None  # Guernsey: +44, on the TPS
    assert not gb.block_ok(b"441132111115\n12125550123\n")
    assert "a US number" in (gb.refusal("12125550123") or "")


def test_a_region_sharing_its_country_code_is_checked_number_by_number() -> None:
    gb = PlanFilter("gb-only", NumberingPlan(frozenset({"GB"})), NANP)
    assert not gb.block_ok(b"441132111115\n")  # no prefix speaks for GB alone
    assert gb.refusal("441132111115") is None
    assert "a GG number" in (gb.refusal("441481222222") or "")


def test_a_wrong_country_line_fails_a_chunk_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_text("2015550123\n\n416,5550123\n")
    with pytest.raises(BadLineError) as info:
        list(read_numbers(InputFile(path), "ftc", "US", None, US))
    assert (info.value.line, info.value.value) == (3, "416,5550123")
    assert "a CA number" in info.value.why
    skipped = Skipped()
    chunks = list(read_numbers(InputFile(path), "ftc", "US", skipped, US))
    assert [c.digits for c in chunks] == [b"12015550123"]
    assert (skipped.count, skipped.first) == (1, [(3, "416,5550123")])


def test_a_csv_registry_is_held_to_its_plan(tmp_path: Path) -> None:
    au = PlanFilter("au-dncr", NumberingPlan(prefixes=("61",)), NANP)
    path = tmp_path / "au.csv"
    path.write_text("number\n0412 345 678\n+1 212 555 0123\n")
    with pytest.raises(BadLineError, match="line 3: a US number, outside .* au-dncr"):
        list(read_numbers(InputFile(path), "csv", "AU", None, au))


def test_packaged_registries_declare_their_plans() -> None:
    plans = {d.name: d.numbering_plan.describe() for d in configuration.load(env={}).registries}
    assert plans == {
        "us-national": "US",
        "ca-dncl": "CA",
        "uk-tps": "+44",
        "au-dncr": "+61",
        "us-reassigned": "US",
        "us-wireless": "US",
    }
    assert {d.max_shrink for d in configuration.load(env={}).registries} == {0.05}


def test_a_registry_without_a_plan_is_held_to_what_it_covers(tmp_path: Path) -> None:
    path = tmp_path / "fl.toml"
    path.write_text('[registries.state-fl]\nprefixes = ["+1305", "+1786"]\n')
    [fl] = [d for d in configuration.load(path, env={}).registries if d.name == "state-fl"]
    assert fl.numbering_plan == NumberingPlan(prefixes=("1305", "1786"))
    path.write_text('[registries.state-fl]\nprefixes = ["+1305"]\nplan = ["us", "+1787"]\n')
    [fl] = [d for d in configuration.load(path, env={}).registries if d.name == "state-fl"]
    assert fl.numbering_plan == NumberingPlan(frozenset({"US"}), ("1787",))


def test_max_shrink_is_shared_or_per_registry(tmp_path: Path) -> None:
    path = tmp_path / "shrink.toml"
    path.write_text("[registries]\nmax_shrink = 0.1\n[registries.uk-tps]\nmax_shrink = 0\n")
    shares = {d.name: d.max_shrink for d in configuration.load(path, env={}).registries}
    assert shares == {
        "us-national": 0.1,
        "ca-dncl": 0.1,
        "uk-tps": 0.0,
        "au-dncr": 0.1,
        "us-reassigned": 0.1,
        "us-wireless": 0.1,
    }


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[registries.us-national]\nplan = []", "registries.us-national.plan"),
        ('[registries.us-national]\nplan = ["XX"]', "registries.us-national.plan"),
        ('[registries.us-national]\nplan = ["+1a"]', "registries.us-national.plan"),
        ('[registries.us-national]\nplan = "US"', "registries.us-national.plan"),
        ("[registries.us-national]\nmax_shrink = 1.5", "registries.us-national.max_shrink"),
        ("[registries.us-national]\nmax_shrink = true", "registries.us-national.max_shrink"),
        ("[registries]\nmax_shrink = -0.1", "registries.max_shrink"),
    ],
)
def test_bad_plans_and_shares_name_the_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError) as info:
        configuration.load(path, env={})
    assert str(path) in str(info.value) and key in str(info.value)


def test_every_us_area_code_of_phonenumbers_is_in_the_us_plan() -> None:
    for code in range(200, 1000):
        number = phonenumbers.parse(f"+1{code}2345678")
        if phonenumbers.region_code_for_number(number) == "US":
            assert US.refusal(f"1{code}2345678") is None, code


# A line as registries ship them, or something close to it that must be refused.
ftc_line = st.one_of(
    st.from_regex(r"[2-9][0-9]{2}[2-9][0-9]{6}", fullmatch=True),
    st.from_regex(r"[2-9][0-9]{2},[2-9][0-9]{6}", fullmatch=True),
    st.from_regex(r"[0-9]{3},?[0-9]{7}", fullmatch=True),
    st.sampled_from(["", "201555012X", "20155501234", "416,5550123", "8005550123"]),
)


@given(st.lists(ftc_line, min_size=1, max_size=40), st.sampled_from([None, "US", "CA"]))
def test_the_numpy_fast_path_reads_a_block_exactly_as_the_regular_expressions(
    lines: list[str], plan_name: str | None
) -> None:
    """Where the fast path answers, it answers what the regular expressions do:
    the same digits for a block they accept, and never a block they refuse."""
    plan = {"US": US, "CA": CA, None: None}[plan_name]
    data = ("\n".join(lines) + "\n").encode()
    fast = formats.nanp_block(data, plan)
    layout = formats.FIXED["ftc"]
    accepted = layout.block.fullmatch(data) is not None
    digits = formats._digits(layout, data) if accepted else b""
    accepted = accepted and (plan is None or plan.block_ok(digits))
    if fast is None:
        return  # the regular expressions decide (and name a bad line)
    assert accepted
    text, keys = fast
    assert text == digits.rstrip(b"\n")
    assert keys.tolist() == [int(n) for n in digits.split()]


@given(
    st.lists(st.from_regex(r"[2-9][0-9]{2}[2-9][0-9]{6}", fullmatch=True), min_size=1),
    st.booleans(),
)
def test_a_block_of_one_layout_takes_the_fast_path(numbers: list[str], comma: bool) -> None:
    lines = [f"{n[:3]},{n[3:]}" if comma else n for n in numbers]
    fast = formats.nanp_block(("\n".join(lines) + "\n").encode(), None)
    assert fast is not None
    assert fast[1].tolist() == [int("1" + n) for n in numbers]
    test_the_numpy_fast_path_reads_a_block_exactly_as_the_regular_expressions.hypothesis.inner_test(  # type: ignore[attr-defined]
        lines, "US"
    )
