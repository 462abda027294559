"""The `practice` command: Flask's CLI for this app, plus Mend's own commands."""

from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from practice import migrate
from practice.config import ConfigError
from practice.db import db


def _create_app() -> Flask:
    from practice import create_app

    try:
        return create_app()
    except ConfigError as exc:
        if len(exc.problems) == 1:
            click.echo(f"Error: {exc}", err=True)
        else:
            click.echo("Error: unsafe production settings:", err=True)
            for problem in exc.problems:
                click.echo(f"- {problem}", err=True)
        sys.exit(1)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Mend, practice support for couples therapists. Settings come from PRACTICE_* variables."""


def register_commands(app: Flask) -> None:
    """Attach Mend's commands to the app's CLI."""
    app.cli.add_command(db_group)
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(library_group)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(report_command)
    app.cli.add_command(reports_command)
    from practice.audit.cli import audit_group
    from practice.encryption_cli import encryption_group

    app.cli.add_command(audit_group)
    app.cli.add_command(encryption_group)
    app.cli.add_command(export_couple_command)
    app.cli.add_command(export_fhir_command)
    app.cli.add_command(retention_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(check_security_command)
    from practice.serve import serve_command

    app.cli.add_command(serve_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(run_scheduled_command)
    app.cli.add_command(check_command)


@click.group("db", help="Create, upgrade and inspect the database schema (Alembic).")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create the schema or bring it up to REVISION (default: the newest)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(
        _("Database is at %(revision)s.", revision=migrate.current_revision(db.get_engine()))
    )


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Step the schema back to REVISION ("base" removes every table)."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    revision = migrate.current_revision(db.get_engine()) or "base"
    click.echo(_("Database is at %(revision)s.", revision=revision))


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the schema's revision and the newest one available."""
    url = current_app.config["DATABASE_URL"]
    current = migrate.current_revision(db.get_engine()) or _("empty")
    click.echo(_("current: %(revision)s", revision=current))
    click.echo(_("head:    %(revision)s", revision=migrate.head_revision(url)))


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@with_appcontext
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    from alembic import command

    command.revision(
        migrate.alembic_config(current_app.config["DATABASE_URL"]),
        message=message,
        autogenerate=True,
    )


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(["clinician", "admin"]), required=True)
@click.option("--name", default="", help="Display name (default: the part before @).")
@click.option("--link", is_flag=True, help="Print a one-time set-password link instead of asking.")
@with_appcontext
def create_user_command(email: str, role: str, name: str, link: bool) -> None:
    """Create a clinician or admin account."""
    from practice.admin.services import AccountError, create_user, issue_set_password_link
    from practice.urls import external_url

    password = None
    if not link:
        password = click.prompt(
            _("Password"),
            hide_input=True,
            confirmation_prompt=_("Repeat for confirmation"),
        )
    try:
        user = create_user(db.session, email=email, display_name=name, role=role, password=password)
        if role == "admin":
            message = _("Created admin %(email)s.", email=user.email)
        else:
            message = _("Created clinician %(email)s.", email=user.email)
        if link:
            hours = current_app.config["SET_PASSWORD_HOURS"]
            issued = issue_set_password_link(
                db.session, current_app.config["SECRET_KEY"], user, hours
            )
            url = external_url("auth.set_password", token=issued.secret)
            message += "\n" + ngettext(
                "Set-password link (works once, for %(num)d hour):",
                "Set-password link (works once, for %(num)d hours):",
                hours,
            )
            message += f"\n{url}"
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(message)


@click.group("library", help="Mend's built-in exercise library.")
def library_group() -> None:
    pass


@library_group.command("sync")
@with_appcontext
def library_sync() -> None:
    """Add new built-in exercises and upgrade changed ones (clinicians' copies are untouched)."""
    from practice.exercises.services import sync_library

    counts = sync_library(db.session)
    db.session.commit()
    click.echo(
        _(
            "Library: %(added)d added, %(upgraded)d upgraded, %(unchanged)d unchanged.",
            added=counts["added"],
            upgraded=counts["upgraded"],
            unchanged=counts["unchanged"],
        )
    )


