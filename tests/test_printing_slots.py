"""No more reports print at once on the machine than it has cores minus one, whichever
processes ask: the slots are lock files, held while a report prints."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from practice.reporting import slots
from practice.reporting.printing import RenderError, pool_size, render
from practice.reporting.slots import NoSlot, UnsafeFolder, printing_slot


def soon(seconds: float = 0.2) -> float:
    return time.monotonic() + seconds


def test_a_slot_is_held_until_the_block_ends(tmp_path: Path) -> None:
    with printing_slot(1, soon(), tmp_path) as number:
        assert number == 0
        with pytest.raises(NoSlot), printing_slot(1, soon(), tmp_path):
            pass
    with printing_slot(1, soon(), tmp_path) as number:
        assert number == 0


def test_each_holder_has_its_own_slot_and_the_next_waits(tmp_path: Path) -> None:
    holding, release, got = threading.Event(), threading.Event(), []

    def hold() -> None:
        with printing_slot(2, soon(), tmp_path) as number:
            got.append(number)
            holding.set()
            release.wait(5)

    first = threading.Thread(target=hold)
    first.start()
    assert holding.wait(5)
    with printing_slot(2, soon(), tmp_path) as number:
        assert number != got[0]  # threads of one process do not share a slot
        with pytest.raises(NoSlot), printing_slot(2, soon(), tmp_path):
            pass

        # A waiter gets the slot as soon as it comes free.
        def free_later() -> None:
            time.sleep(0.1)
            release.set()

        threading.Thread(target=free_later).start()
        started = time.monotonic()
        with printing_slot(2, soon(5), tmp_path):
            assert time.monotonic() - started < 2
    first.join(5)


def test_another_process_holding_the_slot_keeps_it_until_it_ends(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(tmp_path / 'slot-0')!r}, os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(NoSlot), printing_slot(1, soon(), tmp_path):
            pass
    finally:
        holder.kill()
        holder.wait(10)
    # A process that dies gives its slot back.
    with printing_slot(1, soon(2), tmp_path) as number:
        assert number == 0


def test_a_report_that_cannot_get_a_slot_in_time_says_so_plainly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(slots, "slots_folder", lambda: tmp_path)
    held = [printing_slot(pool_size(), soon(), tmp_path) for _ in range(pool_size())]
    for slot in held:
        slot.__enter__()
    try:
        with pytest.raises(RenderError, match="Other reports are printing"):
            render("<p>a report</p>", timeout=0.3)
    finally:
        for slot in held:
            slot.__exit__(None, None, None)


def test_slots_are_only_kept_in_a_private_folder_of_this_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a shared temporary folder another account could make the folder first, or a link.
    loose = tmp_path / "loose"
    loose.mkdir()
    loose.chmod(0o755)
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    linked = tmp_path / "linked"
    linked.symlink_to(private)
    for unsafe in (loose, linked):
        with pytest.raises(UnsafeFolder), printing_slot(1, soon(), unsafe):
            pass
    with printing_slot(1, soon(), private) as number:
        assert number == 0
    # A report then says plainly that it cannot print; nothing is half written.
    monkeypatch.setattr(slots, "slots_folder", lambda: loose)
    with pytest.raises(RenderError, match="cannot be printed on this server right now"):
        render("<p>a report</p>", timeout=0.3)


def test_a_render_process_that_dies_does_not_stop_later_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from practice.reporting.printing import render_pool

    monkeypatch.setattr(slots, "slots_folder", lambda: tmp_path)
    assert render("<p>before</p>", timeout=120).startswith(b"%PDF")
    for process in list(render_pool()._processes.values()):
        process.kill()  # as the kernel's out-of-memory killer would
        process.join()
    assert render("<p>after</p>", timeout=120).startswith(b"%PDF")
    assert render("<p>and after that</p>", timeout=120).startswith(b"%PDF")
