"""Mend: practice support for couples therapists."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from practice import paths
from practice.config import load_config
from practice.cookies import SignedCookieSessions
from practice.csrf_tokens import init_csrf_tokens
from practice.db import db
from practice.logs import configure_logging, init_request_log
from practice.proxies import TrustedProxyFix, parse_networks
from practice.urls import IdConverter

login_manager = LoginManager()
csrf = CSRFProtect()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Mend app: config, database, extensions, blueprints, CLI."""
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("PRACTICE_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
        template_folder=str(paths.TEMPLATES_DIR),
        static_folder=str(paths.STATIC_DIR),
    )
    # Before any route is added: every <int:> takes only what an id column can hold (else 404).
    app.url_map.converters["int"] = IdConverter
    os.makedirs(app.instance_path, exist_ok=True)
    load_config(app, config)
    app.session_interface = SignedCookieSessions()
    configure_logging(app)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    app.logger.setLevel(app.config["LOG_LEVEL"])
    init_request_log(app)  # first, so its clock starts before every other hook
    networks = parse_networks(app.config["TRUSTED_PROXIES"])
    if networks:
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, networks)  # type: ignore[method-assign]

    db.init_app(app)
    _init_encryption()
    from practice.audit.capture import init_audit

    init_audit(app)
    _init_login(app)
    csrf.init_app(app)
    init_csrf_tokens(app)
    from practice.i18n import init_i18n

    init_i18n(app)

    from practice.account.views import bp as account_bp
    from practice.admin.views import bp as admin_bp
    from practice.appointments.views import bp as appointments_bp
    from practice.assignments.views import bp as assignments_bp
    from practice.audit.views import bp as audit_bp
    from practice.auth.views import bp as auth_bp
    from practice.boundaries.views import bp as boundaries_bp
    from practice.calendar.views import bp as calendar_bp
    from practice.client.views import bp as client_bp
    from practice.couples.views import bp as couples_bp
    from practice.exercises.views import bp as exercises_bp
    from practice.exports.views import bp as exports_bp
    from practice.health.views import bp as health_bp
    from practice.insights.views import bp as insights_bp
    from practice.languages.views import bp as languages_bp
    from practice.messages.views import bp as messages_bp
    from practice.notes.plan_views import bp as note_plans_bp
    from practice.notes.views import bp as notes_bp
    from practice.reporting.views import bp as reports_bp
    from practice.responses.views import bp as responses_bp
    from practice.twofactor.views import bp as twofactor_bp
    from practice.worksheets.views import bp as worksheets_bp

    for blueprint in (
        auth_bp,
        couples_bp,
        appointments_bp,
        calendar_bp,
        exercises_bp,
        assignments_bp,
        responses_bp,
        boundaries_bp,
        insights_bp,
        messages_bp,
        languages_bp,
        notes_bp,
        note_plans_bp,
        reports_bp,
        client_bp,
        worksheets_bp,
        admin_bp,
        audit_bp,
        exports_bp,
        twofactor_bp,
        account_bp,
        health_bp,
    ):
        app.register_blueprint(blueprint)

    from practice.errors import register_error_handlers
    from practice.security import register_security_headers
    from practice.templating import register_template_helpers
    from practice.throttle import init_throttling

    register_error_handlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    init_throttling(app)

    from practice.cli import register_commands

    register_commands(app)
    return app


def _init_encryption() -> None:
    from sqlalchemy.orm import configure_mappers

    from practice import encryption, models  # noqa: F401  (every table mapped first)
    from practice.db import Base

    configure_mappers()
    encryption.install(Base)


def _init_login(app: Flask) -> None:
    from practice.auth.sessions import load_session_user

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"

    @login_manager.unauthorized_handler
    def _unauthorized():
        from flask import jsonify, redirect, request, url_for

        if (
            request.path.endswith("/autosave")
            or request.accept_mimetypes.best == "application/json"
        ):
            message = "You were signed out. Your words are still on this page."
            return jsonify(error="signed_out", message=message), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @login_manager.user_loader
    def _load(token: str):
        from datetime import timedelta

        hours = app.config["SESSION_HOURS"]
        idle = {
            "clinician": timedelta(minutes=app.config["IDLE_MINUTES_STAFF"]),
            "admin": timedelta(minutes=app.config["IDLE_MINUTES_STAFF"]),
            "client": timedelta(minutes=app.config["IDLE_MINUTES_CLIENT"]),
        }
        return load_session_user(db.session, token, timedelta(hours=hours), idle)

    from datetime import timedelta

    from flask import request
    from flask_login import current_user

    from practice.auth.sessions import touch_session
    from practice.models import utcnow

    # Requests the page makes by itself do not count as activity (a waiting report's page
    # refreshes itself); an autosave counts only when the words changed (the view records that).
    passive = {
        "static",
        "worksheets.csrf_token",
        "worksheets.autosave",
        "health.healthz",
        "health.readyz",
        "reports.request_status",
        "messages.client_updates",
        "messages.couple_updates",
    }

    @app.before_request
    def _record_activity() -> None:
        if request.endpoint in passive or request.endpoint is None:
            return
        if not (current_user.is_authenticated and current_user.get_id()):
            return
        seen = current_user.session_seen_at
        # Write only when the last record is older than half a minute: most requests read only.
        if seen is None or seen < utcnow() - timedelta(seconds=30):
            touch_session(db.session, current_user.get_id())
