"""Opening import files: plain, .gz or .zip, read in large line-aligned blocks.

Registry files run to gigabytes, so nothing here holds a whole file: blocks
of a few megabytes end on a line boundary and carry the number of their
first line, which is how an error names its line.
"""

from __future__ import annotations

import gzip
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, cast

from dnc.errors import InputError

BLOCK_BYTES = 8 << 20


@dataclass(frozen=True, slots=True)
class Block:
    """Whole lines of one file member, without carriage returns."""

    member: str
    first_line: int
    data: bytes

    @property
    def lines(self) -> int:
        return self.data.count(b"\n")


Progress = Callable[[int, int], None]
"""Told (bytes read, file size) now and then while a file is read."""


class InputFile:
    """An import file and how far through it the reader is (for progress bars)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = str(path)
        try:
            self.size = self.path.stat().st_size
        except OSError as exc:
            raise InputError(f"{self.name}: cannot read: {exc.strerror}") from None
        self._raw: IO[bytes] | None = None

    def position(self) -> int:
        """Bytes of the file on disk consumed so far."""
        try:
            return self._raw.tell() if self._raw is not None and not self._raw.closed else 0
        except (OSError, ValueError):
            return 0

    def file_date(self) -> date:
        """The date the file itself carries: a zip member's stamp, else its mtime (UTC)."""
        if zipfile.is_zipfile(self.path):
            with zipfile.ZipFile(self.path) as archive:
                stamps = [i.date_time for i in archive.infolist() if not i.is_dir()]
            if stamps:
                return date(*max(stamps)[:3])
        return datetime.fromtimestamp(os.stat(self.path).st_mtime, UTC).date()

    def members(self) -> Iterator[tuple[str, IO[bytes]]]:
        """(display name, binary stream) for each file inside, decompressed."""
        try:
            if zipfile.is_zipfile(self.path):
                with open(self.path, "rb") as raw, zipfile.ZipFile(raw) as archive:
                    self._raw = raw
                    for info in archive.infolist():
                        if not info.is_dir():
                            with archive.open(info) as member:
                                yield f"{self.name}:{info.filename}", member
            elif _is_gzip(self.path):
                with open(self.path, "rb") as raw, gzip.GzipFile(fileobj=raw) as member:
                    self._raw = raw
                    yield self.name, cast(IO[bytes], member)
            else:
                with open(self.path, "rb") as raw:
                    self._raw = raw
                    yield self.name, raw
        except (OSError, EOFError, zipfile.BadZipFile) as exc:
            raise InputError(f"{self.name}: cannot read: {exc}") from None

    def blocks(self, size: int = BLOCK_BYTES) -> Iterator[Block]:
        """Line-aligned blocks of every member, CR removed, last line newline-terminated."""
        for member, stream in self.members():
            line = 1
            carry = b""
            while True:
                try:
                    chunk = stream.read(size)
                except (OSError, EOFError, zipfile.BadZipFile) as exc:
                    raise InputError(f"{member}: cannot read: {exc}") from None
                if not chunk:
                    break
                chunk = carry + chunk
                cut = chunk.rfind(b"\n") + 1
                carry = chunk[cut:]
                if cut:
                    data = chunk[:cut].replace(b"\r", b"")
                    yield Block(member, line, data)
                    line += data.count(b"\n")
            if carry.strip():
                yield Block(member, line, carry.replace(b"\r", b"") + b"\n")


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"
