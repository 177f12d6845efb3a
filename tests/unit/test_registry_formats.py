"""Registry file layouts: any number in any supported layout reads back to its E.164."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnc.importing import BadLineError, InputFile, Skipped, read_numbers
from dnc.importing.formats import parse_one

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"

nanp = st.tuples(
    st.integers(2, 9), st.integers(0, 99), st.integers(2, 9), st.integers(0, 999_999)
).map(lambda t: f"{t[0]}{t[1]:02d}{t[2]}{t[3]:06d}")
uk_national = st.tuples(st.integers(1, 9), st.integers(0, 10**9 - 1)).map(
    lambda t: f"0{t[0]}{t[1]:09d}"
)


def _read(tmp_path: Path, text: bytes, fmt: str, name: str = "list.txt") -> list[int]:
    path = tmp_path / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text))
    elif name.endswith(".zip"):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("inner.txt", text)
    else:
        path.write_bytes(text)
    chunks = read_numbers(InputFile(path), fmt, "US", None)
    return [int(n) for c in chunks for n in c.digits.split()]


@given(st.lists(nanp, min_size=1, max_size=30), st.booleans(), st.booleans())
def test_any_nanp_number_in_either_ftc_layout_reads_back_as_e164(
    tmp_path_factory: pytest.TempPathFactory, numbers: list[str], comma: bool, crlf: bool
) -> None:
    tmp = tmp_path_factory.mktemp("ftc")
    end = "\r\n" if crlf else "\n"
    lines = [f"{n[:3]},{n[3:]}" if comma else n for n in numbers]
    for fmt in ("ftc", "dncl"):
        got = _read(tmp, (end.join(lines) + end).encode(), fmt)
        assert got == [int("1" + n) for n in numbers]
        assert [parse_one(fmt, line, "US") for line in lines] == got


@given(st.lists(uk_national, min_size=1, max_size=30), st.booleans())
def test_any_uk_number_with_or_without_spaces_reads_back_as_e164(
    tmp_path_factory: pytest.TempPathFactory, numbers: list[str], spaces: bool
) -> None:
    tmp = tmp_path_factory.mktemp("tps")
    # "With spaces": dialling code 5 characters left-justified, the rest 7 right-justified.
    lines = [f"{n[:5]:<5}{n[5:]:>7}" if spaces else f"{n:<12}" for n in numbers]
    got = _read(tmp, ("\r\n".join(lines) + "\r\n").encode(), "tps")
    assert got == [int("44" + n[1:]) for n in numbers]


@pytest.mark.parametrize("name", ["list.txt", "list.txt.gz", "list.zip"])
def test_plain_gzip_and_zip_files_read_alike(tmp_path: Path, name: str) -> None:
    assert _read(tmp_path, b"2015550123\n201,5550124", "ftc", name) == [12015550123, 12015550124]


@pytest.mark.parametrize(
    ("fmt", "sample", "count", "first"),
    [
        ("ftc", "ftc-full-201-305.txt", 1200, 12012001956),
        ("ftc", "ftc-full-201-305-comma.zip", 1200, 12012001956),
        ("dncl", "dncl-416.csv", 500, 14162001498),
        ("tps", "tps-with-spaces.txt", 300, 441132111115),
        ("csv", "generic.csv", 50, 12125550150),
    ],
)
def test_every_sample_reads_in_its_format(fmt: str, sample: str, count: int, first: int) -> None:
    chunks = list(read_numbers(InputFile(SAMPLES / sample), fmt, "US", None))
    numbers = [int(n) for c in chunks for n in c.digits.split()]
    assert len(numbers) == count and numbers[0] == first


def test_a_malformed_line_is_named_with_its_number_and_value(tmp_path: Path) -> None:
    text = b"2015550123\n2015550124\n20155501\n2015550125\n"
    with pytest.raises(BadLineError) as info:
        _read(tmp_path, text, "ftc")
    assert info.value.line == 3 and info.value.value == "20155501"
    assert "list.txt: line 3" in str(info.value)


def test_skip_invalid_keeps_the_good_lines_and_counts_the_bad(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(b"2015550123\nabc\n2015550124\n1015550125\n")
    skipped = Skipped()
    chunks = list(read_numbers(InputFile(path), "ftc", "US", skipped))
    assert [int(n) for c in chunks for n in c.digits.split()] == [12015550123, 12015550124]
    assert skipped.count == 2 and skipped.first == [(2, "abc"), (4, "1015550125")]
