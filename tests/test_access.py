"""The access walk: every route in the URL map, called by everyone who must not use it.

A new route fails these tests until it is added to ROUTES, so no route escapes review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from flask import Flask
from sqlalchemy import select

from practice.db import Base, db
from tests.factories import World

PUBLIC = "public"


def _today() -> str:
    from datetime import date

    return date.today().isoformat()


@dataclass(frozen=True)
class Route:
    roles: tuple[str, ...]  # who may call it; PUBLIC for pages open to everyone
    args: Callable[[World], dict] = field(default=lambda w: {})
    owner: str | None = None  # the user (World attribute) whose object the ids name


NOTE = ("clinician",)
ROUTES: dict[str, Route] = {
    "notes.start": Route(NOTE, lambda w: {"appointment_id": w.appointment_a}, "clinician_a"),
    "notes.new_contact": Route(NOTE, lambda w: {"couple_id": w.couple_a}, "clinician_a"),
    "notes.index": Route(NOTE, lambda w: {"couple_id": w.couple_a}, "clinician_a"),
    "notes.edit": Route(NOTE, lambda w: {"note_id": w.note_a}, "clinician_a"),
    "notes.autosave": Route(NOTE, lambda w: {"note_id": w.note_a}, "clinician_a"),
    "notes.csrf_token": Route(NOTE),
    "notes.remove_prefill_line": Route(NOTE, lambda w: {"note_id": w.note_a}, "clinician_a"),
    "notes.add_plan_item": Route(NOTE, lambda w: {"note_id": w.note_a}, "clinician_a"),
    "notes.delete_plan_item": Route(
        NOTE, lambda w: {"note_id": w.note_a, "item_id": w.plan_item_a}, "clinician_a"
    ),
    "notes.add_addendum": Route(NOTE, lambda w: {"note_id": w.note_a}, "clinician_a"),
    "notes.pdf": Route(NOTE, lambda w: {"note_id": w.note_a}, "clinician_a"),
    "notes.choose_format": Route(NOTE),
    "note_plans.assignment": Route(
        NOTE, lambda w: {"note_id": w.note_a, "item_id": w.plan_item_a}, "clinician_a"
    ),
    "note_plans.boundary": Route(
        NOTE, lambda w: {"note_id": w.note_a, "item_id": w.plan_item_a}, "clinician_a"
    ),
    "note_plans.stage": Route(
        NOTE, lambda w: {"note_id": w.note_a, "item_id": w.plan_item_a}, "clinician_a"
    ),
    "note_plans.agenda": Route(
        NOTE, lambda w: {"note_id": w.note_a, "item_id": w.plan_item_a}, "clinician_a"
    ),
    "static": Route((PUBLIC,), lambda w: {"filename": "mend.css"}),
    "auth.index": Route((PUBLIC,)),
    "languages.choose": Route((PUBLIC,)),
    "auth.login": Route((PUBLIC,)),
    "auth.logout": Route((PUBLIC,)),
    "auth.forgot_password": Route((PUBLIC,)),
    "auth.keep_alive": Route(("clinician", "client", "admin")),
    "auth.two_factor": Route((PUBLIC,)),
    "twofactor.manage": Route(("clinician", "client", "admin")),
    "twofactor.start": Route(("clinician", "client", "admin")),
    "twofactor.confirm": Route(("clinician", "client", "admin")),
    "twofactor.regenerate": Route(("clinician", "client", "admin")),
    "twofactor.switch_off": Route(("clinician", "client", "admin")),
    "account.manage": Route(("clinician", "client", "admin")),
    "account.change_password": Route(("clinician", "client", "admin")),
    "account.end_device": Route(("clinician", "client", "admin")),
    "account.end_everywhere": Route(("clinician", "client", "admin")),
    "auth.accept_invitation": Route((PUBLIC,), lambda w: {"token": "forged.token"}),
    "auth.set_password": Route((PUBLIC,), lambda w: {"token": "forged.token"}),
    "health.healthz": Route((PUBLIC,)),
    "health.readyz": Route((PUBLIC,)),
    "couples.dashboard": Route(("clinician",)),
    "audit.couple": Route(("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"),
    "audit.practice": Route(("admin",)),
    "couples.new": Route(("clinician",)),
    "couples.detail": Route(("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"),
    "couples.change_stage": Route(
        ("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"
    ),
    "couples.change_status": Route(
        ("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"
    ),
    "couples.reinvite": Route(
        ("clinician",),
        lambda w: {"couple_id": w.couple_a, "partner_id": w.partner_a_injured},
        "clinician_a",
    ),
    "appointments.new": Route(("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"),
    "appointments.edit": Route(
        ("clinician",), lambda w: {"appointment_id": w.appointment_a}, "clinician_a"
    ),
    "appointments.cancel": Route(
        ("clinician",), lambda w: {"appointment_id": w.appointment_a}, "clinician_a"
    ),
    "client.home": Route(("client",)),
    "client.settings": Route(("client",)),
    "worksheets.support": Route(("client",)),
    "exercises.index": Route(("clinician",)),
    "exercises.new": Route(("clinician",)),
    "exercises.detail": Route(
        ("clinician",), lambda w: {"template_id": w.template_a}, "clinician_a"
    ),
    "exercises.edit": Route(("clinician",), lambda w: {"template_id": w.template_a}, "clinician_a"),
    "exercises.copy": Route(("clinician",), lambda w: {"template_id": w.template_a}, "clinician_a"),
    "exercises.archive": Route(
        ("clinician",), lambda w: {"template_id": w.template_a}, "clinician_a"
    ),
    "exercises.new_field": Route(
        ("clinician",), lambda w: {"template_id": w.template_a}, "clinician_a"
    ),
    "exercises.edit_field": Route(
        ("clinician",), lambda w: {"template_id": w.template_a, "key": "answer_1"}, "clinician_a"
    ),
    "exercises.move": Route(
        ("clinician",), lambda w: {"template_id": w.template_a, "key": "answer_1"}, "clinician_a"
    ),
    "exercises.delete_field": Route(
        ("clinician",), lambda w: {"template_id": w.template_a, "key": "mood"}, "clinician_a"
    ),
    "exercises.translate": Route(
        ("clinician",), lambda w: {"template_id": w.template_a, "language": "es"}, "clinician_a"
    ),
    "exercises.remove_translation_view": Route(
        ("clinician",), lambda w: {"template_id": w.template_a, "language": "es"}, "clinician_a"
    ),
    "assignments.new": Route(("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"),
    "assignments.plan": Route(("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"),
    "assignments.detail": Route(
        ("clinician",), lambda w: {"assignment_id": w.assignment_a}, "clinician_a"
    ),
    "assignments.change": Route(
        ("clinician",),
        lambda w: {"assignment_id": w.assignment_a, "action": "pause"},
        "clinician_a",
    ),
    # Plans belong to the signed-in clinician by construction: no other clinician's ids to try.
    "assignments.edit_plan": Route(("clinician",), lambda w: {"stage": 3}),
    "assignments.remove_from_plan": Route(("clinician",), lambda w: {"stage": 3, "index": 0}),
    "assignments.reset": Route(("clinician",), lambda w: {"stage": 3}),
    "responses.timeline": Route(("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"),
    "responses.detail": Route(
        ("clinician",), lambda w: {"response_id": w.response_a}, "clinician_a"
    ),
    "boundaries.mine": Route(("client",)),
    "boundaries.log_entry": Route(("client",), lambda w: {"boundary_id": w.boundary_a}, "client_a"),
    "boundaries.respond": Route(("client",), lambda w: {"boundary_id": w.boundary_a}, "client_a"),
    "boundaries.history": Route(("client",), lambda w: {"boundary_id": w.boundary_a}, "client_a"),
    "boundaries.clinician_history": Route(
        ("clinician",), lambda w: {"boundary_id": w.boundary_a}, "clinician_a"
    ),
    "boundaries.manage": Route(("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"),
    "boundaries.edit": Route(
        ("clinician",), lambda w: {"boundary_id": w.boundary_a}, "clinician_a"
    ),
    "boundaries.change_status": Route(
        ("clinician",), lambda w: {"boundary_id": w.boundary_a}, "clinician_a"
    ),
    "reports.prepare": Route(("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"),
    "reports.preview": Route(("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"),
    "reports.generate": Route(("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"),
    "reports.download": Route(("clinician",), lambda w: {"report_id": w.report_a}, "clinician_a"),
    "reports.prepare_again": Route(
        ("clinician",), lambda w: {"prepared_id": w.prepared_a}, "clinician_a"
    ),
    "calendar.settings": Route(("clinician", "client")),
    "calendar.make_link": Route(("clinician", "client")),
    "calendar.revoke_link": Route(("clinician", "client")),
    "calendar.change_title": Route(("clinician",)),
    "calendar.feed": Route((PUBLIC,)),
    "calendar.appointment_file": Route(
        ("client",), lambda w: {"appointment_id": w.appointment_a}, "client_a"
    ),
    "reports.request_status": Route(
        ("clinician",), lambda w: {"request_id": w.report_request_a}, "clinician_a"
    ),
    "insights.dashboard": Route(("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"),
    "worksheets.today": Route(("client",)),
    "worksheets.checkins": Route(("client",)),
    "worksheets.answers": Route(("client",)),
    "worksheets.csrf_token": Route(("client",)),
    "worksheets.worksheet": Route(
        ("client",), lambda w: {"assignment_id": w.assignment_a, "day": _today()}, "client_a"
    ),
    "worksheets.autosave": Route(
        ("client",), lambda w: {"assignment_id": w.assignment_a, "day": _today()}, "client_a"
    ),
    "worksheets.answer": Route(("client",), lambda w: {"response_id": w.response_a}, "client_a"),
    "worksheets.change_visibility": Route(
        ("client",), lambda w: {"response_id": w.response_a}, "client_a"
    ),
    "worksheets.consent": Route(
        ("client",), lambda w: {"assignment_id": w.assignment_a}, "client_a"
    ),
    "worksheets.withdraw": Route(
        ("client",), lambda w: {"assignment_id": w.assignment_a}, "client_a"
    ),
    "exports.mine_json": Route(("client",)),
    "exports.mine_pdf": Route(("client",)),
    "exports.couple_json": Route(
        ("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"
    ),
    "exports.mine_fhir": Route(("client",)),
    "exports.couple_fhir": Route(
        ("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"
    ),
    "messages.inbox": Route(("client",)),
    "messages.preferences": Route(("clinician", "client")),
    "messages.client_thread": Route(("client",), lambda w: {"kind": "private"}),
    "messages.client_updates": Route(("client",), lambda w: {"kind": "together"}),
    "messages.edit": Route(("client",), lambda w: {"message_id": w.message_a}, "client_a"),
    "messages.withdraw": Route(("client",), lambda w: {"message_id": w.message_a}, "client_a"),
    "messages.couple_inbox": Route(
        ("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"
    ),
    "messages.couple_thread": Route(
        ("clinician",), lambda w: {"couple_id": w.couple_a, "thread": "injured"}, "clinician_a"
    ),
    "messages.couple_updates": Route(
        ("clinician",), lambda w: {"couple_id": w.couple_a, "thread": "together"}, "clinician_a"
    ),
    "messages.switch": Route(("clinician",), lambda w: {"couple_id": w.couple_a}, "clinician_a"),
    "messages.for_session": Route(
        ("clinician",),
        lambda w: {"couple_id": w.couple_a, "message_id": w.message_a},
        "clinician_a",
    ),
    "messages.couple_edit": Route(
        ("clinician",),
        lambda w: {"couple_id": w.couple_a, "message_id": w.clinician_message_a},
        "clinician_a",
    ),
    "messages.couple_withdraw": Route(
        ("clinician",),
        lambda w: {"couple_id": w.couple_a, "message_id": w.clinician_message_a},
        "clinician_a",
    ),
    "admin.users": Route(("admin",)),
    "admin.toggle_active": Route(("admin",), lambda w: {"user_id": w.clinician_a}),
    "admin.reset_two_factor": Route(("admin",), lambda w: {"user_id": w.clinician_a}),
    "admin.settings": Route(("admin",)),
    "admin.thresholds": Route(("admin",)),
}

# Scripts get 401 JSON, not a redirect to a page.
JSON_ENDPOINTS = {"worksheets.autosave", "notes.autosave"}

EMAILS = {
    "clinician_a": "a@clinic.test",
    "clinician_b": "b@clinic.test",
    "client_a": "ia@client.test",
    "client_b": "ib@client.test",
    "admin": "admin@clinic.test",
}
ROLE_OF = {
    "clinician_a": "clinician",
    "clinician_b": "clinician",
    "client_a": "client",
    "client_b": "client",
    "admin": "admin",
}


def _rules(app: Flask):
    return sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint)


def _methods(rule) -> list[str]:
    return sorted(m for m in rule.methods if m not in {"HEAD", "OPTIONS"})


# Sign-in bookkeeping (when each session was last used) changes on every request by design.
# Sessions record their use, and the audit trail records every refusal (checked below).
BOOKKEEPING = {"user_sessions", "audit_events"}


def _snapshot(app: Flask) -> dict[str, list]:
    """Every row of every table, to prove a refused request changed nothing."""
    with app.app_context():
        return {
            t.name: sorted(map(tuple, db.session.execute(select(t)).all()), key=repr)
            for t in Base.metadata.sorted_tables
            if t.name not in BOOKKEEPING
        }


def _refusals(app: Flask) -> list[tuple[int, str]]:
    from practice.models import AuditEvent

    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(AuditEvent.user_id, AuditEvent.route)
                .where(AuditEvent.action == "refused")
                .order_by(AuditEvent.id)
            )
        ]


def _user_ids(app: Flask, names: list[str]) -> set[int]:
    from practice.models import User

    with app.app_context():
        emails = [EMAILS[n] for n in names]
        return set(db.session.scalars(select(User.id).where(User.email.in_(emails))))


def test_every_route_is_in_the_walk(app: Flask) -> None:
    missing = [r.endpoint for r in _rules(app) if r.endpoint not in ROUTES]
    assert not missing, f"add these routes to tests/test_access.py ROUTES: {missing}"
    stale = set(ROUTES) - {r.endpoint for r in _rules(app)}
    assert not stale, f"ROUTES names endpoints that no longer exist: {stale}"


def _id_rules(app: Flask):
    return [
        r for r in _rules(app) if r.arguments and r.endpoint in ROUTES and ROUTES[r.endpoint].owner
    ]


def _protected_rules(app: Flask):
    return [r for r in _rules(app) if PUBLIC not in ROUTES.get(r.endpoint, Route((PUBLIC,))).roles]


ENDPOINTS_WITH_IDS = sorted(e for e, r in ROUTES.items() if r.owner)
PROTECTED = sorted(e for e, r in ROUTES.items() if PUBLIC not in r.roles)


@pytest.mark.parametrize("endpoint", ENDPOINTS_WITH_IDS)
def test_other_owners_objects_answer_404_and_change_nothing(
    app: Flask, world: World, as_user, endpoint: str
) -> None:
    route = ROUTES[endpoint]
    rule = next(r for r in _rules(app) if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **route.args(world))
    owner_role = ROLE_OF[route.owner]
    # Everyone of the owner's role who is not the owner gets 404; other roles get 403.
    outsiders = [u for u in EMAILS if u != route.owner]
    browsers = {u: as_user(EMAILS[u]) for u in outsiders}
    before = _snapshot(app)
    refusals_before = _refusals(app)
    attempts = 0
    for user, browser in browsers.items():
        for method in _methods(rule):
            response = browser.get(url) if method == "GET" else browser.submit(url, {})
            expected = 404 if ROLE_OF[user] == owner_role else 403
            assert response.status_code == expected, (user, method, url, response.status_code)
            attempts += 1
    # Reading the sign-in page for CSRF tokens does not write; nothing else may have either.
    assert _snapshot(app) == before
    # ... except the audit trail, which holds one refusal per attempt, by the right user.
    refused = _refusals(app)[len(refusals_before) :]
    assert len(refused) == attempts
    assert {user_id for user_id, _route in refused} == _user_ids(app, outsiders)
    assert {route for _user_id, route in refused} == {endpoint}

    # The same ids work for their owner, so the 404s above are about scope, not a bad URL.
    owner = as_user(EMAILS[route.owner])
    for method in _methods(rule):
        response = owner.get(url) if method == "GET" else owner.submit(url, {})
        assert response.status_code != 404, (method, url)


@pytest.mark.parametrize("endpoint", PROTECTED)
def test_protected_routes_need_sign_in_and_the_right_role(
    app: Flask, world: World, as_user, endpoint: str
) -> None:
    route = ROUTES[endpoint]
    rule = next(r for r in _rules(app) if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **route.args(world))
    anonymous = app.test_client()
    for method in _methods(rule):
        response = anonymous.get(url) if method == "GET" else anonymous.submit(url, {})
        if endpoint in JSON_ENDPOINTS:
            assert response.status_code == 401, (method, url)
            assert response.get_json()["error"] == "signed_out"
            continue
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login?next=")
    for user, email in EMAILS.items():
        if ROLE_OF[user] in route.roles:
            continue
        browser = as_user(email)
        for method in _methods(rule):
            response = browser.get(url) if method == "GET" else browser.submit(url, {})
            assert response.status_code == 403, (user, method, url)


def test_mixed_ids_answer_404(app: Flask, world: World, as_user) -> None:
    """A partner id from another couple, under one's own couple's id, is not found."""
    browser = as_user(EMAILS["clinician_a"])
    url = f"/couples/{world.couple_a}/partners/{world.partner_b_injured}/invite"
    assert browser.submit(url, {}).status_code == 404


@pytest.mark.parametrize("endpoint", ["auth.accept_invitation", "auth.set_password"])
def test_forged_tokens_are_refused_plainly(app: Flask, client, endpoint: str) -> None:
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, token="WzEsImZvcmdlZCJd.forged-signature")
    response = client.get(url)
    assert response.status_code == 400
    assert "This link is not valid" in response.get_data(as_text=True)
