"""Two-step sign-in: enrolment, the second step, one-time codes, recovery codes, the practice
rule for staff, password resets and admin resets. Codes are computed with pyotp from the
secret stored in the database, as a phone would."""

from __future__ import annotations

import re
import time
from datetime import date

import pyotp
from flask import Flask
from sqlalchemy import func, select, update

from practice.db import db
from practice.mail import outbox
from practice.models import RecoveryCode, User, UserSession
from practice.twofactor.services import practice_settings, save_practice_settings
from tests.conftest import MendClient, sign_in
from tests.factories import PASSWORD, World

MANAGE = "/account/two-step"
SECOND_STEP = "/login/two-factor"
CODE_PATTERN = re.compile(r"<code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code>")


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def _code(app: Flask, email: str, steps: int = 0) -> str:
    """The code the user's phone shows now (or `steps` half-minutes from now)."""
    secret = _user(app, email).totp_secret
    assert secret, f"{email} has no secret"
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def _forget_last_step(app: Flask, email: str) -> None:
    """As if half a minute had passed since the last code was used."""
    with app.app_context():
        db.session.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.session.commit()


def _enrol(app: Flask, browser: MendClient, email: str) -> list[str]:
    """Set up two-step sign-in through the pages; returns the recovery codes shown."""
    assert browser.submit(f"{MANAGE}/start").status_code == 302
    page = browser.submit(f"{MANAGE}/confirm", {"code": _code(app, email)})
    assert page.status_code == 200
    codes = CODE_PATTERN.findall(page.get_data(as_text=True))
    assert len(codes) == 10
    return codes


def _enrolled(app: Flask, as_user, email: str) -> list[str]:
    """Enrol the user in a browser of their own, then forget the code used (time moves on)."""
    codes = _enrol(app, as_user(email), email)
    _forget_last_step(app, email)
    return codes


def _two_step_sign_in(app: Flask, email: str) -> MendClient:
    browser = app.test_client()
    response = sign_in(browser, email)
    assert response.headers["Location"] == SECOND_STEP
    assert browser.submit(SECOND_STEP, {"code": _code(app, email)}).status_code == 302
    return browser


def test_enrolment_stays_pending_until_a_right_code(app: Flask, world: World, as_user) -> None:
    other_device = as_user("a@clinic.test")
    browser = as_user("a@clinic.test")
    page = browser.get(MANAGE).get_data(as_text=True)
    assert "Two-step sign-in is off" in page and "Set up two-step sign-in" in page
    assert browser.get(MANAGE).status_code == 200
    assert _user(app, "a@clinic.test").totp_secret is None  # reading the page changed nothing

    assert browser.submit(f"{MANAGE}/start").status_code == 302
    page = browser.get(MANAGE).get_data(as_text=True)
    user = _user(app, "a@clinic.test")
    assert user.totp_secret and user.totp_confirmed_at is None and not user.has_two_factor
    grouped = " ".join(re.findall(".{1,4}", user.totp_secret))
    assert grouped in page
    assert 'src="data:image/svg+xml' in page
    # While pending, the password alone still signs in.
    assert sign_in(app.test_client(), "a@clinic.test").headers["Location"] == "/couples/"

    wrong = "000000" if _code(app, "a@clinic.test") != "000000" else "111111"
    refused = browser.submit(f"{MANAGE}/confirm", {"code": wrong})
    assert refused.status_code == 400
    assert "That code didn" in refused.get_data(as_text=True)
    assert _user(app, "a@clinic.test").totp_confirmed_at is None

    shown = browser.submit(f"{MANAGE}/confirm", {"code": _code(app, "a@clinic.test")})
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "no-store"
    codes = CODE_PATTERN.findall(shown.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert _user(app, "a@clinic.test").has_two_factor
    with app.app_context():
        hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and not set(hashes) & set(codes)  # stored only as digests
    assert browser.get("/couples/").status_code == 200  # this browser stays in
    assert other_device.get("/couples/").status_code == 302  # other sessions ended
    assert "Two-step sign-in is on" in browser.get(MANAGE).get_data(as_text=True)


def test_cancelling_a_pending_setup(app: Flask, world: World, as_user) -> None:
    browser = as_user("ia@client.test")
    browser.submit(f"{MANAGE}/start")
    assert _user(app, "ia@client.test").totp_secret
    browser.submit(f"{MANAGE}/off", {})
    assert _user(app, "ia@client.test").totp_secret is None


def test_password_alone_does_not_sign_in(app: Flask, world: World, as_user) -> None:
    _enrolled(app, as_user, "a@clinic.test")

    def sessions() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(UserSession))

    before = sessions()
    browser = app.test_client()
    response = sign_in(browser, "a@clinic.test")
    assert response.headers["Location"] == SECOND_STEP
    assert browser.get("/couples/").headers["Location"].startswith("/login?next=")
    assert browser.get(MANAGE).status_code == 302
    page = browser.get(SECOND_STEP)
    assert page.status_code == 200 and "One more step" in page.get_data(as_text=True)
    assert sessions() == before  # the password alone started no session

    wrong = browser.submit(SECOND_STEP, {"code": "12345x"})
    assert wrong.status_code == 200 and "That code didn" in wrong.get_data(as_text=True)
    assert browser.get("/couples/").status_code == 302

    done = browser.submit(SECOND_STEP, {"code": _code(app, "a@clinic.test")})
    assert done.headers["Location"] == "/couples/"
    assert browser.get("/couples/").status_code == 200


