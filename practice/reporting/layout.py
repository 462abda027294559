"""Step 3: lay the report out as HTML with its own Jinja environment (autoescape, strict)."""

from __future__ import annotations

import re
from functools import cache

from flask_babel import get_translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from practice.numfmt import decimal, number, percent, points, signed
from practice.paths import REPORTS_DIR
from practice.reporting.data import ReportData
from practice.timefmt import reader_locale


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(REPORTS_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    # {{ _("...") }} in the print templates: the language is flask_babel's at render time (the
    # pipeline prints inside force_locale(language)); English without an app context.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda text: get_translations().ugettext(text),
        lambda singular, plural, n: get_translations().ungettext(singular, plural, n),
        newstyle=True,
    )
    # Charts are SVG the chart module built with every text escaped; nothing else is raw.
    env.filters["svg"] = Markup  # nosemgrep: mend-no-markup-filter
    # Signed changes print alike on the page and on paper (no "-0.0").
    env.filters["signed"] = signed
    env.filters["points"] = points
    env.filters["decimal"] = decimal
    env.filters["number"] = number
    env.filters["percent"] = percent
    return env


# A browser would look for the bundled fonts beside the preview's address: leave them out there.
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}\n?")


@cache
def _screen_css() -> str:
    return _FONT_FACE.sub("", (REPORTS_DIR / "print.css").read_text(encoding="utf-8"))


def lay_out(report: ReportData, paper: str = "A4", inline_css: bool = False) -> str:
    """The report's HTML; with inline_css, the print stylesheet is embedded (web preview)."""
    if paper not in ("A4", "letter"):
        raise ValueError("paper is A4 or letter")
    css = None
    if inline_css:
        css_text = _screen_css()
        # The bundled stylesheet (without its print-only fonts), ours and trusted: inside
        # <style> it must not be HTML-escaped.
        css = Markup(css_text)  # noqa: S704  # nosec B704  # nosemgrep: mend-no-markup-call
    return (
        environment()
        .get_template("report.html")
        .render(report=report, paper=paper, inline_css=css, lang=reader_locale())
    )
