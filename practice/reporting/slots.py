"""At most so many reports print at once on this machine, whichever processes ask.

Each web worker and each `practice worker` has its own pool of render processes (cores minus
one), so five web workers could print five reports at once on two cores and leave the pages
one core or none. A report holds one of a few lock files while it prints; the lock goes with
the open file, so a thread or a process that dies gives its slot back at once.
"""

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_FIRST_WAIT = 0.01
_LONGEST_WAIT = 0.1


def slots_folder() -> Path:
    """The machine's slot files (one folder per user: Mend's processes run as one user)."""
    return Path(tempfile.gettempdir()) / f"mend-printing-{os.getuid()}"


class NoSlot(Exception):
    """Every slot stayed taken until the deadline."""


class UnsafeFolder(Exception):
    """The slots' folder is not a private folder of this user (in a shared temporary folder,
    another account could have made it first)."""


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, exist_ok=True)
    found = os.lstat(folder)
    if (
        not stat.S_ISDIR(found.st_mode)
        or found.st_uid != os.getuid()
        or found.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    ):
        raise UnsafeFolder(f"{folder} must be a folder of user {os.getuid()} with mode 700")


@contextmanager
def printing_slot(count: int, deadline: float, folder: Path | None = None) -> Iterator[int]:
    """Hold one of `count` slots (yields its number) until the block ends; wait for one until
    `deadline` (time.monotonic()), then raise NoSlot."""
    folder = folder or slots_folder()
    _private_folder(folder)
    wait = _FIRST_WAIT
    while True:
        for number in range(count):
            # A new open file each try: flock is held per open file, so two threads of one
            # process sharing a descriptor would both think they hold it.
            fd = os.open(folder / f"slot-{number}", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield number
            finally:
                os.close(fd)  # closing the file gives the lock back
            return
        if time.monotonic() >= deadline:
            raise NoSlot
        time.sleep(wait)
        wait = min(wait * 2, _LONGEST_WAIT)
