"""Encryption at rest: what people write is unreadable in the database file and in a dump, a
ciphertext moved to another row does not open, and keys rotate."""

from __future__ import annotations

import os
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import StatementError

from practice import create_app
from practice.db import db
from practice.encryption import EncryptionError, new_key_spec
from practice.models import Boundary, BoundaryLog, Response
from tests.factories import World

TODAY = date.today()
SECRET = "Zebra-lantern whispers about the orchard at midnight"


def _write_everywhere(world: World, as_user) -> None:
    """The sentence, written through the app into every kind of free text there is."""
    involved = as_user("va@client.test")
    url = f"/tasks/{world.assignment_a}/{TODAY.isoformat()}"
    words = {"f_answer_1": SECRET, "f_mood": "6"}
    assert involved.submit(url, {**words, "action": "save", "revision": "0"}).status_code == 302
    sent = {**words, "action": "submit", "revision": "1", "visibility": "shared"}
    assert involved.submit(url, sent).status_code == 302
    injured = as_user("ia@client.test")
    assert (
        injured.submit(
            f"/boundaries/{world.boundary_a}/log",
            {"day": TODAY.isoformat(), "status": "crossed", "note": SECRET},
        ).status_code
        == 302
    )
    clinician = as_user("a@clinic.test")
    assert (
        clinician.submit(
            f"/responses/{world.response_a}", {"reviewed": "y", "comment": SECRET}
        ).status_code
        == 302
    )
    starts = (TODAY + timedelta(days=3)).strftime("%Y-%m-%dT10:30")
    assert (
        clinician.submit(
            f"/couples/{world.couple_a}/appointments/new",
            {"starts_at": starts, "duration_minutes": "50", "agenda_note": SECRET},
        ).status_code
        == 302
    )


def _database_bytes(app: Flask, database_url: str) -> bytes:
    if database_url.startswith("sqlite"):
        # The main file and the write-ahead log: recent writes may sit in either.
        path = Path(make_url(database_url).database)
        return b"".join(
            Path(str(path) + suffix).read_bytes()
            for suffix in ("", "-wal", "-shm")
            if Path(str(path) + suffix).exists()
        )
    url = make_url(database_url)
    env = {
        **os.environ,
        "PGHOST": url.host or "127.0.0.1",
        "PGPORT": str(url.port or 5432),
        "PGUSER": url.username or "postgres",
    }
    return subprocess.run(
        ["pg_dump", "--no-owner", "--inserts", url.database],
        check=True,
        capture_output=True,
        env=env,
    ).stdout


def test_written_words_appear_nowhere_in_the_database(
    app: Flask, world: World, as_user, database_url: str
) -> None:
    _write_everywhere(world, as_user)
    # The app still reads them back...
    page = as_user("a@clinic.test").get(f"/couples/{world.couple_a}/insights")
    assert SECRET in page.get_data(as_text=True)
    with app.app_context():
        sent = db.session.scalar(
            select(Response).where(
                Response.slot == "involved",
                Response.assignment_id == world.assignment_a,
                Response.occurrence_on == TODAY,
            )
        )
        assert sent.status == "submitted" and sent.answers["answer_1"] == SECRET
        sent_id = sent.id
    answer = as_user("a@clinic.test").get(f"/responses/{sent_id}")
    assert SECRET in answer.get_data(as_text=True)
    # ...but the file (or the dump) holds no trace of them, while structured values stay plain.
    raw = _database_bytes(app, database_url)
    for fragment in (SECRET, "Zebra-lantern", "orchard at midnight"):
        assert fragment.encode() not in raw
    assert b"mend1:" in raw
    with app.app_context():
        stored = db.session.execute(
            text("SELECT answers FROM responses WHERE slot = 'involved' AND occurrence_on = :d"),
            {"d": TODAY},
        ).scalar_one()
    stored = stored if isinstance(stored, dict) else __import__("json").loads(stored)
    assert stored["mood"] == 6  # the analytics can aggregate it without a key
    assert stored["answer_1"].startswith("mend1:")


def test_a_ciphertext_copied_to_another_row_does_not_open(app: Flask, world: World) -> None:
    with app.app_context():
        db.session.execute(
            text(
                "UPDATE boundaries SET text = (SELECT text FROM boundaries WHERE id = :a) "
                "WHERE id = :b"
            ),
            {"a": world.boundary_a, "b": world.boundary_b},
        )
        db.session.commit()
    with app.app_context():
        assert db.session.get(Boundary, world.boundary_a).text  # the original still opens
    with app.app_context(), pytest.raises(EncryptionError, match="does not belong"):
        db.session.get(Boundary, world.boundary_b)


