"""The snapshot file format: a 4 KiB header, then the payload.

A key is an E.164 number as an integer (at most 15 digits, so below 2**50).
Keys are grouped in blocks of 65,536 by ``key >> 16``; a block holds the low
16 bits of its keys either as a sorted array of uint16 (up to 4,096 keys,
2 bytes each) or, when denser, as a bitmap of 8 KiB (one bit per possible
key). This is roaring's layout without run containers, laid out so a reader
can memory-map the file and answer from it without loading or decoding it.

Payload, all little-endian, right after the header::

    data       uint16[data_units]   the blocks' arrays and bitmaps, in key order
    (padding to a multiple of 8 bytes)
    highs      uint64[blocks]       key >> 16 of each block, strictly rising
    starts     uint64[blocks]       where each block's data begins, in uint16 units
    counts     uint32[blocks]       keys in each block; > ARRAY_MAX means a bitmap

Header: ``HEAD`` below, then the first 16 bytes of its SHA-256 (so a
damaged header is told apart from a damaged payload), zero-padded to
``HEADER_BYTES``. The payload's SHA-256 is computed while the file is written.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

MAGIC = b"DNCSNAP\x00"
VERSION = 1
LAYOUT_BLOCKS16 = 1
"""Blocks of 2**16 keys, each a sorted uint16 array or an 8 KiB bitmap."""

HEADER_BYTES = 4096
BLOCK_BITS = 16
LOW_MASK = (1 << BLOCK_BITS) - 1
ARRAY_MAX = 4096
"""A block with more keys than this is a bitmap: 8 KiB beats 2 bytes a key."""
BITMAP_UNITS = (1 << BLOCK_BITS) // 16
"""uint16 units of one bitmap (8 KiB)."""
KEY_LIMIT = 10**15
"""Keys are E.164 numbers: at most 15 digits."""
LABEL_BYTES = 64

HEAD = struct.Struct("<8sHHIQQQQII32s64s")
CHECK_BYTES = 16
DIRECTORY = ("<u8", "<u8", "<u4")
"""The directory's columns, in file order: highs, starts, counts."""
DIRECTORY_ENTRY_BYTES = 8 + 8 + 4


@dataclass(frozen=True, slots=True)
class Header:
    """What the header of a snapshot file says."""

    snapshot_id: int
    count: int
    blocks: int
    data_units: int
    digest: bytes
    label: str = ""
    version: int = VERSION

    @property
    def data_bytes(self) -> int:
        """The data region with its padding to 8 bytes."""
        return -(-2 * self.data_units // 8) * 8

    @property
    def directory_offset(self) -> int:
        return HEADER_BYTES + self.data_bytes

    @property
    def payload_bytes(self) -> int:
        return self.data_bytes + DIRECTORY_ENTRY_BYTES * self.blocks

    @property
    def file_bytes(self) -> int:
        return HEADER_BYTES + self.payload_bytes

    def pack(self) -> bytes:
        label = self.label.encode("utf-8")
        if len(label) > LABEL_BYTES:
            raise ValueError(f"snapshot label longer than {LABEL_BYTES} bytes: {self.label!r}")
        head = HEAD.pack(
            MAGIC,
            self.version,
            LAYOUT_BLOCKS16,
            0,
            self.snapshot_id,
            self.count,
            self.blocks,
            self.data_units,
            BLOCK_BITS,
            ARRAY_MAX,
            self.digest,
            label,
        )
        head += hashlib.sha256(head).digest()[:CHECK_BYTES]
        return head + bytes(HEADER_BYTES - len(head))


def unpack_header(raw: bytes) -> tuple[Header | None, str, str]:
    """(header, "", "") or (None, problem, why) for bytes that are not a valid header."""
    if len(raw) < HEADER_BYTES:
        return None, "truncated", f"{len(raw)} bytes, shorter than the {HEADER_BYTES}-byte header"
    if raw[:8] != MAGIC:
        return None, "not_a_snapshot", f"wrong magic {raw[:8]!r}"
    head = raw[: HEAD.size]
    check = raw[HEAD.size : HEAD.size + CHECK_BYTES]
    if hashlib.sha256(head).digest()[:CHECK_BYTES] != check:
        return None, "corrupt", "header checksum mismatch"
    if any(raw[HEAD.size + CHECK_BYTES : HEADER_BYTES]):
        # Covered by neither checksum: held to the zeros written, so that a
        # file verifies only when every byte is the one the database holds.
        return None, "corrupt", "header padding is not zero"
    fields = HEAD.unpack(head)
    version, layout, _flags = fields[1], fields[2], fields[3]
    if version != VERSION:
        return None, "version", f"format version {version}, this software reads {VERSION}"
    if (layout, fields[8], fields[9]) != (LAYOUT_BLOCKS16, BLOCK_BITS, ARRAY_MAX):
        return None, "version", f"unknown layout {layout} ({fields[8]} bits, {fields[9]})"
    try:
        label = fields[11].rstrip(b"\x00").decode("utf-8")
    except UnicodeDecodeError:
        return None, "corrupt", "label is not UTF-8"
    header = Header(
        snapshot_id=fields[4],
        count=fields[5],
        blocks=fields[6],
        data_units=fields[7],
        digest=fields[10],
        label=label,
        version=version,
    )
    return header, "", ""
