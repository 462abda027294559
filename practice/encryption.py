"""Encryption at rest for what people write.

Every value is AES-GCM with a fresh 96-bit nonce, stored as ``mend1:<key id>:<base64>``. The
row's identity (table, column, primary key, and for JSON the answer's key) is the associated
data, so a ciphertext copied into another row, column or answer does not decrypt.

A column type alone cannot know which row it is writing, so the work is split:
``practice.models.types.Encrypted`` stores and returns sealed values only (it refuses
plaintext), and the ORM events below seal on insert/update and open on load, when the row's
primary key is known. Inserts into tables with encrypted columns take their id before the
INSERT (a sequence on PostgreSQL; under SQLite's BEGIN IMMEDIATE, the next free id) so it can be
bound in. Core UPDATEs of an encrypted column pass ``seal_for(Model.column, row_id, value)``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app, has_app_context
from sqlalchemy import Table, event, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, attributes
from sqlalchemy.orm.attributes import InstrumentedAttribute, set_committed_value

from practice.models.types import Encrypted, SealedJSON, SealedText

PREFIX = "mend1"
NONCE_BYTES = 12
KEY_BYTES = 32


class EncryptionError(RuntimeError):
    """A value could not be sealed or opened (unknown key, tampered or misplaced ciphertext)."""


@dataclass(frozen=True)
class Keyring:
    """The encryption keys: the first seals new values, every one opens what it sealed."""

    keys: tuple[tuple[str, bytes], ...]

    @classmethod
    def parse(cls, spec: str) -> Keyring:
        """Read ``id:base64key,id:base64key``; the first is the current key."""
        keys: list[tuple[str, bytes]] = []
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            key_id, sep, encoded = part.partition(":")
            if not sep or not key_id.isalnum() or len(key_id) > 32:
                raise ValueError("each key is written id:base64 (a short alphanumeric id)")
            try:
                key = base64.urlsafe_b64decode(encoded.strip() + "=" * (-len(encoded) % 4))
            except (binascii.Error, ValueError) as exc:
                raise ValueError(f"key {key_id!r} is not base64") from exc
            if len(key) != KEY_BYTES:
                raise ValueError(f"key {key_id!r} must be {KEY_BYTES} bytes (AES-256)")
            if any(existing == key_id for existing, _ in keys):
                raise ValueError(f"key id {key_id!r} is given twice")
            keys.append((key_id, key))
        if not keys:
            raise ValueError("no key given")
        return cls(tuple(keys))

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    def seal(self, plaintext: str, aad: str) -> str:
        key_id, key = self.keys[0]
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), aad.encode())
        encoded = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{PREFIX}:{key_id}:{encoded}"

    def open(self, token: str, aad: str) -> str:
        key_id = key_id_of(token)
        key = dict(self.keys).get(key_id or "")
        if key is None:
            raise EncryptionError(f"a value is sealed with key {key_id!r}, which is not configured")
        encoded = token.split(":", 2)[2]
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        try:
            return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad.encode()).decode()
        except InvalidTag:
            raise EncryptionError(f"a value does not belong to {aad} or was altered") from None

    def seal_bytes(self, data: bytes, aad: str) -> bytes:
        """Bytes sealed for a file: ``mend1:<key id>:`` then nonce and ciphertext."""
        key_id, key = self.keys[0]
        nonce = os.urandom(NONCE_BYTES)
        return (
            f"{PREFIX}:{key_id}:".encode() + nonce + AESGCM(key).encrypt(nonce, data, aad.encode())
        )

    def open_bytes(self, sealed: bytes, aad: str) -> bytes:
        head, _, _ = sealed.partition(b":")
        if head != PREFIX.encode():
            raise EncryptionError("this file is not sealed by Mend")
        key_id, _, rest = sealed[len(PREFIX) + 1 :].partition(b":")
        key = dict(self.keys).get(key_id.decode(errors="replace"))
        if key is None:
            raise EncryptionError(f"a file is sealed with key {key_id!r}, which is not configured")
        try:
            return AESGCM(key).decrypt(rest[:NONCE_BYTES], rest[NONCE_BYTES:], aad.encode())
        except InvalidTag:
            raise EncryptionError(f"the file {aad} was altered or renamed") from None


def key_id_of(value: Any) -> str | None:
    """The key id of a sealed string, or None for anything else."""
    if isinstance(value, str) and value.startswith(PREFIX + ":"):
        parts = value.split(":", 2)
        if len(parts) == 3:
            return parts[1]
    return None


def new_key_spec(key_id: str = "k1") -> str:
    """A fresh key, written the way PRACTICE_ENCRYPTION_KEYS takes it."""
    encoded = base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode().rstrip("=")
    return f"{key_id}:{encoded}"


def settle_keys(app: Any, production: bool) -> Keyring:
    """The configured keyring; development generates one into the instance folder and says so."""
    from practice.config import ConfigError, development_secret

    spec = app.config.get("ENCRYPTION_KEYS")
    if not spec:
        if production:
            raise ConfigError(
                "PRACTICE_ENCRYPTION_KEYS is not set; production needs an encryption key "
                "(practice encryption new-key prints one)."
            )
        spec = development_secret(
            app, "encryption_keys", "encryption key (keep it with the database)", new_key_spec
        )
    try:
        return Keyring.parse(spec)
    except ValueError as exc:
        raise ConfigError(f"PRACTICE_ENCRYPTION_KEYS: {exc}") from exc


def keyring() -> Keyring:
    if not has_app_context():
        raise EncryptionError("encrypted values are only read and written inside the app")
    return current_app.extensions["practice.keyring"]


# --- sealing and opening, given a row's identity -----------------------------------------------


def _aad(table: str, column: str, row_id: int, answer_key: str | None = None) -> str:
    base = f"{table}|{column}|{row_id}"
    return base if answer_key is None else f"{base}|{answer_key}"


def seal_value(column: Encrypted, table: str, name: str, row_id: int, value: Any) -> Any:
    """Seal a plain value for one row's column (None stays None)."""
    if value is None or isinstance(value, SealedText | SealedJSON):
        return value
    ring = keyring()
    if column.shape == "json":
        stored = {}
        for key, item in dict(value).items():
            if item is None or isinstance(item, bool | int | float):
                stored[key] = item  # structured values stay queryable
            else:
                stored[key] = ring.seal(json.dumps(item), _aad(table, name, row_id, key))
        return SealedJSON(stored)
    return SealedText(ring.seal(str(value), _aad(table, name, row_id)))


