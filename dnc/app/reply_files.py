"""Reply files: an SMS gateway's (or a chat system's) export, recorded all or nothing.

Columns: ``number``, ``text``, ``received_at`` (ISO 8601 with an offset),
``channel``; optional ``campaign`` and ``agent``. Every line is read,
checked and classified before anything is written, so a bad line changes
nothing; then one unit of work records every reply and its effect.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dnc.app import replies
from dnc.app.context import App
from dnc.errors import BadLineError, DncError, InputError
from dnc.importing import InputFile
from dnc.importing.formats import cell_identifier, csv_rows, number_cell
from dnc.inputs import instant

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
    started = time.perf_counter()
    source = InputFile(path, encoding)
    who = app.actor(actor)
    read = []
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
            phone, reading, received = replies.read(app, reply, language)
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
