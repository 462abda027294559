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
