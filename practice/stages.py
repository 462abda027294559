"""The seven stages of recovery after a betrayal, and the rules for moving between them."""

from __future__ import annotations

from dataclasses import dataclass

FIRST_STAGE = 1
LAST_STAGE = 7


@dataclass(frozen=True)
class Stage:
    number: int
    name: str
    summary: str


STAGES: dict[int, Stage] = {
    s.number: s
    for s in (
        Stage(1, "Acknowledging the hurt", "The injured partner's pain is heard and named."),
        Stage(
            2, "Full accountability", "The involved partner owns what happened, without defending."
        ),
        Stage(3, "Honest conversations", "Transparent talks and regular check-ins."),
        Stage(4, "New boundaries", "Agreements and consequences both partners accept."),
        Stage(5, "Professional support", "Couple, individual and group support around the couple."),
        Stage(6, "Rebuilding intimacy", "Closeness returns slowly, at the injured partner's pace."),
        Stage(7, "Daily repair", "Small, consistent actions, and noticing positive change."),
    )
}


class StageMoveError(ValueError):
    """A stage move that is not allowed; the message is shown to the clinician."""


def stage_name(number: int) -> str:
    """The stage's name, e.g. 'Full accountability'."""
    return STAGES[number].name


def check_stage_move(current: int, target: int, reason: str) -> None:
    """Raise StageMoveError unless moving from current to target with this reason is allowed."""
    if target not in STAGES:
        raise StageMoveError(f"Stages run from {FIRST_STAGE} to {LAST_STAGE}; {target} is not one.")
    if target == current:
        raise StageMoveError(f"The couple is already in stage {current}.")
    if not reason.strip():
        raise StageMoveError("Please give a short reason for the move; it stays in the history.")
