"""Data for the load benchmark, run in its own process (the load generator patches sockets).

    python bench/load_data.py seed URL INSTANCE MANIFEST     50 couples, most with a year of history
    python bench/load_data.py verify URL INSTANCE ACKS        acknowledged writes vs the database

Every write the server acknowledged during the run is in ACKS (a JSON list); verify prints one
JSON line: how many were checked, lost (acknowledged but not there, or not as acknowledged) and
duplicated (more than one row where there must be one).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from practice import create_app, migrate  # noqa: E402
from practice.db import db  # noqa: E402
from practice.models import BoundaryLog, Couple, Response, utcnow  # noqa: E402
from tests.factories import (  # noqa: E402
    make_assignment,
    make_boundary,
    make_couple,
    make_template,
    make_user,
)

CLINICIANS = 5
COUPLES_PER_CLINICIAN = 10
YEAR, MONTH = 365, 30
OPEN_DAYS = 7  # the last week is left for the partners to fill in during the run
TRACKED = {
    "title": "Daily check-in",
    "stage": 3,
    "purpose": "A short daily check-in.",
    "instructions": "A minute a day.",
    "answered_by": "each",
    "visibility": "shared",
    "fields": [
        {
            "key": "answer_1",
            "label": "Anything to say?",
            "kind": "long_text",
            "required": True,
            "max_length": 500,
        },
        {
            "key": "closeness",
            "label": "Closeness",
            "kind": "scale",
            "min": 0,
            "max": 10,
            "min_label": "far",
            "max_label": "close",
            "required": True,
            "tracked": True,
        },
    ],
}


def _app(url: str, instance: str):
    return create_app(
        {
            "ENV": "development",
            "DATABASE_URL": url,
            "INSTANCE_PATH": instance,
            "LOG_LEVEL": "WARNING",
        }
    )


def seed(url: str, instance: str, manifest_path: str) -> None:
    migrate.upgrade(url)
    app = _app(url, instance)
    today = date.today()
    manifest: dict = {"clients": [], "clinicians": []}
    with app.app_context():
        session = db.session
        number = 0
        for c in range(CLINICIANS):
            clinician = make_user(session, f"clinician{c}@load.test", "clinician", f"Dr Load {c}")
            template = make_template(session, clinician, **TRACKED)
            sheet = make_template(session, clinician, title="A letter, drafted slowly")
            couples = []
            for _ in range(COUPLES_PER_CLINICIAN):
                number += 1
                history = MONTH if number % 10 == 0 else YEAR  # one in ten is new
                couple = make_couple(
                    session,
                    clinician,
                    f"Couple {number}",
                    f"c{number}i@load.test",
                    f"c{number}v@load.test",
                    stage=4,
                )
                couple.started_on = today - timedelta(days=history)
                checkin = make_assignment(session, couple, template, days_ago=history)
                letter = make_assignment(
                    session,
                    couple,
                    sheet,
                    days_ago=1,
                    schedule="once",
                    due_on=today + timedelta(days=7),
                )
                boundary = make_boundary(session, couple, days_ago=history)
                partners = {p.role: p for p in couple.partners}
                for day in range(OPEN_DAYS + 1, history):
                    on = today - timedelta(days=day)
                    for role, partner in partners.items():
                        session.add(
                            Response(
                                assignment_id=checkin.id,
                                occurrence_on=on,
                                slot=role,
                                partner_id=partner.id,
                                version_id=template.latest.id,
                                answers={"answer_1": f"day {day}, {role}", "closeness": day % 11},
                                status="submitted",
                                revision=1,
                                visibility="shared",
                                submitted_at=utcnow(),
                            )
                        )
                        session.add(
                            BoundaryLog(
                                boundary_id=boundary.id,
                                partner_id=partner.id,
                                period_start=on,
                                status="crossed" if day % 17 == 0 else "kept",
                            )
                        )
                session.commit()
                couples.append({"id": couple.id, "history": history})
                for role, partner in partners.items():
                    manifest["clients"].append(
                        {
                            "email": partner.user.email,
                            "role": role,
                            "couple": couple.id,
                            "checkin": checkin.id,
                            "letter": letter.id,
                            "boundary": boundary.id,
                            "letter_day": (today + timedelta(days=7)).isoformat(),
                        }
                    )
            manifest["clinicians"].append({"email": clinician.email, "couples": couples})
    Path(manifest_path).write_text(json.dumps(manifest))


def verify(url: str, instance: str, acks_path: str) -> None:
    acks = json.loads(Path(acks_path).read_text())
    app = _app(url, instance)
    # Per record, in the order each simulated person sent them: the last acknowledged write
    # must be there, unless a later one whose answer was lost (in flight) replaced it.
    by_key: dict[tuple, list[dict]] = {}
    for entry in acks:
        by_key.setdefault((entry["kind"], *entry["key"]), []).append(entry)
    last: dict[tuple, dict] = {}
    allowed: dict[tuple, set[str]] = {}
    for key, entries in by_key.items():
        acked = [i for i, e in enumerate(entries) if e["acked"]]
        if acked:
            last[key] = entries[acked[-1]]
            allowed[key] = {e["words"] for e in entries[acked[-1] :]}
    lost = 0
    with app.app_context():
        session = db.session
        for (kind, *key), ack in last.items():
            if kind in ("draft", "submit"):
                assignment_id, day, role = key
                row = session.scalar(
                    select(Response).where(
                        Response.assignment_id == assignment_id,
                        Response.occurrence_on == date.fromisoformat(day),
                        Response.slot == role,
                    )
                )
                ok = row is not None and row.answers.get("answer_1") in allowed[(kind, *key)]
                if kind == "submit":
                    ok = ok and row.status == "submitted"
            else:
                boundary_id, _role, day = key
                row = session.scalar(
                    select(BoundaryLog)
                    .join(BoundaryLog.partner)
                    .where(
                        BoundaryLog.boundary_id == boundary_id,
                        BoundaryLog.period_start == date.fromisoformat(day),
                    )
                    .where(BoundaryLog.partner.has(role=ack["role"]))
                )
                ok = row is not None and row.note in allowed[(kind, *key)]
            lost += not ok
        duplicates = sum(
            n - 1
            for n in Counter(
                session.execute(
                    select(Response.assignment_id, Response.occurrence_on, Response.slot)
                ).all()
            ).values()
            if n > 1
        ) + sum(
            n - 1
            for n in Counter(
                session.execute(
                    select(
                        BoundaryLog.boundary_id, BoundaryLog.partner_id, BoundaryLog.period_start
                    )
                ).all()
            ).values()
            if n > 1
        )
        couples = session.scalar(select(func.count(Couple.id)))
    print(
        json.dumps(
            {
                "checked": len(last),
                "acknowledged": sum(e["acked"] for e in acks),
                "lost": lost,
                "duplicates": duplicates,
                "couples": couples,
            }
        )
    )


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"seed": seed, "verify": verify}[command](*args)
