"""Log lines as JSON (production) or text, and one line per request on "practice.request".

A request's line holds what an operator needs and nothing anyone wrote: the path without its
query string, never form data, headers or cookies; the user as an id.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, request
from sqlalchemy import inspect

REQUEST_LOGGER = logging.getLogger("practice.request")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Load balancers ask every few seconds; a healthy answer is not worth a line.
QUIET_ENDPOINTS = frozenset({"health.healthz", "health.readyz"})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, then the record's fields or message."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def make_formatter(log_format: str) -> logging.Formatter:
    """The formatter for PRACTICE_LOG_FORMAT ("json" or "text")."""
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def _not_an_access_line(record: logging.LogRecord) -> bool:
    # Werkzeug's development server logs each request as "ADDR - - [DATE] "GET / HTTP/1.1" 200";
    # "practice.request" already wrote that request's one line.
    return not (record.levelno == logging.INFO and " - - [" in str(record.msg))


def configure_logging(app: Flask) -> None:
    """Send log records to stderr in the chosen format, unless something else set logging up.

    One line per event: Flask's own handler on the app's logger would repeat every "practice.*"
    record that the root handler writes, and Werkzeug's access line would repeat each request's.
    """
    from flask.logging import default_handler

    root = logging.getLogger()
    app.logger.removeHandler(default_handler)
    werkzeug_log = logging.getLogger("werkzeug")
    if _not_an_access_line not in werkzeug_log.filters:
        werkzeug_log.addFilter(_not_an_access_line)
    handler = next((h for h in root.handlers if getattr(h, "practice_handler", False)), None)
    if handler is None:
        if root.handlers:  # a test runner or the host's own configuration: leave it alone
            return
        handler = logging.StreamHandler()
        handler.practice_handler = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    handler.setFormatter(make_formatter(app.config["LOG_FORMAT"]))
    root.setLevel(app.config["LOG_LEVEL"])


def init_request_log(app: Flask) -> None:
    """Give every request an id and a clock, and log it once its response is ready.

    Registered before every other hook, so even a request refused by CSRF has its id.
    """

    @app.before_request
    def _begin() -> None:
        g.request_started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-ID", "")[:64] or secrets.token_hex(8)

    @app.after_request
    def _log_request(response):
        if request.endpoint in QUIET_ENDPOINTS and response.status_code < 400:
            return response
        log_request(response.status_code)
        return response


def log_request(status: int) -> None:
    """Write the current request's line."""
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    fields = {
        "request_id": g.get("request_id"),
        "method": request.method,
        "endpoint": request.endpoint,
        "path": request.path,
        "status": status,
        "duration_ms": duration,
        "user_id": _user_id(),
    }
    REQUEST_LOGGER.info(
        "%s %s %s %s ms endpoint=%s user=%s request=%s",
        request.method,
        request.path,
        status,
        duration,
        request.endpoint,
        fields["user_id"],
        fields["request_id"],
        extra={"fields": fields},
    )


def _user_id() -> int | None:
    # Only a user the request already loaded; never a query for the log's sake. The identity
    # comes from the ORM state: an audit rollback may have expired the row's attributes.
    state = inspect(g.get("_login_user"), raiseerr=False)  # None for the anonymous user
    if state is None or state.identity is None:
        return None
    return state.identity[0]
