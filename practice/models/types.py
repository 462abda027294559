"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite stores it naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class SealedText:
    """An encrypted string as stored; practice.encryption opens it with the row's identity."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SealedText) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)

    def __repr__(self) -> str:
        return "<SealedText>"


class SealedJSON(dict):
    """Answers as stored: numbers, booleans and nulls plain (the analytics read them), every
    other value an encrypted string."""

    def __repr__(self) -> str:
        return f"<SealedJSON keys={sorted(self)}>"


class PlaintextWrite(TypeError):
    """Something tried to write an encrypted column without sealing it for its row."""


class Encrypted(TypeDecorator[Any]):
    """Free text that people write, stored encrypted (see practice.encryption).

    shape="text" for a string column, shape="json" for answers (a dict of field values).
    Only sealed values go in and come out: plaintext given to it is refused, never stored.
    """

    impl = Text
    cache_ok = True

    def __init__(self, shape: str = "text") -> None:
        if shape not in ("text", "json"):
            raise ValueError("shape is text or json")
        super().__init__()
        self.shape = shape

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        return dialect.type_descriptor(JSON() if self.shape == "json" else Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if self.shape == "json" and isinstance(value, SealedJSON):
            return dict(value)
        if self.shape == "text" and isinstance(value, SealedText):
            return value.token
        raise PlaintextWrite("an encrypted column was written without sealing it for its row")

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return SealedJSON(value) if self.shape == "json" else SealedText(value)

    def copy(self, **kw: Any) -> Encrypted:
        return Encrypted(self.shape)


def compare_type(_context, _inspected_column, _metadata_column, inspected_type, metadata_type):
    """Alembic's type comparison, taught that an Encrypted column is its Text or JSON column."""
    if isinstance(metadata_type, Encrypted):
        expected = JSON if metadata_type.shape == "json" else Text
        return not isinstance(inspected_type, expected)
    return None  # Alembic's own comparison
