"""Jinja filters and globals for the web pages."""

from __future__ import annotations

from flask import Flask

from practice.models import utcnow
from practice.stages import STAGES
from practice.timefmt import format_date, format_datetime, format_since, practice_zone


def register_template_helpers(app: Flask) -> None:
    """Add Mend's filters (dates in the practice's zone) and globals (stages)."""
    app.jinja_env.filters["datetime"] = lambda value: format_datetime(value, practice_zone())
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["since"] = lambda value: format_since(value, utcnow())
    app.jinja_env.globals["STAGES"] = STAGES

    @app.after_request
    def _no_store(response):
        # Pages carry private clinical content: never keep them in shared or browser caches.
        if response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
        return response
