"""The audit trail: what it records, that it is sealed, and who may read it."""

from __future__ import annotations

import csv
import io
import threading
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from practice.audit.trail import Entry, append, verify
from practice.db import db
from practice.models import AuditEvent, BoundaryLog
from tests.conftest import sign_in
from tests.factories import World

TODAY = date.today()
WORDS = "Private words that must never be in the trail"


def _events(app: Flask, **where) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        for key, value in where.items():
            query = query.where(getattr(AuditEvent, key) == value)
        return list(db.session.scalars(query))


def _sql(app: Flask, statement: str, **params) -> None:
    with app.app_context():
        db.session.execute(text(statement), params)
        db.session.commit()


def _verify(app: Flask):
    with app.app_context():
        return verify(db.session, app.extensions["practice.audit_key"])


def test_a_change_and_its_record_land_together(app: Flask, world: World, as_user) -> None:
    before = len(_events(app))
    browser = as_user("ia@client.test")
    response = browser.submit(
        f"/boundaries/{world.boundary_a}/log",
        {"day": TODAY.isoformat(), "status": "kept", "note": WORDS},
    )
    assert response.status_code == 302
    with app.app_context():
        log = db.session.scalars(select(BoundaryLog).order_by(BoundaryLog.id.desc())).first()
        user_id = log.partner.user_id
    created = _events(app, action="created", object_type="boundary_log", object_id=log.id)
    assert len(created) == 1
    assert created[0].user_id == user_id and created[0].couple_id == world.couple_a
    assert created[0].route == "boundaries.log_entry" and created[0].outcome == "ok"
    assert len(_events(app)) > before
    # Ids only: nothing anyone wrote reaches the trail.
    with app.app_context():
        rows = db.session.execute(select(AuditEvent.__table__)).all()
    assert WORDS not in repr(rows)


def test_a_failed_change_leaves_no_record(app: Flask, world: World, as_user) -> None:
    before = _events(app, action="created", object_type="boundary_log")
    # A log for a day too far back is refused by the service: nothing is written, or recorded.
    as_user("ia@client.test").submit(
        f"/boundaries/{world.boundary_a}/log",
        {"day": (TODAY - timedelta(days=40)).isoformat(), "status": "kept", "note": ""},
    )
    assert _events(app, action="created", object_type="boundary_log") == before


def test_views_sign_ins_failures_and_refusals_are_recorded(
    app: Flask, world: World, as_user, client
) -> None:
    clinician = as_user("a@clinic.test")
    with app.app_context():
        clinician_id = db.session.scalar(
            select(AuditEvent.user_id).where(AuditEvent.action == "signed_in")
        )
    assert clinician.get(f"/couples/{world.couple_a}").status_code == 200
    viewed = _events(app, action="viewed", object_type="couple", object_id=world.couple_a)
    assert viewed and viewed[-1].user_id == clinician_id
    assert viewed[-1].route == "couples.detail"
    # Another clinician's couple: refused, and recorded as such.
    assert clinician.get(f"/couples/{world.couple_b}").status_code == 404
    refused = _events(app, action="refused", object_id=world.couple_b)
    assert refused and refused[-1].outcome == "refused" and refused[-1].user_id == clinician_id
    # A wrong password, for a known account and for an unknown one (no email is kept).
    sign_in(client, "a@clinic.test", "not the password at all")
    sign_in(client, "nobody@nowhere.test", "not the password at all")
    failed = _events(app, action="sign_in_failed")
    assert [e.object_id for e in failed[-2:]] == [clinician_id, None]
    assert all(e.ip == "127.0.0.1" for e in failed)
    with app.app_context():
        dump = repr(db.session.execute(select(AuditEvent.__table__)).all())
    assert "nobody@nowhere.test" not in dump


def test_the_chain_finds_an_altered_or_removed_row(app: Flask, world: World, as_user) -> None:
    as_user("a@clinic.test").get(f"/couples/{world.couple_a}")
    events = _events(app)
    assert len(events) >= 5
    check = _verify(app)
    assert check.intact and check.checked == len(events)
    target = events[3].id
    with app.app_context():
        postgres = db.get_engine().dialect.name == "postgresql"
    try:
        if postgres:  # the trigger refuses this; a thief with the superuser's password would not
            _sql(app, "ALTER TABLE audit_events DISABLE TRIGGER USER")
        _sql(app, "UPDATE audit_events SET user_id = 999 WHERE id = :id", id=target)
        check = _verify(app)
        assert not check.intact and check.first_bad_id == target and "altered" in check.problem
        _sql(app, "DELETE FROM audit_events WHERE id = :id", id=target)
        check = _verify(app)
        assert check.first_bad_id == target and "missing" in check.problem
    finally:
        if postgres:
            _sql(app, "ALTER TABLE audit_events ENABLE TRIGGER USER")
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"row {target} is missing" in result.output


