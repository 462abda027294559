"""The route fuzz: every rule in the URL map, every method, as everyone, with hostile path
values and hostile values in every form field. No request a browser or a script can send may
answer 5xx.

One walk per database backend, on one world: first every page (which shows the forms and
their current values), then every form post, the ones that change who may do what last.
"""

from __future__ import annotations

import inspect
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote, urlsplit

import pytest
import wtforms
from argon2 import PasswordHasher
from flask import Flask, request
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from practice.auth import passwords
from practice.db import db
from practice.models import Assignment, Couple, User
from tests import factories
from tests.conftest import MendClient, sign_in
from tests.factories import World
from tests.fuzz_forms import (
    EMAIL,
    EXTRA_FIELDS,
    HOSTILE_DAYS,
    HOSTILE_INTS,
    HOSTILE_STRINGS,
    HOSTILE_VALUES,
    PageForms,
    baseline,
)

SKIPPED = {"static": "serves files from disk: no database, no form, no id to look up"}

ROLES = {
    "anonymous": None,
    "clinician": "a@clinic.test",
    "injured partner": "ia@client.test",
    "involved partner": "va@client.test",
    "admin": "admin@clinic.test",
    "other clinician": "b@clinic.test",
    "other couple's partner": "ib@client.test",
}
SPARE = "spare@clinic.test"  # the account the admin switches off and resets
LABEL = 'Łódź-12 "König" & İşik'  # outside Latin-1, with quotes: it goes into file names
EVERY_KIND = [  # a worksheet with one question of each kind, so its form has every field type
    {"key": "short", "label": "Short", "kind": "short_text", "required": True},
    {"key": "long", "label": "Long", "kind": "long_text", "required": True, "max_length": 500},
    {"key": "scale", "label": "Scale", "kind": "scale", "min": 0, "max": 10, "required": True},
    {"key": "one", "label": "One", "kind": "single_choice", "options": ["a", "b"]},
    {"key": "many", "label": "Many", "kind": "multi_choice", "options": ["a", "b"]},
    {"key": "yes", "label": "Yes or no", "kind": "yes_no"},
    {"key": "day", "label": "Day", "kind": "date"},
    {"key": "number", "label": "Number", "kind": "number", "min": 0, "max": 100},
]

# Posts that change who may do what, or close or remove what later posts use: run last, in
# this order, each signing everyone in again first.
LAST = [
    "appointments.cancel",
    "assignments.change",
    "boundaries.change_status",
    "exercises.archive",
    "exercises.delete_field",
    "couples.change_status",
    "twofactor.start",
    "twofactor.confirm",
    "twofactor.regenerate",
    "twofactor.switch_off",
    "admin.toggle_active",
    "admin.reset_two_factor",
    "account.change_password",
    "account.end_device",
    "account.end_everywhere",
    "auth.logout",
    "admin.settings",  # may require two-step sign-in of staff: nobody signs in after it
]
REFUSED = (401, 403, 404)
ALWAYS = ("NUL", "100 KB", "RTL and zero-width")  # into every field; the rest alternate


@dataclass
class Failure:
    method: str
    path: str
    role: str
    payload: str
    status: int
    error: str = ""

    def __str__(self) -> str:
        path = self.path if len(self.path) <= 90 else f"{self.path[:80]}…({len(self.path)} chars)"
        status = self.status or "raised"  # the error page itself failed: it left the app
        return f"{status} {self.method} {path} as {self.role} [{self.payload}] {self.error}"


@dataclass
class Walk:
    """The browsers, the ids each one owns, and what the walk found so far."""

    app: Flask
    browsers: dict[str, MendClient]
    own: dict[str, dict[str, object]]
    errors: list[str]
    failures: list[Failure] = field(default_factory=list)
    forms: dict[tuple[str, str], dict[str, list[str]]] = field(default_factory=dict)
    queries: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    built: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    requests: int = 0

    def send(self, role: str, method: str, path: str, payload: str, data=None):
        """One request; a 5xx (or an exception) is noted as a failure."""
        browser = self.browsers[role]
        self.errors.clear()
        self.requests += 1
        try:
            if method == "GET":
                response = browser.get(path)
            else:
                response = browser.open(path, method=method, data=self._with_token(role, data))
                if response.status_code == 400 and b"earlier sign-in" in response.data:
                    self.tokens.pop(role, None)  # signed out by an earlier post: a fresh token
                    data = self._with_token(role, data)
                    response = browser.open(path, method=method, data=data)
        except Exception as exc:  # noqa: BLE001  (the walk reports it with the request)
            self.failures.append(Failure(method, path, role, payload, 0, repr(exc)[:200]))
            return None
        if response.status_code >= 500:
            error = "; ".join(self.errors)[:200]
            self.failures.append(Failure(method, path, role, payload, response.status_code, error))
        for name, value in response.headers.items():
            if not value.isascii() and not _latin1(value):
                # The test client passes it; a WSGI server (gunicorn) answers 500 instead.
                error = f"{name} header not Latin-1: {value[:60]!r}"
                self.failures.append(Failure(method, path, role, payload, 500, error))
        if method != "GET" and response.status_code in (302, 303):
            # Follow the redirect, as a browser does: the page that shows what was just saved.
            target = urlsplit(response.headers.get("Location", ""))
            if not target.netloc and target.path not in ("", "/login"):
                page = self.send(role, "GET", target.path, f"{payload}, then its redirect")
                if page is not None:
                    _keep_forms(self, role, target.path, page, refresh=True)
        return response

    def _with_token(self, role: str, data: dict | None) -> dict:
        if role not in self.tokens:
            self.tokens[role] = self.browsers[role].csrf_token()
        data = {
            name: [f"fuzz-{self.requests}-{i}@example.com"] if value == [EMAIL] else value
            for i, (name, value) in enumerate((data or {}).items())
        }
        return {**data, "csrf_token": self.tokens[role]}


