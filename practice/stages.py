"""The seven stages of recovery after a betrayal, and the rules for moving between them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _


def N_(text: str) -> str:
    """Mark a string for the catalogue; it is translated where it is read."""
    return text


FIRST_STAGE = 1
LAST_STAGE = 7


@dataclass(frozen=True)
class Stage:
    number: int
    source_name: str  # English, as in the catalogue
    source_summary: str

    @property
    def name(self) -> str:
        """The stage's name in the reader's language (a page's, or a report's)."""
        return _(self.source_name)

    @property
    def summary(self) -> str:
        """What the stage is about, in the reader's language."""
        return _(self.source_summary)


STAGES: dict[int, Stage] = {
    s.number: s
    for s in (
        Stage(
            1, N_("Acknowledging the hurt"), N_("The injured partner's pain is heard and named.")
        ),
        Stage(
            2,
            N_("Full accountability"),
            N_("The involved partner owns what happened, without defending."),
        ),
        Stage(3, N_("Honest conversations"), N_("Transparent talks and regular check-ins.")),
        Stage(4, N_("New boundaries"), N_("Agreements and consequences both partners accept.")),
        Stage(
            5,
            N_("Professional support"),
            N_("Couple, individual and group support around the couple."),
        ),
        Stage(
            6,
            N_("Rebuilding intimacy"),
            N_("Closeness returns slowly, at the injured partner's pace."),
        ),
        Stage(
            7, N_("Daily repair"), N_("Small, consistent actions, and noticing positive change.")
        ),
    )
}


class StageMoveError(ValueError):
    """A stage move that is not allowed; the message is shown to the clinician."""


def stage_name(number: int) -> str:
    """The stage's name, e.g. 'Full accountability' (in the reader's language)."""
    return STAGES[number].name


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
