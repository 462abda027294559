"""Gunicorn settings for `practice serve`, the production web process.

The fixed choices are module names gunicorn reads; `options` adds those that come from Mend's
settings (PRACTICE_BIND, PRACTICE_WEB_WORKERS, PRACTICE_TRUSTED_PROXIES, PRACTICE_LOG_FORMAT).

The app is built once in the master and forked into the workers (preloaded): a configuration
error stops the start at once instead of failing in every worker, and a recycled worker starts
in milliseconds. Database connections must not cross a fork, so each worker drops the pool it
inherited (post_fork) and opens its own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from gunicorn.glogging import Logger

from practice.db import db
from practice.logs import JsonFormatter

# Two workers per core and one more keeps the cores busy while others wait on the database;
# past eight, memory and PostgreSQL connections grow faster than throughput.
MAX_DEFAULT_WORKERS = 8

preload_app = True
worker_class = "gthread"
# A worker's threads keep serving pages while one waits for a PDF from the render processes.
threads = 4
# Longer than a report's print limit (60 seconds) so a slow report is not cut off.
timeout = 90
# On SIGTERM a worker finishes the requests it holds for up to this long, then stops.
graceful_timeout = 30
# Longer than a load balancer's idle timeout (60 s for nginx and AWS's), so the balancer closes
# an idle connection, never gunicorn: a request sent down a connection at the moment gunicorn
# closed it would be lost (a 502 at the balancer). Idle connections cost a gthread worker nothing.
keepalive = 75
# Recycle each worker after about a thousand requests, so slow memory growth (WeasyPrint and
# friends) stays bounded; the jitter stops all workers restarting at the same moment.
max_requests = 1000
max_requests_jitter = 200
proc_name = "mend"
# Gunicorn 25+ opens a control socket in the home folder; Mend is managed by signals instead.
control_socket_disable = True
accesslog = "-"
# The path without its query string (%(U)s, not %(r)s), no referrer, no user agent: a query or
# a referrer can carry what someone typed. The request id ties the line to the app's own.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms request=%({x-request-id}o)s'


def default_workers(cores: int | None = None) -> int:
    """2 x cores + 1, at most MAX_DEFAULT_WORKERS."""
    cores = cores or os.cpu_count() or 1
    return min(2 * cores + 1, MAX_DEFAULT_WORKERS)


def options(config: Mapping[str, Any]) -> dict[str, Any]:
    """The gunicorn settings that come from Mend's configuration."""
    json_logs = config["LOG_FORMAT"] == "json"
    return {
        "bind": [config["BIND"]],
        "workers": config["WEB_WORKERS"] or default_workers(),
        # Trust X-Forwarded-* from the configured proxies only, never gunicorn's localhost default.
        "forwarded_allow_ips": config["TRUSTED_PROXIES"] or "",
        "logger_class": f"{__name__}.JsonLogger" if json_logs else "gunicorn.glogging.Logger",
    }


def post_fork(server: Any, worker: Any) -> None:
    """Each worker opens its own database connections; the master's stay with the master."""
    flask_app = getattr(server.app, "flask_app", None)
    if flask_app is not None:
        db.get_engine(flask_app).dispose(close=False)


class JsonLogger(Logger):
    """Gunicorn's own lines (errors, access) as JSON like the app's (PRACTICE_LOG_FORMAT=json)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in (*self.error_log.handlers, *self.access_log.handlers):
            handler.setFormatter(JsonFormatter())
