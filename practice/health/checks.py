"""Readiness checks as plain functions: each answers one word, never an error's text.

An error's text can hold a database URL with its password, so failures are named, not quoted;
the log gets the exception's class.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from functools import cache

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from practice import migrate

log = logging.getLogger(__name__)
OK = "ok"
SKIPPED = "skipped"
PASSING = (OK, SKIPPED)
REDIS_TIMEOUT_SECONDS = 2


@cache
def head_revision() -> str | None:
    """The newest migration this release knows (read from the scripts once per process)."""
    return migrate.head_revision("sqlite://")


def database_checks(engine: Engine) -> dict[str, str]:
    """Whether the database answers, and whether its schema is at this release's head."""
    with ExitStack() as stack:
        try:
            conn = stack.enter_context(engine.connect())
            conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            log.warning("Readiness: the database did not answer (%s)", type(exc).__name__)
            return {"database": "unreachable", "schema": "unknown"}
        try:
            # Read directly: Alembic's MigrationContext logs two lines at every probe.
            current = set(conn.scalars(text("SELECT version_num FROM alembic_version")))
        except SQLAlchemyError:
            current = set()  # no alembic_version table: an empty database
    if current != {head_revision()}:
        return {"database": OK, "schema": "not at head"}
    return {"database": OK, "schema": OK}


def redis_check(url: str | None) -> str:
    """Whether Redis answers a PING (skipped when Mend is not configured to use Redis)."""
    if not url:
        return SKIPPED
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        log.warning("Readiness: Redis did not answer (%s)", type(exc).__name__)
        return "unreachable"
    finally:
        client.close()
    return OK


def readiness(engine: Engine, redis_url: str | None) -> dict[str, str]:
    """Every check by name."""
    return {**database_checks(engine), "redis": redis_check(redis_url)}


def scheduler_last_ran(engine: Engine) -> str | None:
    """When a scheduler last finished a run (ISO 8601, UTC), or None: never, or unknown."""
    from sqlalchemy import select

    from practice.models import SchedulerRun

    try:
        with engine.connect() as conn:
            moment = conn.scalar(
                select(SchedulerRun.finished_at).where(
                    SchedulerRun.task == "tick", SchedulerRun.slot == "latest"
                )
            )
    except SQLAlchemyError:
        return None
    return moment.isoformat(timespec="seconds") if moment else None
