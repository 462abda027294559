"""A partner's own words as a readable PDF, through the report machinery (strict Jinja
environment, locked-down asset fetcher, render pool)."""

from __future__ import annotations

from typing import Any

from practice.reporting.layout import environment
from practice.reporting.printing import render


def export_html(data: dict[str, Any]) -> str:
    """The export's print HTML (the template receives the same plain dict as the JSON)."""
    return environment().get_template("export.html").render(export=data)


def export_pdf(data: dict[str, Any]) -> bytes:
    """The export as PDF bytes, printed in a render process."""
    return render(export_html(data))
