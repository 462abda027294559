"""Whole numbers read from a query string, kept to what the database can compare them with."""

from __future__ import annotations

from flask import request

# Ids are INTEGER columns (32 bits on PostgreSQL); a page number this large is past any list.
LARGEST = 2**31 - 1


def int_arg(name: str, default: int | None = None) -> int | None:
    """The query parameter as a whole number from 0 to LARGEST; default when it is absent, not
    a number or out of that range (a bigger one would be a 500 from the database driver)."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 <= value <= LARGEST else default
