"""The code passes ruff's lint and format checks (settings in pyproject.toml), run from
the static tools' own environment (tests/static_tools.py)."""

from __future__ import annotations

import subprocess

from tests.static_tools import ROOT, tool


def test_ruff_lint_is_clean() -> None:
    result = subprocess.run([tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = subprocess.run(
        [tool("ruff"), "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