def _latin1(value: str) -> bool:
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


class _Exceptions(logging.Handler):
    """Keeps the exception the app logged, so a failure says what broke."""

    def __init__(self, seen: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.seen = seen

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            self.seen.append(f"{type(exc).__name__}: {str(exc)[:120]}")


def _own_ids(app: Flask, world: World) -> dict[str, dict[str, object]]:
    """For each role, a real id of its own records for every path argument (clinician A's
    where the role owns none, so the request is about someone else's record)."""
    with app.app_context():
        session = db.session
        couple_a = session.get(Couple, world.couple_a)
        couple_b = session.get(Couple, world.couple_b)
        couple_a.label = LABEL
        assignment_a = session.get(Assignment, world.assignment_a)
        clinician_a = session.get(User, world.clinician_a)
        every_kind = factories.make_template(
            session, clinician_a, title="Every kind", fields=EVERY_KIND
        )
        worksheet = factories.make_assignment(session, couple_a, every_kind).id
        involved = factories.make_response(session, assignment_a, "involved", days_ago=2).id
        spare = factories.make_user(session, SPARE, "clinician").id
        report_b = factories.make_report(session, couple_b, app.config["REPORT_DIR"]).id
        request_b = factories.make_report_request(session, couple_b).id
        partner_b = couple_b.partner("injured").id
        involved_a = couple_a.partner("involved").id
        session.commit()
    common = {
        "stage": 3,
        "index": 0,
        "key": "answer_1",
        "action": "pause",
        "day": date.today().isoformat(),
        "token": "forged.token",
        "kind": "private",
        "thread": "together",
        "language": "es",
    }
    a = {
        **common,
        "couple_id": world.couple_a,
        "partner_id": world.partner_a_injured,
        "appointment_id": world.appointment_a,
        "assignment_id": worksheet,
        "boundary_id": world.boundary_a,
        "template_id": world.template_a,
        "response_id": world.response_a,
        "report_id": world.report_a,
        "request_id": world.report_request_a,
        "prepared_id": world.prepared_a,
        "user_id": spare,
        "message_id": world.message_a,
        "note_id": world.note_a,
        "item_id": world.plan_item_a,
    }
    b = {
        **a,
        "couple_id": world.couple_b,
        "partner_id": partner_b,
        "appointment_id": world.appointment_b,
        "assignment_id": world.assignment_b,
        "boundary_id": world.boundary_b,
        "template_id": world.template_b,
        "response_id": world.response_b,
        "report_id": report_b,
        "request_id": request_b,
    }
    return {
        "anonymous": a,
        "injured partner": a,
        "involved partner": {**a, "response_id": involved, "partner_id": involved_a},
        "clinician": {**a, "message_id": world.clinician_message_a},
        "admin": a,
        "other clinician": b,
        "other couple's partner": b,
    }


ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _path(rule, values: dict[str, object], hostile: tuple[str, str] | None = None) -> str:
    """The rule's path with the given values, one argument replaced by a raw hostile value."""

    def fill(match: re.Match) -> str:
        name = match.group(2)
        if hostile and name == hostile[0]:
            return hostile[1]
        return quote(str(values[name]), safe="")

    return ARGUMENT.sub(fill, rule.rule)


def _variants(rule, values: dict[str, object]) -> Iterator[tuple[str, str]]:
    """(path, what is hostile in it): the real ids first, then each argument made hostile."""
    yield _path(rule, values), "own ids"
    for name, converter in rule._converters.items():
        table = HOSTILE_INTS if isinstance(converter, IntegerConverter) else HOSTILE_STRINGS
        if name == "day":
            table = {**table, **HOSTILE_DAYS}
        for kind, value in table.items():
            yield _path(rule, values, (name, value)), f"{name}: {kind}"


def _rules(app: Flask) -> list:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED),
        key=lambda r: (r.endpoint in LAST, LAST.index(r.endpoint) if r.endpoint in LAST else 0),
    )


