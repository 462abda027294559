"""The built-in exercise library: valid definitions, the required worksheets, kind words, and
default stage plans that point at real exercises with sensible schedules."""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from practice.exercises.definitions import DefinitionError, TemplateDef, parse_definition
from practice.exercises.library import (
    DEFAULT_STAGE_PLANS,
    LIBRARY,
    LIBRARY_VERSION,
    library_by_slug,
)

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
BANNED = re.compile(r"\b(victims?|cheaters?|cheating|betrayers?|offenders?)\b", re.IGNORECASE)
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!]")
PLAN_KEYS = {
    "slug",
    "answered_by",
    "schedule",
    "weekdays",
    "due_in_days",
    "needs_injured_consent",
}


def _parsed(slug: str) -> TemplateDef:
    return parse_definition(library_by_slug()[slug])


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a nested structure of dicts, lists and tuples, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _field_dict(slug: str, key: str) -> dict[str, Any]:
    return next(f for f in library_by_slug()[slug]["fields"] if f["key"] == key)


# --- the library as a whole ----------------------------------------------------------------------


def test_library_version() -> None:
    assert LIBRARY_VERSION == 1


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda e: e["slug"])
def test_every_entry_parses(entry: dict[str, Any]) -> None:
    parsed = parse_definition(entry)
    assert parsed.slug == entry["slug"]
    assert parsed.purpose and parsed.instructions
    assert isinstance(entry["revision"], int) and entry["revision"] >= 1


def test_slugs_are_unique_and_kebab_case() -> None:
    slugs = [entry["slug"] for entry in LIBRARY]
    assert len(slugs) == len(set(slugs))
    for slug in slugs:
        assert SLUG_PATTERN.match(slug), slug
        assert len(slug) <= 80


def test_every_stage_has_at_least_three_exercises() -> None:
    per_stage = Counter(entry["stage"] for entry in LIBRARY)
    assert set(per_stage) == set(range(1, 8))
    for stage in range(1, 8):
        assert per_stage[stage] >= 3, stage
    assert 21 <= len(LIBRARY) <= 30


def test_library_by_slug_returns_every_entry_as_a_copy() -> None:
    by_slug = library_by_slug()
    assert list(by_slug) == [entry["slug"] for entry in LIBRARY]
    by_slug["daily-check-in"]["title"] = "Changed"
    assert library_by_slug()["daily-check-in"]["title"] != "Changed"


def test_every_entry_states_its_rhythm() -> None:
    for entry in LIBRARY:
        assert "recurrence" in entry, entry["slug"]
        assert entry["recurrence"] in (None, "daily", "weekly"), entry["slug"]


def test_no_banned_words_anywhere() -> None:
    for entry in LIBRARY:
        for text in _strings(entry):
            assert not BANNED.search(text), f"{entry['slug']}: {text!r}"


def test_banned_word_check_catches_them() -> None:
    for word in ("Victim", "the cheater", "CHEATING", "betrayers", "an offender"):
        assert BANNED.search(word)
    assert not BANNED.search("betrayal")


def test_no_raw_html_in_markdown() -> None:
    for entry in LIBRARY:
        for name in ("purpose", "instructions"):
            assert "<" not in entry[name], f"{entry['slug']} {name}"
            assert not HTML_TAG.search(entry[name])
        for field in entry["fields"]:
            assert "<" not in field.get("help", ""), f"{entry['slug']} {field['key']}"


def test_markdown_is_tidy() -> None:
    for entry in LIBRARY:
        for name in ("purpose", "instructions"):
            text = entry[name]
            assert text == text.strip()
            assert "\n\n\n" not in text
            assert not any(line.startswith("    ") for line in text.splitlines()), entry["slug"]


def test_both_partners_are_named_kindly() -> None:
    texts = " ".join(t for entry in LIBRARY for t in _strings(entry))
    assert "injured partner" in texts
    assert "involved partner" in texts


# --- validation can fail -------------------------------------------------------------------------


def test_duplicated_key_is_rejected() -> None:
    entry = copy.deepcopy(library_by_slug()["daily-check-in"])
    entry["fields"].append(copy.deepcopy(entry["fields"][0]))
    with pytest.raises(DefinitionError) as caught:
        parse_definition(entry)
    assert any("trust" in problem for problem in caught.value.problems)


def test_for_role_needs_both_partners() -> None:
    entry = copy.deepcopy(library_by_slug()["feelings-inventory"])
    entry["fields"][0]["for"] = "injured"
    with pytest.raises(DefinitionError) as caught:
        parse_definition(entry)
    assert caught.value.problems


def test_mutual_needs_each_partner() -> None:
    entry = copy.deepcopy(library_by_slug()["accountability-letter"])
    entry["visibility"] = "mutual"
    with pytest.raises(DefinitionError):
        parse_definition(entry)


