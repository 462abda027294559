"""Friendly error pages, a request id on every response, and a log line for every failure."""

from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from practice.couples.closing import CoupleClosed, client_message, clinician_message
from practice.i18n import lazy_gettext as _l

JSON_ENDPOINTS = {"worksheets.autosave"}  # the page's script reads the reason from JSON

MESSAGES = {
    400: (_l("Something in that request didn't look right"), _l("Please go back and try again.")),
    403: (
        _l("This page isn't open to your account"),
        _l("If you think it should be, ask your clinician or your practice's administrator."),
    ),
    404: (
        _l("We couldn't find that page"),
        _l("It may have moved, or the link may be incomplete."),
    ),
    405: (_l("That didn't work"), _l("Please go back and use the buttons on the page.")),
    413: (
        _l("That was too much to send at once"),
        _l("Please shorten it and try again. Nothing else you saved is affected."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("It has been noted. Please try again in a moment."),
    ),
}


def _record_refusal() -> None:
    """A signed-in user was refused a page or a record: the audit trail keeps it (ids only)."""
    from flask_login import current_user

    from practice.audit.capture import record

    if not (current_user and current_user.is_authenticated):
        return
    ids = [
        (k.removesuffix("_id"), v)
        for k, v in (request.view_args or {}).items()
        if k.endswith("_id")
    ]
    object_type, object_id = ids[0] if ids else ("page", None)
    record("refused", object_type, object_id, outcome="refused")


def register_error_handlers(app: Flask) -> None:
    """Echo the request id (practice.logs gives it) and attach the error pages to the app."""

    @app.after_request
    def _echo_request_id(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        if request.endpoint == "worksheets.worksheet":
            from practice.worksheets.views import recover_from_csrf

            return recover_from_csrf()
        if request.accept_mimetypes.best == "application/json" or request.is_json:
            return jsonify(error="csrf", message=_("The form token is out of date.")), 400
        app.logger.info(
            "CSRF refused on %s %s [%s]", request.method, request.path, g.get("request_id")
        )
        return (
            render_template(
                "errors/error.html",
                code=400,
                title=_("This form was open from an earlier sign-in"),
                message=_(
                    "For your safety we couldn't accept it. Please go back, reload the page "
                    "and send it again."
                ),
            ),
            400,
        )

    @app.errorhandler(CoupleClosed)
    def _closed(error: CoupleClosed):
        from flask_login import current_user

        from practice.db import db

        db.session.rollback()  # nothing of a refused change is kept
        client = current_user.is_authenticated and current_user.is_client
        message = client_message() if client else clinician_message()
        if request.endpoint in JSON_ENDPOINTS or request.is_json:
            return jsonify(error="closed", message=message), 409
        title = _("Your work together has ended") if client else _("This couple's work is closed")
        return render_template("errors/error.html", code=409, title=title, message=message), 409

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.response is not None:  # an error that brings its own page (the throttle's)
            return error.response
        code = error.code or 500
        if code in (403, 404):
            _record_refusal()
        title, message = MESSAGES.get(code, (error.name, error.description or ""))
        if code >= 500:
            app.logger.error(
                "HTTP %s on %s %s [%s]", code, request.method, request.path, g.get("request_id")
            )
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http(error)
        app.logger.exception(
            "Unhandled error on %s %s [%s]", request.method, request.path, g.get("request_id")
        )
        return _http(InternalServerError())