def _methods(rule) -> list[str]:
    return sorted(m for m in rule.methods if m not in {"HEAD", "OPTIONS"})


def _sign_in_everyone(walk: Walk) -> None:
    """Sign in every role whose browser is not signed in (any more)."""
    for role, email in ROLES.items():
        browser = walk.browsers.get(role)
        if browser is not None and (email is None or browser.get("/keep-alive").status_code == 200):
            continue
        browser = walk.app.test_client()
        if email is not None:
            assert sign_in(browser, email).status_code == 302, f"could not sign in as {role}"
        walk.browsers[role] = browser
        walk.tokens.pop(role, None)


def _read_pages(walk: Walk, again: bool = False) -> None:
    """Every GET rule, as everyone, with real and hostile path values; keep the forms. Again:
    with real ids only, to open what the hostile posts saved (drafts, labels, notes)."""
    for rule in _rules(walk.app):
        if "GET" not in rule.methods:
            continue
        for number, role in enumerate(ROLES):
            path, _own = next(_variants(rule, walk.own[role]))
            response = walk.send(role, "GET", path, "after the posts" if again else "own ids")
            if again or response is None:
                continue
            _keep_forms(walk, role, path, response, rule.endpoint)
            for hostile, payload in _hostile_paths(rule, walk.own[role], number, response):
                walk.send(role, "GET", hostile, payload)


def _hostile_paths(rule, values: dict[str, object], number: int, answer) -> list[tuple[str, str]]:
    """Every hostile path for a role the rule serves; for a role it refuses (the refusal comes
    before any record is read), ids beyond 64 bits and a third of the rest, a different third
    for each role, so that every value still meets every rule and the walk stays in a minute."""
    hostile = list(_variants(rule, values))[1:]
    if answer is not None and answer.status_code not in REFUSED and not _to_sign_in(answer):
        return hostile
    return [
        (path, payload)
        for i, (path, payload) in enumerate(hostile)
        if payload.endswith("huge int") or i % 3 == number % 3
    ]


QUERY_READ = re.compile(r"request\.(?:args|values)\.get\(\s*[\"'](\w+)[\"']")


def _query_names(app: Flask, endpoint: str) -> set[str]:
    """The query parameters the view's module reads (its helpers too), found in its source."""
    module = inspect.getmodule(inspect.unwrap(app.view_functions[endpoint]))
    return set(QUERY_READ.findall(inspect.getsource(module))) if module else set()


def _keep_forms(
    walk: Walk, role: str, path: str, response, endpoint: str = "", refresh: bool = False
) -> None:
    """Keep the page's forms. Refresh: a page shown after a post, whose hidden fields (e.g. a
    draft's revision) replace the kept ones, as the browser's next post would send them."""
    if response.status_code != 200:
        return
    if endpoint:
        names = walk.queries.setdefault((role, path), set())
        names.update(_query_names(walk.app, endpoint))
    if response.mimetype != "text/html":
        return
    page = PageForms(path)
    page.feed(response.get_data(as_text=True))
    for action, fields in page.posts.items():
        known = walk.forms.setdefault((role, action), {})
        fields.pop("csrf_token", None)  # each post carries the browser's current token
        for name, values in fields.items():
            if refresh and (action, name) in page.hidden:
                known[name] = values
            else:
                known.setdefault(name, values)
    for target, names in page.queries.items():
        walk.queries.setdefault((role, target), set()).update(names)


def _query_strings(walk: Walk) -> None:
    """Every query parameter a page's links or filters use, with each hostile value."""
    for (role, target), names in sorted(walk.queries.items()):
        for name in sorted(names):
            for kind, value in HOSTILE_VALUES.items():
                query = f"{quote(name)}={quote(value[:2000], safe='')}"
                walk.send(role, "GET", f"{target}?{query}", f"query {name}: {kind}")


def _post_forms(walk: Walk, last: bool) -> None:
    """Every POST rule (those in LAST or the others), as everyone: hostile path values with the
    page's own form, then, where the form is read, each field made hostile in turn, missing
    fields and extra fields."""
    for rule in _rules(walk.app):
        if (rule.endpoint in LAST) != last:
            continue
        if last:
            _sign_in_everyone(walk)
        for method in _methods(rule):
            if method == "GET":
                continue
            fuzzed: set[frozenset[str]] = set()
            for number, role in enumerate(ROLES):
                _post_rule(walk, rule, method, role, number, fuzzed)