def test_the_second_step_without_a_password_first_goes_back_to_sign_in(
    app: Flask, world: World, as_user
) -> None:
    _enrolled(app, as_user, "a@clinic.test")
    browser = app.test_client()
    response = browser.submit(SECOND_STEP, {"code": _code(app, "a@clinic.test")})
    assert response.headers["Location"] == "/login"
    assert browser.get("/couples/").status_code == 302


def test_a_held_sign_in_expires(app: Flask, world: World, as_user) -> None:
    _enrolled(app, as_user, "a@clinic.test")
    browser = app.test_client()
    sign_in(browser, "a@clinic.test")
    with browser.session_transaction() as cookie:
        cookie["two_step_pending"] = {**cookie["two_step_pending"], "until": time.time() - 1}
    response = browser.submit(SECOND_STEP, {"code": _code(app, "a@clinic.test")})
    assert response.headers["Location"] == "/login"
    assert browser.get("/couples/").status_code == 302


def test_a_code_works_once(app: Flask, world: World, as_user) -> None:
    _enrolled(app, as_user, "a@clinic.test")
    code = _code(app, "a@clinic.test")
    first = app.test_client()
    sign_in(first, "a@clinic.test")
    assert first.submit(SECOND_STEP, {"code": code}).status_code == 302

    replay = app.test_client()
    sign_in(replay, "a@clinic.test")
    refused = replay.submit(SECOND_STEP, {"code": code})
    assert refused.status_code == 200 and "That code didn" in refused.get_data(as_text=True)
    earlier = replay.submit(SECOND_STEP, {"code": _code(app, "a@clinic.test", steps=-1)})
    assert earlier.status_code == 200  # an older step than the last one used: refused too
    assert replay.get("/couples/").status_code == 302
    # The next half-minute's code (a phone clock a little ahead) is still accepted.
    later = replay.submit(SECOND_STEP, {"code": _code(app, "a@clinic.test", steps=1)})
    assert later.headers["Location"] == "/couples/"


def test_codes_from_far_off_times_are_refused(app: Flask, world: World, as_user) -> None:
    _enrolled(app, as_user, "a@clinic.test")
    browser = app.test_client()
    sign_in(browser, "a@clinic.test")
    for steps in (3, -3):
        response = browser.submit(SECOND_STEP, {"code": _code(app, "a@clinic.test", steps)})
        assert response.status_code == 200
    assert browser.get("/couples/").status_code == 302


def test_a_recovery_code_works_once(app: Flask, world: World, as_user) -> None:
    codes = _enrolled(app, as_user, "ia@client.test")
    browser = app.test_client()
    sign_in(browser, "ia@client.test")
    typed = codes[3].upper().replace("-", " ")  # case and spacing do not matter
    response = browser.submit(SECOND_STEP, {"code": typed}, follow_redirects=True)
    assert "You signed in with a recovery code; 9 left." in response.get_data(as_text=True)
    assert browser.get("/today").status_code == 200

    again = app.test_client()
    sign_in(again, "ia@client.test")
    assert again.submit(SECOND_STEP, {"code": codes[3]}).status_code == 200
    assert again.get("/today").status_code == 302
    # Another user's code does not work for this account.
    other_codes = _enrolled(app, as_user, "va@client.test")
    assert again.submit(SECOND_STEP, {"code": other_codes[0]}).status_code == 200
    assert again.submit(SECOND_STEP, {"code": codes[4]}).status_code == 302


