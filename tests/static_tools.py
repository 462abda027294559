"""Where the static-analysis tools live: their own virtual environment, not the app's.

ruff, bandit and semgrep (the `static` dependency group in pyproject.toml) are installed into
`.venv-static/` by `.ci/run`, so the app's test environment stays lean (semgrep alone brings
about 60 packages and pins older click and wrapt). `MEND_STATIC_TOOLS` may name another folder
holding the tools. Without them the checks are skipped locally, with the command that installs
them, and fail in CI (where `CI` is set), so they can never pass by not running.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT / ".venv-static" / "bin"
INSTALL = (
    "python3 -m venv .venv-static && .venv-static/bin/pip install $(python3 .ci/static_tools.py)"
)


def tools_dir() -> Path:
    """The folder the static tools are run from."""
    configured = os.environ.get("MEND_STATIC_TOOLS")
    return Path(configured) if configured else DEFAULT_DIR


def tool(name: str) -> Path:
    """The path of one static tool; skips (locally) or fails (in CI) when it is not installed."""
    path = tools_dir() / name
    if path.exists():
        return path
    message = (
        f"{name} is not installed in {tools_dir()} (the static tools' own environment). "
        f"Install them with: {INSTALL}"
    )
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the static checks: {message}", pytrace=False)
    pytest.skip(message)
