"""The built-in exercises as data files: each file follows the schema, the words live in a table
per language, and a translation falls back word by word to the source language."""

from __future__ import annotations

import copy
import re
import tomllib

import pytest

from practice.exercises.library import (
    BUILTIN_DIR,
    LIBRARY,
    LibraryFileError,
    entry_from_data,
    languages_of,
)

FILES = sorted(BUILTIN_DIR.glob("*.toml"))
NAME = re.compile(r"^stage([1-7])-(\d{2})-([a-z0-9-]+)\.toml$")


def _data(slug: str) -> dict:
    path = next(p for p in FILES if p.name.endswith(f"-{slug}.toml"))
    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_every_exercise_is_a_file_named_for_its_stage_and_slug() -> None:
    assert len(FILES) == len(LIBRARY) >= 20
    for path, entry in zip(FILES, LIBRARY, strict=True):
        match = NAME.match(path.name)
        assert match, path.name
        assert int(match.group(1)) == entry["stage"] and match.group(3) == entry["slug"]
    assert [e["stage"] for e in LIBRARY] == sorted(e["stage"] for e in LIBRARY)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_file_has_its_words_apart_from_its_structure(path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert "en" in languages_of(data)
    assert not {"title", "purpose", "instructions"} & set(data)  # words only in [text.*]
    for field in data["fields"]:
        assert not {"label", "help", "options", "min_label", "max_label"} & set(field)
        assert field["text"]["en"]["label"]
    entry_from_data(data)  # the definition schema accepts it


def test_a_translation_is_used_and_missing_words_fall_back() -> None:
    data = copy.deepcopy(_data("daily-check-in"))
    for texts in [data["text"]] + [field["text"] for field in data["fields"]]:
        texts.pop("es", None)  # start from a file with no Spanish words yet
    data["text"]["es"] = {"title": "Cómo estamos hoy"}
    first = data["fields"][0]
    first["text"]["es"] = {"label": "Confianza hoy"}
    spanish = entry_from_data(data, "es")
    english = entry_from_data(data, "en")
    assert spanish["title"] == "Cómo estamos hoy"
    assert spanish["purpose"] == english["purpose"]  # not translated yet: the source words
    assert spanish["fields"][0]["label"] == "Confianza hoy"
    assert spanish["fields"][0].get("min_label") == english["fields"][0].get("min_label")
    assert spanish["fields"][1]["label"] == english["fields"][1]["label"]
    assert english["title"] != "Cómo estamos hoy"


def test_a_broken_file_is_refused_with_the_reason() -> None:
    data = copy.deepcopy(_data("feelings-inventory"))
    data["fields"][0]["kind"] = "drawing"
    with pytest.raises(LibraryFileError, match="kind"):
        entry_from_data(data)
    data = copy.deepcopy(_data("feelings-inventory"))
    del data["fields"][0]["text"]["en"]
    with pytest.raises(LibraryFileError, match="fields.text.en"):
        entry_from_data(data)
    data = copy.deepcopy(_data("feelings-inventory"))
    del data["stage"]
    with pytest.raises(LibraryFileError, match="stage"):
        entry_from_data(data)


BANNED_SPANISH = re.compile(r"víctima|infiel|engañador|cheater|victim", re.IGNORECASE)


def _strings(value) -> list[str]:
    return list(value) if isinstance(value, list) else [value]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_file_has_complete_spanish_words_without_blaming_labels(path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    pairs = [("text", data["text"])] + [
        (f"field {field['key']!r}", field["text"]) for field in data["fields"]
    ]
    for where, texts in pairs:
        english, spanish = texts["en"], texts.get("es")
        assert spanish is not None, f"{where} has no es table"
        assert set(spanish) == set(english), where
        for key, words in english.items():
            if isinstance(words, list):
                assert isinstance(spanish[key], list), (where, key)
                assert len(spanish[key]) == len(words), (where, key)
            for text in _strings(spanish[key]):
                assert isinstance(text, str) and text.strip(), (where, key)
                assert not BANNED_SPANISH.search(text), (where, key, text)
    entry_from_data(data, "es")  # the definition schema accepts the Spanish words too