def test_next_and_parked_words_survive_the_second_step(app: Flask, world: World, as_user) -> None:
    _enrolled(app, as_user, "va@client.test")
    worksheet = f"/tasks/{world.assignment_a}/{date.today().isoformat()}"
    browser = app.test_client()
    response = browser.get(worksheet)
    assert response.headers["Location"].startswith("/login?next=")
    login_page = browser.get(response.headers["Location"]).get_data(as_text=True)
    next_value = re.search(r'name="next" type="hidden" value="([^"]+)"', login_page).group(1)
    with browser.session_transaction() as cookie:
        cookie["parked_answers"] = {"kept": True}
    step = browser.submit(
        "/login", {"email": "va@client.test", "password": PASSWORD, "next": next_value}
    )
    assert step.headers["Location"] == SECOND_STEP
    done = browser.submit(SECOND_STEP, {"code": _code(app, "va@client.test")})
    assert done.headers["Location"] == worksheet
    with browser.session_transaction() as cookie:
        assert cookie["parked_answers"] == {"kept": True}

    unsafe = app.test_client()
    _forget_last_step(app, "va@client.test")
    unsafe.submit(
        "/login", {"email": "va@client.test", "password": PASSWORD, "next": "//evil.test/x"}
    )
    done = unsafe.submit(SECOND_STEP, {"code": _code(app, "va@client.test")})
    assert done.headers["Location"] == "/today"


