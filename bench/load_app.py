"""The app as the load benchmark serves it: Mend, plus a framework floor and a reference page.

/__floor returns a constant (what the server and framework cost alone); /__reference runs three
queries and renders a template (what an ordinary page cannot do much better than).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import render_template  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from practice import create_app  # noqa: E402
from practice.db import db  # noqa: E402
from practice.models import Couple, ExerciseTemplate, User  # noqa: E402

app = create_app()


@app.get("/__floor")
def floor() -> str:
    return "ok"


@app.get("/__reference")
def reference() -> str:
    counts = [db.session.scalar(select(func.count(m.id))) for m in (User, Couple, ExerciseTemplate)]
    return render_template("errors/error.html", code=200, title="Reference", message=str(counts))


if __name__ == "__main__":
    # What `practice serve` runs (its gunicorn settings), serving this app on the given port.
    from practice.serve import MendServer

    MendServer(app, {"bind": [f"127.0.0.1:{sys.argv[1]}"]}).run()
