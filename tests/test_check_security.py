"""`practice check-security` and the production start-up refusals it shares rules with."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from practice import create_app, security
from practice.checks import security_problems
from practice.config import ConfigError
from tests.factories import PRODUCTION_KEYS

STRONG_KEY = "q8Zr-4nWb7Yx1KcT6mPv9LdS2hGf5JaE3uRo0iNe"


def _production(database_url: str, tmp_path: Path, **extra) -> Flask:
    return create_app(
        {
            "ENV": "production",
            "DATABASE_URL": database_url,
            "SECRET_KEY": STRONG_KEY,
            **PRODUCTION_KEYS,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "BASE_URL": "https://mend.example",
            **extra,
        }
    )


def test_a_safe_production_setup_passes(database_url: str, tmp_path: Path) -> None:
    app = _production(database_url, tmp_path)
    result = app.test_cli_runner().invoke(args=["check-security"])
    assert result.exit_code == 0, result.output
    assert "No security problems found." in result.output


def test_development_fails_the_check_and_says_why(database_url: str, tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "instance")})
    result = app.test_cli_runner().invoke(args=["check-security"])
    assert result.exit_code == 1
    assert "PRACTICE_ENV is 'development', not 'production'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"DEBUG": True}, "Debug mode is on"),
        ({"SECRET_KEY": "dev"}, "SECRET_KEY is a default, weak or shorter"),
        ({"SECRET_KEY": "short-but-random-9f8e"}, "SECRET_KEY is a default, weak or shorter"),
        ({"SECRET_KEY": "ab" * 30}, "SECRET_KEY is a default, weak or shorter"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE is off"),
        ({"SESSION_COOKIE_HTTPONLY": False}, "SESSION_COOKIE_HTTPONLY is off"),
        ({"SESSION_COOKIE_SAMESITE": None}, "SESSION_COOKIE_SAMESITE must be Lax or Strict"),
        ({"REMEMBER_COOKIE_SECURE": False}, "REMEMBER_COOKIE_SECURE is off"),
    ],
)
def test_production_refuses_to_start_with_unsafe_settings(
    database_url: str, tmp_path: Path, changes: dict, problem: str
) -> None:
    with pytest.raises(ConfigError, match=problem) as info:
        _production(database_url, tmp_path, **changes)
    assert "\n" not in str(info.value)
    # The same rule, applied to a running app whose settings were changed afterwards.
    app = _production(database_url, tmp_path)
    app.config.update(changes)
    assert any(problem in found for found in security_problems(app))


def test_the_practice_cfg_cannot_slip_insecure_cookies_into_production(
    tmp_path: Path, monkeypatch
) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "practice.cfg").write_text("SESSION_COOKIE_SECURE = False\nDEBUG = True\n")
    monkeypatch.setenv("PRACTICE_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("PRACTICE_ENV", "production")
    monkeypatch.setenv("PRACTICE_SECRET_KEY", STRONG_KEY)
    for name, value in PRODUCTION_KEYS.items():
        monkeypatch.setenv("PRACTICE_" + name, value)
    with pytest.raises(ConfigError) as info:
        create_app()
    assert len(info.value.problems) == 2
    assert "Debug mode is on" in info.value.problems[0]
    assert "SESSION_COOKIE_SECURE is off" in info.value.problems[1]


def test_flask_debug_in_the_environment_is_refused_in_production(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("PRACTICE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PRACTICE_ENV", "production")
    monkeypatch.setenv("PRACTICE_SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="Debug mode is on"):
        create_app()


def _strip(app: Flask, header: str) -> None:
    """Lose one header on the way out, as a misconfigured proxy or a regression would."""
    inner = app.wsgi_app

    def middleware(environ, start_response):
        def start(status, headers, exc_info=None):
            kept = [(name, value) for name, value in headers if name.lower() != header.lower()]
            return start_response(status, kept, exc_info)

        return inner(environ, start)

    app.wsgi_app = middleware


@pytest.mark.parametrize(
    "header, problem",
    [
        ("Content-Security-Policy", "without a Content-Security-Policy header"),
        ("X-Content-Type-Options", "without a X-Content-Type-Options header"),
        ("Referrer-Policy", "without a Referrer-Policy header"),
        ("Cache-Control", "without a Cache-Control header"),
        ("Strict-Transport-Security", "without Strict-Transport-Security (HSTS)"),
        ("Set-Cookie", "sets no session cookie"),
    ],
)
def test_a_missing_header_on_the_sign_in_page_is_reported(
    database_url: str, tmp_path: Path, header: str, problem: str
) -> None:
    app = _production(database_url, tmp_path)
    _strip(app, header)
    result = app.test_cli_runner().invoke(args=["check-security"])
    assert result.exit_code == 1
    assert problem in result.output


def test_a_policy_that_allows_framing_is_reported(
    database_url: str, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(security, "CSP", "default-src 'self'")
    app = _production(database_url, tmp_path)
    problems = security_problems(app)
    assert problems == [
        "The Content-Security-Policy header (\"default-src 'self'\") "
        "lacks \"frame-ancestors 'none'\"."
    ]


def test_cookie_flags_are_read_from_the_real_cookie(database_url: str, tmp_path: Path) -> None:
    app = _production(database_url, tmp_path)
    # Bypass the start-up refusal, as a later change to the app could.
    app.config.update(SESSION_COOKIE_SECURE=False, SESSION_COOKIE_HTTPONLY=False)
    app.config.update(SESSION_COOKIE_SAMESITE=None)
    problems = security_problems(app)
    assert "The session cookie is sent without HTTPS (no Secure)." in problems
    assert "The session cookie is readable by page scripts (no HttpOnly)." in problems
    assert "The session cookie has no SameSite attribute." in problems


def test_the_cli_lists_every_startup_refusal(tmp_path: Path) -> None:
    from tests.test_cli import run

    result = run(
        ["check-security"],
        {
            "PRACTICE_INSTANCE_PATH": str(tmp_path),
            "PRACTICE_ENV": "production",
            "PRACTICE_SECRET_KEY": "changeme",
            "FLASK_DEBUG": "1",
        },
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "Error: unsafe production settings:"
    assert any("Debug mode is on" in line for line in result.stderr.splitlines())
    assert any("SECRET_KEY is a default" in line for line in result.stderr.splitlines())