def test_wrong_codes_count_as_failed_sign_ins_for_the_account(
    app: Flask, world: World, as_user
) -> None:
    _enrolled(app, as_user, "a@clinic.test")
    browser = app.test_client()
    sign_in(browser, "a@clinic.test")
    statuses = [
        # A posted email must not move the count to another account.
        browser.submit(SECOND_STEP, {"code": "000000", "email": f"x{n}@clinic.test"}).status_code
        for n in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    assert "Too many attempts to sign in" in browser.submit(
        SECOND_STEP, {"code": _code(app, "a@clinic.test")}
    ).get_data(as_text=True)
    # The same account's password sign-in waits too; another account does not.
    assert sign_in(app.test_client(), "a@clinic.test").status_code == 429
    assert sign_in(app.test_client(), "b@clinic.test").status_code == 302


def test_practice_can_require_two_step_sign_in_for_staff(app: Flask, world: World, as_user) -> None:
    admin = as_user("admin@clinic.test")
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "Require two-step sign-in for clinicians and admins" in page
    assert "checked" not in page  # off by default
    saved = admin.submit("/admin/settings", {"require_two_factor_staff": "y"})
    assert saved.headers["Location"] == "/admin/settings"
    with app.app_context():
        assert practice_settings(db.session).require_two_factor_staff is True

    # The admin, without it themself, is now sent to set it up from every other page.
    assert admin.get("/admin/users").headers["Location"] == MANAGE
    _enrol(app, admin, "admin@clinic.test")
    assert "checked" in admin.get("/admin/settings").get_data(as_text=True)

    clinician = app.test_client()
    assert sign_in(clinician, "a@clinic.test").status_code == 302
    for url in ("/couples/", f"/couples/{world.couple_a}", "/"):
        response = clinician.get(url, follow_redirects=True)
        assert response.request.path == MANAGE, url
        assert "Your practice asks everyone on the team" in response.get_data(as_text=True)
    assert clinician.submit(f"/couples/{world.couple_a}/status", {}).headers["Location"] == MANAGE
    # Clients are not affected.
    assert as_user("ia@client.test").get("/today").status_code == 200

    _enrol(app, clinician, "a@clinic.test")
    assert clinician.get("/couples/").status_code == 200
    # Switching it off is refused while the practice requires it.
    refused = clinician.submit(f"{MANAGE}/off", {"password": PASSWORD})
    assert refused.status_code == 400
    assert _user(app, "a@clinic.test").has_two_factor

    signing_out = as_user("b@clinic.test")
    assert signing_out.submit("/logout", {}).headers["Location"] == "/login"
    assert signing_out.get("/couples/").headers["Location"].startswith("/login")


def test_a_signed_in_clinician_meets_a_changed_rule_on_the_next_request(
    app: Flask, world: World, as_user
) -> None:
    """The rule is read with the session on every request, never kept from an earlier one."""
    clinician = as_user("a@clinic.test")
    assert clinician.get("/couples/").status_code == 200
    for required, expected in ((True, 302), (False, 200)):
        with app.app_context():
            save_practice_settings(db.session, require_two_factor_staff=required)
            db.session.commit()
        assert clinician.get("/couples/").status_code == expected


def test_password_reset_still_asks_for_the_code(app: Flask, world: World, as_user) -> None:
    _enrolled(app, as_user, "a@clinic.test")
    other_device = _two_step_sign_in(app, "a@clinic.test")
    _forget_last_step(app, "a@clinic.test")
    browser = app.test_client()
    browser.submit("/forgot-password", {"email": "a@clinic.test"})
    message = [m for m in outbox(app) if m.to == "a@clinic.test"][-1]
    link = re.search(r"http://mend\.test(/set-password/\S+)", message.body).group(1)
    new = "a brand new quiet harbour password"
    response = browser.submit(link, {"password": new, "confirm": new})
    assert response.headers["Location"] == SECOND_STEP
    assert browser.get("/couples/").status_code == 302  # the link alone is not enough
    assert other_device.get("/couples/").status_code == 302  # every other session ended
    done = browser.submit(SECOND_STEP, {"code": _code(app, "a@clinic.test")})
    assert done.headers["Location"] == "/couples/"
    assert browser.get("/couples/").status_code == 200


def test_admin_reset_ends_the_users_sessions(app: Flask, world: World, as_user) -> None:
    _enrolled(app, as_user, "a@clinic.test")
    clinician = _two_step_sign_in(app, "a@clinic.test")
    assert clinician.get("/couples/").status_code == 200
    admin = as_user("admin@clinic.test")
    assert "Reset (lost phone)" in admin.get("/admin/users").get_data(as_text=True)
    response = admin.submit(f"/admin/users/{world.clinician_a}/two-step/reset", {})
    assert response.headers["Location"] == "/admin/users"
    assert clinician.get("/couples/").status_code == 302
    assert not _user(app, "a@clinic.test").has_two_factor
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    # They sign in with the password alone and can set it up again.
    assert sign_in(app.test_client(), "a@clinic.test").headers["Location"] == "/couples/"
    assert admin.submit("/admin/users/999999/two-step/reset", {}).status_code == 404


def test_switching_off_asks_for_a_code_or_the_password(app: Flask, world: World, as_user) -> None:
    _enrolled(app, as_user, "ia@client.test")
    browser = _two_step_sign_in(app, "ia@client.test")
    _forget_last_step(app, "ia@client.test")
    assert "Two-step sign-in is on" in browser.get(MANAGE).get_data(as_text=True)
    assert browser.submit(f"{MANAGE}/off", {}).status_code == 400
    wrong = browser.submit(f"{MANAGE}/off", {"password": "not my password at all"})
    assert wrong.status_code == 400 and _user(app, "ia@client.test").has_two_factor
    off = browser.submit(f"{MANAGE}/off", {"code": _code(app, "ia@client.test")})
    assert off.headers["Location"] == MANAGE
    assert not _user(app, "ia@client.test").has_two_factor
    assert sign_in(app.test_client(), "ia@client.test").headers["Location"] == "/today"

    _enrolled(app, as_user, "ia@client.test")
    browser = _two_step_sign_in(app, "ia@client.test")
    assert browser.submit(f"{MANAGE}/off", {"password": PASSWORD}).status_code == 302
    assert not _user(app, "ia@client.test").has_two_factor


def test_new_recovery_codes_replace_the_old_ones(app: Flask, world: World, as_user) -> None:
    old = _enrolled(app, as_user, "ia@client.test")
    browser = _two_step_sign_in(app, "ia@client.test")
    _forget_last_step(app, "ia@client.test")
    assert browser.submit(f"{MANAGE}/recovery-codes", {"code": "000000"}).status_code in (400,)
    page = browser.submit(f"{MANAGE}/recovery-codes", {"code": _code(app, "ia@client.test")})
    assert page.status_code == 200
    new = CODE_PATTERN.findall(page.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert "Your earlier recovery codes no longer work" in page.get_data(as_text=True)

    old_try = app.test_client()
    sign_in(old_try, "ia@client.test")
    assert old_try.submit(SECOND_STEP, {"code": old[0]}).status_code == 200
    assert old_try.submit(SECOND_STEP, {"code": new[0]}).headers["Location"] == "/today"


def test_clients_find_two_step_sign_in_in_their_settings(app: Flask, world: World, as_user) -> None:
    browser = as_user("ia@client.test")
    page = browser.get("/settings").get_data(as_text=True)
    assert "Set up two-step sign-in" in page and MANAGE in page
    clinician_page = as_user("a@clinic.test").get("/couples/").get_data(as_text=True)
    assert "Please protect it with" in clinician_page


def test_a_new_clinician_sets_a_password_then_two_step_sign_in_when_required(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        save_practice_settings(db.session, require_two_factor_staff=True)
        db.session.commit()
    admin = as_user("admin@clinic.test")
    _enrol(app, admin, "admin@clinic.test")
    new = {"email": "new.clinician@example.com", "display_name": "Dr New", "role": "clinician"}
    assert admin.submit("/admin/users", new).status_code == 302
    link = re.search(r"http://mend\.test(/set-password/\S+)", outbox(app)[-1].body).group(1)
    newcomer = app.test_client()
    chosen = "lanterns over the quiet bay"
    response = newcomer.submit(link, {"password": chosen, "confirm": chosen})
    assert response.headers["Location"] == "/couples/"
    assert newcomer.get("/couples/").headers["Location"] == MANAGE
    _enrol(app, newcomer, "new.clinician@example.com")
    assert newcomer.get("/couples/").status_code == 200