def open_value(column: Encrypted, table: str, name: str, row_id: int, value: Any) -> Any:
    """The plain value of a sealed one (plaintext from before encryption passes through)."""
    if value is None:
        return None
    ring = keyring()
    if column.shape == "json":
        plain = {}
        for key, item in dict(value).items():
            if key_id_of(item):
                plain[key] = json.loads(ring.open(item, _aad(table, name, row_id, key)))
            else:
                plain[key] = item
        return plain
    stored = value.token if isinstance(value, SealedText) else value
    return ring.open(stored, _aad(table, name, row_id)) if key_id_of(stored) else stored


def seal_for(attribute: InstrumentedAttribute, row_id: int, value: Any) -> Any:
    """A value sealed for ``Model.column`` of row ``row_id``, for Core UPDATE statements."""
    column = attribute.property.columns[0]
    return seal_value(column.type, column.table.name, column.name, row_id, value)


def open_for(attribute: InstrumentedAttribute, row_id: int, value: Any) -> Any:
    """The plain value of ``Model.column`` of row ``row_id`` read by a column query."""
    column = attribute.property.columns[0]
    return open_value(column.type, column.table.name, column.name, row_id, value)


# --- the ORM events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EncryptedColumn:
    key: str  # the mapped attribute
    name: str  # the table column
    type: Encrypted


def encrypted_columns(mapper: Mapper) -> list[EncryptedColumn]:
    return [
        EncryptedColumn(prop.key, prop.columns[0].name, prop.columns[0].type)
        for prop in mapper.column_attrs
        if isinstance(prop.columns[0].type, Encrypted)
    ]


def encrypted_tables(base: Any) -> Iterator[tuple[Mapper, list[EncryptedColumn]]]:
    """Every mapped class with encrypted columns, and those columns."""
    for mapper in base.registry.mappers:
        columns = encrypted_columns(mapper)
        if columns:
            yield mapper, columns


def install(base: Any) -> None:
    """Attach the sealing and opening events to every model with an encrypted column."""
    for mapper, columns in encrypted_tables(base):
        if getattr(mapper.class_, "__encryption_installed__", False):
            continue
        mapper.class_.__encryption_installed__ = True
        _listen(mapper, columns)


