"""Settings: defaults, then instance practice.cfg, then PRACTICE_* environment variables."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from practice.timefmt import check_zone

ENV_PREFIX = "PRACTICE_"
ENVIRONMENTS = ("development", "production", "testing")
# Values people paste from tutorials; refusing them in production is the point of the check.
KNOWN_DEFAULT_SECRETS = {
    "dev",
    "development",
    "secret",
    "changeme",
    "change-me",
    "please-change-me",
}
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """A setting makes it unsafe or impossible to start; the message is one line."""


# name -> (default, parser). Every entry is documented in README.md's configuration table.
SETTINGS: dict[str, tuple[Any, Any]] = {
    "ENV": ("development", str),
    "SECRET_KEY": (None, str),
    "DATABASE_URL": (None, str),
    "BASE_URL": ("http://127.0.0.1:5000", str),
    "TIMEZONE": ("UTC", str),
    "MAX_CONTENT_LENGTH": (1024 * 1024, int),
    "INVITATION_DAYS": (7, int),
    "SET_PASSWORD_HOURS": (72, int),
    "MAIL_FROM": ("Mend <no-reply@localhost>", str),
    "MAIL_BACKEND": (None, str),
    "SMTP_HOST": (None, str),
    "SMTP_PORT": (587, int),
    "SMTP_USERNAME": (None, str),
    "SMTP_PASSWORD": (None, str),
    "SMTP_STARTTLS": (True, lambda v: v.strip().lower() in {"1", "true", "yes", "on"}),
    "LOG_LEVEL": ("INFO", str),
    "REPORT_DIR": (None, str),
    "SESSION_HOURS": (12, int),
    "IDLE_MINUTES_STAFF": (15, int),
    "IDLE_MINUTES_CLIENT": (30, int),
    "REDIS_URL": (None, str),
    "ENCRYPTION_KEYS": (None, str),
    "AUDIT_KEY": (None, str),
    "REPORTS_PER_MINUTE": (10, int),
    "RETENTION_YEARS": (7, int),
    "CRISIS_RESOURCES": (
        "If you are in danger right now, call your local emergency number "
        "(999 in the UK, 911 in the US and Canada, 112 across the EU).\n"
        "UK and Ireland: Samaritans, 116 123, any time, free.\n"
        "US: 988 Suicide & Crisis Lifeline, call or text 988.\n"
        "Elsewhere: your doctor, or the nearest emergency department.",
        str,
    ),
}


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill app.config: defaults, instance practice.cfg, environment, explicit overrides."""
    for name, (default, _parse) in SETTINGS.items():
        app.config[name] = default
    app.config.from_pyfile("practice.cfg", silent=True)
    for name, (_default, parse) in SETTINGS.items():
        raw = os.environ.get(ENV_PREFIX + name)
        if raw is not None and raw != "":
            try:
                app.config[name] = parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{ENV_PREFIX}{name} has an invalid value: {raw!r}") from exc
    if overrides:
        app.config.update(overrides)

    env = app.config["ENV"]
    if env not in ENVIRONMENTS:
        raise ConfigError(f"{ENV_PREFIX}ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    production = env == "production"
    try:
        check_zone(app.config["TIMEZONE"])
    except ValueError as exc:
        raise ConfigError(f"{ENV_PREFIX}TIMEZONE: {exc}") from exc
    app.config["PRODUCTION"] = production
    if not app.config["REPORT_DIR"]:
        app.config["REPORT_DIR"] = str(Path(app.instance_path) / "report-archive")
    if not app.config["DATABASE_URL"]:
        db_file = Path(app.instance_path) / "practice.db"
        app.config["DATABASE_URL"] = f"sqlite:///{db_file}"
    _settle_secret_key(app, production)
    from practice.encryption import settle_keys

    app.extensions["practice.keyring"] = settle_keys(app, production)
    app.config.update(
        # A worksheet written over two hours must still submit: tokens live as long as the session.
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        SESSION_COOKIE_NAME="__Host-mend" if production else "mend_session",
        SESSION_COOKIE_PATH="/",
        REMEMBER_COOKIE_DURATION=0,
        TESTING=env == "testing" or bool(app.config.get("TESTING")),
    )
    if app.config["MAIL_BACKEND"] is None:
        if app.config["TESTING"]:
            app.config["MAIL_BACKEND"] = "memory"
        elif app.config["SMTP_HOST"]:
            app.config["MAIL_BACKEND"] = "smtp"
        else:
            app.config["MAIL_BACKEND"] = "log"


def _settle_secret_key(app: Flask, production: bool) -> None:
    key = app.config.get("SECRET_KEY")
    if production:
        if not key:
            raise ConfigError(
                f"{ENV_PREFIX}SECRET_KEY is not set; production needs a long random key."
            )
        if key.lower() in KNOWN_DEFAULT_SECRETS or len(key) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"{ENV_PREFIX}SECRET_KEY is a default or shorter than {MIN_SECRET_LENGTH} "
                "characters; set a long random key (python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')."
            )
        return
    if key:
        return
    # Development keeps a generated key in the instance folder so sessions survive restarts.
    app.config["SECRET_KEY"] = development_secret(
        app, "secret_key", "secret key", lambda: secrets.token_urlsafe(48)
    )


def development_secret(app: Flask, file_name: str, what: str, make: Callable[[], str]) -> str:
    """A secret kept in the instance folder (made on first use, readable by its owner only)."""
    key_file = Path(app.instance_path) / file_name
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    key_file.write_text(value + "\n")
    key_file.chmod(0o600)
    app.logger.warning("Generated a development %s in %s", what, key_file)
    return value
