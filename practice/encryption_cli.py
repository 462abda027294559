"""`practice encryption ...`: make keys, rotate to a new one, see which keys are in use."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from practice.db import Base, db
from practice.encryption import census, keyring, new_key_spec, rotate


@click.group("encryption", help="Encryption at rest: keys and rotation.")
def encryption_group() -> None:
    pass


@encryption_group.command("new-key")
@click.option("--id", "key_id", default="k1", show_default=True, help="A short name for the key.")
def new_key(key_id: str) -> None:
    """Print a new key, written as PRACTICE_ENCRYPTION_KEYS takes it."""
    if not key_id.isalnum():
        raise click.BadParameter(_("letters and digits only"), param_hint="--id")
    click.echo(new_key_spec(key_id))


@encryption_group.command("status")
@with_appcontext
def status() -> None:
    """How many values each key holds."""
    _report(census(db.session, Base), keyring().current_id)


@encryption_group.command("rotate")
@with_appcontext
def rotate_command() -> None:
    """Re-encrypt everything under the current (first) key, then check nothing uses another."""
    current = keyring().current_id
    changed = rotate(db.session, Base)
    click.echo(_("Re-encrypted %(rows)d rows under key %(key)s.", rows=changed, key=current))
    counts = census(db.session, Base)
    _report(counts, current)
    if set(counts) - {current}:
        sys.exit(1)


def _report(counts: dict[str, int], current: str) -> None:
    click.echo(_("Current key: %(key)s.", key=current))
    for key_id in sorted(counts):
        click.echo("  " + _("%(key)s: %(num)d values", key=key_id, num=counts[key_id]))
    others = sorted(set(counts) - {current})
    if others:
        click.echo(_("Still in use besides the current key: %(keys)s.", keys=", ".join(others)))
    else:
        click.echo(_("Nothing uses a retired key; retired keys can be removed from the setting."))
