"""Step 3: lay the report out as HTML with its own Jinja environment (autoescape, strict)."""

from __future__ import annotations

import re
from functools import cache

from flask_babel import get_translations
from flask_babel import gettext as _
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
    env.globals["page_margins_css"] = page_margins_css
    env.globals["current_language"] = reader_locale
    return env


def css_string(text: str) -> str:
    """A CSS string literal of plain text: quotes, backslashes, angle brackets and control
    characters escaped, so nothing in it can end the string or the <style> element."""
    out = []
    for char in str(text):
        if char.isalnum() or char in " .,:;!?'()-–·/":
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return '"' + "".join(out) + '"'


_COUNTER = re.compile("\x00(pages?)\x00")


def page_margins_css() -> Markup:
    """The printed pages' running words ("Confidential", "Page 1 of 3") in the language the
    report prints in, as an @page rule (print.css holds the English; this one follows it)."""
    footer = _("Page %(page)s of %(pages)s", page="\x00page\x00", pages="\x00pages\x00")
    parts = []
    for index, part in enumerate(_COUNTER.split(footer)):
        if index % 2:
            parts.append(f"counter({part})")
        elif part:
            parts.append(css_string(part))
    confidential = css_string(_("Confidential"))
    rule = (
        f"@page {{ @top-right {{ content: {confidential}; }} "
        f"@bottom-right {{ content: {' '.join(parts)}; }} }}"
    )
    # Every word in it went through css_string: safe inside <style>.
    return Markup(rule)  # noqa: S704  # nosec B704  # nosemgrep: mend-no-markup-call


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
