"""The job queue: reports and reminder emails made by `practice worker` when Redis is set.

Every test here runs on the real Redis at 127.0.0.1:6379 under queue names of its own, and
removes only its own keys, so parallel runs do not meet.
"""

from __future__ import annotations

import io
import re
import uuid
import zlib
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from redis import Redis
from sqlalchemy import func, select, update

from practice import create_app
from practice.db import db
from practice.jobs import enqueue, get_queue, job_id_for, jobs_alive
from practice.jobs.worker import run_worker
from practice.mail import outbox
from practice.models import (
    Appointment,
    AuditEvent,
    ReminderLog,
    Report,
    ReportRequest,
    User,
    utcnow,
)
from practice.reporting.queued import GAVE_UP, MAX_ATTEMPTS, RESUME_AFTER
from tests.conftest import MendClient, _empty_all_tables
from tests.factories import World

REDIS = "redis://127.0.0.1:6379/0"
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_url() -> str | None:
    """The Redis the app queues jobs on (tests parametrize it to None or a closed port)."""
    return REDIS


@pytest.fixture
def app(database_url: str, tmp_path: Path, redis_url: str | None) -> Iterator[Flask]:
    """The Mend app with the job queue on Redis, under queue names no other run uses."""
    prefix = f"mendtest-{uuid.uuid4().hex[:12]}"
    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-mend",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "BASE_URL": "http://mend.test",
            "REDIS_URL": redis_url,
            "QUEUE_PREFIX": prefix,
            "RATELIMIT_STORAGE_URI": "memory://",  # the sign-in throttle is not under test
        }
    )
    app.test_client_class = MendClient
    yield app
    _forget_keys(prefix)
    _empty_all_tables(app)
    db.get_engine(app).dispose()


def _forget_keys(prefix: str) -> None:
    conn = Redis.from_url(REDIS)
    for key in conn.scan_iter(match=f"*{prefix}*"):
        conn.delete(key)
    for registry in ("rq:queues", "rq:workers"):
        mine = [m for m in conn.smembers(registry) if prefix.encode() in m]
        if mine:
            conn.srem(registry, *mine)
    conn.close()


def _our_keys(app: Flask) -> list[bytes]:
    conn = Redis.from_url(REDIS)
    try:
        return list(conn.scan_iter(match=f"*{app.config['QUEUE_PREFIX']}*"))
    finally:
        conn.close()


def _everything_stored(app: Flask) -> bytes:
    """Every value under this test's keys, as one blob to search."""
    conn = Redis.from_url(REDIS)
    read = {
        b"hash": lambda k: _with_job_data(conn.hgetall(k)),
        b"list": lambda k: conn.lrange(k, 0, -1),
        b"string": lambda k: conn.get(k),
        b"set": lambda k: conn.smembers(k),
        b"zset": lambda k: conn.zrange(k, 0, -1),
    }
    try:
        return b"".join(repr(read[conn.type(k)](k)).encode() for k in _our_keys(app))
    finally:
        conn.close()


def _with_job_data(fields: dict) -> dict:
    # RQ keeps a job's call (function and arguments) zlib-compressed in its "data" field.
    if b"data" in fields:
        fields[b"call"] = zlib.decompress(fields[b"data"])
    return fields


