"""Fixtures: the app on a migrated database (SQLite always, PostgreSQL when configured),
a test client that carries CSRF tokens like a browser does, and signed-in users of each role."""

from __future__ import annotations

import importlib
import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from werkzeug.routing import Rule

from practice import create_app, migrate
from practice.auth import passwords
from practice.db import Base, db
from practice.models import Couple
from tests import factories
from tests.hygiene import become_subreaper
from tests.hygiene import leaves_no_process_or_handler as leaves_no_process_or_handler

PG_ENV = "PRACTICE_TEST_DATABASE_URL"
BACKENDS = ["sqlite", "postgresql"]


def pytest_configure(config: pytest.Config) -> None:
    """Orphaned grandchildren come back to the test process, where the leak check sees them."""
    become_subreaper()


# The longest tests (one each: minutes on a busy machine) go first. xdist hands each worker a run
# of the collection and lets an idle one take queued tests from a busy one, but a test already
# running cannot be shared: started last, a long test kept one core busy after the other had
# finished everything else.
LONG_RUNNING = (
    "tests/test_route_fuzz.py::",  # a walk of every route and form, minutes on a busy machine
    "tests/test_static_checks.py::",  # semgrep and bandit over the whole tree
    "tests/test_suite_hygiene.py::",  # pytest in a subprocess
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the slow end-to-end proofs and the other long tests first; the rest keep their
    order."""
    items.sort(key=lambda item: not _long_running(item))


def _long_running(item: pytest.Item) -> bool:
    return item.get_closest_marker("slow") is not None or item.nodeid.startswith(LONG_RUNNING)


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get(PG_ENV)
    if url:
        shown = make_url(url).render_as_string(hide_password=True)
        return f"databases: SQLite and PostgreSQL ({shown})"
    return f"databases: SQLite only; PostgreSQL tests are SKIPPED because {PG_ENV} is not set"


def _pg_admin_url() -> str:
    url = os.environ[PG_ENV]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def create_pg_database() -> str:
    """A fresh, empty PostgreSQL database next to the configured one; returns its URL."""
    admin_url = make_url(_pg_admin_url())
    name = f"mend_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    """Drop a database made by create_pg_database."""
    name = make_url(url).database
    engine = create_engine(make_url(_pg_admin_url()), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def empty_database_url(tmp_path_factory: pytest.TempPathFactory):
    """A factory of empty databases of the backend under test (for migration tests)."""
    made: list[str] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("empty-db") / "empty.db"
            return f"sqlite:///{path}"
        url = create_pg_database()
        made.append(url)
        return url

    yield make
    for url in made:
        drop_pg_database(url)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend under test; PostgreSQL is skipped, visibly, when not configured."""
    if request.param == "postgresql" and not os.environ.get(PG_ENV):
        pytest.skip(f"PostgreSQL run skipped: set {PG_ENV} to run the suite on PostgreSQL")
    return request.param


# Every test makes its own app, and so its own engine; an engine's cache of compiled SQL starts
# empty, so every test compiled every statement it ran again. Apps on the session's test database
# share one engine per process instead (disposed after every test, so no connection, and no
# pool state, outlives a test; only the compiled statements do). Other URLs, or an engine with
# options, are made as the app makes them.
_SHARED_ENGINES: dict[str, Engine | None] = {}
_db_module = importlib.import_module("practice.db")  # the module (`practice.db` is the Database)
_make_engine = _db_module.make_engine


def _shared_make_engine(url: str, **kwargs) -> Engine:
    if kwargs or url not in _SHARED_ENGINES:
        return _make_engine(url, **kwargs)
    engine = _SHARED_ENGINES[url]
    if engine is None:
        engine = _SHARED_ENGINES[url] = _make_engine(url)
    return engine


_db_module.make_engine = _shared_make_engine


# Werkzeug compiles a URL-building function (an AST, then `compile`) for every rule of every new
# app: about two thirds of create_app's time, paid by every test. The function depends only on
# the rule's text and its defaults (a default of a variable is turned into text by the rule's own
# converter: those are compiled as Werkzeug does), so each is compiled once per process.
_rule_builders: dict[tuple, object] = {}
_compile_builder = Rule._compile_builder


def _cached_compile_builder(self: Rule, append_unknown: bool = True):
    if self.defaults and set(self.defaults) & set(self._converters):
        return _compile_builder(self, append_unknown)
    key = (
        append_unknown,
        self.rule,
        self.host,
        self.subdomain,
        tuple(self._trace),
        repr(sorted((self.defaults or {}).items())),
    )
    builder = _rule_builders.get(key)
    if builder is None:
        builder = _rule_builders[key] = _compile_builder(self, append_unknown)
    return builder


Rule._compile_builder = _cached_compile_builder


# Argon2id at the app's real cost takes about a quarter of a second of CPU per sign-in, and the
# suite signs in thousands of times (the access walk alone, five people per route). Tests use
# argon2id at its lowest cost; tests marked `real_passwords` (test_auth's password tests, and
# the check that the app's own hasher is at the library's recommended cost) keep the real one.
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
QUICK_HASH = QUICK_HASHER.hash(factories.PASSWORD)
QUICK_DUMMY_HASH = QUICK_HASHER.hash("a dummy for constant timing")


@pytest.fixture(autouse=True)
def quick_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """Argon2id at its lowest cost, for this test's sign-ins and new passwords alike."""
    if request.node.get_closest_marker("real_passwords"):
        return
    monkeypatch.setattr(passwords, "_hasher", QUICK_HASHER)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", QUICK_DUMMY_HASH)
    monkeypatch.setattr(factories, "_HASH", QUICK_HASH)


@pytest.fixture(scope="session")
def migrated_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    """One database per backend, migrated to head when first asked for and kept to the end.

    Held here rather than in the parametrized `database_url`, which pytest tears down whenever
    the next test is of the other backend (xdist hands a worker tests of both): each switch
    made and migrated a database again."""
    made: dict[str, str] = {}

    def get(backend: str) -> str:
        if backend not in made:
            if backend == "sqlite":
                url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'practice.db'}"
            else:
                url = create_pg_database()
            migrate.upgrade(url)
            _SHARED_ENGINES[url] = None
            made[backend] = url
        return made[backend]

    yield get
    for backend, url in made.items():
        engine = _SHARED_ENGINES.pop(url, None)
        if engine is not None:
            engine.dispose()
        if backend == "postgresql":
            drop_pg_database(url)


