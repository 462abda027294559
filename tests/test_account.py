"""A person's own account: changing the password while signed in (with the second step when
it is on), the list of signed-in devices, signing out one device or everywhere."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from practice.auth.devices import describe_device
from practice.auth.sessions import session_reference
from practice.db import db
from practice.models import AuditEvent, User, UserSession
from tests.conftest import sign_in
from tests.factories import PASSWORD, World
from tests.test_two_factor import _code, _enrolled, _forget_last_step

ACCOUNT = "/account"
NEW = "a brand new and quiet password for mend"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0"


def _browser(app: Flask, email: str, agent: str):
    browser = app.test_client()
    browser.environ_base["HTTP_USER_AGENT"] = agent
    assert sign_in(browser, email).status_code == 302
    return browser


def _signed_in(browser) -> bool:
    return browser.get(ACCOUNT).status_code == 200


def test_devices_are_described_in_plain_words() -> None:
    assert describe_device(IPHONE) == "Safari on an iPhone"
    assert describe_device(WINDOWS_FIREFOX) == "Firefox on a Windows computer"
    edge = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0 Safari/537.36 Edg/120.0"
    )
    assert describe_device(edge) == "Edge on a Windows computer"
    assert describe_device("") == "An unknown browser"
    assert describe_device("curl/8.0") == "An unknown browser"


def test_account_page_lists_devices_and_says_the_partner_may_know(app: Flask, world: World) -> None:
    phone = _browser(app, "ia@client.test", IPHONE)
    _browser(app, "ia@client.test", WINDOWS_FIREFOX)
    _browser(app, "va@client.test", WINDOWS_FIREFOX)  # the partner's own session: not listed
    page = phone.get(ACCOUNT).get_data(as_text=True)
    assert "partner to know, or to be able to guess" in page
    assert 'Safari on an iPhone</strong> <span class="small">(this device)' in page
    assert "Firefox on a Windows computer" in page
    assert page.count('name="session"') == 2
    assert re.findall(r'name="session" value="([0-9a-f]{20})"', page)  # opaque, not row ids
    # The raw user agent is never stored.
    with app.app_context():
        devices = set(db.session.scalars(select(UserSession.device)))
    assert devices == {"Safari on an iPhone", "Firefox on a Windows computer"}


def test_changing_the_password_signs_out_every_other_device(app: Flask, world: World) -> None:
    here = _browser(app, "ia@client.test", IPHONE)
    there = _browser(app, "ia@client.test", WINDOWS_FIREFOX)
    done = here.submit(
        f"{ACCOUNT}/password",
        {"current": PASSWORD, "password": NEW, "confirm": NEW},
    )
    assert done.status_code == 302
    assert _signed_in(here)
    assert there.get(ACCOUNT).status_code == 302  # its next request finds the session ended
    assert sign_in(app.test_client(), "ia@client.test").status_code == 200  # old one refused
    assert sign_in(app.test_client(), "ia@client.test", NEW).status_code == 302
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert "password_changed" in actions


def test_a_wrong_current_password_changes_nothing(app: Flask, world: World) -> None:
    here = _browser(app, "a@clinic.test", IPHONE)
    there = _browser(app, "a@clinic.test", WINDOWS_FIREFOX)
    refused = here.submit(
        f"{ACCOUNT}/password",
        {"current": "not my password at all", "password": NEW, "confirm": NEW},
    )
    assert refused.status_code == 400
    assert "That isn&#39;t your current password" in refused.get_data(as_text=True)
    assert _signed_in(there)
    assert sign_in(app.test_client(), "a@clinic.test").status_code == 302


def test_a_weak_or_mismatched_new_password_is_refused_with_a_message(
    app: Flask, world: World
) -> None:
    here = _browser(app, "a@clinic.test", IPHONE)
    short = here.submit(
        f"{ACCOUNT}/password", {"current": PASSWORD, "password": "short", "confirm": "short"}
    )
    assert short.status_code == 400 and "15 characters" in short.get_data(as_text=True)
    differ = here.submit(
        f"{ACCOUNT}/password", {"current": PASSWORD, "password": NEW, "confirm": NEW + "x"}
    )
    assert differ.status_code == 400 and "differ" in differ.get_data(as_text=True)
    assert sign_in(app.test_client(), "a@clinic.test").status_code == 302


def test_with_two_step_on_a_current_code_is_needed_too(app: Flask, as_user, world: World) -> None:
    _enrolled(app, as_user, "ia@client.test")
    here = app.test_client()
    sign_in(here, "ia@client.test")
    assert (
        here.submit("/login/two-factor", {"code": _code(app, "ia@client.test")}).status_code == 302
    )
    _forget_last_step(app, "ia@client.test")
    form = {"current": PASSWORD, "password": NEW, "confirm": NEW}
    page = here.get(ACCOUNT).get_data(as_text=True)
    assert "Code from your authenticator app" in page
    missing = here.submit(f"{ACCOUNT}/password", form)
    assert missing.status_code == 400 and "Please enter a current code" in missing.get_data(
        as_text=True
    )
    wrong = here.submit(f"{ACCOUNT}/password", {**form, "code": "000000"})
    assert wrong.status_code == 400
    with app.app_context():
        unchanged = db.session.scalar(select(User).where(User.email == "ia@client.test"))
        assert unchanged is not None
    assert (
        here.submit(
            f"{ACCOUNT}/password", {**form, "code": _code(app, "ia@client.test")}
        ).status_code
        == 302
    )


def test_sign_out_one_device(app: Flask, world: World) -> None:
    here = _browser(app, "va@client.test", IPHONE)
    there = _browser(app, "va@client.test", WINDOWS_FIREFOX)
    with app.app_context():
        other = session_reference(
            db.session.scalar(
                select(UserSession).where(UserSession.device == "Firefox on a Windows computer")
            )
        )
    assert f'value="{other}"' in here.get(ACCOUNT).get_data(as_text=True)
    done = here.submit(f"{ACCOUNT}/sign-out-device", {"session": other})
    assert done.status_code == 302 and done.headers["Location"] == ACCOUNT
    assert there.get(ACCOUNT).status_code == 302
    assert _signed_in(here)
    again = here.submit(f"{ACCOUNT}/sign-out-device", {"session": other}, follow_redirects=True)
    assert "already signed out" in again.get_data(as_text=True)


def test_nobody_can_sign_out_someone_elses_device(app: Flask, world: World) -> None:
    partner = _browser(app, "ia@client.test", IPHONE)
    me = _browser(app, "va@client.test", WINDOWS_FIREFOX)
    with app.app_context():
        theirs = session_reference(
            db.session.scalar(
                select(UserSession).where(UserSession.device == "Safari on an iPhone")
            )
        )
    me.submit(f"{ACCOUNT}/sign-out-device", {"session": theirs})
    assert _signed_in(partner)
    for junk in ("", "abc", "-1", "9" * 40):
        assert me.submit(f"{ACCOUNT}/sign-out-device", {"session": junk}).status_code == 302
    assert _signed_in(me)


def test_sign_out_everywhere_ends_this_device_too(app: Flask, world: World) -> None:
    here = _browser(app, "b@clinic.test", IPHONE)
    there = _browser(app, "b@clinic.test", WINDOWS_FIREFOX)
    done = here.submit(f"{ACCOUNT}/sign-out-everywhere")
    assert done.headers["Location"] == "/login"
    assert here.get(ACCOUNT).status_code == 302
    assert there.get(ACCOUNT).status_code == 302
    with app.app_context():
        live = db.session.scalars(select(UserSession).where(UserSession.ended_at.is_(None))).all()
    assert live == []


def test_account_page_needs_sign_in(client, world: World) -> None:
    assert client.get(ACCOUNT).status_code == 302
    assert client.submit(f"{ACCOUNT}/sign-out-everywhere").status_code == 302
