"""Reply files: an SMS gateway's (or a chat system's) export, recorded all or nothing.

Columns: ``number``, ``text``, ``received_at`` (ISO 8601 with an offset),
``channel``; optional ``campaign`` and ``agent``. Every line is read,
checked and classified before anything is written, so a bad line changes
nothing; then one unit of work records every reply and its effect.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dnc.app import replies
from dnc.app.context import App
from dnc.errors import BadLineError, DncError, InputError
from dnc.importing import InputFile
from dnc.importing.formats import cell_identifier, csv_rows, number_cell
from dnc.inputs import instant
from dnc.replies import ReplyIntent

Progress = Callable[[int, int], None]
"""Called with (bytes of the file read so far, file size in bytes)."""


@dataclass(frozen=True, slots=True)
class ReplyImportSummary:
    """What a reply import did: replies read, and their effects."""

    file: str
    read: int
    effects: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        done = ", ".join(f"{n:,} {effect}" for effect, n in sorted(self.effects.items()))
        return (
            f"{self.file}: {self.read:,} replies recorded ({done or 'none'}), {self.seconds:.1f} s"
        )


def import_replies(
    app: App,
    path: str | Path,
    *,
    language: str | None,
    actor: str | None,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> ReplyImportSummary:
    with cycle_collection_paused():
        return _import(
            app, path, language=language, actor=actor, progress=progress, encoding=encoding
        )


_pause_lock = threading.Lock()
_pauses = 0
_paused_by_us = False


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Hold off Python's cycle collector while a bulk import builds its rows.

    An import keeps every line's objects alive until it commits; each full
    collection walks all of them again, a third of the CPU of a 40,000-line
    import (16.5 s instead of 23.1 s without). Nothing is lost: the
    collector runs again when the last concurrent import ends (reference
    counting frees everything else meanwhile)."""
    global _pauses, _paused_by_us
    with _pause_lock:
        _pauses += 1
        if _pauses == 1 and gc.isenabled():
            gc.disable()
            _paused_by_us = True
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _paused_by_us:
                _paused_by_us = False
                gc.enable()


def _import(
    app: App,
    path: str | Path,
    *,
    language: str | None,
    actor: str | None,
    progress: Progress | None,
    encoding: str | None,
) -> ReplyImportSummary:
    started = time.perf_counter()
    source = InputFile(path, encoding)
    who = app.actor(actor)
    read = []
    readings: dict[str, ReplyIntent] = {}
    for member, line, row in csv_rows(source):
        reply = replies.Reply(
            number=number_cell(row).strip(),
            text=row.get("text") or "",
            channel=(row.get("channel") or "").strip().lower(),
            received_at=_instant(member, line, row.get("received_at")),
            campaign=cell_identifier(member, line, _cell(row, "campaign"), "campaign"),
            agent=cell_identifier(member, line, _cell(row, "agent"), "agent"),
        )
        try:
            phone, reading, received = replies.read(app, reply, language, readings)
        except DncError as exc:
            raise BadLineError(member, line, _shown(row), getattr(exc, "why", str(exc))) from None
        read.append(
            replies.ReadReply(reply, phone, reading, received, app.actor(reply.agent or who))
        )
        if progress is not None and len(read) % 1000 == 0:
            progress(source.position(), source.size)
    with app.store.unit(write=True) as uow:
        effects = Counter(done.effect for done in replies.record_many(uow.connection, app, read))
        uow.commit()
    if progress is not None:
        progress(source.size, source.size)
    return ReplyImportSummary(
        file=source.name,
        read=len(read),
        effects=dict(effects),
        seconds=time.perf_counter() - started,
    )


def _instant(member: str, line: int, text: str | None) -> datetime:
    value = (text or "").strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadLineError(member, line, value, "received_at is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise BadLineError(member, line, value, "received_at has no UTC offset")
    try:
        return instant(parsed, "received_at")
    except InputError as exc:
        raise BadLineError(member, line, value, str(exc)) from None


def _cell(row: dict[str, str], name: str) -> str | None:
    return (row.get(name) or "").strip() or None


def _shown(row: dict[str, str]) -> str:
    shown = ",".join(row.values())
    return shown if len(shown) <= 120 else shown[:120] + "…"