def _listen(mapper: Mapper, columns: list[EncryptedColumn]) -> None:
    table = mapper.local_table
    pk = mapper.primary_key[0]

    def open_all(target: Any, only: Any = None) -> None:
        row_id = getattr(target, pk.key)
        for col in columns:
            if only is not None and col.key not in only:
                continue
            value = target.__dict__.get(col.key)
            if isinstance(value, SealedText | SealedJSON):
                plain = open_value(col.type, table.name, col.name, row_id, value)
                set_committed_value(target, col.key, plain)

    def seal_changed(target: Any, inserting: bool) -> None:
        row_id = getattr(target, pk.key)
        stash = {}
        for col in columns:
            if col.key not in target.__dict__:
                if not inserting:
                    continue
                # The column default would reach the INSERT unsealed: apply it here instead.
                setattr(target, col.key, _column_default(mapper, col.key))
            if not inserting and not attributes.get_history(target, col.key).has_changes():
                continue
            plain = target.__dict__[col.key]
            if plain is None or isinstance(plain, SealedText | SealedJSON):
                continue
            stash[col.key] = plain
            setattr(target, col.key, seal_value(col.type, table.name, col.name, row_id, plain))
        target.__dict__["_practice_plain"] = stash

    def restore(target: Any) -> None:
        for key, plain in target.__dict__.pop("_practice_plain", {}).items():
            set_committed_value(target, key, plain)

    @event.listens_for(mapper, "load")
    def _on_load(target: Any, _context: Any) -> None:
        open_all(target)

    @event.listens_for(mapper, "refresh")
    def _on_refresh(target: Any, _context: Any, attrs: Any) -> None:
        open_all(target, attrs)

    @event.listens_for(mapper, "before_insert")
    def _before_insert(_mapper: Any, connection: Connection, target: Any) -> None:
        if getattr(target, pk.key) is None:
            setattr(target, pk.key, next_id(connection, table))
        seal_changed(target, inserting=True)

    @event.listens_for(mapper, "before_update")
    def _before_update(_mapper: Any, _connection: Connection, target: Any) -> None:
        seal_changed(target, inserting=False)

    @event.listens_for(mapper, "after_insert")
    def _after_insert(_mapper: Any, _connection: Connection, target: Any) -> None:
        restore(target)

    @event.listens_for(mapper, "after_update")
    def _after_update(_mapper: Any, _connection: Connection, target: Any) -> None:
        restore(target)


def _column_default(mapper: Mapper, key: str) -> Any:
    default = mapper.columns[key].default
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg


def next_id(connection: Connection, table: Table) -> int:
    """The id the next row of ``table`` will have, taken before its INSERT."""
    if connection.dialect.name == "postgresql":
        return connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id'))"), {"table": table.name}
        ).scalar_one()
    # SQLite: writes run under BEGIN IMMEDIATE, so nobody else inserts until this commits: the
    # highest id is read once per table and transaction, and counted on from there.
    transaction = connection.get_transaction()
    counters = connection.info.setdefault("practice_next_ids", {})
    seen_in, last = counters.get(table.name, (None, 0))
    if seen_in is not transaction:
        last = connection.execute(select(func.max(table.c.id))).scalar() or 0
    row_id = last + 1
    counters[table.name] = (transaction, row_id)
    return row_id


# --- rotation -------------------------------------------------------------------------------


def _key_ids(column: Encrypted, stored: Any) -> list[str | None]:
    """The key id of each sealed piece of a stored value (None for plaintext from before)."""
    if stored is None:
        return []
    if column.shape == "json":
        return [key_id_of(v) for v in dict(stored).values() if isinstance(v, str)]
    return [key_id_of(stored.token if isinstance(stored, SealedText) else stored)]


def census(session: Any, base: Any) -> dict[str, int]:
    """How many sealed pieces each key holds; "plaintext" counts values never sealed."""
    counts: dict[str, int] = {}
    for mapper, columns in encrypted_tables(base):
        table, pk = mapper.local_table, mapper.primary_key[0]
        names = [table.c[col.name] for col in columns]
        for row in session.execute(select(pk, *names)):
            for col, stored in zip(columns, row[1:], strict=True):
                for key_id in _key_ids(col.type, stored):
                    label = key_id or "plaintext"
                    counts[label] = counts.get(label, 0) + 1
    return counts


def rotate(session: Any, base: Any, batch: int = 500) -> int:
    """Re-seal every value not under the current key (and any plaintext); returns how many.
    Commits after each batch, so a long rotation can be stopped and run again."""
    current = keyring().current_id
    changed = 0
    for mapper, columns in encrypted_tables(base):
        table, pk = mapper.local_table, mapper.primary_key[0]
        names = [table.c[col.name] for col in columns]
        after = 0
        while True:
            rows = session.execute(
                select(pk, *names).where(pk > after).order_by(pk).limit(batch)
            ).all()
            if not rows:
                break
            for row in rows:
                row_id = row[0]
                values = {}
                for col, stored in zip(columns, row[1:], strict=True):
                    if all(k == current for k in _key_ids(col.type, stored)):
                        continue
                    plain = open_value(col.type, table.name, col.name, row_id, stored)
                    values[col.name] = seal_value(col.type, table.name, col.name, row_id, plain)
                if values:
                    session.execute(table.update().where(pk == row_id).values(**values))
                    changed += 1
            session.commit()
            after = rows[-1][0]
    return changed
