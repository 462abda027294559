"""Retention: couples closed longer ago than the setting are deleted whole; nothing else is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from practice.db import db
from practice.exports.retention import cutoff
from practice.models import (
    Assignment,
    Boundary,
    Couple,
    Partner,
    Report,
    Response,
    User,
    UserSession,
    utcnow,
)
from tests.factories import World, make_couple, make_report


def _close(app: Flask, couple_id: int, days_ago: int) -> None:
    with app.app_context():
        couple = db.session.get(Couple, couple_id)
        couple.status, couple.closed_at = "closed", utcnow() - timedelta(days=days_ago)
        db.session.commit()


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (
                Couple,
                Partner,
                User,
                Assignment,
                Response,
                Boundary,
                Report,
                UserSession,
            )
        }


def _arrange(app: Flask, world: World, as_user) -> dict:
    """Couple A closed eight years ago (with a session of its client), couple B closed 300 days
    ago, couple C active; each with a kept report file."""
    as_user("ia@client.test")  # a live session that must go with the account
    with app.app_context():
        clinician = db.session.get(User, world.clinician_a)
        couple_c = make_couple(
            db.session, clinician, "Couple C", "ic@client.test", "vc@client.test"
        )
        folder = app.config["REPORT_DIR"]
        files = {
            "b": make_report(db.session, db.session.get(Couple, world.couple_b), folder).file_name,
            "c": make_report(db.session, couple_c, folder).file_name,
            "a": db.session.get(Report, world.report_a).file_name,
        }
        db.session.commit()
        couple_c_id = couple_c.id
    _close(app, world.couple_a, 8 * 365 + 2)
    _close(app, world.couple_b, 300)
    return {"files": files, "couple_c": couple_c_id, "folder": Path(app.config["REPORT_DIR"])}


def test_dry_run_lists_expired_couples_and_deletes_nothing(
    app: Flask, world: World, as_user
) -> None:
    arranged = _arrange(app, world, as_user)
    before = _counts(app)
    result = app.test_cli_runner().invoke(args=["retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would delete 1 couple(s) closed more than 7 years ago." in result.output
    assert f"couple {world.couple_a}, closed " in result.output
    assert "responses 1" in result.output and "client_accounts 2" in result.output
    assert "messages 2" in result.output
    assert f"couple {world.couple_b}," not in result.output
    assert "private words" not in result.output and "No contact" not in result.output
    assert _counts(app) == before
    assert all((arranged["folder"] / name).exists() for name in arranged["files"].values())


def test_retention_deletes_only_expired_closed_couples_with_their_files_and_accounts(
    app: Flask, world: World, as_user
) -> None:
    arranged = _arrange(app, world, as_user)
    result = app.test_cli_runner().invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 couple(s)." in result.output
    with app.app_context():
        assert db.session.get(Couple, world.couple_a) is None
        assert db.session.get(Couple, world.couple_b) is not None
        assert db.session.get(Couple, arranged["couple_c"]) is not None
        emails = set(db.session.scalars(select(User.email)))
        assert "ia@client.test" not in emails and "va@client.test" not in emails
        assert {"a@clinic.test", "ib@client.test", "ic@client.test"} <= emails
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1  # couple B's
        assert db.session.scalar(select(func.count()).select_from(Boundary)) == 1
        from practice.models import Message, MessageRead

        # Couple A's conversations go with it; nothing of them is left.
        assert db.session.scalar(select(func.count()).select_from(Message)) == 0
        assert db.session.scalar(select(func.count()).select_from(MessageRead)) == 0
        sessions = db.session.scalars(select(UserSession.user_id)).all()
        assert set(sessions) <= set(db.session.scalars(select(User.id)))
    folder, files = arranged["folder"], arranged["files"]
    assert not (folder / files["a"]).exists()
    assert (folder / files["b"]).exists() and (folder / files["c"]).exists()
    # Nothing is left to delete: a second run finds nothing.
    again = app.test_cli_runner().invoke(args=["retention"])
    assert "Deleting 0 couple(s)" in again.output


def test_the_retention_years_setting_is_used(app: Flask, world: World, as_user) -> None:
    _arrange(app, world, as_user)
    app.config["RETENTION_YEARS"] = 1
    result = app.test_cli_runner().invoke(args=["retention", "--dry-run"])
    assert "Would delete 1 couple(s) closed more than 1 years ago." in result.output
    _close(app, world.couple_b, 367)
    result = app.test_cli_runner().invoke(args=["retention", "--dry-run"])
    assert "Would delete 2 couple(s)" in result.output


def test_cutoff_handles_the_leap_day() -> None:
    assert cutoff(datetime(2028, 2, 29, 12, tzinfo=UTC), 7) == datetime(2021, 2, 28, 12, tzinfo=UTC)
    assert cutoff(datetime(2026, 6, 1, tzinfo=UTC), 7) == datetime(2019, 6, 1, tzinfo=UTC)
