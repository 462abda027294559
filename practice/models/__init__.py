"""All mapped classes, imported so that Base.metadata knows every table."""

from practice.models.appointment import Appointment
from practice.models.audit import AuditEvent
from practice.models.boundary import (
    Boundary,
    BoundaryLog,
    BoundaryLogEdit,
    BoundaryPause,
    BoundaryRevision,
)
from practice.models.calendar import TITLE_STYLES, CalendarFeed, SchedulerRun
from practice.models.couple import COUPLE_STATUSES, PARTNER_ROLES, Couple, Partner, StageChange
from practice.models.exercise import (
    Assignment,
    AssignmentPause,
    ExerciseTemplate,
    ParkedDraft,
    Response,
    StagePlanItem,
    TemplateVersion,
)
from practice.models.measure import (
    DigestedFlag,
    MeasureScore,
    PracticeThreshold,
    ReminderLog,
    SafetyCheck,
)
from practice.models.message import THREADS, Message, MessageRead
from practice.models.note import NoteAddendum, PlanItem, SessionNote
from practice.models.report import PreparedReport, Report, ReportRequest
from practice.models.types import UTCDateTime, utcnow
from practice.models.user import (
    ROLES,
    AccountToken,
    PracticeSettings,
    RecoveryCode,
    User,
    UserSession,
)

__all__ = [
    "NoteAddendum",
    "PlanItem",
    "SessionNote",
    "PracticeThreshold",
    "TITLE_STYLES",
    "CalendarFeed",
    "SchedulerRun",
    "PreparedReport",
    "THREADS",
    "Message",
    "MessageRead",
    "AuditEvent",
    "DigestedFlag",
    "Report",
    "ReportRequest",
    "MeasureScore",
    "ReminderLog",
    "SafetyCheck",
    "Boundary",
    "BoundaryLog",
    "BoundaryLogEdit",
    "BoundaryPause",
    "BoundaryRevision",
    "Assignment",
    "AssignmentPause",
    "ExerciseTemplate",
    "ParkedDraft",
    "Response",
    "StagePlanItem",
    "TemplateVersion",
    "COUPLE_STATUSES",
    "PARTNER_ROLES",
    "ROLES",
    "AccountToken",
    "PracticeSettings",
    "RecoveryCode",
    "Appointment",
    "Couple",
    "Partner",
    "StageChange",
    "UTCDateTime",
    "User",
    "UserSession",
    "utcnow",
]
