"""A bound on how long a check waits for the database, kept by the client.

A PostgreSQL server enforces ``statement_timeout``, but a network path that
freezes (a dead switch, a black-holed route) carries neither the answer nor
the error: the client would wait until TCP gives up, minutes later. The
watchdog thread wakes a few times per bound and aborts every check that has
run past its deadline (shutting its socket down, interrupting SQLite), so
the check fails at once and answers CHECK_FAILED.

Arming costs the check a clock read and a dict write: no lock, no wake-up.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable

Abort = Callable[[], None]


class Watchdog:
    """Aborts the checks still running ``bound`` seconds after they were armed."""

    def __init__(self, bound: float) -> None:
        self.bound = bound
        self._interval = max(0.005, bound / 5)
        self._armed: dict[int, tuple[float, Abort]] = {}
        self._fired: set[int] = set()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._stop = threading.Event()

    def arm(self, ident: int, abort: Abort) -> None:
        if self._thread is None:
            self._start()
        self._armed[ident] = (time.monotonic() + self.bound, abort)

    def disarm(self, ident: int) -> bool:
        """Stop watching; True when the watchdog aborted this check."""
        self._armed.pop(ident, None)
        if self._fired and ident in self._fired:
            self._fired.discard(ident)
            return True
        return False

    def close(self) -> None:
        """Stop the thread; a later ``arm`` starts a new one."""
        with self._start_lock:
            thread, self._thread = self._thread, None
            self._stop.set()
            self._stop = threading.Event()
        if thread is not None:
            thread.join()

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                thread = threading.Thread(
                    target=self._run, args=(self._stop,), name="dnc-check-watchdog", daemon=True
                )
                thread.start()
                self._thread = thread

    def _run(self, stop: threading.Event) -> None:
        while not stop.wait(self._interval):
            now = time.monotonic()
            for ident, armed in list(self._armed.items()):
                if now < armed[0] or self._armed.get(ident) is not armed:
                    continue
                self._armed.pop(ident, None)
                self._fired.add(ident)
                try:
                    armed[1]()
                except Exception:  # noqa: S110 - the check fails either way
                    pass


def shut_down_socket(fd: int) -> Abort:
    """An abort that shuts a connection's socket down: the blocked read
    returns at once, the driver raises, and the connection is discarded."""

    def abort() -> None:
        sock = socket.socket(fileno=os.dup(fd))
        try:
            sock.shutdown(socket.SHUT_RDWR)
        finally:
            sock.close()

    return abort
