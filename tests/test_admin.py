"""Admins manage accounts (and read no clinical content)."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from practice.db import db
from practice.mail import outbox
from practice.models import User
from tests.factories import World


def test_admin_sees_accounts_but_no_couples(app: Flask, world: World, as_user) -> None:
    admin = as_user("admin@clinic.test")
    html = admin.get("/admin/users").get_data(as_text=True)
    assert "a@clinic.test" in html and "ia@client.test" in html
    assert "Couple A" not in html
    assert admin.get(f"/couples/{world.couple_a}").status_code == 403
    assert admin.get("/couples/").status_code == 403


def test_admin_adds_a_clinician_who_sets_a_password_by_link(
    app: Flask, world: World, as_user
) -> None:
    admin = as_user("admin@clinic.test")
    response = admin.submit(
        "/admin/users",
        {"email": "New.Clinician@Example.com", "display_name": "Dr New", "role": "clinician"},
    )
    assert response.status_code == 302
    message = outbox(app)[-1]
    assert message.to == "new.clinician@example.com"
    link = re.search(r"http://mend\.test(/set-password/\S+)", message.body).group(1)
    newcomer = app.test_client()
    response = newcomer.submit(
        link, {"password": "lanterns over the quiet bay", "confirm": "lanterns over the quiet bay"}
    )
    assert response.headers["Location"] == "/couples/"
    assert newcomer.get(link).status_code == 400  # single use


def test_admin_form_refuses_an_existing_email(app: Flask, world: World, as_user) -> None:
    response = as_user("admin@clinic.test").submit(
        "/admin/users", {"email": "b@clinic.test", "display_name": "Again", "role": "clinician"}
    )
    assert response.status_code == 400
    assert "An account with this email already exists." in response.get_data(as_text=True)


def test_switching_an_account_off_ends_its_sessions_at_once(
    app: Flask, world: World, as_user
) -> None:
    clinician = as_user("a@clinic.test")
    assert clinician.get("/couples/").status_code == 200
    admin = as_user("admin@clinic.test")
    assert admin.submit(f"/admin/users/{world.clinician_a}/active", {}).status_code == 302
    assert clinician.get("/couples/").status_code == 302  # signed out
    with app.app_context():
        assert (
            db.session.scalar(select(User.is_active).where(User.id == world.clinician_a)) is False
        )
    admin.submit(f"/admin/users/{world.clinician_a}/active", {})
    assert as_user("a@clinic.test").get("/couples/").status_code == 200


def test_admin_cannot_switch_themself_off(app: Flask, world: World, as_user) -> None:
    admin = as_user("admin@clinic.test")
    response = admin.submit(f"/admin/users/{world.admin}/active", {}, follow_redirects=True)
    assert "You cannot switch off your own account." in response.get_data(as_text=True)
    assert admin.get("/admin/users").status_code == 200


def test_unknown_account_id_is_404(world: World, as_user) -> None:
    assert as_user("admin@clinic.test").submit("/admin/users/999999/active", {}).status_code == 404