def _post_rule(
    walk: Walk, rule, method: str, role: str, number: int, fuzzed: set[frozenset[str]]
) -> None:
    path = _path(rule, walk.own[role])
    probe = walk.send(role, method, path, "no fields")

    def current() -> dict[str, list[str]]:
        return {**walk.built.get(path, {}), **walk.forms.get((role, path), {})}

    form = current()
    for hostile_path, payload in _hostile_paths(rule, walk.own[role], number, probe):
        walk.send(role, method, hostile_path, payload, form)
    if probe is None or probe.status_code in REFUSED or _to_sign_in(probe):
        # Refused before any form is read: one all-hostile post shows the refusal holds.
        walk.send(role, method, path, "every field NUL", {k: "a\x00b" for k in form})
        return
    walk.send(role, method, path, "extra fields", {**form, **EXTRA_FIELDS})
    walk.send(role, method, path, "every field 100 KB", {k: HOSTILE_VALUES["100 KB"] for k in form})
    if frozenset(form) in fuzzed:
        return  # the same form as another role's: each field was made hostile there
    fuzzed.add(frozenset(form))
    for number, name in enumerate(form):
        # NUL, 100 KB and RTL go into every field; the wrong types, a missing field and a field
        # sent twice into every other one, alternating, so each form meets each of them.
        if number % 2:
            walk.send(role, method, path, f"{name}: missing", _without(current(), name))
            twice = {**current(), name: ["1", "a\x00b"]}
            walk.send(role, method, path, f"{name}: twice", twice)
        for kind, value in HOSTILE_VALUES.items():
            if kind in ALWAYS or number % 2 == 0:
                walk.send(role, method, path, f"{name}: {kind}", {**current(), name: value})


def _without(form: dict[str, list[str]], name: str) -> dict[str, list[str]]:
    return {k: v for k, v in form.items() if k != name}


def _to_sign_in(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


@pytest.fixture
def quick_printing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports and exports print a stand-in PDF: WeasyPrint would take most of the minute, and
    test_reports and test_exports read real PDFs back. Everything before printing still runs."""

    def stand_in(html: str, timeout: float = 0) -> bytes:
        assert isinstance(html, str) and html
        return b"%PDF-1.4\n% printed by the route fuzz\n"

    for module in ("practice.reporting.views", "practice.exports.pdf", "practice.reporting.queued"):
        monkeypatch.setattr(f"{module}.render", stand_in)


@pytest.fixture
def quick_passwords(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """Argon2 at its lowest cost: the walk checks passwords hundreds of times, a quarter of a
    second each at the real cost (which test_auth covers)."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", hasher.hash("a dummy for constant timing"))
    return hasher


@pytest.fixture
def form_fields(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, dict[str, list[str]]]]:
    """The fields of every WTForms form a view builds, by path (with a plausible value)."""
    built: dict[str, dict[str, list[str]]] = {}
    process = wtforms.Form.process

    def recording(self, *args, **kwargs):
        process(self, *args, **kwargs)
        fields = built.setdefault(request.path, {})
        for item in self:
            if item.name != "csrf_token":
                fields.setdefault(item.name, baseline(item))

    monkeypatch.setattr(wtforms.Form, "process", recording)
    yield built


def test_no_request_answers_5xx(
    app: Flask, world: World, form_fields, quick_printing, quick_passwords
) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    errors: list[str] = []
    handler = _Exceptions(errors)
    app.logger.addHandler(handler)
    # Sign-in throttling would answer 429 to most hostile sign-ins, before the form is read.
    app.extensions["practice.limiter"].enabled = False
    with app.app_context():
        for user in db.session.scalars(select(User)):
            user.password_hash = quick_passwords.hash(factories.PASSWORD)
        db.session.commit()
    walk = Walk(app, {}, _own_ids(app, world), errors, built=form_fields)
    missing = {
        name
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in SKIPPED
        for name in rule.arguments
        if name not in walk.own["clinician"]
    }
    assert not missing, f"give tests/test_route_fuzz.py _own_ids a real value for: {missing}"
    try:
        _sign_in_everyone(walk)
        _read_pages(walk)
        _query_strings(walk)
        _post_forms(walk, last=False)
        _read_pages(walk, again=True)
        _post_forms(walk, last=True)
    finally:
        app.logger.removeHandler(handler)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu  # the test's own share, whatever else the machine runs
    print(f"route fuzz: {walk.requests} requests in {elapsed:.1f} s ({cpu:.1f} s of CPU)")
    if walk.failures:
        report = "\n".join(sorted(str(f) for f in walk.failures))
        pytest.fail(f"{len(walk.failures)} requests answered 5xx:\n{report}", pytrace=False)
