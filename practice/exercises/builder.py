"""Editing a definition's fields: plain functions from a definition dict to a new one."""

from __future__ import annotations

import copy
from typing import Any

from flask_babel import gettext as _


class BuilderError(ValueError):
    """A field change that cannot be made; the message is shown to the clinician."""


def _fields(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return definition.setdefault("fields", [])


def _index(definition: dict[str, Any], key: str) -> int:
    for index, field in enumerate(_fields(definition)):
        if field.get("key") == key:
            return index
    raise BuilderError(_("This exercise has no field with the key “%(key)s”.", key=key))


def add_field(definition: dict[str, Any], field: dict[str, Any]) -> dict[str, Any]:
    """A copy of the definition with the field added at the end."""
    result = copy.deepcopy(definition)
    if any(f.get("key") == field.get("key") for f in _fields(result)):
        raise BuilderError(
            _("There is already a field with the key “%(key)s”.", key=field.get("key"))
        )
    _fields(result).append(field)
    return result


def replace_field(definition: dict[str, Any], key: str, field: dict[str, Any]) -> dict[str, Any]:
    """A copy with the field of this key replaced (its key may change if still unique)."""
    result = copy.deepcopy(definition)
    index = _index(result, key)
    if field.get("key") != key and any(f.get("key") == field.get("key") for f in _fields(result)):
        raise BuilderError(
            _("There is already a field with the key “%(key)s”.", key=field.get("key"))
        )
    _fields(result)[index] = field
    return result


def move_field(definition: dict[str, Any], key: str, step: int) -> dict[str, Any]:
    """A copy with the field moved up (step -1) or down (step +1); no change at the ends."""
    result = copy.deepcopy(definition)
    fields = _fields(result)
    index = _index(result, key)
    target = index + step
    if 0 <= target < len(fields):
        fields[index], fields[target] = fields[target], fields[index]
    return result


def remove_field(definition: dict[str, Any], key: str) -> dict[str, Any]:
    """A copy without the field."""
    result = copy.deepcopy(definition)
    fields = _fields(result)
    if len(fields) == 1:
        raise BuilderError(
            _("An exercise needs at least one field; add another before removing this.")
        )
    del fields[_index(result, key)]
    return result
