"""The audit chain held to the world outside the database: anchors written
to an append-only file (and syslog), and ``verify``, which walks the chain,
holds it to the latest anchor and reconciles the state with the log."""

from __future__ import annotations

import logging
import logging.handlers
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from dnc.app.context import App
from dnc.audit import Anchor, AnchorCheck, check_anchors
from dnc.errors import AnchorError, one_line
from dnc.storage import audit_repo, reconcile_repo
from dnc.storage.reconcile_repo import Disagreement

RECONCILE_LIMIT = 100
"""Disagreements named per kind; more are counted as "at least"."""


@dataclass(frozen=True, slots=True)
class AuditVerification:
    """The chain walked (``records``, ``head``, ``first_bad``), held to its
    latest anchor (``anchor``: None when there is none or it was skipped) and
    the state reconciled with the log (``disagreements``)."""

    records: int
    head: str
    first_bad: int | None = None
    problem: str | None = None
    anchor: AnchorCheck | None = None
    anchor_source: str | None = None
    disagreements: list[Disagreement] = field(default_factory=list)
    reconcile_problem: str | None = None

    @property
    def ok(self) -> bool:
        return (
            self.first_bad is None
            and (self.anchor is None or self.anchor.problem is None)
            and not self.disagreements
            and self.reconcile_problem is None
        )

    @property
    def lost(self) -> int:
        return self.anchor.lost if self.anchor is not None else 0


def anchor_path(app: App) -> Path | None:
    """Where anchors go: the configured file, else ``<file>.anchors`` beside a
    SQLite database; None for PostgreSQL unless configured, or when "none"."""
    configured = app.config.audit.anchor_file
    if configured.lower() == "none":
        return None
    if configured:
        return Path(configured).expanduser()
    found = app.store.file
    return found.with_name(found.name + ".anchors") if found is not None else None


def anchor(app: App) -> tuple[Anchor, list[str]]:
    """Write the chain's head and count where configured; return the anchor and
    where it went. AnchorError when it was to go somewhere and could not."""
    with app.store.unit() as uow:
        count, head, _ = audit_repo.head(uow.connection)
    made = Anchor(app.now(), count, head, app.store.database)
    written: list[str] = []
    path = anchor_path(app)
    if path is not None:
        _append(path, made.to_line())
        written.append(str(path))
    if app.config.audit.syslog:
        _syslog(app, made)
        written.append(f"syslog {app.config.audit.syslog_address}")
    return made, written


def anchors(app: App) -> tuple[list[Anchor], str | None]:
    """The anchors of this database in the file, oldest first, and the file."""
    path = anchor_path(app)
    if path is None:
        return [], None
    try:
        text = path.read_text("utf-8", errors="replace")
    except FileNotFoundError:
        return [], str(path)
    except OSError as exc:
        raise AnchorError(f"cannot read the audit anchor file {path}: {exc.strerror}") from None
    database = app.store.database
    found = [a for a in map(Anchor.from_line, text.splitlines()) if a is not None]
    # A file shared by several databases: only this one's anchors count.
    return [a for a in found if not a.database or a.database == database], str(path)


def verify(app: App, *, use_anchor: bool = True, reconcile: bool = True) -> AuditVerification:
    held, source = anchors(app) if use_anchor else ([], None)
    positions = {a.records for a in held}
    with app.store.unit() as uow:
        report = audit_repo.verify(uow.connection, positions)
        found: list[Disagreement] = []
        problem = None
        if reconcile:
            try:
                found = reconcile_repo.disagreements(uow.connection, RECONCILE_LIMIT)
            except SQLAlchemyError as exc:
                # Junk written into the log (which the chain walk names) can
                # make the comparison itself fail: say so, never pass.
                problem = f"cannot reconcile the state with the log: {one_line(exc)}"
    checked = None
    if held and report.first_bad is None:
        checked = check_anchors(held, report.records, report.at_positions)
    elif held:
        checked = AnchorCheck(held[-1])
    return AuditVerification(
        report.records,
        report.head,
        report.first_bad,
        report.problem,
        checked,
        source,
        found,
        problem,
    )


def _append(path: Path, line: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    except OSError as exc:
        raise AnchorError(f"cannot write the audit anchor file {path}: {exc.strerror}") from None
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    except OSError as exc:
        raise AnchorError(f"cannot write the audit anchor file {path}: {exc.strerror}") from None
    finally:
        os.close(fd)


def _syslog(app: App, made: Anchor) -> None:
    settings = app.config.audit
    address: str | tuple[str, int] = settings.syslog_address
    host, sep, port = settings.syslog_address.rpartition(":")
    if sep and port.isdigit() and not settings.syslog_address.startswith("/"):
        address = (host, int(port))
    facility = logging.handlers.SysLogHandler.facility_names[settings.syslog_facility]
    try:
        handler = logging.handlers.SysLogHandler(address=address, facility=facility)
    except OSError as exc:
        raise AnchorError(f"cannot reach syslog at {settings.syslog_address}: {exc}") from None
    # Sent here rather than through emit(), which would swallow a failure.
    priority = handler.encodePriority(handler.facility, "info")
    data = f"<{priority}>dnc audit anchor {made.to_line()}\x00".encode()
    sock: socket.socket = handler.socket  # type: ignore[attr-defined]
    try:
        if handler.unixsocket:
            sock.send(data)
        else:
            sock.sendto(data, handler.address)
    except OSError as exc:
        raise AnchorError(f"cannot write to syslog at {settings.syslog_address}: {exc}") from None
    finally:
        handler.close()
