"""A partner's own words as a readable PDF, through the report machinery (strict Jinja
environment, locked-down asset fetcher, render pool), in its reader's language."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from flask_babel import gettext

from practice.i18n import in_language, reader_language
from practice.reporting.layout import environment
from practice.reporting.printing import render


def _labels() -> dict[str, dict[str, str]]:
    """The words for the codes the export holds (the JSON keeps the codes themselves)."""
    _ = gettext
    return {
        "check_period": {"daily": _("checked daily"), "weekly": _("checked weekly")},
        "boundary_status": {
            "proposed": _("boundary proposed"),
            "active": _("boundary active"),
            "paused": _("boundary paused"),
            "retired": _("boundary retired"),
        },
        "report": {"kept": _("kept"), "crossed": _("crossed"), "na": _("not applicable")},
    }


def _conversation(value: str) -> str:
    # A partner's export holds the conversation of all three and their own private one only.
    if value == "all three":
        return gettext("All three of you")
    return gettext("Just you and your clinician")


def export_html(data: dict[str, Any], language: str | None = None) -> str:
    """The export's print HTML (the template receives the same plain dict as the JSON), in
    `language`, or without one in the current reader's."""
    with in_language(language) if language else nullcontext():
        messages = [
            {
                **m,
                "conversation": _conversation(m["conversation"]),
                "from": gettext("you") if m["from"] == "me" else m["from"],
            }
            for m in data.get("messages", [])
        ]
        return (
            environment()
            .get_template("export.html")
            .render(
                export={**data, "messages": messages},
                labels=_labels(),
                lang=reader_language(),
            )
        )


def export_pdf(data: dict[str, Any], language: str | None = None) -> bytes:
    """The export as PDF bytes, printed in a render process."""
    return render(export_html(data, language))
