"""Questionnaire scoring against worked examples, bands, reliable change and PHQ-9 item 9."""

from __future__ import annotations

import pytest

from practice.measures.instruments import (
    CSI4,
    GAD7,
    PHQ9,
    Instrument,
    ScoringError,
    reliable_change,
    score,
)


def _answers(instrument: Instrument, values: list[int]) -> dict[str, str]:
    answers = {}
    for item, wanted in zip(instrument.scored_items, values, strict=True):
        answers[item.key] = next(label for label, value in item.options if value == wanted)
    return answers


def _spread(instrument: Instrument, total: int) -> list[int]:
    """Item values adding up to total, filling items in order."""
    values = []
    for item in instrument.scored_items:
        top = max(v for _label, v in item.options)
        take = min(top, total)
        values.append(take)
        total -= take
    assert total == 0
    return values


@pytest.mark.parametrize(
    "instrument, total, band",
    [
        (PHQ9, 0, "minimal"),
        (PHQ9, 4, "minimal"),
        (PHQ9, 5, "mild"),
        (PHQ9, 9, "mild"),
        (PHQ9, 10, "moderate"),
        (PHQ9, 14, "moderate"),
        (PHQ9, 15, "moderately severe"),
        (PHQ9, 19, "moderately severe"),
        (PHQ9, 20, "severe"),
        (PHQ9, 27, "severe"),
        (GAD7, 0, "minimal"),
        (GAD7, 4, "minimal"),
        (GAD7, 5, "mild"),
        (GAD7, 9, "mild"),
        (GAD7, 10, "moderate"),
        (GAD7, 14, "moderate"),
        (GAD7, 15, "severe"),
        (GAD7, 21, "severe"),
        (CSI4, 0, "notable relationship distress"),
        (CSI4, 13, "notable relationship distress"),
        (CSI4, 14, "no notable distress"),
        (CSI4, 21, "no notable distress"),
    ],
)
def test_totals_and_bands_at_every_boundary(instrument: Instrument, total: int, band: str) -> None:
    result = score(instrument, _answers(instrument, _spread(instrument, total)))
    assert (result.total, result.band) == (total, band)


def test_ranges_match_the_published_instruments() -> None:
    for instrument, maximum, items in ((PHQ9, 27, 9), (GAD7, 21, 7), (CSI4, 21, 4)):
        assert len(instrument.scored_items) == items
        top = sum(max(v for _l, v in i.options) for i in instrument.scored_items)
        assert top == instrument.maximum == maximum
    # The CSI-4's first item runs 0-6; the others 0-5.
    assert [max(v for _l, v in i.options) for i in CSI4.items] == [6, 5, 5, 5]


def test_a_worked_phq9_example_with_item_nine() -> None:
    # Several days (1) on items 1-4, more than half the days (2) on 5-8, several days on 9.
    answers = _answers(PHQ9, [1, 1, 1, 1, 2, 2, 2, 2, 1])
    answers["difficulty"] = "Very difficult"  # asked, never scored
    result = score(PHQ9, answers)
    assert result.total == 13 and result.band == "moderate" and result.self_harm_item == 1
    assert score(PHQ9, _answers(PHQ9, [3] * 8 + [0])).self_harm_item == 0
    assert score(GAD7, _answers(GAD7, [3] * 7)).self_harm_item is None


def test_incomplete_or_foreign_answers_are_not_scored() -> None:
    answers = _answers(GAD7, [1] * 7)
    del answers["gad3"]
    with pytest.raises(ScoringError, match="Worrying too much about different things"):
        score(GAD7, answers)
    with pytest.raises(ScoringError, match="Not one of the answers"):
        score(GAD7, _answers(GAD7, [1] * 6 + [0]) | {"gad7": "Always"})


@pytest.mark.parametrize(
    "instrument, first, latest, expected",
    [
        (PHQ9, 18, 12, "improved"),
        (PHQ9, 18, 13, "no reliable change"),
        (PHQ9, 8, 14, "deteriorated"),
        (PHQ9, 8, 13, "no reliable change"),
        (GAD7, 12, 8, "improved"),
        (GAD7, 12, 9, "no reliable change"),
        (GAD7, 5, 9, "deteriorated"),
        (CSI4, 8, 20, None),  # no verified threshold on file: said plainly, not guessed
    ],
)
def test_reliable_change(instrument: Instrument, first: int, latest: int, expected) -> None:
    assert reliable_change(instrument, first, latest) == expected


def test_every_instrument_records_its_source_and_licence() -> None:
    for instrument in (PHQ9, GAD7, CSI4):
        assert instrument.source and instrument.licence and instrument.reliable_change_source