@click.command("send-reminders")
@click.option("--date", "day", default=None, help="The day to remind about (default: today).")
@with_appcontext
def send_reminders_command(day: str | None) -> None:
    """Email clients with something due today, and clinicians a digest of new flags (cron)."""
    from datetime import date

    from practice.jobs import queue_configured
    from practice.models import utcnow
    from practice.reminders import send_reminders
    from practice.timefmt import local_today, practice_zone

    zone = practice_zone()
    today = date.fromisoformat(day) if day else local_today(zone, utcnow())
    if queue_configured():
        _queue_reminders(today, zone)
        return
    report = send_reminders(db.session, today, zone)
    db.session.commit()
    click.echo(
        _(
            "Reminders sent: %(reminded)d; digests sent: %(digests)d; message digests sent: "
            "%(message_digests)d; already sent today: %(skipped)d.",
            reminded=report.reminded,
            digests=report.digests,
            message_digests=report.message_digests,
            skipped=report.skipped,
        )
    )
    for failure in report.failures:
        click.echo(_("Failed: %(what)s", what=failure), err=True)
    if report.failures:
        sys.exit(1)


def _queue_reminders(today, zone) -> None:
    """One mail job per recipient; each job checks and records its email itself."""
    from practice.jobs import QueueUnavailable, enqueue
    from practice.reminders import recipients

    todo = recipients(db.session, today, zone)
    db.session.rollback()  # read only; the jobs write their own records
    queued = 0
    try:
        for kind, user_id in todo:
            enqueue("send_reminder", kind=kind, user_id=user_id, day=today.isoformat())
            queued += 1
    except QueueUnavailable as exc:
        click.echo(
            ngettext(
                "Queued %(queued)d of %(num)d email, then Redis could not be reached. "
                "Run the command again when it is back: nothing is sent twice.",
                "Queued %(queued)d of %(num)d emails, then Redis could not be reached. "
                "Run the command again when it is back: nothing is sent twice.",
                len(todo),
                queued=queued,
            ),
            err=True,
        )
        raise SystemExit(1) from exc
    click.echo(
        ngettext(
            "Queued %(num)d email for %(day)s (reminders and digests); `practice worker` "
            "sends them, each at most once a day.",
            "Queued %(num)d emails for %(day)s (reminders and digests); `practice worker` "
            "sends them, each at most once a day.",
            queued,
            day=today.isoformat(),
        )
    )


def _period_option(couple_id: int, start: str | None, end: str | None):
    from datetime import date, timedelta

    from practice.analytics.data import Period
    from practice.models import utcnow
    from practice.reporting.gather import default_period
    from practice.timefmt import practice_zone

    if start and end:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
        if last < first:
            raise click.ClickException(_("--to is before --from."))
        return Period(first, last + timedelta(days=1))
    if start or end:
        raise click.ClickException(_("Give both --from and --to, or neither."))
    return default_period(db.session, couple_id, utcnow(), practice_zone())


