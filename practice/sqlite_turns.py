"""SQLite's writers take turns here, not in SQLite's busy handler.

SQLite lets one connection write at a time. The others wait in its busy handler, which sleeps
1, 2, 5, 10, 15, 20, 25, 50 and then 100 ms between tries, however soon the writer finishes.
Under load most of a write's time went to those sleeps (BEGIN IMMEDIATE took 6 ms at the
median and 137 ms at the 99th percentile, for transactions of a fraction of a millisecond).
Mend's own writers, threads of every process on the machine, queue here instead (a lock in the
process, then a lock file beside the database) and get their turn within a fraction of a
millisecond of it coming free. SQLite's busy timeout still covers anyone else writing (the
sqlite3 shell, a restore).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

from sqlalchemy.exc import OperationalError

_FIRST_WAIT = 0.0001
_LONGEST_WAIT = 0.002


class WriterTurns:
    """One SQLite database's turn to write, shared by its engines in this process."""

    def __init__(self, database: str, timeout: float) -> None:
        self.path = database + "-writers"
        self.timeout = timeout
        self._in_process = threading.Lock()
        self._fd: int | None = None
        self._pid: int | None = None

    def take(self) -> None:
        """Wait for the turn (at most the timeout; then "database is locked", as SQLite says)."""
        deadline = time.monotonic() + self.timeout
        if not self._in_process.acquire(timeout=self.timeout):
            raise _locked()
        try:
            fd, wait = self._file(), _FIRST_WAIT
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise _locked() from None
                    time.sleep(wait)
                    wait = min(wait * 2, _LONGEST_WAIT)
        except BaseException:
            self._in_process.release()
            raise

    def give_back(self) -> None:
        fcntl.flock(self._file(), fcntl.LOCK_UN)
        self._in_process.release()

    def _file(self) -> int:
        # Opened once in each process: a lock taken through a descriptor inherited across a
        # fork would be the parent's lock too, and keep no process from any other.
        if self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd


def _locked() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))


_TURNS: dict[str, WriterTurns] = {}
_REGISTRY = threading.Lock()


def turns_for(database: str, timeout: float) -> WriterTurns:
    """The turns of the database file at this path (one object per file in a process)."""
    path = os.path.realpath(database)
    with _REGISTRY:
        turns = _TURNS.get(path)
        if turns is None:
            turns = _TURNS[path] = WriterTurns(path, timeout)
        return turns