@pytest.fixture(scope="session")
def database_url(backend: str, migrated_databases: Callable[[str], str]) -> str:
    """A database migrated to head, shared by the session and emptied after every test."""
    return migrated_databases(backend)


class MendClient(FlaskClient):
    """A test client that sends the page's CSRF token with every form, as a browser would."""

    TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

    def csrf_token(self) -> str:
        """The CSRF token of the current browser session (from the sign-in page's form)."""
        html = self.get("/login").get_data(as_text=True)
        match = self.TOKEN.search(html)
        assert match, "no CSRF token on the sign-in page"
        return match.group(1)

    def submit(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with a valid CSRF token added."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The Mend app on a clean database."""
    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-mend",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "BASE_URL": "http://mend.test",
        }
    )
    app.test_client_class = MendClient
    yield app
    _empty_all_tables(app)
    db.get_engine(app).dispose()


# Tables whose rows the database itself refuses to DELETE (an append-only trigger): truncated.
APPEND_ONLY = ("audit_events",)


def _empty_all_tables(app: Flask) -> None:
    engine = db.get_engine(app)
    if engine.dialect.name == "postgresql":
        try:
            _delete_all_rows_postgresql(engine)
        except DBAPIError:  # a table that refuses DELETE and is not in APPEND_ONLY (yet)
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            with engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {names} CASCADE"))
        return
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def _delete_all_rows_postgresql(engine: Engine) -> None:
    """DELETE, in one round trip: a TRUNCATE of every table made new files for each table and
    index, most of a second after every PostgreSQL test, for the few rows a test leaves."""
    deletes = "; ".join(
        f'DELETE FROM "{t.name}"'
        for t in reversed(Base.metadata.sorted_tables)
        if t.name not in APPEND_ONLY
    )
    with engine.begin() as conn:
        for name in APPEND_ONLY:
            if conn.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{name}")')).scalar():
                conn.execute(text(f'TRUNCATE "{name}"'))
        conn.exec_driver_sql(deletes)


@pytest.fixture
def client(app: Flask) -> MendClient:
    """A browser without a signed-in user."""
    return app.test_client()


@pytest.fixture
def session(app: Flask):
    """A database session inside an app context, for arranging and checking rows."""
    with app.app_context():
        yield db.session


@pytest.fixture
def world(app: Flask) -> factories.World:
    """Two clinicians with a couple each, and an admin: enough to test who sees what."""
    with app.app_context():
        world = factories.make_world(db.session)
        couple_a = db.session.get(Couple, world.couple_a)
        world.report_a = factories.make_report(db.session, couple_a, app.config["REPORT_DIR"]).id
        world.report_request_a = factories.make_report_request(db.session, couple_a).id
        world.prepared_a = factories.make_prepared(
            db.session, couple_a, world.appointment_a, world.report_a
        ).id
        db.session.commit()
        return world


def sign_in(client: MendClient, email: str, password: str = factories.PASSWORD):
    """Sign in through the sign-in form; returns the response."""
    return client.submit("/login", {"email": email, "password": password})


@pytest.fixture
def as_user(app: Flask):
    """A factory of browsers signed in as the given email."""

    def make(email: str) -> MendClient:
        browser = app.test_client()
        response = sign_in(browser, email)
        assert response.status_code == 302, f"could not sign in as {email}"
        return browser

    return make