def test_bad_scale_and_stage_are_rejected() -> None:
    entry = copy.deepcopy(library_by_slug()["positive-change-log"])
    entry["stage"] = 8
    scale = next(f for f in entry["fields"] if f["kind"] == "scale")
    scale["min"], scale["max"] = 10, 0
    with pytest.raises(DefinitionError) as caught:
        parse_definition(entry)
    assert len(caught.value.problems) == 2


# --- required exercises --------------------------------------------------------------------------


def test_feelings_inventory() -> None:
    parsed = _parsed("feelings-inventory")
    assert parsed.stage == 1 and parsed.answered_by == "injured"
    for key in ("anger", "sadness", "confusion", "fear", "shame", "numbness", "hope"):
        field = parsed.field(key)
        assert field is not None and field.kind == "scale", key
        assert (field.min, field.max) == (0, 10)
        assert field.min_label and field.max_label
    long_texts = [f for f in parsed.fields if f.kind == "long_text"]
    assert long_texts and not any(f.required for f in long_texts)


def test_stage_one_letters() -> None:
    letter = _parsed("what-i-need-you-to-understand")
    assert letter.stage == 1 and letter.answered_by == "injured"
    assert any(f.kind == "long_text" for f in letter.fields)
    listening = _parsed("listening-reflection")
    assert listening.stage == 1 and listening.answered_by == "involved"
    assert [f.kind for f in listening.fields] == ["long_text"] * 3


def test_accountability_letter() -> None:
    parsed = _parsed("accountability-letter")
    assert parsed.stage == 2 and parsed.answered_by == "involved"
    assert parsed.fields[0].kind == "long_text"
    check = next(f for f in parsed.fields if f.kind == "multi_choice")
    assert check.options == ("No excuses", "No minimising", "No blame-shifting", "No conditions")
    ready = next(f for f in parsed.fields if f.kind == "yes_no")
    assert ready.label == "I am ready for this to be read in session"


def test_what_i_heard() -> None:
    parsed = _parsed("what-i-heard")
    assert parsed.stage == 2 and parsed.answered_by == "injured"
    for key in ("what_i_heard", "what_landed", "still_missing"):
        field = parsed.field(key)
        assert field is not None and field.kind == "long_text"


def test_question_exchange() -> None:
    parsed = _parsed("question-exchange")
    assert parsed.stage == 3
    assert parsed.answered_by == "together" and parsed.visibility == "shared"
    for n in (1, 2, 3):
        question, answer = parsed.field(f"question_{n}"), parsed.field(f"answer_{n}")
        assert question is not None and question.for_role == "injured"
        assert question.kind in ("short_text", "long_text")
        assert answer is not None and answer.for_role == "involved"
        assert answer.kind == "long_text"
    needs = parsed.field("needs_session")
    assert needs is not None and needs.kind == "multi_choice" and needs.for_role is None
    assert needs.options == tuple(f"Question {n} needs the session" for n in (1, 2, 3))


def test_transparency_agreement() -> None:
    parsed = _parsed("transparency-agreement")
    assert parsed.stage == 3 and parsed.answered_by == "each"
    assert any(f.kind == "date" for f in parsed.fields)
    text = (parsed.purpose + parsed.instructions).lower()
    assert "self-reported" in text
    assert "never tracks" in text and "location" in text and "devices" in text
    labels = " ".join(f.label.lower() for f in parsed.fields)
    for word in ("passwords", "schedules", "updates", "covers"):
        assert word in labels


def test_daily_check_in() -> None:
    parsed = _parsed("daily-check-in")
    assert parsed.stage == 3
    assert parsed.answered_by == "each" and parsed.recurrence == "daily"
    assert parsed.visibility == "shared" and parsed.visibility_locked is False
    tracked = [f for f in parsed.fields if f.tracked]
    assert [f.key for f in tracked] == ["trust", "emotional_safety", "connection", "distress"]
    for field in tracked:
        assert field.kind == "scale" and (field.min, field.max) == (0, 10)
        assert field.required and field.min_label and field.max_label and field.label
    roles = {f.key: f.for_role for f in parsed.fields if f.kind == "long_text"}
    assert roles == {"need_now": None, "positive_change": "injured", "repair_action": "involved"}
    assert parsed.field("need_now").label == "What I need right now"
    assert parsed.field("positive_change").label == "A positive change I noticed"
    assert parsed.field("repair_action").label == "A repair action I took"
    assert not any(f.required for f in parsed.fields if f.kind != "scale")


def test_boundary_proposal() -> None:
    parsed = _parsed("boundary-proposal")
    assert parsed.stage == 4 and parsed.answered_by == "each"
    expected = [f"{name}_{n}" for n in (1, 2, 3) for name in ("boundary", "consequence", "check")]
    assert [f.key for f in parsed.fields] == [*expected, "review_date"]
    assert [f.key for f in parsed.fields if f.required] == ["boundary_1"]
    for n in (1, 2, 3):
        assert parsed.field(f"check_{n}").kind == "single_choice"
        assert parsed.field(f"check_{n}").options == ("Daily", "Weekly")
    assert parsed.field("review_date").kind == "date"
    text = parsed.instructions.lower()
    assert "injured partner usually proposes most" in text
    assert "agree" in text and "in session" in text