def _count(app: Flask, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture(autouse=True)
def _world_request_settled(app: Flask, world: World) -> None:
    """The world's waiting request has no job in this test's queues; settle it, so a worker's
    sweep here never prints it unasked (tests that want one waiting make their own)."""
    with app.app_context():
        db.session.execute(
            update(ReportRequest)
            .where(ReportRequest.id == world.report_request_a)
            .values(status="ready")
        )
        db.session.commit()


def _backdate(app: Flask, request_id: int, **values) -> None:
    """Make a request look older than RESUME_AFTER (and set any other columns given)."""
    with app.app_context():
        db.session.execute(
            update(ReportRequest)
            .where(ReportRequest.id == request_id)
            .values(updated_at=utcnow() - RESUME_AFTER - timedelta(seconds=1), **values)
        )
        db.session.commit()


def _newest_request(app: Flask) -> ReportRequest:
    with app.app_context():
        wanted = db.session.scalars(select(ReportRequest).order_by(ReportRequest.id.desc())).first()
        db.session.expunge(wanted)
        return wanted


def _ask_for_report(browser: MendClient, couple_id: int):
    return browser.submit(
        f"/couples/{couple_id}/report", {"period": "14", "audience": "clinician", "paper": "A4"}
    )


def test_a_report_is_queued_printed_by_a_worker_and_offered(
    app: Flask, world: World, as_user
) -> None:
    clinician = as_user("a@clinic.test")
    reports_before = _count(app, Report)
    response = _ask_for_report(clinician, world.couple_a)
    assert response.status_code == 302
    status_url = response.headers["Location"]
    assert re.fullmatch(r"/report-requests/\d+", status_url)
    request_id = int(status_url.rsplit("/", 1)[1])

    page = clinician.get(status_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Queued." in html
    assert 'data-look-again="3"' in html and "look_again.js" in html  # looks again in place
    assert 'http-equiv="refresh"' not in html  # never reloads the page under its reader
    assert "Download the PDF" not in html
    assert _count(app, Report) == reports_before  # nothing printed inside the request

    # Redis holds the request's id and nothing of the couple's record.
    with app.app_context():
        jobs = get_queue(app, "reports").get_jobs()
        assert [job.kwargs for job in jobs] == [{"request_id": request_id}]
        wanted = db.session.get(ReportRequest, request_id)
        assert (wanted.status, wanted.requested_by_id) == ("queued", world.clinician_a)
    stored = _everything_stored(app)
    assert f'{{"request_id": {request_id}}}'.encode() in stored  # the job's one argument
    assert b"Couple A" not in stored and b"Dr A" not in stored

    assert run_worker(app, burst=True) is True

    page = clinician.get(status_url)
    html = page.get_data(as_text=True)
    assert "Ready." in html and "data-look-again" not in html and "look_again.js" not in html
    with app.app_context():
        wanted = db.session.get(ReportRequest, request_id)
        assert wanted.status == "ready" and wanted.error is None
        report = db.session.get(Report, wanted.report_id)
        assert report.created_by_id == world.clinician_a
        printed = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "printed", AuditEvent.object_id == report.id
            )
        ).all()
        assert [(e.user_id, e.object_type, e.couple_id) for e in printed] == [
            (world.clinician_a, "report", world.couple_a)
        ]
    download_url = f"/reports/{wanted.report_id}"
    assert f'href="{download_url}"' in html
    pdf = clinician.get(download_url)
    assert pdf.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Couple A" in text

    # The same job again (a retry) finds the request printed and prints nothing twice.
    with app.app_context():
        enqueue("print_report", request_id=request_id)
    run_worker(app, burst=True)
    assert _count(app, Report) == reports_before + 1


def test_another_clinician_cannot_see_the_request(app: Flask, world: World, as_user) -> None:
    status_url = _ask_for_report(as_user("a@clinic.test"), world.couple_a).headers["Location"]
    assert as_user("b@clinic.test").get(status_url).status_code == 404
    assert as_user("ia@client.test").get(status_url).status_code == 403


def test_a_period_that_makes_no_sense_is_refused_before_queuing(
    app: Flask, world: World, as_user
) -> None:
    requests_before = _count(app, ReportRequest)
    page = as_user("a@clinic.test").submit(
        f"/couples/{world.couple_a}/report",
        {"period": "custom", "start": "2026-03-10", "end": "2026-03-01"},
        follow_redirects=True,
    )
    assert "The end date is before the start date." in page.get_data(as_text=True)
    assert _count(app, ReportRequest) == requests_before
    with app.app_context():
        assert get_queue(app, "reports").count == 0


