"""The importer's digit bytes become the same integers Python's int() reads, in numpy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnc.snapshots import as_keys, digits_to_keys

e164 = st.integers(1, 10**15 - 1)


@given(st.lists(e164, min_size=1, max_size=60), st.booleans())
def test_any_lines_of_digits_read_back_as_their_integers(numbers: list[int], final: bool) -> None:
    data = "\n".join(map(str, numbers)).encode() + (b"\n" if final else b"")
    assert digits_to_keys(data).tolist() == numbers


@given(st.lists(st.integers(10**10, 2 * 10**10 - 1), min_size=1, max_size=60), st.booleans())
def test_fixed_width_lines_take_the_fast_path_and_read_the_same(
    numbers: list[int], final: bool
) -> None:
    data = "\n".join(map(str, numbers)).encode() + (b"\n" if final else b"")
    assert digits_to_keys(data).tolist() == numbers


def test_every_length_from_one_to_fifteen_digits() -> None:
    numbers = [int("9" * n) for n in range(1, 16)] + [10 ** (n - 1) for n in range(1, 16)]
    data = "\n".join(map(str, numbers)).encode()
    assert digits_to_keys(data).tolist() == numbers
    assert digits_to_keys(b"999999999999999").tolist() == [10**15 - 1]


def test_nothing_reads_as_no_keys() -> None:
    assert digits_to_keys(b"").size == 0
    assert digits_to_keys(b"").dtype == np.uint64


@pytest.mark.parametrize(
    "data",
    [
        b"12015550123\n\n12015550124",
        b"\n12015550123",
        b"12015550123\n1201555012a",
        b"12015550123\n-2015550123",
        b"02015550123",
        b"1234567890123456",
        b"12015550123\n12015550124 ",
        b"120155\n50123 ",
    ],
)
def test_anything_but_e164_digit_lines_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        digits_to_keys(data)


@pytest.mark.parametrize("values", [[0], [-5], [10**15], [12015550123, 2**63], [1.5]])
def test_keys_outside_e164_are_refused(values: list[float]) -> None:
    with pytest.raises(ValueError):
        as_keys(np.array(values))


def test_integer_arrays_of_any_width_become_uint64_keys() -> None:
    assert as_keys(np.array([7, 10**15 - 1], dtype=np.int64)).dtype == np.uint64
    assert as_keys([12015550123]).tolist() == [12015550123]
    assert as_keys(b"12015550123\n").tolist() == [12015550123]
