"""The audit trail on screen: per couple for their clinician, for the whole practice for an
admin. Ids, actions and times only: the trail never holds what people wrote."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import Select, func, select

from practice.access import admin_required, clinician_required, get_couple_or_404
from practice.audit.trail import verify
from practice.audit.words import OBJECT_WORDS
from practice.db import db
from practice.i18n import lazy_gettext as _l
from practice.inputs import query_int
from practice.models import AuditEvent, User

bp = Blueprint("audit", __name__)
PER_PAGE = 100
# What a person did, in words (the trail keeps the code).
ACTION_LABELS = {
    "viewed": _l("Viewed"),
    "created": _l("Created"),
    "changed": _l("Changed"),
    "deleted": _l("Deleted"),
    "exported": _l("Exported"),
    "printed": _l("Printed"),
    "signed_in": _l("Signed in"),
    "sign_in_failed": _l("Sign-in failed"),
    "signed_out": _l("Signed out"),
    "signed_out_one": _l("Signed out a device"),
    "signed_out_all": _l("Signed out everywhere"),
    "password_changed": _l("Changed their password"),
    "password_refused": _l("Password change refused"),
    "refused": _l("Refused"),
}


def _page(query: Select) -> tuple[list[AuditEvent], int, int]:
    page = max(query_int("page", 1) or 1, 1)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    events = db.session.scalars(
        query.order_by(AuditEvent.id.desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    ).all()
    return list(events), page, max((total + PER_PAGE - 1) // PER_PAGE, 1)


def _people(events: list[AuditEvent]) -> dict[int, User]:
    ids = sorted({e.user_id for e in events if e.user_id is not None})
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@bp.get("/couples/<int:couple_id>/audit")
@clinician_required
def couple(couple_id: int):
    """Who opened or changed this couple's record, newest first."""
    found = get_couple_or_404(couple_id)
    events, page, pages = _page(select(AuditEvent).where(AuditEvent.couple_id == found.id))
    return render_template(
        "audit/couple.html",
        couple=found,
        events=events,
        people=_people(events),
        page=page,
        pages=pages,
        labels=ACTION_LABELS,
        objects=OBJECT_WORDS,
    )


def _day_arg(name: str) -> datetime | None:
    raw = request.args.get(name, "")
    try:
        return datetime.combine(datetime.strptime(raw, "%Y-%m-%d").date(), time.min, tzinfo=UTC)
    except ValueError:
        return None


@bp.get("/admin/audit")
@admin_required
def practice():
    """The practice's whole trail, filtered by day, person, action or couple."""
    query = select(AuditEvent)
    start, end = _day_arg("from"), _day_arg("to")
    if start:
        query = query.where(AuditEvent.at >= start)
    if end:
        query = query.where(AuditEvent.at < end + timedelta(days=1))
    action = request.args.get("action", "")
    if action in ACTION_LABELS:
        query = query.where(AuditEvent.action == action)
    user_id = query_int("user")
    if user_id:
        query = query.where(AuditEvent.user_id == user_id)
    couple_id = query_int("couple")
    if couple_id:
        query = query.where(AuditEvent.couple_id == couple_id)
    events, page, pages = _page(query)
    check = None
    if request.args.get("verify") == "1":
        check = verify(db.session, current_app.extensions["practice.audit_key"])
    filters = {
        k: v for k, v in request.args.items() if k in ("from", "to", "action", "user", "couple")
    }
    return render_template(
        "audit/practice.html",
        events=events,
        people=_people(events),
        page=page,
        pages=pages,
        labels=ACTION_LABELS,
        objects=OBJECT_WORDS,
        check=check,
        filters=filters,
    )