def test_a_report_that_cannot_be_printed_says_so_plainly(
    app: Flask, world: World, as_user, tmp_path
) -> None:
    clinician = as_user("a@clinic.test")
    status_url = _ask_for_report(clinician, world.couple_a).headers["Location"]
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the archive folder should be")
    app.config["REPORT_DIR"] = str(blocker / "archive")
    run_worker(app, burst=True)
    html = clinician.get(status_url).get_data(as_text=True)
    assert "Not printed." in html and "could not be saved" in html
    assert "data-look-again" not in html


@pytest.mark.parametrize("redis_url", [None])
def test_without_redis_printing_stays_in_the_request(app: Flask, world: World, as_user) -> None:
    clinician = as_user("a@clinic.test")
    requests_before = _count(app, ReportRequest)
    response = _ask_for_report(clinician, world.couple_a)
    assert re.fullmatch(r"/reports/\d+", response.headers["Location"])
    assert clinician.get(response.headers["Location"]).mimetype == "application/pdf"
    assert _count(app, ReportRequest) == requests_before
    runner = app.test_cli_runner()
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "PRACTICE_REDIS_URL is not set" in result.output


@pytest.mark.parametrize("redis_url", [None])
def test_without_redis_a_job_runs_in_place(app: Flask, world: World) -> None:
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "va@client.test"))
        day = date.today().isoformat()
        assert enqueue("send_reminder", kind="client", user_id=user_id, day=day) == "sent"
        assert enqueue("send_reminder", kind="client", user_id=user_id, day=day) == "skipped"
    assert [m.to for m in outbox(app)] == ["va@client.test"]


