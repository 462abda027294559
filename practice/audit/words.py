"""The audit trail in people's words: what someone did and where, not the app's endpoint
names (an entry keeps the endpoint; the screen says what it means)."""

from __future__ import annotations

# Where the action happened, as a clinician or administrator would say it.
PLACES = {
    "auth.login": "the sign-in page",
    "auth.logout": "signing out",
    "auth.two_factor": "the two-step sign-in",
    "auth.forgot_password": "the forgotten-password page",
    "auth.accept_invitation": "an invitation link",
    "auth.set_password": "choosing a password",
    "twofactor.manage": "two-step sign-in settings",
    "couples.dashboard": "the caseload",
    "couples.new": "adding a couple",
    "couples.detail": "a couple's page",
    "couples.change_stage": "a couple's stage",
    "couples.change_status": "a couple's status",
    "couples.reinvite": "a partner's invitation",
    "audit.couple": "a couple's audit trail",
    "audit.practice": "the practice's audit trail",
    "appointments.new": "booking an appointment",
    "appointments.edit": "an appointment",
    "appointments.cancel": "cancelling an appointment",
    "exercises.index": "the exercise library",
    "exercises.detail": "an exercise",
    "exercises.edit": "editing an exercise",
    "assignments.new": "assigning an exercise",
    "assignments.detail": "an assigned exercise",
    "responses.timeline": "a couple's answers",
    "responses.detail": "an answer",
    "boundaries.manage": "a couple's boundaries",
    "boundaries.clinician_history": "a boundary's history",
    "reports.prepare": "the report page",
    "reports.preview": "a report preview",
    "reports.generate": "printing a report",
    "reports.download": "downloading a report",
    "reports.request_status": "a report being printed",
    "insights.dashboard": "how things are going",
    "exports.mine_json": "a partner's own data (JSON)",
    "exports.mine_pdf": "a partner's own data (PDF)",
    "exports.couple_json": "a couple's data (JSON)",
    "messages.couple_inbox": "a couple's messages",
    "messages.couple_thread": "a conversation",
    "admin.users": "accounts",
    "admin.toggle_active": "switching an account on or off",
    "admin.reset_two_factor": "resetting two-step sign-in",
    "admin.settings": "practice settings",
    "worksheets.today": "the Today page",
    "worksheets.worksheet": "a worksheet",
    "worksheets.answer": "an answer",
    "cli": "a command on the server",
}


def place(route: str | None) -> str:
    """Where an audited action happened, in words; never a bare endpoint name."""
    if not route:
        return "—"
    if route in PLACES:
        return PLACES[route]
    area, _, view = route.partition(".")
    return f"{area.replace('_', ' ')}: {view.replace('_', ' ')}" if view else route
