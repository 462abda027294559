"""Background jobs: RQ on Redis when PRACTICE_REDIS_URL is set, in this process otherwise.

A job names a plain function in practice.jobs.tasks and passes it ids and dates only, so nothing
private ever sits in Redis; arguments travel as JSON (never pickle). In a worker each job opens its
own app context (of the worker's app, built once per worker process by create_app() from the
same PRACTICE_* settings), so it has its own session and transaction and the same encryption
and audit keys as the web app.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import Flask, current_app, has_app_context
from flask_babel import gettext as _
from werkzeug.utils import import_string

# name -> (function, queue). A worker listens on every queue unless told otherwise.
JOBS: dict[str, tuple[str, str]] = {
    "print_report": ("practice.jobs.tasks.print_report", "reports"),
    "prepare_report": ("practice.jobs.tasks.prepare_report", "reports"),
    "send_reminder": ("practice.jobs.tasks.send_reminder", "mail"),
    "send_message_notice": ("practice.jobs.tasks.send_message_notice", "mail"),
}
QUEUES = ("reports", "mail")
# Seconds between tries of a failed job (a mail server down for a while). Reports need none
# here: their requests are tried again from the database (practice.reporting.queued).
RETRY_AFTER: dict[str, tuple[int, ...]] = {
    "send_reminder": (60, 300, 900),
    "send_message_notice": (60, 300, 900),
}
TIMEOUTS = {"reports": 300, "mail": 60}  # seconds a job may run before the worker stops it
KEEP_RESULTS = 24 * 3600  # seconds RQ keeps a finished or failed job's record
# Ids, ISO dates and short words ("client", "digest"): anything longer could be someone's words.
PLAIN = re.compile(r"[A-Za-z0-9_-]{1,32}")
REDIS_TIMEOUT = 3  # seconds; a page must say "unavailable" quickly, not hang


class QueueUnavailable(RuntimeError):
    """Redis could not be reached, so the job was not queued."""


@dataclass(frozen=True)
class Queued:
    """A job waiting in Redis for a worker."""

    job_id: str
    queue: str


def queue_configured(app: Flask | None = None) -> bool:
    """True when jobs go to Redis for `practice worker` processes."""
    return bool((app or current_app).config.get("REDIS_URL"))


def queue_name(app: Flask, short: str) -> str:
    return f"{app.config['QUEUE_PREFIX']}-{short}"


def connection(app: Flask):
    """The app's Redis connection (one per app; redis-py pools connections itself)."""
    from redis import Redis

    conn = app.extensions.get("practice.redis")
    if conn is None:
        conn = Redis.from_url(
            app.config["REDIS_URL"],
            socket_connect_timeout=REDIS_TIMEOUT,
            socket_timeout=REDIS_TIMEOUT * 10,
        )
        app.extensions["practice.redis"] = conn
    return conn


def get_queue(app: Flask, short: str):
    """One of Mend's RQ queues ("reports" or "mail")."""
    from rq import Queue
    from rq.serializers import JSONSerializer

    return Queue(
        queue_name(app, short),
        connection=connection(app),
        serializer=JSONSerializer,
        default_timeout=TIMEOUTS[short],
    )


def _check_plain(kwargs: dict[str, Any]) -> None:
    for key, value in kwargs.items():
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError(f"job argument {key} must be an id or a date")
        if isinstance(value, str) and not PLAIN.fullmatch(value):
            raise TypeError(f"job argument {key} must be an id or a date")


def job_id_for(app: Flask, name: str, key: str) -> str:
    """The id of the one job that does `name` for `key` (a request's id, say)."""
    return f"{app.config['QUEUE_PREFIX']}-{name}-{key}"


def enqueue(name: str, key: str | None = None, first: bool = False, **kwargs: Any) -> Any:
    """Queue a job for a worker (returns Queued), or without Redis run it here and return its
    result. Raises QueueUnavailable when Redis is configured but cannot be reached.

    With a key the job's id is fixed (job_id_for), so whether it still waits can be asked;
    `first` puts it ahead of what waits (someone is watching for it)."""
    from redis.exceptions import RedisError
    from rq import Retry

    target, short = JOBS[name]
    _check_plain(kwargs)
    app = current_app._get_current_object()
    if not queue_configured(app):
        return import_string(target)(**kwargs)
    job_id = job_id_for(app, name, key or secrets.token_hex(8))
    pauses = RETRY_AFTER.get(name)
    retry = Retry(max=len(pauses), interval=list(pauses)) if pauses else None
    try:
        job = get_queue(app, short).enqueue_call(
            target,
            kwargs=kwargs,
            job_id=job_id,
            result_ttl=KEEP_RESULTS,
            failure_ttl=KEEP_RESULTS,
            description=name,  # RQ would otherwise store the call with its arguments
            retry=retry,
            at_front=first,
        )
    except RedisError as exc:
        app.logger.warning("Could not queue %s: %s", name, type(exc).__name__)
        raise QueueUnavailable(
            _("Printing and emails are unavailable for a moment. Please try again shortly.")
        ) from exc
    return Queued(job.id, queue_name(app, short))


def queue_answers(app: Flask) -> bool:
    """Whether Redis answers right now."""
    from redis.exceptions import RedisError

    try:
        return bool(connection(app).ping())
    except RedisError:
        return False


# A job in one of these is still going to run (or running); any other (failed, stopped,
# cancelled, or no record at all: Redis lost it) will not.
ALIVE = frozenset({"queued", "started", "deferred", "scheduled"})


def jobs_alive(app: Flask, job_ids: list[str]) -> set[str]:
    """Which of these jobs Redis still holds to run (one round trip); QueueUnavailable when
    Redis can't be asked."""
    from redis.exceptions import RedisError
    from rq.job import Job
    from rq.serializers import JSONSerializer

    if not job_ids:
        return set()
    try:
        jobs = Job.fetch_many(job_ids, connection=connection(app), serializer=JSONSerializer)
    except RedisError as exc:
        raise QueueUnavailable("The job queue could not be reached.") from exc
    return {job.id for job in jobs if job is not None and _status_of(job) in ALIVE}


def _status_of(job) -> str:
    status = job.get_status(refresh=False)  # fetched with the job
    return str(getattr(status, "value", status))


# --- the app a job runs in -------------------------------------------------------------------

_worker_app: Flask | None = None


def use_app(app: Flask) -> None:
    """Make `app` the one every job in this process runs in (the worker calls this once)."""
    global _worker_app
    _worker_app = app


@cache
def _built_app() -> Flask:
    from practice import create_app

    return create_app()


@contextmanager
def job_context() -> Iterator[Flask]:
    """The app context a job runs in: a fresh one per job in a worker (its own session, closed
    when the job ends); run in place, the caller's own, since a second session could wait
    forever on the caller's open SQLite transaction."""
    if _worker_app is not None:
        with _worker_app.app_context():
            yield _worker_app
    elif has_app_context():
        yield current_app._get_current_object()
    else:
        app = _built_app()
        with app.app_context():
            yield app
