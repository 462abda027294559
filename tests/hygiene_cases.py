"""Tests that misbehave on purpose, run only by tests/test_suite_hygiene.py in a pytest of their
own (the file name keeps them out of the suite's own collection)."""

from __future__ import annotations

import signal
import subprocess
import time


def test_leaves_a_process_and_a_handler() -> None:
    process = subprocess.Popen(["sleep", "60"])
    print(f"started pid {process.pid}")
    signal.signal(signal.SIGTERM, lambda *_: None)


def test_runs_for_a_long_time() -> None:
    time.sleep(120)
