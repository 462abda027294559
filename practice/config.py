"""Settings: defaults, then instance practice.cfg, then PRACTICE_* environment variables."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Config, Flask

from practice.measures.crisis import DEFAULT_RESOURCES
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
# A long key made of few characters ("k" * 40) is as guessable as a short one.
MIN_SECRET_DISTINCT = 10
# Cookie settings a deployment may choose in practice.cfg; production refuses insecure ones.
COOKIE_SETTINGS = (
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "REMEMBER_COOKIE_SECURE",
    "REMEMBER_COOKIE_HTTPONLY",
)
SAFE_SAMESITE = ("Lax", "Strict")
LOG_FORMATS = ("json", "text")


class ConfigError(RuntimeError):
    """A setting makes it unsafe or impossible to start; the message is one line."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


# name -> (default, parser). Every entry is documented in README.md's configuration table.
SETTINGS: dict[str, tuple[Any, Any]] = {
    "ENV": ("development", str),
    "SECRET_KEY": (None, str),
    "DATABASE_URL": (None, str),
    "BASE_URL": ("http://127.0.0.1:5000", str),
    "TIMEZONE": ("UTC", str),
    "LOCALE": ("en", str),
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
    "BIND": ("127.0.0.1:8000", str),
    "WEB_WORKERS": (None, int),
    "TRUSTED_PROXIES": (None, str),
    "LOG_FORMAT": (None, str),
    "QUEUE_PREFIX": ("mend", str),
    "ENCRYPTION_KEYS": (None, str),
    "AUDIT_KEY": (None, str),
    "REPORTS_PER_MINUTE": (10, int),
    "RETENTION_YEARS": (7, int),
    # The scheduler's daily tasks, each at or after this local time (practice.scheduling).
    "PREPARE_REPORTS_AT": ("21:00", str),
    "REMINDERS_AT": ("07:00", str),
    "RETENTION_AT": ("03:00", str),
    "SCHEDULED_RETENTION": (False, lambda v: v.strip().lower() in {"1", "true", "yes", "on"}),
    "CRISIS_RESOURCES": (DEFAULT_RESOURCES, str),
}


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill app.config: defaults, instance practice.cfg, environment, explicit overrides."""
    for name, (default, _parse) in SETTINGS.items():
        app.config[name] = default
    chosen = Config(app.config.root_path)
    chosen.from_pyfile("practice.cfg", silent=True)
    chosen.update(overrides or {})
    app.config.update(chosen)
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
    from practice.i18n import check_locale

    try:
        check_locale(app.config["LOCALE"])
    except ValueError as exc:
        raise ConfigError(f"{ENV_PREFIX}LOCALE: {exc}") from exc

    from practice.scheduling import parse_time

    for name in ("PREPARE_REPORTS_AT", "REMINDERS_AT", "RETENTION_AT"):
        try:
            parse_time(str(app.config[name]))
        except ValueError as exc:
            raise ConfigError(f"{ENV_PREFIX}{name}: {exc}") from exc
    app.config["PRODUCTION"] = production
    _settle_serving(app, production)
    if not app.config["REPORT_DIR"]:
        app.config["REPORT_DIR"] = str(Path(app.instance_path) / "report-archive")
    if not app.config["DATABASE_URL"]:
        db_file = Path(app.instance_path) / "practice.db"
        app.config["DATABASE_URL"] = f"sqlite:///{db_file}"
    _settle_secret_key(app, production)
    cookies = {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
    }
    app.config.update({name: chosen.get(name, value) for name, value in cookies.items()})
    app.config.update(
        # A worksheet written over two hours must still submit: tokens live as long as the session.
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_NAME="__Host-mend" if production else "mend_session",
        SESSION_COOKIE_PATH="/",
        REMEMBER_COOKIE_DURATION=0,
        TESTING=env == "testing" or bool(app.config.get("TESTING")),
    )
    if production:
        problems = production_problems(app.config)
        if problems:
            raise ConfigError("Unsafe production settings: " + "; ".join(problems), problems)
    from practice.encryption import settle_keys

    app.extensions["practice.keyring"] = settle_keys(app, production)
    if app.config["MAIL_BACKEND"] is None:
        if app.config["TESTING"]:
            app.config["MAIL_BACKEND"] = "memory"
        elif app.config["SMTP_HOST"]:
            app.config["MAIL_BACKEND"] = "smtp"
        else:
            app.config["MAIL_BACKEND"] = "log"


def secret_key_problem(key: str | None) -> str | None:
    """Why a secret key is unsafe for production, or None when it is long and random-looking."""
    if not key:
        return f"{ENV_PREFIX}SECRET_KEY is not set; production needs a long random key."
    if (
        key.lower() in KNOWN_DEFAULT_SECRETS
        or len(key) < MIN_SECRET_LENGTH
        or len(set(key)) < MIN_SECRET_DISTINCT
    ):
        return (
            f"{ENV_PREFIX}SECRET_KEY is a default, weak or shorter than {MIN_SECRET_LENGTH} "
            "characters; set a long random key (python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')."
        )
    return None


def production_problems(config: Mapping[str, Any]) -> list[str]:
    """Settings that make a production start unsafe, one plain sentence each."""
    problems = []
    if config.get("DEBUG"):
        problems.append(
            "Debug mode is on (FLASK_DEBUG or DEBUG); it shows code and data to anyone "
            "who causes an error. Switch it off."
        )
    key_problem = secret_key_problem(config.get("SECRET_KEY"))
    if key_problem:
        problems.append(key_problem)
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if not config.get(name):
            problems.append(f"{name} is off; cookies must only travel over HTTPS.")
    for name in ("SESSION_COOKIE_HTTPONLY", "REMEMBER_COOKIE_HTTPONLY"):
        if not config.get(name):
            problems.append(f"{name} is off; page scripts must not read the sign-in cookie.")
    if not config.get("ENCRYPTION_KEYS"):
        problems.append(
            "PRACTICE_ENCRYPTION_KEYS is not set; production needs an encryption key "
            "(practice encryption new-key prints one)."
        )
    if not config.get("AUDIT_KEY"):
        problems.append(
            "PRACTICE_AUDIT_KEY is not set; production needs a key for the audit trail "
            "(practice audit new-key prints one)."
        )
    if config.get("SESSION_COOKIE_SAMESITE") not in SAFE_SAMESITE:
        problems.append(
            "SESSION_COOKIE_SAMESITE must be Lax or Strict, not "
            f"{config.get('SESSION_COOKIE_SAMESITE')!r}."
        )
    return problems


def _settle_serving(app: Flask, production: bool) -> None:
    fmt = (app.config["LOG_FORMAT"] or ("json" if production else "text")).strip().lower()
    if fmt not in LOG_FORMATS:
        raise ConfigError(f"{ENV_PREFIX}LOG_FORMAT must be json or text, not {fmt!r}")
    app.config["LOG_FORMAT"] = fmt
    from practice.proxies import parse_networks

    try:
        parse_networks(app.config["TRUSTED_PROXIES"])
    except ValueError as exc:
        raise ConfigError(f"{ENV_PREFIX}TRUSTED_PROXIES: {exc}") from exc
    workers = app.config["WEB_WORKERS"]
    if workers is not None and workers < 1:
        raise ConfigError(f"{ENV_PREFIX}WEB_WORKERS must be 1 or more, not {workers}")


def _settle_secret_key(app: Flask, production: bool) -> None:
    key = app.config.get("SECRET_KEY")
    if production:
        if not key:
            raise ConfigError(secret_key_problem(key) or "")
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
