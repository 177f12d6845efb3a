"""This process's registry snapshot files: verified local copies, opened once.

Each file lives in the host's snapshot folder as ``registry-<file id>.snap``
(beside a SQLite database by default; see ``folder_for``). A file is opened
the first time a check, scrub or history asks for its id, after checking
it whole against the manifest in the database; a copy that is missing,
damaged or another database's is fetched again from the parts the database
holds. Whatever cannot be made good raises SnapshotError (a StorageError),
which a check answers as CHECK_FAILED: a registry never answers "not
listed" because its file is unreadable.
"""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import suppress
from pathlib import Path
from time import monotonic

from sqlalchemy.engine import Engine

from dnc.errors import CheckTimeoutError, SnapshotError, StorageError
from dnc.snapshots import Snapshot, assemble, discard_leftovers, open_snapshot
from dnc.storage import snapshot_repo
from dnc.storage.engine import sqlite_file

PREFIX = "registry-"
SUFFIX = ".snap"
RETRY_AFTER = 5.0
"""Seconds a file that could not be made good is answered as such before it
is fetched again: with damaged parts in the database, every check of every
process would otherwise start another download of the whole file."""


def folder_for(engine: Engine, setting: str = "") -> Path:
    """``setting`` when given; else ``<database file>.snapshots`` beside a SQLite
    file, or a folder per database under the user's cache (PostgreSQL)."""
    if setting:
        return Path(setting).expanduser().absolute()
    database = sqlite_file(engine)
    if database is not None:
        return database.with_name(database.name + ".snapshots")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    url = engine.url.render_as_string(hide_password=True)
    return cache / "dnc" / "snapshots" / hashlib.sha256(url.encode()).hexdigest()[:16]


class SnapshotFiles:
    """Open snapshot files by id; safe to share between threads."""

    def __init__(self, engine: Engine, folder: Path) -> None:
        self._engine = engine
        self.folder = folder
        self._open: dict[int, Snapshot] = {}
        self._lock = threading.Lock()
        self._loading: dict[int, Future[Snapshot]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._failed: dict[int, tuple[float, SnapshotError]] = {}

    def path(self, file_id: int) -> Path:
        return self.folder / f"{PREFIX}{int(file_id)}{SUFFIX}"

    def ensure_folder(self) -> None:
        """Make the folder, or say which setting names one that cannot be."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"registry snapshot folder {self.folder} (storage.snapshot_dir) "
                f"cannot be made: {exc.strerror or exc}"
            ) from None

    def get(self, file_id: int | None, *, wait: float | None = None) -> Snapshot:
        """The open file ``file_id``; ``wait``: at most this long for one not
        yet open (CheckTimeoutError after it, the fetch going on). None (a
        snapshot pointing at no file) raises SnapshotError, as a missing file."""
        found = self._open.get(file_id) if file_id is not None else None
        if found is not None:
            return found
        if file_id is None:
            raise SnapshotError(str(self.folder), "missing", "the snapshot points at no file")
        failed = self._failed.get(file_id)
        if failed is not None and monotonic() < failed[0]:
            error = failed[1]
            raise SnapshotError(error.path, error.problem, error.why)
        if wait is None:
            return self._load(file_id)
        with self._lock:
            pending = self._loading.get(file_id)
            if pending is None:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(1, thread_name_prefix="dnc-snapshot")
                pending = self._pool.submit(self._load, file_id)
                self._loading[file_id] = pending
        try:
            return pending.result(timeout=wait)
        except FutureTimeout:
            raise CheckTimeoutError(
                f"registry snapshot file {file_id} is still being read into "
                f"{self.folder} (a new snapshot; see docs/snapshots.md)"
            ) from None
        finally:
            if pending.done():
                with self._lock:
                    if self._loading.get(file_id) is pending:
                        del self._loading[file_id]

    def adopt(self, snapshot: Snapshot) -> None:
        """A file this process has just written and verified."""
        with self._lock:
            self._open[snapshot.snapshot_id] = snapshot

    def _load(self, file_id: int) -> Snapshot:
        try:
            return self._open_or_fetch(file_id)
        except SnapshotError as exc:
            self._failed[file_id] = (monotonic() + RETRY_AFTER, exc)
            raise

    def _open_or_fetch(self, file_id: int) -> Snapshot:
        with self._lock:
            found = self._open.get(file_id)
        if found is not None:
            return found
        with self._engine.connect() as conn:
            expected = snapshot_repo.manifest_of(conn, file_id)
        path = self.path(file_id)
        if expected is None:
            why = f"the database holds no snapshot file {file_id}"
            raise SnapshotError(str(path), "missing", why)
        try:
            snapshot = open_snapshot(path, verify=True, expect_id=file_id)
            if snapshot.header.digest.hex() != expected.digest:
                snapshot.close()
                raise SnapshotError(str(path), "wrong_snapshot", "another database's file")
        except SnapshotError:
            # Missing, damaged or stale: the database's copy is the truth.
            self.ensure_folder()
            discard_leftovers(self.folder)
            assemble(snapshot_repo.parts(self._engine, file_id, expected.parts), path, expected)
            snapshot = open_snapshot(path, verify=True, expect_id=file_id)
            self._tidy()
        with self._lock:
            self._open[file_id] = snapshot
            self._failed.pop(file_id, None)
            # Older files of the same registry are no longer handed out: a
            # long-running process would otherwise keep every month's mapped.
            # A check still holding one finishes with it (it is unmapped when
            # the last reference goes); one that asks for it again reopens it.
            for older, held in list(self._open.items()):
                if older < file_id and held.label == snapshot.label:
                    del self._open[older]
        return snapshot

    def _tidy(self) -> None:
        """Remove local copies of files the database no longer holds."""
        with self._engine.connect() as conn:
            live = snapshot_repo.live_ids(conn)
        with self._lock:
            for path in self.folder.glob(f"{PREFIX}*{SUFFIX}"):
                number = path.name[len(PREFIX) : -len(SUFFIX)]
                if number.isdigit() and int(number) not in live:
                    self._open.pop(int(number), None)
                    path.unlink(missing_ok=True)

    def forget(self, file_ids: set[int]) -> None:
        """Files the database dropped: close nothing a thread may be reading,
        just stop handing them out and remove this host's copies."""
        with self._lock:
            for file_id in file_ids:
                self._open.pop(file_id, None)
                # Cleanup, often on an error path: a copy that cannot be
                # removed here (an unusable folder) must not hide the cause.
                with suppress(OSError):
                    self.path(file_id).unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
            self._open.clear()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