@click.command("report")
@click.option("--couple", "couple_id", type=int, required=True, help="The couple's id.")
@click.option("--from", "start", default=None, help="First day (YYYY-MM-DD).")
@click.option("--to", "end", default=None, help="Last day, included (YYYY-MM-DD).")
@click.option("--audience", type=click.Choice(["clinician", "couple"]), default="clinician")
@click.option("--paper", type=click.Choice(["A4", "letter"]), default="A4")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def report_command(couple_id, start, end, audience, paper, out) -> None:
    """Print one couple's pre-session report to a PDF file."""
    from practice.models import Couple, utcnow
    from practice.reporting.pipeline import report_pdf
    from practice.timefmt import practice_zone

    if db.session.get(Couple, couple_id) is None:
        raise click.ClickException(_("There is no couple %(id)d.", id=couple_id))
    period = _period_option(couple_id, start, end)
    pdf = report_pdf(db.session, couple_id, period, audience, utcnow(), practice_zone(), paper)
    with open(out, "wb") as handle:
        handle.write(pdf)
    click.echo(_("Wrote %(file)s (%(size)d KB).", file=out, size=len(pdf) // 1024))


@click.command("export-couple")
@click.option("--couple", "couple_id", type=int, required=True, help="The couple's id.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def export_couple_command(couple_id: int, out: str) -> None:
    """Write one couple's whole record (both partners, private answers too) to a JSON file."""
    import json

    from practice.exports.services import couple_export
    from practice.models import Couple

    couple = db.session.get(Couple, couple_id)
    if couple is None:
        raise click.ClickException(_("There is no couple %(id)d.", id=couple_id))
    data = couple_export(db.session, couple)
    # The file holds private clinical words: readable by its owner only.
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
    from practice.audit.capture import record

    record("exported", "couple", couple.id, couple.id)
    db.session.commit()
    click.echo(_("Wrote couple %(id)d's record to %(file)s.", id=couple_id, file=out))


@click.command("export-fhir")
@click.option("--couple", "couple_id", type=int, required=True, help="The couple's id.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def export_fhir_command(couple_id: int, out: str) -> None:
    """Write one couple's questionnaires (both partners) as a FHIR R4 Bundle (JSON)."""
    import json

    from flask import current_app

    from practice.exports.fhir import bundle, gather_couple
    from practice.models import Couple, utcnow

    couple = db.session.get(Couple, couple_id)
    if couple is None:
        raise click.ClickException(_("There is no couple %(id)d.", id=couple_id))
    data = bundle(current_app.config["BASE_URL"], gather_couple(db.session, couple.id), utcnow())
    # The file holds private clinical answers: readable by its owner only.
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
    from practice.audit.capture import record

    record("exported", "couple", couple.id, couple.id)
    db.session.commit()
    click.echo(
        _("Wrote couple %(id)d's questionnaires (FHIR R4) to %(file)s.", id=couple_id, file=out)
    )


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
@with_appcontext
def retention_command(dry_run: bool) -> None:
    """Delete couples closed longer ago than PRACTICE_RETENTION_YEARS, with everything in them."""
    from practice.exports.retention import find_expired, purge, remove_report_files
    from practice.models import utcnow

    years = current_app.config["RETENTION_YEARS"]
    expired = find_expired(db.session, utcnow(), years)
    # "couple(s)" and "years" as they are (scripts read this output); no plural forms.
    if dry_run:
        heading = _(
            "Would delete %(num)d couple(s) closed more than %(years)s years ago.",
            num=len(expired),
            years=years,
        )
    else:
        heading = _(
            "Deleting %(num)d couple(s) closed more than %(years)s years ago.",
            num=len(expired),
            years=years,
        )
    click.echo(heading)
    for item in expired:
        counts = ", ".join(f"{kind} {n}" for kind, n in item.counts.items())  # table names
        click.echo(
            _(
                "couple %(id)d, closed %(day)s: %(counts)s",
                id=item.couple_id,
                day=f"{item.closed_at:%Y-%m-%d}",
                counts=counts,
            )
        )
    if dry_run or not expired:
        return
    purge(db.session, expired)
    from practice.audit.capture import record

    for gone in expired:
        record("deleted", "couple", gone.couple_id, gone.couple_id)
    db.session.commit()
    failed = remove_report_files(current_app.config["REPORT_DIR"], expired)
    for name in failed:
        click.echo(
            _("Could not remove report file %(name)s; please delete it by hand.", name=name),
            err=True,
        )
    click.echo(_("Deleted %(num)d couple(s).", num=len(expired)))
    if failed:
        sys.exit(1)


@click.command("reports")
@click.option("--for-date", "day", required=True, help="Appointments on this day (YYYY-MM-DD).")
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to write the PDFs (without a job queue; with one, they go to the archive).",
)
@click.option("--audience", type=click.Choice(["clinician", "couple"]), default="clinician")
@with_appcontext
def reports_command(day: str, out_dir: str | None, audience: str) -> None:
    """Prepare a report for every couple with an appointment that day, on all cores (or, with
    PRACTICE_REDIS_URL, one queued job per couple for `practice worker`)."""
    from datetime import date, datetime, time, timedelta

    from sqlalchemy import select

    from practice.jobs import queue_configured
    from practice.models import Appointment, Couple
    from practice.timefmt import practice_zone

    zone = practice_zone()
    when = date.fromisoformat(day)
    start = datetime.combine(when, time(0), tzinfo=zone)
    couples = db.session.scalars(
        select(Couple)
        .join(Appointment, Appointment.couple_id == Couple.id)
        .where(
            Appointment.starts_at >= start,
            Appointment.starts_at < start + timedelta(days=1),
            Appointment.cancelled_at.is_(None),
        )
        .distinct()
        .order_by(Couple.label)
    ).all()
    if queue_configured():
        _queue_reports(couples, audience)
        return
    if not out_dir:
        raise click.ClickException(_("Give --out-dir: the folder to write the reports to."))
    _print_reports(couples, when, out_dir, audience)


def _queue_reports(couples, audience: str) -> None:
    """A report request per couple, made for the couple's clinician, printed by a worker."""
    from practice.reporting.queued import queue_request, request_report

    made, waiting = [], 0
    for couple in couples:
        period = _period_option(couple.id, None, None)
        wanted = request_report(db.session, couple.id, couple.clinician_id, period, audience, "A4")
        if waiting:  # Redis is away: keep the rest without waiting on it again
            db.session.commit()
            waiting += 1
        elif not queue_request(db.session, wanted):
            waiting += 1
        made.append(wanted.id)
    click.echo(
        ngettext(
            'Queued %(num)d report for `practice worker`. It appears under "Earlier '
            "reports\" on its couple's report page when printed.",
            'Queued %(num)d reports for `practice worker`. Each appears under "Earlier '
            "reports\" on its couple's report page when printed.",
            len(made),
        )
    )
    if waiting:
        click.echo(
            _(
                "Redis could not be reached for %(num)d of them; they are kept, and a worker "
                "queues them again once Redis is back.",
                num=waiting,
            ),
            err=True,
        )
    from practice.urls import external_url

    for request_id in made:
        click.echo(f"  {external_url('reports.request_status', request_id=request_id)}")


def _print_reports(couples, when, out_dir: str, audience: str) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from practice.models import utcnow
    from practice.reporting.pipeline import report_html
    from practice.reporting.printing import pool_size, render
    from practice.timefmt import practice_zone

    zone = practice_zone()
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    now = utcnow()
    made = []
    # As many at once as the render pool has processes; render() takes a printing slot for
    # each, so the batch and the web pages share the machine's cap.
    with ThreadPoolExecutor(max_workers=pool_size()) as printers:
        jobs = []
        for couple in couples:
            period = _period_option(couple.id, None, None)
            html = report_html(db.session, couple.id, period, audience, now, zone)
            jobs.append((couple, printers.submit(render, html)))
        with click.progressbar(jobs, label=_("Printing reports")) as bar:
            for couple, future in bar:
                label = couple.label.replace(" ", "-")
                name = folder / f"{when.isoformat()}-{label}-{audience}.pdf"
                name.write_bytes(future.result())
                made.append(name)
    click.echo(
        ngettext(
            "Made %(num)d report in %(folder)s.",
            "Made %(num)d reports in %(folder)s.",
            len(made),
            folder=str(folder),
        )
    )


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
@click.option(
    "--queue",
    "queues",
    multiple=True,
    type=click.Choice(["reports", "mail"]),
    help="Work on this queue only (repeatable; default: both).",
)
@click.option(
    "--with-scheduler",
    "scheduling",
    is_flag=True,
    help="Also run Mend's periodic work (tomorrow's reports, reminders); safe on several.",
)
@with_appcontext
def worker_command(burst: bool, queues: tuple[str, ...], scheduling: bool) -> None:
    """Print queued reports and send queued emails (needs PRACTICE_REDIS_URL)."""
    from redis.exceptions import RedisError

    from practice.jobs import QUEUES, queue_configured
    from practice.jobs.worker import run_worker

    app = current_app._get_current_object()
    if not queue_configured(app):
        raise click.ClickException(
            _(
                "PRACTICE_REDIS_URL is not set. Without Redis, reports and emails are made in "
                "place and no worker is needed."
            )
        )
    try:
        ran = run_worker(app, burst=burst, queues=queues or QUEUES, scheduling=scheduling)
    except RedisError as exc:
        raise click.ClickException(
            _(
                "Could not reach Redis (%(error)s); check PRACTICE_REDIS_URL.",
                error=type(exc).__name__,
            )
        ) from exc
    if burst:
        click.echo(_("Worked through the queue.") if ran else _("The queue was empty."))


@click.command("run-scheduled")
@with_appcontext
def run_scheduled_command() -> None:
    """Run Mend's periodic work that is due now (for cron, every 5 minutes; idempotent)."""
    from practice.models import utcnow
    from practice.scheduling import run_scheduled
    from practice.timefmt import practice_zone

    app = current_app._get_current_object()
    ran = run_scheduled(db.session, app, utcnow(), practice_zone())
    done = ", ".join(ran.tasks) if ran.tasks else _("nothing due")
    click.echo(
        _(
            "Ran: %(done)s. Reports prepared: %(prepared)d; queued: %(queued)d.",
            done=done,
            prepared=ran.prepared,
            queued=ran.queued,
        )
    )
    for note in ran.notes:
        click.echo(f"  {note}")


@click.command("backup")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="A new file.")
@with_appcontext
def backup_command(out: str) -> None:
    """Back up the whole database to a new file (safe while Mend is running)."""
    from practice.backup import BackupError, backup

    try:
        backup(current_app.config["DATABASE_URL"], out)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        _("Backed up the database to %(file)s. Keep the encryption keys separately.", file=out)
    )


@click.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False))
@with_appcontext
def restore_command(backup_file: str) -> None:
    """Restore a backup into the configured database, which must be new and empty."""
    from practice.backup import BackupError, restore

    try:
        restored = restore(backup_file, current_app.config["DATABASE_URL"])
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        _(
            "Restored %(file)s; the schema is at %(revision)s.",
            file=backup_file,
            revision=restored.revision,
        )
    )
    if restored.needs_upgrade:
        click.echo(
            _(
                "The newest schema is %(revision)s: run `practice db upgrade` next.",
                revision=restored.head,
            )
        )