@pytest.mark.parametrize("redis_url", [CLOSED_PORT])
def test_redis_down_keeps_the_request_and_says_so(app: Flask, world: World, as_user) -> None:
    clinician = as_user("a@clinic.test")
    reports_before = _count(app, Report)
    page = clinician.submit(
        f"/couples/{world.couple_a}/report", {"period": "14"}, follow_redirects=True
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Your request is kept and will print by itself" in html
    assert "Waiting for the print queue" in html
    wanted = _newest_request(app)
    assert wanted.status == "queued" and wanted.id != world.report_request_a
    assert _count(app, Report) == reports_before
    # Pages that need no queue keep working.
    assert clinician.get(f"/couples/{world.couple_a}").status_code == 200

    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 1
    assert "Redis could not be reached" in result.output
    assert _count(app, ReminderLog) == 0 and outbox(app) == []


def test_reminders_are_queued_and_each_is_sent_once(app: Flask, world: World) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0, first.output
    assert "Queued 6 emails" in first.output  # four clients, two clinicians' digests
    second = runner.invoke(args=["send-reminders"])  # cron ran twice
    assert "Queued 6 emails" in second.output
    with app.app_context():
        queued = get_queue(app, "mail").get_jobs()
        assert len(queued) == 12
        assert {tuple(sorted(job.kwargs)) for job in queued} == {("day", "kind", "user_id")}
    assert outbox(app) == []  # nothing sent by the command itself

    worked = runner.invoke(args=["worker", "--burst"])
    assert worked.exit_code == 0 and "Worked through the queue." in worked.output
    runner.invoke(args=["send-reminders"])  # and once more, after the worker has sent them
    runner.invoke(args=["worker", "--burst"])
    assert runner.invoke(args=["worker", "--burst"]).output.strip() == "The queue was empty."

    reminders = [m.to for m in outbox(app) if "to do in Mend today" in m.subject]
    assert sorted(reminders) == sorted(
        ["ia@client.test", "va@client.test", "ib@client.test", "vb@client.test"]
    )
    assert _count(app, ReminderLog) == len(outbox(app))
    assert len({m.to for m in outbox(app)}) == len(outbox(app))


def test_nightly_reports_are_queued_per_couple(app: Flask, world: World) -> None:
    with app.app_context():
        starts = db.session.get(Appointment, world.appointment_a).starts_at
    result = app.test_cli_runner().invoke(args=["reports", "--for-date", starts.date().isoformat()])
    assert result.exit_code == 0, result.output
    assert "Queued 1 report for `practice worker`" in result.output
    assert "http://mend.test/report-requests/" in result.output
    run_worker(app, burst=True)
    with app.app_context():
        wanted = db.session.scalars(
            select(ReportRequest).where(ReportRequest.id != world.report_request_a)
        ).one()
        assert (wanted.couple_id, wanted.status) == (world.couple_a, "ready")
        printed = db.session.scalars(
            select(AuditEvent.user_id).where(
                AuditEvent.action == "printed", AuditEvent.object_id == wanted.report_id
            )
        ).all()
        assert printed == [world.clinician_a]


def test_jobs_refuse_anything_but_ids_and_dates(app: Flask, world: World) -> None:
    with app.app_context(), pytest.raises(TypeError):
        enqueue("send_reminder", kind="client", user_id=1, day="I feel so hurt by what happened")
    assert _our_keys(app) == []  # refused before anything reached Redis


def test_a_print_cut_short_is_tried_again_and_given_up_after_three_tries(
    app: Flask, world: World, as_user
) -> None:
    clinician = as_user("a@clinic.test")
    # One left "running" by a worker killed mid-print, with tries left: printed again.
    _ask_for_report(clinician, world.couple_a)
    retried = _newest_request(app).id
    _backdate(app, retried, status="running", attempts=1)
    # One whose worker keeps being killed: given up, with a plain message.
    _ask_for_report(clinician, world.couple_a)
    given_up = _newest_request(app).id
    _backdate(app, given_up, status="running", attempts=MAX_ATTEMPTS)
    # One printing right now (its job is alive in Redis) stays as it is.
    _ask_for_report(clinician, world.couple_a)
    printing = _newest_request(app)
    with app.app_context():
        get_queue(app, "reports").empty()  # the other two's jobs ran (and died) already
        db.session.execute(
            update(ReportRequest)
            .where(ReportRequest.id == printing.id)
            .values(status="running", attempts=1)
        )
        db.session.commit()
        enqueue("print_report", key=f"{printing.id}-0", request_id=printing.id)
        _backdate(app, printing.id)

    run_worker(app, burst=True)

    with app.app_context():
        status = {
            r.id: (r.status, r.attempts) for r in db.session.scalars(select(ReportRequest)).all()
        }
    assert status[retried] == ("ready", 2)
    assert status[given_up] == ("failed", MAX_ATTEMPTS)
    assert status[printing.id] == ("running", 1)  # its own job found it taken: no second print
    html = clinician.get(f"/report-requests/{given_up}").get_data(as_text=True)
    assert "cut short three times" in html and "please print it again" in html
    assert GAVE_UP.startswith("Printing was cut short three times")


def test_requests_whose_jobs_redis_lost_are_printed_when_a_worker_starts(
    app: Flask, world: World, as_user
) -> None:
    clinician = as_user("a@clinic.test")
    reports_before = _count(app, Report)
    for _ in range(2):
        _ask_for_report(clinician, world.couple_a)
    asked = [r.id for r in _all_requests(app) if r.id != world.report_request_a]
    _forget_keys(app.config["QUEUE_PREFIX"])  # Redis restarted: it keeps nothing on disk
    for request_id in asked:
        _backdate(app, request_id)

    run_worker(app, burst=True)

    with app.app_context():
        printed = {r.id: r.status for r in _all_requests(app)}
    assert [printed[i] for i in asked] == ["ready", "ready"]
    assert _count(app, Report) == reports_before + 2  # each once


def test_a_watched_request_whose_job_was_lost_is_queued_again_at_once(
    app: Flask, world: World, as_user
) -> None:
    clinician = as_user("a@clinic.test")
    location = _ask_for_report(clinician, world.couple_a).headers["Location"]
    wanted = _newest_request(app)
    job_id = job_id_for(app, "print_report", f"{wanted.id}-0")
    _forget_keys(app.config["QUEUE_PREFIX"])
    with app.app_context():
        assert jobs_alive(app, [job_id]) == set()
    assert "Queued." in clinician.get(location).get_data(as_text=True)
    with app.app_context():
        assert jobs_alive(app, [job_id]) == set()  # a moment old: the web may still be queuing it
    _backdate(app, wanted.id)
    assert "Queued." in clinician.get(location).get_data(as_text=True)
    with app.app_context():
        assert jobs_alive(app, [job_id]) == {job_id}
    run_worker(app, burst=True)
    assert "Download the PDF" in clinician.get(location).get_data(as_text=True)


def test_a_print_the_database_cut_short_is_tried_again(
    app: Flask, world: World, as_user, monkeypatch
) -> None:
    from sqlalchemy.exc import OperationalError

    import practice.reporting.queued as queued

    clinician = as_user("a@clinic.test")
    location = _ask_for_report(clinician, world.couple_a).headers["Location"]
    wanted = _newest_request(app)
    real = queued.report_html

    def database_gone(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(queued, "report_html", database_gone)
    run_worker(app, burst=True)
    assert _newest_request(app).status == "running"  # not failed: it will be tried again
    page = clinician.get(location).get_data(as_text=True)
    # Still on its way: "Being printed", or "Queued" once the page itself has queued it again
    # (it does so when the print has been quiet for RESUME_AFTER, which a loaded machine can
    # take between the two lines above); never "Not printed".
    assert "Being printed" in page or "Queued." in page
    assert "Not printed" not in page

    monkeypatch.setattr(queued, "report_html", real)
    _backdate(app, wanted.id)
    run_worker(app, burst=True)
    again = _newest_request(app)
    assert (again.status, again.attempts) == ("ready", 2)


def _all_requests(app: Flask) -> list[ReportRequest]:
    with app.app_context():
        rows = db.session.scalars(select(ReportRequest).order_by(ReportRequest.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_a_reminder_the_mail_server_refused_is_tried_again_later(app: Flask, world: World) -> None:
    from datetime import UTC, datetime

    from rq.job import Job

    from practice.jobs import RETRY_AFTER
    from tests.test_health import closed_port

    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=closed_port())
    runner = app.test_cli_runner()
    assert "Queued 6 emails" in runner.invoke(args=["send-reminders"]).output
    run_worker(app, burst=True)  # the mail server is down: every reminder fails
    assert _count(app, ReminderLog) == 0  # (the digests had nothing to say: no email)
    with app.app_context():
        waiting = get_queue(app, "mail").scheduled_job_registry
        jobs = [Job.fetch(i, connection=waiting.connection) for i in waiting.get_job_ids()]
        assert len(jobs) == 4
        assert {job.retries_left for job in jobs} == {len(RETRY_AFTER["send_reminder"]) - 1}

        app.config["MAIL_BACKEND"] = "memory"  # the mail server is back
        for job in jobs:  # and the first pause is over
            waiting.schedule(job, datetime.now(UTC))
    run_worker(app, burst=True)
    assert sorted(m.to for m in outbox(app)) == sorted(
        ["ia@client.test", "va@client.test", "ib@client.test", "vb@client.test"]
    )
    assert _count(app, ReminderLog) == 4


def test_a_clinicians_own_request_goes_ahead_of_the_nightly_batch(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        starts = db.session.get(Appointment, world.appointment_a).starts_at
    batch = app.test_cli_runner().invoke(args=["reports", "--for-date", starts.date().isoformat()])
    assert "Queued 1 report" in batch.output
    clinician = as_user("a@clinic.test")
    location = _ask_for_report(clinician, world.couple_a).headers["Location"]
    mine = _newest_request(app)
    with app.app_context():
        waiting = get_queue(app, "reports").job_ids
    assert len(waiting) == 2
    assert waiting[0] == job_id_for(app, "print_report", f"{mine.id}-0")
    run_worker(app, burst=True)
    assert "Download the PDF" in clinician.get(location).get_data(as_text=True)
