"""Settings from PRACTICE_* variables, the instance folder, and the production safety checks."""

from __future__ import annotations

import pytest

from practice import create_app
from practice.config import ConfigError
from tests.factories import PRODUCTION_KEYS


def test_defaults_use_an_sqlite_file_in_the_instance_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("PRACTICE_DATABASE_URL", raising=False)
    monkeypatch.setenv("PRACTICE_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app()
    assert app.instance_path == str(tmp_path / "inst")
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'inst' / 'practice.db'}"
    # Development generates a secret key once and keeps it.
    key_file = tmp_path / "inst" / "secret_key"
    assert key_file.read_text().strip() == app.config["SECRET_KEY"]
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_environment_variables_are_read(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PRACTICE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PRACTICE_DATABASE_URL", f"sqlite:///{tmp_path}/other.db")
    monkeypatch.setenv("PRACTICE_MAX_CONTENT_LENGTH", "2048")
    monkeypatch.setenv("PRACTICE_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("PRACTICE_SMTP_HOST", "smtp.example.com")
    app = create_app()
    assert app.config["DATABASE_URL"].endswith("/other.db")
    assert app.config["MAX_CONTENT_LENGTH"] == 2048
    assert app.config["TIMEZONE"] == "Europe/Berlin"
    assert app.config["MAIL_BACKEND"] == "smtp"


def test_instance_config_file_is_read_before_the_environment(tmp_path, monkeypatch) -> None:
    (tmp_path / "practice.cfg").write_text('TIMEZONE = "Asia/Tokyo"\nINVITATION_DAYS = 3\n')
    monkeypatch.setenv("PRACTICE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PRACTICE_INVITATION_DAYS", "5")
    app = create_app()
    assert app.config["TIMEZONE"] == "Asia/Tokyo"
    assert app.config["INVITATION_DAYS"] == 5


@pytest.mark.parametrize(
    "key, reason",
    [
        (None, "is not set"),
        ("dev", "default, weak or shorter"),
        ("changeme", "default, weak or shorter"),
        ("short-but-random-9f8e", "default, weak or shorter"),
    ],
)
def test_production_refuses_missing_or_weak_secret_keys(tmp_path, monkeypatch, key, reason) -> None:
    monkeypatch.setenv("PRACTICE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PRACTICE_ENV", "production")
    for name, value in PRODUCTION_KEYS.items():
        monkeypatch.setenv("PRACTICE_" + name, value)
    if key is None:
        monkeypatch.delenv("PRACTICE_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("PRACTICE_SECRET_KEY", key)
    with pytest.raises(ConfigError, match=reason) as info:
        create_app()
    assert "\n" not in str(info.value)
    assert not (tmp_path / "secret_key").exists()


def test_production_starts_with_a_strong_key(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PRACTICE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PRACTICE_ENV", "production")
    for name, value in PRODUCTION_KEYS.items():
        monkeypatch.setenv("PRACTICE_" + name, value)
    monkeypatch.setenv("PRACTICE_SECRET_KEY", "kq7-Vx2pLm9RtZ4wYb8nHc3jFs6dGe5aU1oE")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-mend"


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("PRACTICE_ENV", "staging", "PRACTICE_ENV must be one of"),
        ("PRACTICE_TIMEZONE", "Mars/Olympus", "Unknown time zone"),
        ("PRACTICE_MAX_CONTENT_LENGTH", "lots", "invalid value"),
    ],
)
def test_bad_settings_fail_with_a_plain_message(
    tmp_path, monkeypatch, name, value, message
) -> None:
    monkeypatch.setenv("PRACTICE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        create_app()


def test_every_setting_is_documented_in_the_readme() -> None:
    from pathlib import Path

    from practice.config import SETTINGS

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    missing = [f"PRACTICE_{name}" for name in SETTINGS if f"PRACTICE_{name}" not in readme]
    missing += [
        v for v in ("PRACTICE_INSTANCE_PATH", "PRACTICE_TEST_DATABASE_URL") if v not in readme
    ]
    assert not missing, f"README.md does not document {missing}"
