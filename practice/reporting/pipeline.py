"""The whole report: gather -> draw -> compose -> lay out -> print. No web request needed."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy.orm import Session

from practice.analytics.data import Period
from practice.reporting.compose import compose
from practice.reporting.draw import draw
from practice.reporting.gather import gather
from practice.reporting.layout import lay_out
from practice.reporting.printing import render


def report_html(
    db: Session,
    couple_id: int,
    period: Period,
    audience: str,
    now: datetime,
    zone: tzinfo,
    paper: str = "A4",
    inline_css: bool = False,
    include_differences: bool = False,
) -> str:
    """The report as HTML (what the printer receives; with inline_css, the web preview)."""
    gathered = gather(db, couple_id, period, audience, now, zone, include_differences)
    charts, measure_charts = draw(gathered)
    return lay_out(compose(gathered, charts, measure_charts, zone), paper, inline_css)


def report_pdf(
    db: Session,
    couple_id: int,
    period: Period,
    audience: str,
    now: datetime,
    zone: tzinfo,
    paper: str = "A4",
) -> bytes:
    """The report as PDF bytes, printed in a render process."""
    return render(report_html(db, couple_id, period, audience, now, zone, paper))
