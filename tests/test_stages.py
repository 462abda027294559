"""The stage rules, as plain functions."""

from __future__ import annotations

import pytest

from practice.stages import STAGES, StageMoveError, check_stage_move, stage_name


def test_there_are_seven_stages_in_order() -> None:
    assert list(STAGES) == [1, 2, 3, 4, 5, 6, 7]
    assert stage_name(1) == "Acknowledging the hurt"
    assert stage_name(7) == "Daily repair"


@pytest.mark.parametrize("current, target", [(1, 2), (4, 3), (2, 7), (7, 1)])
def test_moves_within_range_with_a_reason_are_allowed(current: int, target: int) -> None:
    check_stage_move(current, target, "ready")


@pytest.mark.parametrize(
    "current, target, reason, message",
    [
        (3, 0, "x", "Stages run from 1 to 7"),
        (3, 8, "x", "Stages run from 1 to 7"),
        (3, 3, "x", "already in stage 3"),
        (3, 4, "   ", "short reason"),
    ],
)
def test_bad_moves_say_why(current: int, target: int, reason: str, message: str) -> None:
    with pytest.raises(StageMoveError, match=message):
        check_stage_move(current, target, reason)
