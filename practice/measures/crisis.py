"""The crisis resources setting as lines to show, with their numbers as links to call or text.
Plain functions, no Flask.

One line per service: the words, then optional actions after a bar, for example
``US: 988 Suicide & Crisis Lifeline, any time. | call 988 | text 988``. An action is
``call`` or ``text``, a number, and optionally a few words in brackets: ``call 999 (UK)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _

# Mend's own crisis resources, used until a practice sets its region's services
# (PRACTICE_CRISIS_RESOURCES). While the setting is exactly this default, each reader sees it in
# their own language (default_lines); a practice's own text is shown as the practice wrote it.
DEFAULT_RESOURCES = (
    "If you are in danger right now, call your local emergency number."
    " | call 999 (UK) | call 911 (US and Canada) | call 112 (EU)\n"
    "UK and Ireland: Samaritans, any time, free. | call 116 123\n"
    "US: 988 Suicide & Crisis Lifeline, call or text. | call 988 | text 988\n"
    "Elsewhere: your doctor, or the nearest emergency department."
)

_ACTION = re.compile(r"^(call|text)\s+(\+?[0-9][0-9 ]{1,20}[0-9])\s*(?:\(([^()]{1,40})\))?$", re.I)


@dataclass(frozen=True)
class Action:
    kind: str  # "call" or "text"
    number: str  # as written, for reading: "116 123"
    note: str  # e.g. "UK", or ""

    @property
    def href(self) -> str:
        digits = self.number.replace(" ", "")
        return f"tel:{digits}" if self.kind == "call" else f"sms:{digits}"

    @property
    def label(self) -> str:
        if self.kind == "call":
            if self.note:
                return _("Call %(number)s (%(note)s)", number=self.number, note=self.note)
            return _("Call %(number)s", number=self.number)
        if self.note:
            return _("Text %(number)s (%(note)s)", number=self.number, note=self.note)
        return _("Text %(number)s", number=self.number)


@dataclass(frozen=True)
class CrisisLine:
    text: str
    actions: tuple[Action, ...]


def crisis_lines(setting: str) -> list[CrisisLine]:
    """The lines of the setting; a part after a bar that is not an action stays as words."""
    lines = []
    for raw in (setting or "").splitlines():
        parts = [p.strip() for p in raw.split("|")]
        words, actions = [parts[0]], []
        for part in parts[1:]:
            match = _ACTION.match(part)
            if match:
                kind, number, note = match.groups()
                actions.append(Action(kind.lower(), " ".join(number.split()), note or ""))
            elif part:
                words.append(part)
        text = " ".join(w for w in words if w)
        if text or actions:
            lines.append(CrisisLine(text, tuple(actions)))
    return lines


def default_lines() -> list[CrisisLine]:
    """DEFAULT_RESOURCES in the reader's language (the same services and numbers)."""
    return [
        CrisisLine(
            _("If you are in danger right now, call your local emergency number."),
            (
                Action("call", "999", _("UK")),
                Action("call", "911", _("US and Canada")),
                Action("call", "112", _("EU")),
            ),
        ),
        CrisisLine(
            _("UK and Ireland: Samaritans, any time, free."), (Action("call", "116 123", ""),)
        ),
        CrisisLine(
            _("US: 988 Suicide & Crisis Lifeline, call or text."),
            (Action("call", "988", ""), Action("text", "988", "")),
        ),
        CrisisLine(_("Elsewhere: your doctor, or the nearest emergency department."), ()),
    ]


def lines_for(setting: str) -> list[CrisisLine]:
    """The lines to show: Mend's default in the reader's language, else the practice's own."""
    if (setting or "").strip() == DEFAULT_RESOURCES:
        return default_lines()
    return crisis_lines(setting)
