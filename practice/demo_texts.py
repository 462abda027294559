"""The demo practice's words, read from the data files in practice/data/demo/."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

DEMO_DATA = Path(__file__).parent / "data" / "demo"


@cache
def demo_texts(name: str) -> dict[str, Any]:
    """One demo data file (e.g. "messages" for messages.toml), parsed once."""
    return tomllib.loads((DEMO_DATA / f"{name}.toml").read_text(encoding="utf-8"))