@click.command("check-security")
@with_appcontext
def check_security_command() -> None:
    """List unsafe settings and missing protections; exits non-zero when there are any."""
    from practice.checks import security_problems

    problems = security_problems(current_app._get_current_object())
    if not problems:
        click.echo(_("No security problems found."))
        return
    click.echo(
        ngettext("%(num)d security problem:", "%(num)d security problems:", len(problems)),
        err=True,
    )
    for problem in problems:
        click.echo(f"- {problem}", err=True)
    sys.exit(1)


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Check that this machine can print reports well (system libraries, bundled fonts)."""
    from practice.reporting.printing import system_warnings

    warnings = system_warnings()
    if not warnings:
        click.echo(_("Reports: Pango, HarfBuzz-subset and the bundled fonts are all here."))
        return
    for warning in warnings:
        click.echo(_("Warning: %(warning)s", warning=warning), err=True)
    sys.exit(1)


@click.command("demo")
@click.option("--no-serve", is_flag=True, help="Only load the demo data; don't start the server.")
@click.option(
    "--reset",
    is_flag=True,
    help="Remove every table and start over with fresh demo data (not in production).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def demo_command(no_serve: bool, reset: bool, host: str, port: int) -> None:
    """Create the schema, load the demo practice (once), print the logins and serve."""
    from practice.demo import DEMO_PASSWORD, load_demo

    app = current_app._get_current_object()
    if reset:
        if app.config["ENV"] == "production":
            raise click.ClickException(
                _("--reset removes every table; it is refused in production.")
            )
        db.session.close()
        migrate.drop_everything(db.get_engine(app))
        db.get_engine(app).dispose()
        click.echo(_("Removed every table; loading the demo afresh."))
    migrate.upgrade(app.config["DATABASE_URL"])
    created, logins = load_demo(db.session)
    db.session.commit()
    click.echo(
        _("Demo data loaded.")
        if created
        else _("Demo data was already there; nothing added (--reset starts over).")
    )
    if created:
        from practice.demo import prepare_tomorrow
        from practice.timefmt import practice_zone

        ready = prepare_tomorrow(db.session, app.config["REPORT_DIR"], practice_zone())
        click.echo(
            ngettext(
                "Prepared %(num)d report for tomorrow's sessions.",
                "Prepared %(num)d reports for tomorrow's sessions.",
                ready,
            )
        )
    click.echo("\n" + _("Demo logins (every password: %(password)s)", password=DEMO_PASSWORD))
    width = max(len(role) for role, _email in logins)
    for role, email in logins:
        click.echo(f"  {role:<{width}}  {email}")
    if not no_serve:
        address = f"http://{host}:{port}/"
        click.echo("\n" + _("Mend is running at %(address)s  (Ctrl+C stops it)", address=address))
        from werkzeug.serving import run_simple

        # Flask ignores app.run() inside its own CLI; serve with Werkzeug directly.
        run_simple(host, port, app, threaded=True)
