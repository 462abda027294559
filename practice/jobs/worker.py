"""The `practice worker` loop: one RQ worker on Mend's queues, running jobs in this process.

Jobs run one after another in the worker process itself (RQ's SimpleWorker), so the app is built
once per worker; a report's PDF is still printed in a separate render process with its memory
limit. Run more workers to print more reports at once.

The worker outlives Redis going away: it waits for it to come back, then queues again the
report requests whose jobs Redis lost (practice.reporting.queued.resume_waiting), at start and
every SWEEP_SECONDS.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time

from flask import Flask

import practice.jobs
from practice.jobs import QUEUES, QueueUnavailable, connection, get_queue, queue_answers, use_app

SWEEP_SECONDS = 30  # how often a worker looks for report requests whose job Redis lost
WAIT_FOR_REDIS = (1, 2, 5, 10, 30)  # seconds between tries while Redis is away

log = logging.getLogger("practice.worker")


def resume_requests(app: Flask) -> int:
    """Queue again the report requests Redis lost; 0 when Redis is still away."""
    from practice.db import db
    from practice.models import utcnow
    from practice.reporting.queued import resume_waiting

    with app.app_context():
        try:
            return resume_waiting(db.session, utcnow())
        except QueueUnavailable:
            return 0


def run_schedule(app: Flask) -> None:
    """Mend's periodic work that is due (practice.scheduling); a failure is logged, never
    stops the worker."""
    from practice.db import db
    from practice.models import utcnow
    from practice.scheduling import run_scheduled
    from practice.timefmt import practice_zone

    with app.app_context():
        try:
            ran = run_scheduled(db.session, app, utcnow(), practice_zone())
        except Exception:
            db.session.rollback()
            log.exception("The scheduler's run failed; it tries again in %s s", SWEEP_SECONDS)
            return
    if ran.tasks or ran.queued:
        log.info("Scheduler: ran %s; queued %s report(s)", ", ".join(ran.tasks) or "-", ran.queued)


def _mend_worker(app: Flask, queues: tuple[str, ...], scheduling: bool = False):
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    class MendWorker(SimpleWorker):
        def subscribe(self) -> None:
            # RQ listens for commands (e.g. "stop") with a 60 s poll, and redis-py's stop() now
            # waits for that poll to end, so a worker's teardown could hang for a minute. Poll
            # each second instead; commands work the same.
            self.pubsub = self.connection.pubsub()
            self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
            self.pubsub_thread = self.pubsub.run_in_thread(
                sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
            )

        def run_maintenance_tasks(self) -> None:
            super().run_maintenance_tasks()
            resumed = resume_requests(app)
            if resumed:
                log.info("Queued %s report request(s) again", resumed)
            if scheduling:
                run_schedule(app)

    name = f"{app.config['QUEUE_PREFIX']}-{socket.gethostname()}-{os.getpid()}"
    return MendWorker(
        [get_queue(app, short) for short in queues],
        name=name.replace(".", "-"),
        connection=connection(app),
        serializer=JSONSerializer,
        maintenance_interval=SWEEP_SECONDS,
    )


def run_worker(
    app: Flask, burst: bool = False, queues: tuple[str, ...] = QUEUES, scheduling: bool = False
) -> bool:
    """Work on the queues (until they are empty, with burst); True when any job ran. With
    scheduling, also run Mend's periodic work at start and every SWEEP_SECONDS.

    Without burst, a Redis that goes away is waited for, and work goes on when it is back."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    before = practice.jobs._worker_app
    handlers = _signal_handlers()
    use_app(app)
    worked = False
    try:
        while True:
            resume_requests(app)
            if scheduling:
                run_schedule(app)
            worker = _mend_worker(app, queues, scheduling)
            try:
                worked = (
                    worker.work(
                        burst=burst,
                        logging_level=app.config["LOG_LEVEL"],
                        with_scheduler=True,  # puts jobs waiting to be tried again back in line
                    )
                    or worked
                )
            except (RedisConnectionError, RedisTimeoutError) as exc:
                if burst:
                    raise
                log.warning("Redis could not be reached (%s); waiting for it", type(exc).__name__)
            else:
                # RQ also stops, rather than raises, when it loses Redis between jobs.
                if burst or worker._stop_requested or queue_answers(app):
                    return worked
            _wait_for_redis(app)
    finally:
        use_app(before)  # a burst run inside another program leaves it as it was
        _restore(handlers)  # RQ's stop-on-SIGTERM handlers belong to this run only


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _signal_handlers() -> dict[int, object]:
    return {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}


def _restore(handlers: dict[int, object]) -> None:
    if threading.current_thread() is threading.main_thread():  # only it may set handlers
        for signum, handler in handlers.items():
            if handler is not None:
                signal.signal(signum, handler)


def _wait_for_redis(app: Flask) -> None:
    for pause in (*WAIT_FOR_REDIS, *[WAIT_FOR_REDIS[-1]] * 10**6):
        time.sleep(pause)
        if queue_answers(app):
            log.warning("Redis is back; working again")
            return
