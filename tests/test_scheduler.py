"""One scheduler for Mend's periodic work, run by several workers at once: each of
tomorrow's reports is prepared once (a unique job id per couple, day and generation, and a
claim in the database), and each daily task runs once a day."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from practice import create_app
from practice.db import db
from practice.jobs import get_queue
from practice.models import (
    Appointment,
    PreparedReport,
    Report,
    ReportRequest,
    SchedulerRun,
    utcnow,
)
from practice.reporting.prepared import queue_prepared
from practice.scheduling import run_scheduled
from tests.conftest import _empty_all_tables
from tests.factories import World, make_world
from tests.test_jobs import REDIS, _forget_keys


@pytest.fixture
def queued(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The Mend app with its job queue on Redis, under queue names no other run uses."""
    prefix = f"mendtest-{uuid.uuid4().hex[:12]}"
    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-mend",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "BASE_URL": "http://mend.test",
            "REDIS_URL": REDIS,
            "QUEUE_PREFIX": prefix,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    yield app
    _forget_keys(prefix)
    _empty_all_tables(app)
    db.get_engine(app).dispose()


@pytest.fixture
def world(queued: Flask) -> World:
    """The usual world, in the queued app's database."""
    with queued.app_context():
        made = make_world(db.session)
        db.session.commit()
        return made


def _book_tomorrow(app: Flask, *couple_ids: int) -> None:
    tomorrow = datetime.combine(utcnow().date() + timedelta(days=1), time(10), tzinfo=UTC)
    with app.app_context():
        db.session.execute(PreparedReport.__table__.delete())
        # The world's waiting report request would be printed by the workers too: not here.
        db.session.execute(ReportRequest.__table__.delete())
        for couple_id in couple_ids:
            db.session.add(Appointment(couple_id=couple_id, starts_at=tomorrow))
        db.session.commit()


def _count(app: Flask, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _worker_env(app: Flask) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRACTICE_", "FLASK_"))}
    env.update(
        PRACTICE_ENV="testing",
        PRACTICE_DATABASE_URL=app.config["DATABASE_URL"],
        PRACTICE_REDIS_URL=app.config["REDIS_URL"],
        PRACTICE_QUEUE_PREFIX=app.config["QUEUE_PREFIX"],
        # The same instance folder: the same encryption and audit keys as the test's app.
        PRACTICE_INSTANCE_PATH=app.instance_path,
        PRACTICE_SECRET_KEY=app.config["SECRET_KEY"],
        PRACTICE_REPORT_DIR=app.config["REPORT_DIR"],
        PRACTICE_BASE_URL=app.config["BASE_URL"],
        PRACTICE_PREPARE_REPORTS_AT="00:00",  # due whenever the test runs
        PRACTICE_REMINDERS_AT="23:59",
    )
    return env


def test_two_workers_with_the_scheduler_prepare_each_report_once(
    queued: Flask, world: World
) -> None:
    app = queued
    _book_tomorrow(app, world.couple_a, world.couple_b)
    before = _count(app, Report)
    practice = str(Path(sys.executable).with_name("practice"))
    workers = [
        subprocess.Popen(
            [practice, "worker", "--burst", "--with-scheduler"],
            env=_worker_env(app),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=240)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    with app.app_context():
        rows = db.session.scalars(select(PreparedReport).order_by(PreparedReport.couple_id)).all()
        assert [(r.couple_id, r.status, r.generation) for r in rows] == [
            (world.couple_a, "ready", 1),
            (world.couple_b, "ready", 1),
        ]
        runs = db.session.scalars(
            select(SchedulerRun.slot).where(SchedulerRun.task == "prepare_reports")
        ).all()
        assert len(runs) == 1  # the evening task ran once, though both workers scheduled
    assert _count(app, Report) == before + 2

    # The same job queued again (a third scheduler, a retry) prints nothing more.
    with app.app_context():
        for row in rows:
            queue_prepared(db.session, db.session.get(PreparedReport, row.id))
        assert len(get_queue(app, "reports").get_jobs()) == 2
    from practice.jobs.worker import run_worker

    run_worker(app, burst=True)
    assert _count(app, Report) == before + 2


def test_two_schedulers_at_once_claim_the_evening_once(queued: Flask, world: World) -> None:
    app = queued
    app.config["REMINDERS_AT"] = "23:59"
    _book_tomorrow(app, world.couple_a, world.couple_b)
    evening = datetime.combine(utcnow().date(), time(21, 30), tzinfo=UTC)
    start = threading.Barrier(2)
    results = []

    def scheduler() -> None:
        with app.app_context():
            start.wait()
            results.append(run_scheduled(db.session, app, evening, UTC))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(len(r.tasks) for r in results) == [0, 1]
    with app.app_context():
        ids = {j.id for j in get_queue(app, "reports").get_jobs()}
        rows = db.session.scalars(select(PreparedReport)).all()
    assert len(rows) == 2 and all(r.status == "queued" for r in rows)
    # One job per couple, day and generation, whichever scheduler queued it.
    assert len(ids) == 2
    assert all(f"-{r.couple_id}-{r.for_date.isoformat()}-1" in " ".join(ids) for r in rows)
