"""Small key sets that reach both kinds of block: sorted arrays and bitmaps."""

from __future__ import annotations

import numpy as np

NANP = 12_015_550_000


def dense_block(high: int, step: int = 3) -> np.ndarray:
    """Over 4,096 keys in one block of 65,536: stored as a bitmap."""
    return (np.uint64(high) << np.uint64(16)) + np.arange(0, 65_536, step, dtype=np.uint64)


def mixed_keys(seed: int = 1, scattered: int = 3_000) -> np.ndarray:
    """Unsorted, with duplicates: scattered NANP numbers, a bitmap block, a full block."""
    rng = np.random.default_rng(seed)
    spread = rng.integers(12_010_000_000, 19_899_999_999, scattered, dtype=np.uint64)
    return np.concatenate(
        (spread, dense_block(NANP >> 16), dense_block((NANP >> 16) + 5, 1), spread[:100])
    )
