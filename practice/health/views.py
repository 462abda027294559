"""/healthz (the process answers) and /readyz (it can serve: database, schema, Redis)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from practice.db import db
from practice.health.checks import PASSING, readiness, scheduler_last_ran

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is alive; touches nothing else."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready to serve: 200, or 503 naming the checks that failed; and when Mend's scheduler
    last ran."""
    checks = readiness(db.get_engine(), current_app.config["REDIS_URL"])
    ready = all(result in PASSING for result in checks.values())
    body = jsonify(
        status="ready" if ready else "not ready",
        checks=checks,
        # Information, not a check: a scheduler that stopped does not make the web unready.
        scheduler={"last_ran": scheduler_last_ran(db.get_engine())},
    )
    return body, 200 if ready else 503
