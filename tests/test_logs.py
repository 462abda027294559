"""One log line per request: the right fields, and nothing anyone wrote or asked for."""

from __future__ import annotations

import json
import logging

import pytest

from practice import create_app
from practice.config import ConfigError
from practice.logs import JsonFormatter
from tests.factories import PRODUCTION_KEYS

MARKER = "zq-private-marker-7731"
FIELDS = {
    "timestamp",
    "level",
    "logger",
    "request_id",
    "method",
    "endpoint",
    "path",
    "status",
    "duration_ms",
    "user_id",
}


def request_lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    records = [r for r in caplog.records if r.name == "practice.request"]
    return [json.loads(JsonFormatter().format(r)) for r in records]


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    formatter = JsonFormatter()
    return "\n".join(formatter.format(r) for r in caplog.records)


def test_a_form_post_logs_one_line_without_its_query_or_form(client, world, caplog) -> None:
    token = client.csrf_token()
    caplog.clear()
    caplog.set_level(logging.INFO)
    response = client.post(
        f"/login?next=/couples/&note={MARKER}",
        data={"email": f"{MARKER}@client.test", "password": MARKER, "csrf_token": token},
    )
    assert response.status_code == 200  # the form again: the sign-in failed
    lines = request_lines(caplog)
    assert len(lines) == 1
    line = lines[0]
    assert set(line) == FIELDS
    assert line["logger"] == "practice.request"
    assert line["method"] == "POST"
    assert line["endpoint"] == "auth.login"
    assert line["path"] == "/login"
    assert line["status"] == 200
    assert line["user_id"] is None
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert MARKER not in everything_logged(caplog)


def test_a_signed_in_request_names_its_user_by_id(world, as_user, caplog) -> None:
    browser = as_user("a@clinic.test")
    caplog.clear()
    caplog.set_level(logging.INFO)
    response = browser.get(
        f"/couples/{world.couple_a}?q={MARKER}", headers={"X-Request-ID": "req-from-the-proxy"}
    )
    assert response.status_code == 200
    (line,) = request_lines(caplog)
    assert line["user_id"] == world.clinician_a
    assert line["endpoint"] == "couples.detail"
    assert line["path"] == f"/couples/{world.couple_a}"
    assert line["request_id"] == "req-from-the-proxy"
    assert MARKER not in everything_logged(caplog)
    text_line = caplog.records[-1].getMessage()
    assert f"user={world.clinician_a}" in text_line and MARKER not in text_line


def test_refusals_and_probes(world, as_user, client, caplog) -> None:
    browser = as_user("a@clinic.test")
    caplog.clear()
    caplog.set_level(logging.INFO)
    assert browser.get(f"/couples/{world.couple_b}").status_code == 404  # not hers
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    lines = request_lines(caplog)
    # A healthy probe is not worth a line; the refusal is, with whose request it was.
    assert [(x["status"], x["endpoint"], x["user_id"]) for x in lines] == [
        (404, "couples.detail", world.clinician_a)
    ]


def test_log_format_follows_the_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PRACTICE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("PRACTICE_LOG_FORMAT", raising=False)
    assert create_app().config["LOG_FORMAT"] == "text"
    monkeypatch.setenv("PRACTICE_ENV", "production")
    for name, value in PRODUCTION_KEYS.items():
        monkeypatch.setenv("PRACTICE_" + name, value)
    monkeypatch.setenv("PRACTICE_SECRET_KEY", "kq7-Vx2pLm9RtZ4wYb8nHc3jFs6dGe5aU1oE")
    assert create_app().config["LOG_FORMAT"] == "json"
    monkeypatch.setenv("PRACTICE_LOG_FORMAT", "Text")
    assert create_app().config["LOG_FORMAT"] == "text"
    monkeypatch.setenv("PRACTICE_LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="PRACTICE_LOG_FORMAT must be json or text"):
        create_app()
