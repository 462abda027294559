"""Absolute links for emails and the CLI, built from PRACTICE_BASE_URL, never the Host header;
and the converter every ``<int:>`` in a route uses."""

from __future__ import annotations

from typing import Any

from flask import current_app
from werkzeug.routing import IntegerConverter, Map, ValidationError

# Every id column is an INTEGER: 32 bits signed on PostgreSQL (SQLite's 64 bits hold more).
ID_MAX = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:>`` for ids: a number a database column can hold, written the one way ``url_for``
    writes it (no leading zeros), else the route does not match and the answer is a 404. A
    larger number would reach the database and fail there (SQLite OverflowError, PostgreSQL
    NumericValueOutOfRange)."""

    regex = r"[0-9]+"  # ASCII digits only: \d also matches other scripts' digits

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = 0,
        max: int | None = ID_MAX,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)

    def to_python(self, value: str) -> Any:
        if not self.fixed_digits and len(value) > 1 and value.lstrip("-").startswith("0"):
            raise ValidationError()
        return super().to_python(value)


def external_url(endpoint: str, **values: Any) -> str:
    """The full URL of an endpoint on this installation."""
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path
