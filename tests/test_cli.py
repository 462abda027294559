"""The `practice` command, run as a real process: db, create-user, demo and production refusal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from practice.models import Appointment, Couple, User

PRACTICE = shutil.which("practice", path=str(Path(sys.executable).parent)) or "practice"


def run(args: list[str], env_extra: dict, input_text: str | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTICE_")}
    env.update(env_extra)
    return subprocess.run(
        [PRACTICE, *args], env=env, input=input_text, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def instance(tmp_path: Path) -> dict:
    """Environment for a fresh instance folder with its own SQLite database."""
    return {"PRACTICE_INSTANCE_PATH": str(tmp_path / "instance")}


def test_demo_loads_once_prints_logins_and_is_safe_to_repeat(instance: dict, tmp_path) -> None:
    first = run(["demo", "--no-serve"], instance)
    assert first.returncode == 0, first.stderr
    assert "Demo data loaded." in first.stdout
    assert "clinician@mend.example" in first.stdout and "mend-demo-password" in first.stdout
    second = run(["demo", "--no-serve"], instance)
    assert second.returncode == 0, second.stderr
    assert "already there" in second.stdout
    engine = create_engine(f"sqlite:///{tmp_path / 'instance' / 'practice.db'}")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Couple.__table__)) == 3
        stages = set(conn.scalars(select(Couple.__table__.c.stage)))
        assert len(stages) == 3
        now = conn.scalar(text("SELECT datetime('now')"))
        appointments = conn.execute(select(Appointment.__table__.c.starts_at)).scalars().all()
        assert any(str(a) < now for a in appointments) and any(str(a) > now for a in appointments)
        marked = conn.scalar(text("SELECT count(*) FROM messages WHERE for_session_at IS NOT NULL"))
        threads = set(conn.scalars(text("SELECT DISTINCT thread FROM messages")))
        assert marked == 1 and threads == {"injured", "involved", "together"}
    engine.dispose()


def test_db_upgrade_and_current(instance: dict) -> None:
    upgraded = run(["db", "upgrade"], instance)
    assert upgraded.returncode == 0, upgraded.stderr
    current = run(["db", "current"], instance)
    lines = dict(line.split(":", 1) for line in current.stdout.strip().splitlines())
    assert lines["current"].strip() == lines["head"].strip() != "empty"


def test_create_user_with_a_typed_password(instance: dict, tmp_path) -> None:
    run(["db", "upgrade"], instance)
    password = "a quiet room with a window"
    result = run(
        ["create-user", "--role", "clinician", "--name", "Dr Cli", "Cli@Example.com"],
        instance,
        input_text=f"{password}\n{password}\n",
    )
    assert result.returncode == 0, result.stderr
    assert "Created clinician cli@example.com." in result.stdout
    engine = create_engine(f"sqlite:///{tmp_path / 'instance' / 'practice.db'}")
    with engine.connect() as conn:
        row = conn.execute(
            select(User.__table__).where(User.__table__.c.email == "cli@example.com")
        ).one()
    engine.dispose()
    assert row.role == "clinician" and row.password_hash.startswith("$argon2id$")


def test_create_user_refuses_a_weak_password_and_duplicates(instance: dict) -> None:
    run(["db", "upgrade"], instance)
    weak = run(["create-user", "--role", "admin", "x@example.com"], instance, "short\nshort\n")
    assert weak.returncode == 1 and "at least 15 characters" in weak.stderr
    ok = run(["create-user", "--role", "admin", "--link", "x@example.com"], instance)
    assert ok.returncode == 0 and "/set-password/" in ok.stdout
    again = run(["create-user", "--role", "admin", "--link", "X@example.com"], instance)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_production_refusal_is_one_line(instance: dict) -> None:
    result = run(["db", "current"], instance | {"PRACTICE_ENV": "production"})
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("Error: PRACTICE_SECRET_KEY is not set")
