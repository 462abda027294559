"""A test leaves the test process as it found it: no child process still running, no signal
handler changed.

A job-queue test once left RQ's SIGTERM handler installed, so a `timeout` on the suite became an
HTTP 500 inside an unrelated test and the suite went on; a fault test once left a worker running
for an hour. The autouse fixture `leaves_no_process_or_handler` (tests/conftest.py) fails any
test that does either, after putting things right so the next test starts clean. The test
process is made a child subreaper, so a grandchild whose parent died (RQ's scheduler, gunicorn's
workers) comes back to it and is seen too.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PR_SET_CHILD_SUBREAPER = 36
GRACE_SECONDS = 2.0  # a child told to stop at the end of a test may take a moment to go
# Helpers Python itself keeps for the life of the process once anything has used them.
LONG_LIVED = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")
# Signals whose handlers are compared (SIGKILL and SIGSTOP cannot be caught).
WATCHED = tuple(s for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP))


def become_subreaper() -> None:
    """Orphaned descendants of the test process are re-parented to it (Linux; else nothing)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """A `preexec_fn` for test subprocesses: SIGTERM when the test process dies, however it
    dies (even SIGKILL), so nothing a test started outlives the suite (Linux; else nothing)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state letter) of a process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2 :].split()
    return int(fields[1]), fields[0]


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()[:200] or "?"


def children() -> dict[int, str]:
    """Direct children of this process: pid -> state letter (Z for exited, not yet reaped)."""
    me = os.getpid()
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[0] == me:
                found[int(entry)] = stat[1]
    return found


def handlers() -> dict[int, object]:
    """The current handler of every catchable signal."""
    return {s: signal.getsignal(s) for s in WATCHED}


def _kept_on_purpose() -> set[int]:
    """The report render processes: one pool for the life of the process, by design. A pool
    recycles its processes (every RENDERS_PER_PROCESS reports) and a broken one is replaced,
    so a render process on its way out may no longer be listed in the pool: the render pool
    is the app's only user of multiprocessing's spawn start method, so a spawned child of this
    process is one of them."""
    printing = sys.modules.get("practice.reporting.printing")
    if printing is None:
        return set()
    kept = {pid for pid in children() if "multiprocessing.spawn" in _command(pid)}
    if printing.render_pool.cache_info().currsize:
        kept |= set((printing.render_pool()._processes or {}).keys())
    return kept


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def leaked_children(before: set[int]) -> list[str]:
    """Children started since `before` that are still running after a short grace; each is
    killed and reaped, and described for the failure message. Exited ones are reaped quietly."""
    deadline = time.monotonic() + GRACE_SECONDS
    while True:
        running = {}
        kept = _kept_on_purpose()
        for pid, state in children().items():
            if pid in before or pid in kept:
                continue
            command = _command(pid)
            if state == "Z":
                _reap(pid)  # it did stop; only its exit status was never collected
            elif not any(helper in command for helper in LONG_LIVED):
                running[pid] = command
        if not running or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    for pid in running:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    for pid in running:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, 0)
    return [f"pid {pid}: {command}" for pid, command in running.items()]


def changed_handlers(before: dict[int, object]) -> list[str]:
    """Signals whose handler differs from `before`; each is put back."""
    changed = []
    for signum, handler in before.items():
        now = signal.getsignal(signum)
        if now is not handler and now != handler:
            changed.append(f"{signal.Signals(signum).name}: {now!r} (was {handler!r})")
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(signum, handler)
    return changed


@pytest.fixture(autouse=True)
def leaves_no_process_or_handler() -> Iterator[None]:
    """Fail the test if it leaves a child process running or a signal handler changed."""
    children_before = set(children())
    handlers_before = handlers()
    yield
    problems = []
    leaked = leaked_children(children_before)
    if leaked:
        problems.append("left child processes running (now killed): " + "; ".join(leaked))
    changed = changed_handlers(handlers_before)
    if changed:
        problems.append("changed signal handlers (now restored): " + "; ".join(changed))
    if problems:
        pytest.fail("This test " + " and ".join(problems), pytrace=False)