def test_plaintext_is_never_written_to_an_encrypted_column(app: Flask, world: World) -> None:
    with app.app_context(), pytest.raises(StatementError, match="without sealing"):
        db.session.execute(
            update(BoundaryLog).values(note="written around the ORM").where(BoundaryLog.id > 0)
        )


def _app_with_keys(database_url: str, tmp_path: Path, keys: str) -> Flask:
    return create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-mend",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "ENCRYPTION_KEYS": keys,
        }
    )


def test_rotation_moves_everything_to_the_new_key(
    app: Flask, world: World, as_user, database_url: str, tmp_path: Path
) -> None:
    # The world was written under the app's generated development key, "k1".
    old_key = (Path(app.instance_path) / "encryption_keys").read_text().strip()
    old = _app_with_keys(database_url, tmp_path, old_key)
    with old.app_context():
        # Rewrite the world's rows under the old key, as if it had been the practice's key.
        for response in db.session.scalars(select(Response)):
            response.answers = {**response.answers, "note": SECRET}
        db.session.commit()
        # ...and leave one value in plaintext, as a database from before encryption would.
        db.session.execute(text("UPDATE boundary_logs SET note = 'plain from before'"))
        db.session.commit()
    new_key = new_key_spec("k2")
    rotated = _app_with_keys(database_url, tmp_path, f"{new_key},{old_key}")
    result = rotated.test_cli_runner().invoke(args=["encryption", "rotate"])
    assert result.exit_code == 0, result.output
    assert "Nothing uses a retired key" in result.output
    status = rotated.test_cli_runner().invoke(args=["encryption", "status"]).output
    assert "k2:" in status and "k1:" not in status and "plaintext" not in status
    # The retired key can go: the new key alone reads everything, the old alone nothing.
    only_new = _app_with_keys(database_url, tmp_path, new_key)
    with only_new.app_context():
        answers = [r.answers.get("note") for r in db.session.scalars(select(Response))]
        assert answers and set(answers) == {SECRET}
        notes = {log.note for log in db.session.scalars(select(BoundaryLog))}
        assert notes <= {"plain from before", None}
    only_old = _app_with_keys(database_url, tmp_path, old_key)
    with only_old.app_context(), pytest.raises(EncryptionError, match="not configured"):
        db.session.scalars(select(Response)).all()


def test_production_refuses_to_start_without_a_key(database_url: str, tmp_path: Path) -> None:
    from practice.config import ConfigError
    from tests.factories import PRODUCTION_KEYS

    settings = {
        "ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "s7-Vx2pLm9RtZ4wYb8nHc3jFq6dGe5aU1oEkT0iWy",
        "INSTANCE_PATH": str(tmp_path),
        "AUDIT_KEY": PRODUCTION_KEYS["AUDIT_KEY"],
    }
    with pytest.raises(ConfigError, match="PRACTICE_ENCRYPTION_KEYS is not set"):
        create_app(settings)
    with pytest.raises(ConfigError, match="must be 32 bytes"):
        create_app({**settings, "ENCRYPTION_KEYS": "k1:c2hvcnQ"})
    assert not (tmp_path / "encryption_keys").exists()


def test_development_generates_a_key_and_says_so(database_url: str, tmp_path: Path, caplog) -> None:
    first = _app_with_keys(database_url, tmp_path, "")
    key_file = tmp_path / "instance" / "encryption_keys"
    assert key_file.exists() and oct(key_file.stat().st_mode)[-3:] == "600"
    assert "Generated a development encryption key" in caplog.text
    again = _app_with_keys(database_url, tmp_path, "")
    assert first.extensions["practice.keyring"].keys == again.extensions["practice.keyring"].keys


def test_kept_reports_are_encrypted_on_disk(app: Flask, world: World, as_user) -> None:
    from practice.models import AuditEvent, Report

    clinician = as_user("a@clinic.test")
    made = clinician.submit(f"/couples/{world.couple_a}/report", {"audience": "clinician"})
    assert made.status_code == 302
    pdf = clinician.get(made.headers["Location"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    with app.app_context():
        report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
        on_disk = (Path(app.config["REPORT_DIR"]) / report.file_name).read_bytes()
        actions = set(
            db.session.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.object_type == "report", AuditEvent.object_id == report.id
                )
            )
        )
    assert not on_disk.startswith(b"%PDF") and b"Couple A" not in on_disk
    assert on_disk.startswith(b"mend1:")
    assert {"created", "printed", "exported"} <= actions
    # A sealed file renamed to another report's name does not open.
    with app.app_context():
        other = db.session.get(Report, world.report_a)
        (Path(app.config["REPORT_DIR"]) / other.file_name).write_bytes(on_disk)
    assert clinician.get(f"/reports/{world.report_a}").status_code == 410
