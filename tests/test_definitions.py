"""Template definitions are validated with plain messages; the field builder edits them."""

from __future__ import annotations

import copy

import pytest

from practice.exercises.builder import BuilderError, add_field, move_field, remove_field
from practice.exercises.definitions import DefinitionError, parse_definition
from tests.factories import SIMPLE_EXERCISE


def _problems(**changes) -> list[str]:
    raw = copy.deepcopy(SIMPLE_EXERCISE) | changes
    with pytest.raises(DefinitionError) as info:
        parse_definition(raw)
    return info.value.problems


def test_a_good_definition_parses_with_defaults() -> None:
    parsed = parse_definition(SIMPLE_EXERCISE)
    assert parsed.title == "A short reflection"
    assert [f.key for f in parsed.fields] == ["answer_1", "mood"]
    assert parsed.field("mood").min == 0 and parsed.field("mood").max == 10
    assert parse_definition(parsed.as_dict()) == parsed  # round-trips through JSON form


def test_default_text_limits() -> None:
    raw = copy.deepcopy(SIMPLE_EXERCISE)
    raw["fields"] = [
        {"key": "a", "label": "A", "kind": "long_text"},
        {"key": "b", "label": "B", "kind": "short_text"},
    ]
    parsed = parse_definition(raw)
    assert parsed.field("a").max_length == 20_000
    assert parsed.field("b").max_length == 300


@pytest.mark.parametrize(
    "fields, message",
    [
        ([{"key": "a", "label": "A", "kind": "long_text"}] * 2, "used more than once: a"),
        ([{"key": "A b", "label": "A", "kind": "long_text"}], "the key must start with a letter"),
        ([{"key": "a", "label": "", "kind": "long_text"}], "please give it a label"),
        ([{"key": "a", "label": "A", "kind": "essay"}], "the kind must be one of"),
        ([{"key": "s", "label": "S", "kind": "scale", "min": 10, "max": 0}], "lower to a higher"),
        ([{"key": "s", "label": "S", "kind": "scale", "min": 0, "max": 500}], "at most 100 apart"),
        ([{"key": "s", "label": "S", "kind": "scale", "min": 0.5, "max": 3}], "whole numbers"),
        ([{"key": "c", "label": "C", "kind": "single_choice"}], "at least one option"),
        (
            [{"key": "c", "label": "C", "kind": "multi_choice", "options": ["x", "x"]}],
            "each option must be different",
        ),
        ([{"key": "t", "label": "T", "kind": "long_text", "max_length": 0}], "length limit"),
        ([{"key": "n", "label": "N", "kind": "number", "min": 5, "max": 1}], "below the highest"),
        ([], "at least one field"),
    ],
)
def test_bad_fields_are_explained(fields: list, message: str) -> None:
    problems = _problems(fields=fields)
    assert any(message in p for p in problems), problems


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": ""}, "give the exercise a title"),
        ({"stage": 8}, "from 1 to 7"),
        ({"answered_by": "victim"}, "Who answers"),
        ({"visibility": "public"}, "private to the clinician, shared, or mutual"),
        ({"answered_by": "injured", "visibility": "mutual"}, "Mutual visibility needs each"),
        ({"recurrence": "hourly"}, "once, daily or weekly"),
    ],
)
def test_bad_settings_are_explained(changes: dict, message: str) -> None:
    assert any(message in p for p in _problems(**changes))


def test_fields_for_one_partner_need_both_partners_answering() -> None:
    fields = [{"key": "q", "label": "Q", "kind": "long_text", "for": "injured"}]
    assert any("for one partner only" in p for p in _problems(answered_by="injured", fields=fields))
    together = [
        {"key": "q", "label": "Q", "kind": "long_text", "for": "injured"},
        {"key": "a", "label": "A", "kind": "long_text", "for": "involved"},
    ]
    parsed = parse_definition(SIMPLE_EXERCISE | {"answered_by": "together", "fields": together})
    assert [f.key for f in parsed.fields_for("injured")] == ["q"]
    assert [f.key for f in parsed.fields_for("involved")] == ["a"]
    lonely = together[:1]
    assert any(
        "both partners need something" in p
        for p in _problems(answered_by="together", visibility="shared", fields=lonely)
    )


def test_every_problem_is_reported_at_once() -> None:
    problems = _problems(title="", stage=0, fields=[{"key": "1", "label": "", "kind": "scale"}])
    assert len(problems) >= 4


def test_builder_adds_moves_and_removes_fields_without_touching_the_original() -> None:
    original = copy.deepcopy(SIMPLE_EXERCISE)
    added = add_field(original, {"key": "extra", "label": "Extra", "kind": "yes_no"})
    assert [f["key"] for f in added["fields"]] == ["answer_1", "mood", "extra"]
    assert original == SIMPLE_EXERCISE
    moved = move_field(added, "extra", -1)
    assert [f["key"] for f in moved["fields"]] == ["answer_1", "extra", "mood"]
    assert move_field(moved, "answer_1", -1) == moved  # the top stays the top
    removed = remove_field(moved, "answer_1")
    assert [f["key"] for f in removed["fields"]] == ["extra", "mood"]
    with pytest.raises(BuilderError, match="already a field"):
        add_field(original, {"key": "mood", "label": "Again", "kind": "long_text"})
    with pytest.raises(BuilderError, match="at least one field"):
        remove_field({"fields": [{"key": "only"}]}, "only")
