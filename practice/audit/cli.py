"""`practice audit ...`: check the chain, export it, make a key."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, time, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from practice.audit.capture import new_audit_key
from practice.audit.trail import export_csv, verify
from practice.db import db


@click.group("audit", help="The audit trail: verify it, export it.")
def audit_group() -> None:
    pass


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Walk the whole chain and report the first row that was altered or removed."""
    result = verify(db.session, current_app.extensions["practice.audit_key"])
    if result.intact:
        click.echo(_("The audit trail is intact: %(count)d rows checked.", count=result.checked))
        return
    click.echo(
        _(
            "The audit trail was tampered with: %(problem)s (%(count)d rows before it are intact).",
            problem=result.problem,
            count=result.checked,
        ),
        err=True,
    )
    sys.exit(1)


def _day(value: str) -> datetime:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(_("use YYYY-MM-DD")) from None
    return datetime.combine(day, time.min, tzinfo=UTC)


@audit_group.command("export")
@click.option("--from", "start", required=True, help="First day, UTC (YYYY-MM-DD).")
@click.option("--to", "end", required=True, help="Last day, UTC, included (YYYY-MM-DD).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def audit_export(start: str, end: str, out: str) -> None:
    """Write the events of a date range as CSV (ids only, as the trail holds them)."""
    first, last = _day(start), _day(end) + timedelta(days=1)
    if last <= first:
        raise click.BadParameter(_("--to is before --from"))
    with open(out, "w", newline="", encoding="utf-8") as handle:
        count = export_csv(db.session, first, last, handle)
    click.echo(_("Wrote %(count)d events to %(file)s.", count=count, file=out))


@audit_group.command("new-key")
def audit_new_key() -> None:
    """Print a new key for PRACTICE_AUDIT_KEY (set it once; changing it breaks verification)."""
    click.echo(new_audit_key())