def test_support_plan() -> None:
    parsed = _parsed("support-plan")
    assert parsed.stage == 5 and parsed.answered_by == "each"
    for key in (
        "individual_therapy",
        "group_support",
        "trusted_people",
        "crisis_contacts",
        "support_this_week",
    ):
        assert parsed.field(key) is not None, key
    assert parsed.field("crisis_contacts").kind == "long_text"


def test_connection_moments() -> None:
    parsed = _parsed("connection-moments")
    assert parsed.stage == 6
    assert parsed.answered_by == "each" and parsed.recurrence == "weekly"
    comfort = parsed.field("comfort")
    assert comfort is not None and comfort.tracked and (comfort.min, comfort.max) == (0, 10)
    assert "injured partner sets the pace" in parsed.instructions


def test_pace_agreement() -> None:
    parsed = _parsed("pace-agreement")
    assert parsed.stage == 6 and parsed.answered_by in ("each", "together")
    labels = " ".join(f.label.lower() for f in parsed.fields)
    assert "pace" in labels and "slow down" in labels and "pause kindly" in labels


def test_daily_repair_log() -> None:
    parsed = _parsed("daily-repair-log")
    assert parsed.stage == 7
    assert parsed.answered_by == "involved" and parsed.recurrence == "daily"
    kept = next(f for f in parsed.fields if f.kind == "yes_no")
    assert kept.label == "I did what I said I would"


def test_positive_change_log() -> None:
    parsed = _parsed("positive-change-log")
    assert parsed.stage == 7 and parsed.answered_by == "injured"
    assert parsed.recurrence in ("daily", "weekly")
    noticed = parsed.field("noticed_change")
    assert noticed is not None and noticed.kind == "scale" and noticed.tracked


# --- default stage plans -------------------------------------------------------------------------


def test_plans_cover_every_stage_with_two_to_four_items() -> None:
    assert set(DEFAULT_STAGE_PLANS) == set(range(1, 8))
    for stage, plan in DEFAULT_STAGE_PLANS.items():
        assert 2 <= len(plan) <= 4, stage
        slugs = [item["slug"] for item in plan]
        assert len(slugs) == len(set(slugs)), stage


def test_plan_items_are_consistent() -> None:
    by_slug = library_by_slug()
    for stage, plan in DEFAULT_STAGE_PLANS.items():
        for item in plan:
            where = f"stage {stage}: {item['slug']}"
            assert set(item) == PLAN_KEYS, where
            template = by_slug.get(item["slug"])
            assert template is not None, where
            # "each" templates may be planned as "each"; the others keep their own value.
            assert item["answered_by"] == template["answered_by"], where
            assert isinstance(item["needs_injured_consent"], bool), where
            assert isinstance(item["weekdays"], tuple), where
            if item["schedule"] == "once":
                assert item["weekdays"] == (), where
                assert isinstance(item["due_in_days"], int) and item["due_in_days"] > 0, where
            elif item["schedule"] == "daily":
                assert item["weekdays"] == () and item["due_in_days"] == 0, where
            else:
                assert item["schedule"] == "weekly", where
                assert item["weekdays"], where
                assert all(isinstance(d, int) and 0 <= d <= 6 for d in item["weekdays"]), where
                assert item["due_in_days"] == 0, where
            expected = "once" if template["recurrence"] is None else template["recurrence"]
            assert item["schedule"] == expected, where


def test_each_plan_mostly_uses_its_own_stage() -> None:
    by_slug = library_by_slug()
    for stage, plan in DEFAULT_STAGE_PLANS.items():
        own = [item for item in plan if by_slug[item["slug"]]["stage"] == stage]
        assert len(own) >= 2, stage


def test_stage_three_plan_has_daily_check_in() -> None:
    item = next(i for i in DEFAULT_STAGE_PLANS[3] if i["slug"] == "daily-check-in")
    assert item["schedule"] == "daily" and item["answered_by"] == "each"


def test_intimacy_exercises_need_injured_consent() -> None:
    stage_six = {item["slug"]: item for item in DEFAULT_STAGE_PLANS[6]}
    assert stage_six["connection-moments"]["needs_injured_consent"] is True
    assert stage_six["pace-agreement"]["needs_injured_consent"] is True
    intimacy = {entry["slug"] for entry in LIBRARY if entry["stage"] == 6}
    for stage, plan in DEFAULT_STAGE_PLANS.items():
        for item in plan:
            if item["slug"] in intimacy:
                assert item["needs_injured_consent"] is True, (stage, item["slug"])
