"""The seven stages of recovery after a betrayal, and the rules for moving between them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

FIRST_STAGE = 1
LAST_STAGE = 7


@dataclass(frozen=True)
class Stage:
    number: int
    # Lazy strings: each reads in the language of whoever is reading (str() when shown).
    name: str
    summary: str


STAGES: dict[int, Stage] = {
    s.number: s
    for s in (
        Stage(
            1, _l("Acknowledging the hurt"), _l("The injured partner's pain is heard and named.")
        ),
        Stage(
            2,
            _l("Full accountability"),
            _l("The involved partner owns what happened, without defending."),
        ),
        Stage(3, _l("Honest conversations"), _l("Transparent talks and regular check-ins.")),
        Stage(4, _l("New boundaries"), _l("Agreements and consequences both partners accept.")),
        Stage(
            5,
            _l("Professional support"),
            _l("Couple, individual and group support around the couple."),
        ),
        Stage(
            6,
            _l("Rebuilding intimacy"),
            _l("Closeness returns slowly, at the injured partner's pace."),
        ),
        Stage(
            7, _l("Daily repair"), _l("Small, consistent actions, and noticing positive change.")
        ),
    )
}


class StageMoveError(ValueError):
    """A stage move that is not allowed; the message is shown to the clinician."""


def stage_name(number: int) -> str:
    """The stage's name, e.g. 'Full accountability' (in the reader's language)."""
    return str(STAGES[number].name)


def stage_label(number: int) -> str:
    """'2. Full accountability' (in the reader's language)."""
    return _("%(number)d. %(name)s", number=number, name=STAGES[number].name)


def check_stage_move(current: int, target: int, reason: str) -> None:
    """Raise StageMoveError unless moving from current to target with this reason is allowed."""
    if target not in STAGES:
        raise StageMoveError(
            _(
                "Stages run from %(first)d to %(last)d; %(target)s is not one.",
                first=FIRST_STAGE,
                last=LAST_STAGE,
                target=target,
            )
        )
    if target == current:
        raise StageMoveError(_("The couple is already in stage %(stage)d.", stage=current))
    if not reason.strip():
        raise StageMoveError(_("Please give a short reason for the move; it stays in the history."))
