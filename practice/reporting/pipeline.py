"""The whole report: gather -> draw -> compose -> lay out -> print. No web request needed."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, tzinfo

from flask_babel import force_locale
from sqlalchemy.orm import Session

from practice.analytics.data import Period
from practice.reporting.compose import compose
from practice.reporting.draw import draw
from practice.reporting.gather import gather
from practice.reporting.layout import lay_out
from practice.reporting.printing import render


@contextlib.contextmanager
def in_language(language: str | None) -> Iterator[None]:
    """Everything inside (words, dates, numbers) in `language`; None: the current one."""
    if not language:
        yield
        return
    with force_locale(language):
        yield


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
    language: str | None = None,
) -> str:
    """The report as HTML (what the printer receives; with inline_css, the web preview), in
    `language` (None: the current request's, or English without one)."""
    with in_language(language):
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
    language: str | None = None,
) -> bytes:
    """The report as PDF bytes, printed in a render process."""
    return render(report_html(db, couple_id, period, audience, now, zone, paper, language=language))
