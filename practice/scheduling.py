"""Mend's periodic work, run by one scheduler: tomorrow's reports in the evening, the morning
reminders and digests, and (when switched on) retention at night.

`run_scheduled` is called by cron (`practice run-scheduled`, every few minutes) or by a
`practice worker --with-scheduler` every 30 seconds; any number of them may run at once.
A daily task runs once per day in the practice's zone, at or after its hour: its claim is a
row (task, day) whose primary key a second scheduler cannot insert again. Each of tomorrow's
reports is a job with its own id per couple, day and generation, claimed in the database by
the job that prints it, so even two jobs for it print once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from practice.models import SchedulerRun, utcnow

log = logging.getLogger("practice.scheduler")

# task -> the setting holding its local time of day
DAILY = {
    "prepare_reports": "PREPARE_REPORTS_AT",
    "reminders": "REMINDERS_AT",
    "retention": "RETENTION_AT",
}
TICK = ("tick", "latest")


@dataclass
class Ran:
    """What one call did: the daily tasks it ran and the reports it prepared or queued."""

    tasks: list[str] = field(default_factory=list)
    prepared: int = 0
    queued: int = 0
    notes: list[str] = field(default_factory=list)


def parse_time(value: str) -> time:
    """ "21:00" -> time(21, 0); a ValueError names the problem."""
    hours, _, minutes = value.partition(":")
    try:
        return time(int(hours), int(minutes or 0))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a time of day such as 21:00") from exc


def _claim(db: Session, task: str, slot: str) -> bool:
    """Insert the (task, day) row and commit: False when another scheduler already did."""
    db.add(SchedulerRun(task=task, slot=slot))
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        return False
    return True


def _finish(db: Session, task: str, slot: str) -> None:
    db.execute(
        update(SchedulerRun)
        .where(SchedulerRun.task == task, SchedulerRun.slot == slot)
        .values(finished_at=utcnow())
    )
    db.commit()


def _tick(db: Session, now: datetime) -> None:
    changed = db.execute(
        update(SchedulerRun)
        .where(SchedulerRun.task == TICK[0], SchedulerRun.slot == TICK[1])
        .values(started_at=now, finished_at=utcnow())
    ).rowcount
    if not changed:
        try:
            with db.begin_nested():
                db.add(
                    SchedulerRun(task=TICK[0], slot=TICK[1], started_at=now, finished_at=utcnow())
                )
        except IntegrityError:
            pass  # another scheduler wrote it a moment ago
    db.commit()


def last_ran(db: Session) -> datetime | None:
    """When a scheduler last finished a run (None: never)."""
    return db.scalar(
        select(SchedulerRun.finished_at).where(
            SchedulerRun.task == TICK[0], SchedulerRun.slot == TICK[1]
        )
    )


def run_scheduled(db: Session, app: Flask, now: datetime, zone: tzinfo) -> Ran:
    """Run whatever is due now (each daily task once a day), then prepare or queue the reports
    waiting to be prepared."""
    ran = Ran()
    local = now.astimezone(zone)
    slot = local.date().isoformat()
    for task, setting in DAILY.items():
        if task == "retention" and not app.config["SCHEDULED_RETENTION"]:
            continue
        if local.time() < parse_time(app.config[setting]):
            continue
        if not _claim(db, task, slot):
            continue
        log.info("Running %s for %s", task, slot)
        TASKS[task](db, app, now, zone, ran)
        _finish(db, task, slot)
        ran.tasks.append(task)
    _sweep(db, app, now, zone, ran)
    _tick(db, now)
    return ran


def _prepare_reports(db: Session, app: Flask, now: datetime, zone: tzinfo, ran: Ran) -> None:
    from practice.reporting.prepared import evening_batch

    batch = evening_batch(db, now, zone)
    db.commit()
    ran.notes.append(_("%(num)d report(s) to prepare for tomorrow", num=len(batch)))


def _reminders(db: Session, app: Flask, now: datetime, zone: tzinfo, ran: Ran) -> None:
    from practice.jobs import QueueUnavailable, enqueue, queue_configured
    from practice.reminders import recipients, send_reminders

    today = now.astimezone(zone).date()
    if not queue_configured(app):
        report = send_reminders(db, today, zone)
        db.commit()
        ran.notes.append(
            _(
                "%(reminders)d reminder(s), %(digests)d digest(s) sent",
                reminders=report.reminded,
                digests=report.digests,
            )
        )
        return
    todo = recipients(db, today, zone)
    db.rollback()
    try:
        for kind, user_id in todo:
            enqueue("send_reminder", kind=kind, user_id=user_id, day=today.isoformat())
    except QueueUnavailable:
        # Each email is claimed when sent: `practice send-reminders` later sends what is left.
        log.warning("Redis went away while queuing reminders; run `practice send-reminders`")
    ran.notes.append(_("%(num)d email(s) queued", num=len(todo)))


def _retention(db: Session, app: Flask, now: datetime, zone: tzinfo, ran: Ran) -> None:
    from practice.audit.capture import record
    from practice.exports.retention import find_expired, purge, remove_report_files

    expired = find_expired(db, now, app.config["RETENTION_YEARS"])
    if expired:
        purge(db, expired)
        for gone in expired:
            record("deleted", "couple", gone.couple_id, gone.couple_id)
        db.commit()
        for name in remove_report_files(app.config["REPORT_DIR"], expired):
            log.error("Could not remove report file %s; please delete it by hand", name)
    ran.notes.append(_("%(num)d couple(s) past retention deleted", num=len(expired)))


TASKS = {"prepare_reports": _prepare_reports, "reminders": _reminders, "retention": _retention}


def _sweep(db: Session, app: Flask, now: datetime, zone: tzinfo, ran: Ran) -> None:
    """Reports waiting to be prepared: queued for a worker (those whose job Redis no longer
    holds), or, without Redis, prepared here one after another."""
    from practice.jobs import QueueUnavailable, job_id_for, jobs_alive, queue_configured
    from practice.reporting.prepared import job_key, prepare, queue_prepared, waiting

    rows = waiting(db, now)
    for row in rows:
        if row.status == "running":  # left by a worker that stopped mid-print
            row.status = "queued"
    db.commit()
    if not rows:
        return
    if not queue_configured(app):
        for row in rows:
            outcome = prepare(db, row.id, row.generation, app.config["REPORT_DIR"], zone)
            ran.prepared += outcome == "ready"
        return
    try:
        alive = jobs_alive(app, [job_id_for(app, "prepare_report", job_key(r)) for r in rows])
    except QueueUnavailable:
        return
    for row in rows:
        if job_id_for(app, "prepare_report", job_key(row)) not in alive:
            queue_prepared(db, row)
            ran.queued += 1
