"""Security headers on pages, files and sign-out."""

from __future__ import annotations

from flask import Flask

from tests.factories import PRODUCTION_KEYS, World


def test_pages_carry_a_strict_policy(client, world: World) -> None:
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers  # development


def test_no_page_relies_on_inline_script_or_style(world: World, as_user) -> None:
    for email, pages in (
        (
            "a@clinic.test",
            [
                "/couples/",
                f"/couples/{world.couple_a}",
                "/library/",
                f"/couples/{world.couple_a}/insights",
            ],
        ),
        ("ia@client.test", ["/today", "/boundaries", "/checkins", "/answers"]),
    ):
        browser = as_user(email)
        for page in pages:
            html = browser.get(page).get_data(as_text=True)
            assert "<script>" not in html and "<style" not in html and ' style="' not in html


def test_sign_out_clears_the_site(client, world: World) -> None:
    from tests.conftest import sign_in

    sign_in(client, "a@clinic.test")
    response = client.submit("/logout", {})
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_production_sends_hsts(database_url, tmp_path) -> None:
    from practice import create_app

    app: Flask = create_app(
        {
            "ENV": "production",
            **PRODUCTION_KEYS,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "s7-Vx2pLm9RtZ4wYb8nHc3jFq6dGe5aU1oEkT0iWy",
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    response = app.test_client().get("/login", base_url="https://mend.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
