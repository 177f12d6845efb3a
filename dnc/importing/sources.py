"""Opening import files: plain, .gz or .zip, read in large line-aligned blocks.

Registry files run to gigabytes, so nothing here holds a whole file: blocks
of a few megabytes end on a line boundary and carry the number of their
first line, which is how an error names its line.
"""

from __future__ import annotations

import codecs
import gzip
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, cast

from dnc.errors import BadLineError, InputError

BLOCK_BYTES = 8 << 20
TEXT_BYTES = 1 << 20

# Longest first: a UTF-32 LE mark begins with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_UTF8 = {"utf-8", "utf_8", "utf8", "u8"}


def encoding_name(encoding: str | None) -> str:
    """A codec Python knows, by its canonical name; InputError otherwise."""
    if encoding is None:
        return "utf-8"
    try:
        return codecs.lookup(encoding).name
    except (LookupError, ValueError):
        raise InputError(f"unknown encoding {encoding!r} (e.g. utf-8, utf-16, latin-1)") from None


def sniff(head: bytes, encoding: str | None) -> tuple[str, int]:
    """(encoding, bytes of byte-order mark to skip): a BOM wins over the
    encoding asked for, which wins over UTF-8."""
    for bom, name in BOMS:
        if head.startswith(bom):
            # utf-16/utf-32 decoders read the mark themselves; UTF-8's is skipped.
            return name, len(bom) if name == "utf-8" else 0
    return encoding_name(encoding), 0


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

    def __init__(self, path: str | Path, encoding: str | None = None) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.encoding = encoding_name(encoding) if encoding is not None else None
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
        try:
            if zipfile.is_zipfile(self.path):
                with zipfile.ZipFile(self.path) as archive:
                    stamps = [i.date_time for i in archive.infolist() if not i.is_dir()]
                if stamps:
                    return date(*max(stamps)[:3])
            return datetime.fromtimestamp(os.stat(self.path).st_mtime, UTC).date()
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            raise InputError(f"{self.name}: cannot read: {exc}") from None

    def lines(self, member: str, stream: IO[bytes]) -> Iterator[str]:
        """The text lines of one member (line ends kept, for the csv module),
        decoded by its byte-order mark, else the file's encoding, else UTF-8.
        A byte that does not decode is a BadLineError naming the line and the byte."""
        head = _read(member, stream, 4)
        encoding, skip = sniff(head, self.encoding)
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        data, line, carry = head[skip:], 1, ""
        while True:
            final = not data
            try:
                text = carry + decoder.decode(data, final=final)
            except UnicodeDecodeError as exc:
                raise _undecodable(member, line, carry, data, exc, encoding) from None
            # Split on line feeds only: a field may hold U+2028 and the like.
            parts = text.split("\n")
            carry = parts.pop()
            for part in parts:
                yield part + "\n"
            line += len(parts)
            if final:
                if carry:
                    yield carry
                return
            data = _read(member, stream, TEXT_BYTES)

    def needs_decoding(self, head: bytes) -> bool:
        """Whether a member starting with ``head`` must be decoded before its
        bytes can be read as ASCII lines (a UTF-16 or UTF-32 file)."""
        encoding, _ = sniff(head, self.encoding)
        return encoding not in _UTF8 and encoding not in ("ascii", "latin-1", "iso8859-1", "cp1252")

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
            elif _is_broken_zip(self.path):
                raise InputError(f"{self.name}: a zip file that is truncated or corrupt")
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
        """Line-aligned blocks of every member, CR removed, last line newline-terminated.
        A UTF-8 byte-order mark is dropped; a UTF-16 or UTF-32 member is decoded
        (the layouts read are ASCII)."""
        for member, stream in self.members():
            line = 1
            head = _read(member, stream, 4)
            if self.needs_decoding(head):
                yield from self._decoded_blocks(member, head, stream, size)
                continue
            carry = head[3:] if head.startswith(codecs.BOM_UTF8) else head
            while True:
                chunk = _read(member, stream, size)
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

    def _decoded_blocks(
        self, member: str, head: bytes, stream: IO[bytes], size: int
    ) -> Iterator[Block]:
        rest = _Prefixed(head, stream)
        line, batch, held = 1, [], 0
        for text in self.lines(member, cast(IO[bytes], rest)):
            data = text.encode("utf-8", "replace").replace(b"\r", b"")
            if not data.endswith(b"\n"):
                data += b"\n"
            batch.append(data)
            held += len(data)
            if held >= size:
                block = b"".join(batch)
                yield Block(member, line, block)
                line += block.count(b"\n")
                batch, held = [], 0
        if batch:
            yield Block(member, line, b"".join(batch))


class _Prefixed:
    """A stream with bytes already read put back in front."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if self._head:
            head, self._head = self._head, b""
            if size < 0:
                return head + self._stream.read()
            return head + self._stream.read(max(size - len(head), 0))
        return self._stream.read(size)


def _read(member: str, stream: IO[bytes], size: int) -> bytes:
    try:
        return stream.read(size)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"{member}: cannot read: {exc}") from None


def _undecodable(
    member: str,
    line: int,
    carry: str,
    data: bytes,
    exc: UnicodeDecodeError,
    encoding: str,
) -> BadLineError:
    """The line and byte a decoder stopped at, and what to do about it."""
    before = carry + data[: exc.start].decode(encoding, "replace")
    line += before.count("\n")
    start = data.rfind(b"\n", 0, exc.start) + 1
    end = data.find(b"\n", exc.start)
    shown = data[start : end if end >= 0 else len(data)][:80]
    bad = data[exc.start : exc.end][:4]
    return BadLineError(
        member,
        line,
        shown.decode("ascii", "backslashreplace"),
        f"byte {' '.join(f'0x{b:02X}' for b in bad)} is not {encoding} text "
        "(give its encoding, e.g. --encoding latin-1)",
    )


def _is_broken_zip(path: Path) -> bool:
    """A zip's local header without the central directory zipfile needs."""
    with open(path, "rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"
