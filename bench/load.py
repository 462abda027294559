"""Mend under load: gunicorn on 127.0.0.1, 50 couples with a year of history, locust headless.

    .venv/bin/python bench/load.py [--seconds 60] [--backend sqlite|postgresql|both]

For each database it prints:
- the main run: 100 partners (sign in, Today, check-in draft and send, boundary log, worksheet
  autosave) and 5 clinicians (caseload, couple page, dashboard, report preview, PDF) for the
  given time: requests per second, p50/p95/p99 per page, errors;
- then every write the server acknowledged, compared with the database: lost and duplicated;
- the framework floor (a constant route) and a reference page (three queries and a template)
  on the same server, and each page's throughput alone, as a ratio of both;
- Today's throughput alone and while two clinicians print reports;
- the dashboard for a couple with a month of history and one with a year.
PostgreSQL uses a throwaway database on PRACTICE_TEST_DATABASE_URL's server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
PASSWORD = "a calm test password for mend"  # the factories' password  # noqa: S105
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# Issue 8's target: each ordinary page at least this share of the reference page's throughput.
TARGET = 0.40
ORDINARY = ("today", "check-in page", "boundaries", "caseload", "couple page")
REVISION = re.compile(r'name="revision" type="hidden" value="(\d+)"')
OPEN_DAYS = 7


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(url: str, instance: str) -> dict:
    return {
        **os.environ,
        "PRACTICE_ENV": "development",
        "PRACTICE_DATABASE_URL": url,
        "PRACTICE_INSTANCE_PATH": instance,
        "PRACTICE_LOG_LEVEL": "WARNING",
        "PRACTICE_REPORTS_PER_MINUTE": "100000",
    }


def start_server(url: str, instance: str, port: int) -> subprocess.Popen:
    """Mend under gunicorn with `practice serve`'s settings (bench/load_app.py adds the floor
    and the reference page)."""
    log = open(Path(instance).parent / "server.log", "ab")  # noqa: SIM115 (the server's life)
    process = subprocess.Popen(
        [PYTHON, str(BENCH / "load_app.py"), str(port)],
        env=server_env(url, instance),
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


# --- the simulated people -------------------------------------------------------------------

from gevent import monkey  # noqa: E402

monkey.patch_all()

import gevent  # noqa: E402
from locust import FastHttpUser, between, constant, task  # noqa: E402
from locust.env import Environment  # noqa: E402

MANIFEST: dict = {}
ACKS: list[dict] = []
SIGNED_IN: list[str] = []


def write(kind: str, key: list, words: str, **extra) -> dict:
    """Note a write before sending it; it counts once the server acknowledges it. A write whose
    answer never came (a dropped connection) may still have landed: verify allows for that."""
    entry = {"kind": kind, "key": key, "words": words, "acked": False, **extra}
    ACKS.append(entry)
    return entry


class Signed(FastHttpUser):
    abstract = True
    account: dict

    def sign_in(self, email: str, then=None) -> None:
        """Sign in, then run then(self) if given; the user counts as ready after both."""
        page = self.client.get("/login", name="sign-in page")
        token = TOKEN.search(page.text).group(1)
        home = self.client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "csrf_token": token},
            name="sign in",
        )
        # Signing in starts a new session: forms carry its token (the sign-out form has one).
        self.token = TOKEN.search(home.text or "").group(1)
        if then:
            then(self)
        SIGNED_IN.append(email)

    def day(self) -> str:
        return (date.today() - timedelta(days=random.randrange(OPEN_DAYS))).isoformat()


class Partner(Signed):
    """A partner on their phone: Today, check-ins, boundary logs, a letter drafted slowly."""

    fixed_count = 100
    wait_time = between(2, 6)  # a person on a phone: read, tap, type

    def on_start(self) -> None:
        self.account = MANIFEST["clients"].pop()
        self.sign_in(self.account["email"])
        self.letter_revision = 0

    @task(4)
    def today(self) -> None:
        self.client.get("/today", name="today")

    @task(3)
    def check_in(self) -> None:
        day = self.day()
        url = f"/tasks/{self.account['checkin']}/{day}"
        with self.client.get(url, name="check-in page", catch_response=True) as page:
            found = REVISION.search(page.text or "")
            page.success()
        if not found:
            return  # already sent: the page shows the answer instead
        key = [self.account["checkin"], day, self.account["role"]]
        words = f"check-in {uuid.uuid4().hex[:12]}"
        form = {"csrf_token": self.token, "f_answer_1": words, "f_closeness": "6"}
        draft = write("draft", key, words)
        saved = self.client.post(
            url,
            data={**form, "action": "save", "revision": found.group(1)},
            name="check-in save",
            allow_redirects=False,
        )
        if saved.status_code != 302:
            return
        draft["acked"] = True
        attempt = write("submit", key, words)
        sent = self.client.post(
            url,
            data={
                **form,
                "action": "submit",
                "revision": str(int(found.group(1)) + 1),
                "visibility": "shared",
            },
            name="check-in send",
            allow_redirects=False,
        )
        if sent.status_code == 302 and "/answers/" in (sent.headers.get("Location") or ""):
            attempt["acked"] = True

    @task(3)
    def boundary(self) -> None:
        day, words = self.day(), f"note {uuid.uuid4().hex[:12]}"
        status = random.choice(["kept", "kept", "crossed", "na"])
        key = [self.account["boundary"], self.account["role"], day]
        attempt = write("log", key, words, status=status, role=self.account["role"])
        response = self.client.post(
            f"/boundaries/{self.account['boundary']}/log",
            data={"csrf_token": self.token, "day": day, "status": status, "note": words},
            name="boundary log",
            allow_redirects=False,
        )
        if response.status_code == 302:  # saved; a refusal answers 303
            attempt["acked"] = True

    @task(2)
    def letter(self) -> None:
        day = self.account["letter_day"]
        words = f"letter {uuid.uuid4().hex[:12]}"
        attempt = write("draft", [self.account["letter"], day, self.account["role"]], words)
        with self.client.post(
            f"/tasks/{self.account['letter']}/{day}/autosave",
            data={
                "csrf_token": self.token,
                "f_answer_1": words,
                "f_mood": "5",
                "revision": str(self.letter_revision),
            },
            name="worksheet autosave",
            catch_response=True,
        ) as response:
            body = response.json() if response.text and response.text.startswith("{") else {}
            if response.status_code == 409 and body.get("error") == "conflict":
                response.success()  # another save won; take its revision, as the page does
            self.letter_revision = body.get("revision", self.letter_revision)
            if response.status_code == 200:
                attempt["acked"] = True


class Clinician(Signed):
    """A clinician between sessions: caseload, a couple, its dashboard, a report."""

    fixed_count = 5
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.account = MANIFEST["clinicians"].pop()
        self.sign_in(self.account["email"])

    def couple(self) -> int:
        return random.choice(self.account["couples"])["id"]

    @task(3)
    def caseload(self) -> None:
        self.client.get("/couples/", name="caseload")

    @task(3)
    def couple_page(self) -> None:
        self.client.get(f"/couples/{self.couple()}", name="couple page")

    @task(3)
    def dashboard(self) -> None:
        self.client.get(f"/couples/{self.couple()}/insights?period=90", name="dashboard")

    @task(2)
    def preview(self) -> None:
        self.client.get(f"/couples/{self.couple()}/report/preview", name="report preview")

    @task(1)
    def pdf(self) -> None:
        made = self.client.post(
            f"/couples/{self.couple()}/report",
            data={"csrf_token": self.token},
            name="report PDF",
            allow_redirects=False,
        )
        if made.status_code == 302:
            self.client.get(made.headers["Location"], name="report download")


class Printer(Signed):
    """A clinician printing reports one after another (for the pages-while-printing phase)."""

    fixed_count = 2
    wait_time = constant(0)

    def on_start(self) -> None:
        self.account = random.choice(MANIFEST["clinicians"])
        self.sign_in(self.account["email"])

    @task
    def pdf(self) -> None:
        couple = random.choice(self.account["couples"])["id"]
        self.client.post(
            f"/couples/{couple}/report",
            data={"csrf_token": self.token},
            name="report PDF",
            allow_redirects=False,
        )


def run(
    user_classes: list, seconds: float, host: str, users: int | None = None, rate: float = 10
) -> Environment:
    """Start the users (signing in as they arrive), wait until all are in and a second more,
    then measure for the given time: the sign-in rush is not part of the figures."""
    env = Environment(user_classes=user_classes, host=host)
    runner = env.create_local_runner()
    count = users or sum(getattr(u, "fixed_count", 0) for u in user_classes)
    SIGNED_IN.clear()
    runner.start(count, spawn_rate=rate)
    while len(SIGNED_IN) < count:
        gevent.sleep(0.2)
    gevent.sleep(1)
    env.stats.reset_all()
    gevent.sleep(seconds)
    runner.quit()
    return env


def settle(host: str) -> None:
    """Wait until the server answers the floor quickly again (queues drained)."""
    import urllib.request

    for _ in range(100):
        started = time.perf_counter()
        with urllib.request.urlopen(host + "/__floor") as response:  # noqa: S310 (loopback)
            response.read()
        if time.perf_counter() - started < 0.02:
            return
        gevent.sleep(0.2)


def one_page(name: str, path_of, account_key: str, users: int = 10, prepare=None) -> type:
    """A user class that signs in (unless path_of needs no account) and asks for one page;
    prepare(user), if given, runs once after signing in, before the measurement starts."""

    class Only(Signed):
        wait_time = constant(0)

        def on_start(self) -> None:
            if account_key:
                self.account = dict(random.choice(MANIFEST[account_key]))
                self.sign_in(self.account["email"], then=prepare)
            else:
                self.account = {}
                SIGNED_IN.append("")

        @task
        def page(self) -> None:
            self.client.get(path_of(self.account), name=name)

    Only.__name__ = f"Only_{name.replace(' ', '_')}"
    Only.fixed_count = users
    return Only


def find_open_check_in(user) -> None:
    """A check-in day this partner has not sent yet. A sent one's page redirects to the answer
    (another page), which the check-in page's figure must not count; if all are sent, today's
    is measured as it is."""
    user.account["open_check_in"] = f"/tasks/{user.account['checkin']}/{date.today()}"
    for back in range(OPEN_DAYS):
        path = f"/tasks/{user.account['checkin']}/{date.today() - timedelta(days=back)}"
        if REVISION.search(user.client.get(path, name="finding an open check-in").text or ""):
            user.account["open_check_in"] = path  # the worksheet itself, not yet sent
            return


def rps(env: Environment, name: str, seconds: float) -> float:
    entry = env.stats.get(name, "GET")
    return entry.num_requests / seconds if entry else 0.0


# --- one database ---------------------------------------------------------------------------


def database(backend: str, folder: Path) -> tuple[str, callable]:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'load.db'}", lambda: None
    sys.path.insert(0, str(ROOT))
    from tests.conftest import create_pg_database, drop_pg_database

    url = create_pg_database()
    return url, lambda: drop_pg_database(url)


def bench(backend: str, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url, drop = database(backend, folder)
        instance = str(folder / "instance")
        manifest = folder / "manifest.json"
        try:
            started = time.perf_counter()
            subprocess.run(
                [PYTHON, str(BENCH / "load_data.py"), "seed", url, instance, str(manifest)],
                check=True,
                cwd=ROOT,
                env=server_env(url, instance),
            )
            print(
                f"\n== {backend}: seeded 50 couples (45 with a year of history) in "
                f"{time.perf_counter() - started:.0f} s"
            )
            port = free_port()
            server = start_server(url, instance, port)
            try:
                report(
                    json.loads(manifest.read_text()),
                    f"http://127.0.0.1:{port}",
                    seconds,
                    url,
                    instance,
                    folder,
                )
            finally:
                stop_server(server)
        finally:
            drop()


def report(
    manifest: dict, host: str, seconds: float, url: str, instance: str, folder: Path
) -> None:
    MANIFEST.clear()
    MANIFEST.update(json.loads(json.dumps(manifest)))
    ACKS.clear()
    env = run([Partner, Clinician], seconds, host)
    print(
        f"main run: 100 partners + 5 clinicians for {seconds:.0f} s, "
        f"{env.stats.total.num_requests / seconds:.0f} req/s, "
        f"{env.stats.total.num_failures} errors"
    )
    print(f"  {'page':<20} {'reqs':>6} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}")
    for (name, _method), entry in sorted(env.stats.entries.items()):
        print(
            f"  {name:<20} {entry.num_requests:>6} {entry.num_requests / seconds:>6.1f} "
            f"{entry.get_response_time_percentile(0.5):>6.0f} "
            f"{entry.get_response_time_percentile(0.95):>6.0f} "
            f"{entry.get_response_time_percentile(0.99):>6.0f} {entry.num_failures:>6}"
        )
    for error in list(env.stats.errors.values())[:5]:
        print(f"  error: {error.method} {error.name}: {error.error} x{error.occurrences}")
    if env.stats.total.num_failures:
        kept = Path(tempfile.gettempdir()) / f"mend-load-server-{int(time.time())}.log"
        kept.write_bytes((folder / "server.log").read_bytes())
        print(f"  (the server's log is kept in {kept})")
    acks = folder / "acks.json"
    acks.write_text(json.dumps(ACKS))
    checked = subprocess.run(
        [PYTHON, str(BENCH / "load_data.py"), "verify", url, instance, str(acks)],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=server_env(url, instance),
    )
    result = json.loads(checked.stdout.strip().splitlines()[-1])
    print(
        f"writes: {result['acknowledged']} acknowledged ({result['checked']} distinct), "
        f"lost {result['lost']}, duplicated {result['duplicates']}"
    )

    # Each page alone, 10 users without pause, against the floor and the reference page. A
    # shared machine drifts (other tenants' load comes and goes within a minute), so the
    # reference runs again after each page, and each page is compared with the reference runs
    # just before and just after it, not with one run minutes away.
    phase = max(seconds / 8, 5)
    MANIFEST.update(json.loads(json.dumps(manifest)))
    clients, clinicians = "clients", "clinicians"
    year = [c for c in manifest["clinicians"][0]["couples"] if c["history"] == 365][0]["id"]
    month = [c for c in manifest["clinicians"][0]["couples"] if c["history"] == 30][0]["id"]
    reference = ("reference", lambda a: "/__reference", "")
    pages = [
        ("floor", lambda a: "/__floor", ""),
        reference,
        ("today", lambda a: "/today", clients),
        ("check-in page", lambda a: a["open_check_in"], clients, find_open_check_in),
        ("boundaries", lambda a: "/boundaries", clients),
        ("caseload", lambda a: "/couples/", clinicians),
        ("couple page", lambda a: f"/couples/{a['couples'][0]['id']}", clinicians),
        (
            "report preview",
            lambda a: f"/couples/{a['couples'][0]['id']}/report/preview",
            clinicians,
        ),
    ]
    alone, references, around = {}, [], {}

    def measure(name: str, path_of, key: str, *prepare) -> float:
        settle(host)
        only = one_page(name, path_of, key, prepare=prepare[0] if prepare else None)
        return rps(run([only], phase, host), name, phase)

    for name, path_of, key, *prepare in pages:
        if name == "reference":
            references.append(measure(*reference))
            continue
        alone[name] = measure(name, path_of, key, *prepare)
        if name in ORDINARY:
            references.append(measure(*reference))
            around[name] = (references[-2] + references[-1]) / 2
    alone = {"floor": alone.pop("floor"), "reference": sum(references) / len(references), **alone}
    print(
        f"each page alone (10 users, no pause, {phase:.0f} s each; the reference {len(references)} "
        f"times, between pages: {', '.join(f'{r:.0f}' for r in references)} req/s):"
    )
    print(f"  {'page':<16} {'req/s':>7} {'/floor':>7} {'/reference':>10}  target")
    for name, value in alone.items():
        ratio = value / around.get(name, alone["reference"])
        if name in ORDINARY:
            met = "met" if ratio >= TARGET else "NOT met"
            verdict = f"{met} ({ratio:.3f} against {TARGET:.2f} of the reference runs either side)"
        else:
            verdict = "" if name in ("floor", "reference") else "(a report, not an ordinary page)"
        print(
            f"  {name:<16} {value:>7.0f} {value / alone['floor']:>7.2f} {ratio:>10.2f}  {verdict}"
        )

    # Pages while reports print.
    MANIFEST["clinicians"] = json.loads(json.dumps(manifest["clinicians"]))
    printing = Environment(user_classes=[Printer], host=host)
    printers = printing.create_local_runner()
    printers.start(2, spawn_rate=2)
    settle(host)
    gevent.sleep(3)  # the printers signed in and printing
    printing.stats.reset_all()
    env = run([one_page("today", lambda a: "/today", clients)], phase, host)
    printers.quit()
    pdfs = printing.stats.get("report PDF", "POST")
    print(
        f"today while 2 clinicians print without pause: {rps(env, 'today', phase):.0f} req/s "
        f"(alone {alone['today']:.0f}; {pdfs.num_requests if pdfs else 0} reports printed)"
    )

    # The dashboard's cost with a month and with a year of history.
    dash = {}
    for label, couple_id in (("1 month", month), ("1 year", year)):
        MANIFEST["clinicians"] = [json.loads(json.dumps(manifest["clinicians"][0]))] * 10
        name = f"dashboard {label}"
        settle(host)
        env = run(
            [one_page(name, lambda a, c=couple_id: f"/couples/{c}/insights?period=14", clinicians)],
            phase,
            host,
        )
        entry = env.stats.get(name, "GET")
        dash[label] = (rps(env, name, phase), entry.get_response_time_percentile(0.5))
    print(
        "dashboard (last 2 weeks): "
        + ", ".join(
            f"{label} of history {value:.0f} req/s, p50 {p50:.0f} ms"
            for label, (value, p50) in dash.items()
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not os.environ.get("PRACTICE_TEST_DATABASE_URL"):
        print(
            "PostgreSQL skipped: set PRACTICE_TEST_DATABASE_URL "
            "(e.g. postgresql://postgres@127.0.0.1:5432/test)"
        )
        backends.remove("postgresql")
    from practice.gunicorn_conf import default_workers

    print(
        f"load benchmark on {os.cpu_count()} cores: `practice serve` settings "
        f"({default_workers()} gunicorn workers), locust in one process"
    )
    for backend in backends:
        bench(backend, args.seconds)


if __name__ == "__main__":
    main()
