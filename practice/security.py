"""Security headers on every response, and no-store on everything but the static files."""

from __future__ import annotations

from flask import Flask, Response, request

# No inline scripts or styles anywhere in the web pages; the one script is a static file.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'"
)
# The report preview is a self-contained document with its print stylesheet inline.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def register_security_headers(app: Flask) -> None:
    """CSP, framing, referrer, sniffing, caching and (in production) HSTS; sign-out clears the
    site."""

    @app.after_request
    def _headers(response: Response) -> Response:
        preview = request.endpoint == "reports.preview"
        response.headers.setdefault("Content-Security-Policy", PREVIEW_CSP if preview else CSP)
        if request.endpoint != "static":
            # Pages, JSON (form tokens, keep-alive) and downloads carry a person's data or a
            # token: never keep them in a shared or browser cache. Only Mend's own files may be.
            response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if app.config["PRODUCTION"]:
            response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if request.endpoint == "auth.logout" and response.status_code in (302, 303):
            response.headers["Clear-Site-Data"] = '"cache", "storage"'
        return response
