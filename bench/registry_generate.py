"""Write a synthetic US FTC full list: N numbers, 10 digits a line, sorted.

    python bench/registry_generate.py --numbers 250000000 [--out bench/data/us-250M.txt]

Area codes are the US ones phonenumbers accepts, so every number checks
as a valid US number; within an area code numbers rise by a random gap,
as the FTC's per-area-code files do. Output goes under bench/data/, which
git ignores: never commit it.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import phonenumbers

HERE = Path(__file__).parent


def us_area_codes() -> list[int]:
    found = []
    for code in range(201, 1000):
        probe = phonenumbers.parse(f"+1{code}2345678")
        if (
            phonenumbers.is_valid_number(probe)
            and phonenumbers.region_code_for_number(probe) == "US"
        ):
            found.append(code)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--numbers", type=int, default=5_000_000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    out = args.out or HERE / "data" / f"us-{args.numbers // 1_000_000}M.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    codes = us_area_codes()
    per_code = -(-args.numbers // len(codes))
    # Mean gap so that per_code numbers fit in the 8M subscriber numbers of a code.
    span = 7_600_000 // per_code
    rng = random.Random(args.seed)
    started = time.perf_counter()
    written = 0
    with open(out, "wb", buffering=16 << 20) as handle:
        for code in codes:
            want = min(per_code, args.numbers - written)
            if want <= 0:
                break
            base = code * 10_000_000 + 2_000_000
            gaps = [1 + rng.randrange(max(1, 2 * span - 1)) for _ in range(want)]
            numbers = []
            n = base
            last = code * 10_000_000 + 9_999_999
            for gap in gaps:
                n += gap
                if n > last:  # the random walk ran past the code: start again low
                    n = base + gap
                numbers.append(n)
            numbers = sorted(set(numbers))
            handle.write("\n".join(map(str, numbers)).encode() + b"\n")
            written += len(numbers)
    seconds = time.perf_counter() - started
    size = out.stat().st_size
    print(
        f"{out}: {written:,} numbers in {len(codes)} area codes, "
        f"{size / 1e9:.2f} GB, {seconds:.0f} s"
    )


if __name__ == "__main__":
    main()