def test_postgresql_refuses_update_and_delete(app: Flask, world: World, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; SQLite has the chain only")
    for statement in ("UPDATE audit_events SET user_id = 1", "DELETE FROM audit_events"):
        with app.app_context():
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()
    assert _verify(app).intact


def test_the_verify_command_and_csv_export(app: Flask, world: World, as_user, tmp_path) -> None:
    as_user("a@clinic.test").get(f"/couples/{world.couple_a}")
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact" in result.output
    out = tmp_path / "audit.csv"
    day = TODAY.isoformat()
    result = app.test_cli_runner().invoke(
        args=["audit", "export", "--from", day, "--to", day, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == len(_events(app))
    assert {"viewed", "signed_in", "created"} <= {r["action"] for r in rows}
    empty = tmp_path / "none.csv"
    long_ago = (TODAY - timedelta(days=400)).isoformat()
    app.test_cli_runner().invoke(
        args=["audit", "export", "--from", long_ago, "--to", long_ago, "--out", str(empty)]
    )
    assert empty.read_text().count("\n") == 1  # the header only


def test_clinicians_see_their_couples_trail_and_admins_the_practice(
    app: Flask, world: World, as_user
) -> None:
    clinician = as_user("a@clinic.test")
    clinician.get(f"/couples/{world.couple_a}")
    page = clinician.get(f"/couples/{world.couple_a}/audit").get_data(as_text=True)
    assert "Who opened or changed this record" in page
    assert "Dr A" in page and "Viewed" in page
    assert clinician.get(f"/couples/{world.couple_b}/audit").status_code == 404
    admin = as_user("admin@clinic.test")
    practice = admin.get("/admin/audit").get_data(as_text=True)
    assert "Signed in" in practice and "127.0.0.1" in practice
    checked = admin.get("/admin/audit?verify=1").get_data(as_text=True)
    assert "The trail is intact" in checked
    only_refusals = admin.get("/admin/audit?action=refused").get_data(as_text=True)
    assert "Signed in</td>" not in only_refusals
    assert as_user("ia@client.test").get("/admin/audit").status_code == 403


def test_appends_from_many_connections_at_once_keep_one_unbroken_chain(app: Flask) -> None:
    """Each append takes the chain's lock before it reads the last link (PostgreSQL's advisory
    lock; SQLite's write lock), so concurrent requests never fork the chain or clash on an id."""
    key = app.extensions["practice.audit_key"]
    writer = app.extensions["practice.db"]["writer_engine"]
    threads, rounds, errors = 4, 15, []
    start = threading.Barrier(threads)

    def work(worker: int) -> None:
        start.wait()
        for _ in range(rounds):
            try:
                with writer.begin() as connection:
                    append(connection, key, [Entry("viewed", "couple", worker), Entry("viewed")])
            except DBAPIError as exc:
                errors.append(str(exc.orig))

    running = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    assert errors == []
    result = _verify(app)
    assert result.intact and result.checked == threads * rounds * 2
    ids = [event.id for event in _events(app)]
    assert ids == list(range(1, threads * rounds * 2 + 1))


def test_threads_reading_at_once_append_together_and_each_waits_for_its_rows() -> None:
    """The first thread in line appends for every thread waiting behind it; none returns
    before its own rows are written."""
    import time

    from practice.audit.gathering import AppendGathering

    gathering = AppendGathering()
    written: list[list[Entry]] = []
    first_in = threading.Event()
    threads = 6
    missing: list[int] = []

    def write(entries: list[Entry]) -> None:
        if not written:  # the first transaction runs while all the others line up
            first_in.set()
            # A condition, bounded only for a machine with both cores busy (threads start late).
            deadline = time.monotonic() + 60
            while len(gathering._waiting) < threads - 1 and time.monotonic() < deadline:
                time.sleep(0.001)
        written.append(list(entries))

    def view(n: int) -> None:
        if n:
            assert first_in.wait(60)
        mine = [Entry("viewed", "couple", n)]
        gathering.append(mine, write)
        if not any(mine[0] in batch for batch in written):
            missing.append(n)

    running = [threading.Thread(target=view, args=(n,)) for n in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    assert missing == []
    assert sorted(e.object_id for batch in written for e in batch) == list(range(threads))
    assert [len(batch) for batch in written] == [1, threads - 1]


def test_a_failed_gathered_append_fails_every_thread_in_it() -> None:
    from practice.audit.gathering import AppendGathering

    gathering = AppendGathering()

    def broken(entries: list[Entry]) -> None:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        gathering.append([Entry("viewed")], broken)
    assert gathering.append([Entry("viewed")], lambda entries: None) == 1  # and goes on after


def test_pages_viewed_at_once_are_all_in_one_unbroken_chain(
    app: Flask, world: World, as_user
) -> None:
    browsers = [as_user("a@clinic.test") for _ in range(4)]
    before = len(_events(app, action="viewed"))
    start = threading.Barrier(len(browsers))
    statuses: list[int] = []

    def browse(browser) -> None:
        start.wait()
        for _ in range(10):
            statuses.append(browser.get(f"/couples/{world.couple_a}").status_code)

    running = [threading.Thread(target=browse, args=(b,)) for b in browsers]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    assert statuses == [200] * 40
    assert len(_events(app, action="viewed", route="couples.detail")) == 40
    assert len(_events(app, action="viewed")) == before + 40
    assert _verify(app).intact
