"""Values read from a request outside a form: text without control characters, and numbers in
the range an id column holds, so nothing a browser or script sends reaches the database as a
value it refuses (PostgreSQL refuses NUL in text; both refuse integers past their columns)."""

from __future__ import annotations

import re

from flask import abort, has_request_context, request
from flask_babel import format_number

from practice.i18n import lazy_gettext as _l
from practice.urls import ID_MAX

# C0 and C1 controls and DEL; tab, newline and carriage return are part of ordinary writing.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
REFUSED = _l("This contains characters Mend can't store. Please remove them and try again.")


def count_words(number: int) -> str:
    """A count as the reader's language writes it ("5,000", "5.000"); English outside a request."""
    return format_number(number) if has_request_context() else f"{number:,}"


def has_controls(value: object) -> bool:
    """Whether a text (or any text in a list of them) holds a character Mend refuses."""
    if isinstance(value, list | tuple):
        return any(has_controls(v) for v in value)
    return isinstance(value, str) and CONTROLS.search(value) is not None


def without_controls(value):
    """The text (or list of texts) with the refused characters taken out, nothing else."""
    if isinstance(value, list | tuple):
        return [without_controls(v) for v in value]
    return CONTROLS.sub("", value) if isinstance(value, str) else value


def query_int(name: str, default: int | None = None) -> int | None:
    """A whole number from the query string: the default when absent or empty, 400 when not
    a number, 404 when no id column could hold it."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if not re.fullmatch(r"-?[0-9]{1,20}", raw):
        abort(400)
    value = int(raw)
    if abs(value) > ID_MAX:
        abort(404)
    return value
