"""The audit trail in people's words: what someone did and where, not the app's endpoint
names (an entry keeps the endpoint; the screen says what it means)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Where the action happened, as a clinician or administrator would say it.
PLACES = {
    "auth.login": _l("the sign-in page"),
    "auth.logout": _l("signing out"),
    "auth.two_factor": _l("the two-step sign-in"),
    "auth.forgot_password": _l("the forgotten-password page"),
    "auth.accept_invitation": _l("an invitation link"),
    "auth.set_password": _l("choosing a password"),
    "twofactor.manage": _l("two-step sign-in settings"),
    "couples.dashboard": _l("the caseload"),
    "couples.new": _l("adding a couple"),
    "couples.detail": _l("a couple's page"),
    "couples.change_stage": _l("a couple's stage"),
    "couples.change_status": _l("a couple's status"),
    "couples.reinvite": _l("a partner's invitation"),
    "audit.couple": _l("a couple's audit trail"),
    "audit.practice": _l("the practice's audit trail"),
    "appointments.new": _l("booking an appointment"),
    "appointments.edit": _l("an appointment"),
    "appointments.cancel": _l("cancelling an appointment"),
    "exercises.index": _l("the exercise library"),
    "exercises.detail": _l("an exercise"),
    "exercises.edit": _l("editing an exercise"),
    "assignments.new": _l("assigning an exercise"),
    "assignments.detail": _l("an assigned exercise"),
    "responses.timeline": _l("a couple's answers"),
    "responses.detail": _l("an answer"),
    "boundaries.manage": _l("a couple's boundaries"),
    "boundaries.clinician_history": _l("a boundary's history"),
    "reports.prepare": _l("the report page"),
    "reports.preview": _l("a report preview"),
    "reports.generate": _l("printing a report"),
    "reports.download": _l("downloading a report"),
    "reports.request_status": _l("a report being printed"),
    "insights.dashboard": _l("how things are going"),
    "exports.mine_json": _l("a partner's own data (JSON)"),
    "exports.mine_pdf": _l("a partner's own data (PDF)"),
    "exports.couple_json": _l("a couple's data (JSON)"),
    "messages.couple_inbox": _l("a couple's messages"),
    "messages.couple_thread": _l("a conversation"),
    "admin.users": _l("accounts"),
    "admin.toggle_active": _l("switching an account on or off"),
    "admin.reset_two_factor": _l("resetting two-step sign-in"),
    "admin.settings": _l("practice settings"),
    "worksheets.today": _l("the Today page"),
    "worksheets.worksheet": _l("a worksheet"),
    "worksheets.answer": _l("an answer"),
    "cli": _l("a command on the server"),
}


def place(route: str | None) -> str:
    """Where an audited action happened, in words; never a bare endpoint name."""
    if not route:
        return "—"
    if route in PLACES:
        return str(PLACES[route])
    area, _, view = route.partition(".")
    return f"{area.replace('_', ' ')}: {view.replace('_', ' ')}" if view else route


# What kind of record an entry is about, in words (the trail keeps the code).
OBJECT_WORDS = {
    "appointment": _l("appointment"),
    "assignment": _l("assignment"),
    "assignment_pause": _l("assignment pause"),
    "boundary": _l("boundary"),
    "boundary_log": _l("boundary report"),
    "boundary_log_edit": _l("boundary report change"),
    "boundary_pause": _l("boundary pause"),
    "boundary_revision": _l("boundary version"),
    "calendar_feed": _l("calendar link"),
    "couple": _l("couple"),
    "measure": _l("questionnaire"),
    "message": _l("message"),
    "message_thread": _l("conversation"),
    "note_addendum": _l("note addendum"),
    "parked_draft": _l("kept draft"),
    "partner": _l("partner"),
    "plan_item": _l("plan item"),
    "report": _l("report"),
    "response": _l("answer"),
    "safety_check": _l("safety check"),
    "session_note": _l("session note"),
    "stage_change": _l("stage change"),
    "user": _l("account"),
}
