"""The suite can be trusted to clean up and to stop: a test that leaves a child process or a
changed signal handler fails (tests/hygiene.py), and a suite stopped by `timeout` stops."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = "tests/hygiene_cases.py"


def _pytest(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_test_that_leaves_a_process_or_a_handler_fails_and_is_cleaned_up() -> None:
    result = _pytest(f"{CASES}::test_leaves_a_process_and_a_handler", "-n0", "-s")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "left child processes running (now killed): pid" in output
    assert "sleep 60" in output
    assert "changed signal handlers (now restored): SIGTERM" in output
    pid = int(output.split("started pid ", 1)[1].split()[0])
    assert not Path(f"/proc/{pid}").exists(), "the leaked process is still there"


def test_a_suite_stopped_by_timeout_stops(tmp_path: Path) -> None:
    started = time.monotonic()
    result = subprocess.run(
        ["timeout", "-s", "TERM", "8", sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
         f"{CASES}::test_runs_for_a_long_time", "-n", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=100,
    )  # fmt: skip
    assert result.returncode == 124, result.stdout + result.stderr  # stopped by timeout
    assert time.monotonic() - started < 60  # not the test's 120 s
    # Nothing of that run is left: no pytest or xdist worker running that file.
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            assert b"hygiene_cases" not in command or b"timeout" in command
