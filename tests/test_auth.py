"""Signing in and out, server-side sessions, CSRF, invitations and password rules."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from practice.db import db
from practice.mail import outbox
from practice.models import AccountToken, User, UserSession, utcnow
from tests.conftest import sign_in
from tests.factories import PASSWORD, PRODUCTION_KEYS, World, make_user

GENERIC = "That email and password don&#39;t match an active account."


@pytest.mark.real_passwords
def test_the_app_hashes_passwords_at_the_real_cost() -> None:
    """Other tests use argon2id at its lowest cost (tests/conftest.py); the app never does."""
    from argon2 import PasswordHasher

    from practice.auth import passwords

    recommended = PasswordHasher()
    assert passwords._hasher.time_cost == recommended.time_cost
    assert passwords._hasher.memory_cost == recommended.memory_cost
    assert passwords._hasher.parallelism == recommended.parallelism
    made = passwords.hash_password(PASSWORD)
    assert not passwords.needs_rehash(made)
    assert f"m={recommended.memory_cost},t={recommended.time_cost}" in made


@pytest.mark.real_passwords
def test_sign_in_lands_on_the_role_home(client, world: World) -> None:
    response = sign_in(client, "a@clinic.test")
    assert response.status_code == 302
    assert response.headers["Location"] == "/couples/"
    assert "Your caseload" in client.get("/couples/").get_data(as_text=True)


@pytest.mark.real_passwords
@pytest.mark.parametrize(
    "email, password",
    [
        ("a@clinic.test", "wrong password entirely"),
        ("nobody@clinic.test", PASSWORD),
        ("A@CLINIC.TEST", "wrong password entirely"),
    ],
)
def test_failed_sign_in_says_the_same_thing_for_every_email(
    client, world: World, email: str, password: str
) -> None:
    response = client.submit("/login", {"email": email, "password": password})
    assert response.status_code == 200
    assert GENERIC in response.get_data(as_text=True)
    assert client.get("/couples/").status_code == 302


def test_email_is_case_insensitive(client, world: World) -> None:
    assert sign_in(client, "A@Clinic.TEST").headers["Location"] == "/couples/"


def test_switched_off_account_cannot_sign_in(app: Flask, client, world: World) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.id == world.clinician_a).values(is_active=False))
        db.session.commit()
    response = sign_in(client, "a@clinic.test")
    assert GENERIC in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/couples/new", "/couples/new"),
        ("//evil.example/phish", "/couples/"),
        ("https://evil.example/", "/couples/"),
        ("/\\evil.example", "/couples/"),
        ("javascript:alert(1)", "/couples/"),
    ],
)
def test_next_only_goes_to_this_site(client, world: World, target: str, expected: str) -> None:
    response = client.submit(
        "/login", {"email": "a@clinic.test", "password": PASSWORD, "next": target}
    )
    assert response.headers["Location"] == expected


def test_sign_out_is_a_post_and_kills_a_copied_cookie(app: Flask, client, world: World) -> None:
    sign_in(client, "a@clinic.test")
    cookie = client.get_cookie("mend_session")
    assert cookie is not None
    assert client.get("/logout").status_code == 405
    thief = app.test_client()
    thief.set_cookie("mend_session", cookie.value)
    assert thief.get("/couples/").status_code == 200  # the copy works while the session lives
    response = client.submit("/logout", {})
    assert response.status_code == 302
    assert thief.get("/couples/").status_code == 302  # and stops working once signed out
    with app.app_context():
        ended = db.session.scalar(select(func.count()).where(UserSession.ended_at.is_not(None)))
    assert ended == 1


def test_session_cookies_signed_by_flask_itself_stay_valid(
    app: Flask, client, world: World
) -> None:
    """Mend signs its cookie with its own, faster signer: a cookie signed before an upgrade
    (by Flask's stock signer) still works after it, and the other way round."""
    from flask.sessions import SecureCookieSessionInterface

    stock = SecureCookieSessionInterface().get_signing_serializer(app)
    sign_in(client, "a@clinic.test")
    ours = client.get_cookie("mend_session").value
    data = stock.loads(ours)  # Flask's own signer reads Mend's cookie
    assert data.get("_user_id")
    browser = app.test_client()
    browser.set_cookie("mend_session", stock.dumps(data))  # and Mend reads Flask's
    assert browser.get("/couples/").status_code == 200
    tampered = app.test_client()
    body, signature = ours.rsplit(".", 1)
    changed = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    tampered.set_cookie("mend_session", f"{body}.{changed}")
    assert tampered.get("/couples/").status_code == 302  # a bad signature is no session


def test_sign_in_starts_a_fresh_session_so_old_form_tokens_fail(client, world: World) -> None:
    old_token = client.csrf_token()
    sign_in(client, "a@clinic.test")
    response = client.post("/couples/new", data={"csrf_token": old_token, "label": "Couple Z"})
    assert response.status_code == 400
    assert "earlier sign-in" in response.get_data(as_text=True)


def test_pages_of_one_session_share_a_form_token_flask_wtf_accepts(
    app: Flask, client, world: World
) -> None:
    """Mend signs a session's form token once and reuses it; Flask-WTF still checks it."""
    from flask_wtf.csrf import validate_csrf

    sign_in(client, "a@clinic.test")
    pages = [client.get(path).get_data(as_text=True) for path in ("/couples/", "/couples/new")]
    tokens = {match for page in pages for match in client.TOKEN.findall(page)}
    assert len(tokens) == 1
    (token,) = tokens
    raw = client.get_cookie("mend_session").value
    with app.test_request_context(headers={"Cookie": f"mend_session={raw}"}):
        validate_csrf(token)  # raises if Flask-WTF would refuse it
    response = client.post(
        f"/couples/{world.couple_a}/status", data={"csrf_token": token, "status": "paused"}
    )
    assert response.status_code == 302
    other = app.test_client()
    sign_in(other, "a@clinic.test")
    assert client.TOKEN.search(other.get("/couples/").get_data(as_text=True)).group(1) != token


def test_a_sessions_first_page_and_the_next_share_a_token_across_seconds(
    client, world: World, monkeypatch
) -> None:
    """Flask-WTF signs the first page's token; later pages reuse that very string even when
    they are signed in a later second (under load the two used to differ)."""
    import itsdangerous.timed

    clock = iter(range(1_900_000_000, 1_900_100_000, 7))  # each signing 7 s after the last
    monkeypatch.setattr(
        itsdangerous.timed, "time", type("Clock", (), {"time": lambda: next(clock)})
    )
    sign_in(client, "a@clinic.test")
    pages = [client.get(path).get_data(as_text=True) for path in ("/couples/", "/couples/new")]
    assert len({match for page in pages for match in client.TOKEN.findall(page)}) == 1


def test_form_tokens_do_not_expire_while_the_session_lives(
    client, world: World, monkeypatch
) -> None:
    sign_in(client, "a@clinic.test")
    token = client.csrf_token()
    later = time.time() + 3 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.post(
        f"/couples/{world.couple_a}/status", data={"csrf_token": token, "status": "paused"}
    )
    assert response.status_code == 302


def test_session_cookie_flags_in_development(client, world: World) -> None:
    response = sign_in(client, "a@clinic.test")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("mend_session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    assert not any(c.lower().startswith("remember_token") for c in cookies)


def test_session_cookie_in_production_is_secure_and_host_prefixed(database_url, tmp_path) -> None:
    from practice import create_app

    app = create_app(
        {
            "ENV": "production",
            **PRODUCTION_KEYS,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "x7-Vx2pLm9RtZ4wYb8nHc3jFq6dGe5aU1oEkT0iWy",
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    response = app.test_client().get("/login", base_url="https://mend.test")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-mend=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie


def test_oversized_body_gets_413(client, world: World) -> None:
    sign_in(client, "a@clinic.test")
    response = client.submit(
        f"/couples/{world.couple_a}/stage", {"target": "3", "reason": "x" * (1024 * 1024 + 10)}
    )
    assert response.status_code == 413
    assert "too much to send" in response.get_data(as_text=True)


# Invitations -------------------------------------------------------------------------------


def _new_couple(browser) -> None:
    response = browser.submit(
        "/couples/new",
        {
            "label": "Couple Invite",
            "started_on": "2026-11-01",
            "stage": "1",
            "injured_name": "Robin Injured",
            "injured_email": "robin@example.com",
            "involved_name": "Alex Involved",
            "involved_email": "alex@example.com",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def _link_for(app: Flask, email: str) -> str:
    message = [m for m in outbox(app) if m.to == email][-1]
    return re.search(r"http://mend\.test(/welcome/\S+)", message.body).group(1)


@pytest.mark.real_passwords
def test_invitation_lets_a_partner_choose_a_password_and_land_home(
    app: Flask, world: World, as_user
) -> None:
    _new_couple(as_user("a@clinic.test"))
    link = _link_for(app, "robin@example.com")
    partner = app.test_client()
    page = partner.get(link)
    assert page.status_code == 200
    assert "Welcome to Mend, <bdi>Robin Injured</bdi>" in page.get_data(as_text=True)
    response = partner.submit(
        link, {"password": "river stones and quiet tea", "confirm": "river stones and quiet tea"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/today"
    assert "Hello, <bdi>Robin</bdi>" in partner.get("/home").get_data(as_text=True)
    # Single use: the same link now explains itself instead of working again.
    again = app.test_client().get(link)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    "password, confirm, message",
    [
        ("short one", "short one", "at least 15 characters"),
        ("1qaz2wsx3edc4rfv", "1qaz2wsx3edc4rfv", "commonly used passwords"),
        ("passwordpassword", "passwordpassword", "repeats itself"),
        ("aaaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaa", "repeats itself"),
        ("robin@example.com", "robin@example.com", "email address"),
        ("river stones and quiet tea", "river stones and quiet te", "The two passwords differ"),
        ("x" * 129, "x" * 129, "at most 128"),
    ],
)
def test_invitation_refuses_weak_passwords_with_a_reason(
    app: Flask, world: World, as_user, password: str, confirm: str, message: str
) -> None:
    _new_couple(as_user("a@clinic.test"))
    link = _link_for(app, "robin@example.com")
    partner = app.test_client()
    response = partner.submit(link, {"password": password, "confirm": confirm})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "robin@example.com"))
        assert user.password_hash is None


@pytest.mark.real_passwords
def test_long_passphrases_are_not_truncated(app: Flask, world: World, as_user) -> None:
    _new_couple(as_user("a@clinic.test"))
    link = _link_for(app, "robin@example.com")
    phrase = "a long passphrase " + "".join(f"word{i} " for i in range(15))  # 123 characters
    app.test_client().submit(link, {"password": phrase, "confirm": phrase})
    assert sign_in(app.test_client(), "robin@example.com", phrase).status_code == 302
    shorter = phrase[:72]
    assert sign_in(app.test_client(), "robin@example.com", shorter).status_code == 200


def test_expired_invitation_is_refused(app: Flask, world: World, as_user) -> None:
    _new_couple(as_user("a@clinic.test"))
    link = _link_for(app, "robin@example.com")
    with app.app_context():
        db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    response = app.test_client().get(link)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_reissued_invitation_replaces_the_old_link(app: Flask, world: World, as_user) -> None:
    clinician = as_user("a@clinic.test")
    _new_couple(clinician)
    old_link = _link_for(app, "robin@example.com")
    with app.app_context():
        robin = db.session.scalar(select(User).where(User.email == "robin@example.com"))
        partner_id, couple_id = robin.partner.id, robin.partner.couple_id
    response = clinician.submit(f"/couples/{couple_id}/partners/{partner_id}/invite", {})
    assert response.status_code == 302
    new_link = _link_for(app, "robin@example.com")
    assert new_link != old_link
    assert "newer link" in app.test_client().get(old_link).get_data(as_text=True)
    assert app.test_client().get(new_link).status_code == 200


def test_tampered_invitation_signature_is_refused(app: Flask, world: World, as_user) -> None:
    _new_couple(as_user("a@clinic.test"))
    link = _link_for(app, "robin@example.com")
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    response = app.test_client().get(tampered)
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_joined_partner_cannot_be_reinvited(app: Flask, world: World, as_user) -> None:
    clinician = as_user("a@clinic.test")
    response = clinician.submit(
        f"/couples/{world.couple_a}/partners/{world.partner_a_injured}/invite",
        {},
        follow_redirects=True,
    )
    assert "has already joined Mend" in response.get_data(as_text=True)


def test_inactive_clients_cannot_use_invitation(app: Flask, world: World, as_user) -> None:
    _new_couple(as_user("a@clinic.test"))
    link = _link_for(app, "robin@example.com")
    with app.app_context():
        db.session.execute(
            update(User).where(User.email == "robin@example.com").values(is_active=False)
        )
        db.session.commit()
    assert app.test_client().get(link).status_code == 400


@pytest.mark.real_passwords
def test_dummy_hash_keeps_unknown_email_from_succeeding(app: Flask, world: World) -> None:
    with app.app_context():
        make_user(db.session, "nopass@clinic.test", "clinician", password_hash=None)
        db.session.commit()
    response = sign_in(app.test_client(), "nopass@clinic.test")
    assert response.status_code == 200


def test_a_sign_in_ends_after_its_lifetime(app: Flask, client, world: World) -> None:
    sign_in(client, "a@clinic.test")
    assert client.get("/couples/").status_code == 200
    with app.app_context():
        db.session.execute(
            update(UserSession).values(
                created_at=utcnow() - timedelta(hours=app.config["SESSION_HOURS"], minutes=1)
            )
        )
        db.session.commit()
    assert client.get("/couples/").status_code == 302


def test_password_reset_by_email_ends_other_sessions(app: Flask, world: World) -> None:
    other_device = app.test_client()
    sign_in(other_device, "a@clinic.test")
    assert other_device.get("/couples/").status_code == 200
    browser = app.test_client()
    unknown = browser.submit(
        "/forgot-password", {"email": "nobody@clinic.test"}, follow_redirects=True
    )
    known = browser.submit("/forgot-password", {"email": "A@clinic.test"}, follow_redirects=True)
    assert "If that email belongs to an active Mend account" in unknown.get_data(as_text=True)
    assert unknown.get_data(as_text=True).count("on its way") == known.get_data(as_text=True).count(
        "on its way"
    )
    (message,) = [m for m in outbox(app) if m.to == "a@clinic.test"]
    assert "works once, for an hour" in message.body
    link = re.search(r"http://mend\.test(/set-password/\S+)", message.body).group(1)
    new = "a brand new quiet harbour password"
    response = browser.submit(link, {"password": new, "confirm": new})
    assert response.headers["Location"] == "/couples/"
    assert other_device.get("/couples/").status_code == 302  # signed out everywhere else
    assert sign_in(app.test_client(), "a@clinic.test", new).status_code == 302
    assert browser.get(link).status_code == 400  # single use
    with app.app_context():
        token = db.session.scalar(select(AccountToken).order_by(AccountToken.id.desc()))
        assert (token.expires_at - token.created_at) == timedelta(hours=1)


def test_repeated_failures_are_throttled_for_known_and_unknown_emails(
    app: Flask, world: World
) -> None:
    for email in ("a@clinic.test", "nobody-here@clinic.test"):
        browser = app.test_client()
        statuses = [
            browser.submit("/login", {"email": email, "password": "not it at all"}).status_code
            for _ in range(6)
        ]
        assert statuses == [200] * 5 + [429], email
        page = browser.submit("/login", {"email": email, "password": PASSWORD})
        assert page.status_code == 429  # even the right password waits
        text = page.get_data(as_text=True)
        assert "Too many attempts to sign in" in text and "please wait 15 minutes" in text
    # Another account from the same address is not locked by them.
    assert sign_in(app.test_client(), "b@clinic.test").status_code == 302


def test_successful_sign_ins_do_not_count(app: Flask, world: World) -> None:
    for _ in range(12):
        assert sign_in(app.test_client(), "a@clinic.test").status_code == 302


def test_idle_sessions_end_by_role_and_activity_keeps_them(app: Flask, world: World) -> None:
    clinician, client_browser = app.test_client(), app.test_client()
    sign_in(clinician, "a@clinic.test")
    sign_in(client_browser, "ia@client.test")

    def idle_for(email: str, minutes: int) -> None:
        with app.app_context():
            user_id = db.session.scalar(select(User.id).where(User.email == email))
            db.session.execute(
                update(UserSession)
                .where(UserSession.user_id == user_id)
                .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
            )
            db.session.commit()

    idle_for("a@clinic.test", 10)
    assert clinician.get("/couples/").status_code == 200  # 10 minutes: still in, and renewed
    idle_for("a@clinic.test", 16)
    assert clinician.get("/couples/").status_code == 302  # 16 minutes: signed out
    idle_for("ia@client.test", 20)
    assert client_browser.get("/today").status_code == 200  # clients get 30 minutes
    idle_for("ia@client.test", 31)
    assert client_browser.get("/today").status_code == 302


def test_an_autosave_without_changes_is_not_activity(app: Flask, world: World, as_user) -> None:
    browser = as_user("va@client.test")
    url = f"/tasks/{world.assignment_a}/{date.today().isoformat()}/autosave"

    def last_seen():
        with app.app_context():
            user_id = db.session.scalar(select(User.id).where(User.email == "va@client.test"))
            return db.session.scalar(
                select(UserSession.last_seen_at).where(UserSession.user_id == user_id)
            )

    def idle_for(minutes: int):
        with app.app_context():
            user_id = db.session.scalar(select(User.id).where(User.email == "va@client.test"))
            db.session.execute(
                update(UserSession)
                .where(UserSession.user_id == user_id)
                .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
            )
            db.session.commit()

    token = browser.csrf_token()  # as the page holds it: fetching a page would be activity

    def autosave(words: str, revision: str):
        return browser.post(
            url, data={"f_answer_1": words, "revision": revision, "csrf_token": token}
        )

    first = autosave("A first thought", "0")
    assert first.status_code == 200 and first.get_json()["revision"] == 1
    idle_for(20)
    before = last_seen()
    same = autosave("A first thought", "1")
    assert same.status_code == 200 and same.get_json()["revision"] == 1  # nothing new saved
    assert last_seen() == before  # and the sign-in is not kept alive by it
    changed = autosave("A second thought", "1")
    assert changed.get_json()["revision"] == 2
    assert last_seen() > before
