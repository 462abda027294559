"""The `practice worker` loop: one RQ worker on Mend's queues, running jobs in this process.

Jobs run one after another in the worker process itself (RQ's SimpleWorker), so the app is built
once per worker; a report's PDF is still printed in a separate render process with its memory
limit. Run more workers to print more reports at once.
"""

from __future__ import annotations

import os
import socket

from flask import Flask

import practice.jobs
from practice.jobs import QUEUES, connection, get_queue, use_app


def run_worker(app: Flask, burst: bool = False, queues: tuple[str, ...] = QUEUES) -> bool:
    """Work on the queues (until they are empty, with burst); True when any job ran."""
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    name = f"{app.config['QUEUE_PREFIX']}-{socket.gethostname()}-{os.getpid()}"
    worker = SimpleWorker(
        [get_queue(app, short) for short in queues],
        name=name.replace(".", "-"),
        connection=connection(app),
        serializer=JSONSerializer,
    )
    from practice.db import db
    from practice.models import utcnow
    from practice.reporting.queued import fail_abandoned

    with app.app_context():  # a worker killed mid-print left its request "running"
        fail_abandoned(db.session, utcnow())
    before = practice.jobs._worker_app
    use_app(app)
    try:
        return worker.work(burst=burst, logging_level=app.config["LOG_LEVEL"])
    finally:
        use_app(before)  # a burst run inside another program leaves it as it was
