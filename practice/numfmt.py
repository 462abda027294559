"""Numbers as a reader reads them: in their language (Babel), and signed changes without "-0.0".

"-0.0" reads as a fall and "+0" as a rise; a change that prints as zero is "0.0" (or "±0 pts").
Every place that prints a signed change goes through here (web pages, the report, flags).
Rounding is Python's own (the exact value, half to even), so English reads exactly as
f"{value:.1f}" does; other languages get their own decimal sign ("1,2") and percent ("62 %").
"""

from __future__ import annotations

from decimal import Decimal

from babel import Locale
from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import ngettext

from practice.timefmt import reader_locale

NONE = "–"


def _pattern(places: int) -> str:
    return "0." + "0" * places if places > 0 else "0"


def decimal(value: float | None, places: int = 1) -> str:
    """'4.2' ('4,2' in Spanish); '–' for None."""
    if value is None:
        return NONE
    # Decimal(float) is the float's exact value: Babel then rounds as f"{value:.1f}" does.
    return format_decimal(Decimal(value), _pattern(places), locale=reader_locale())


def number(value: float | int) -> str:
    """A plain number as few digits as it needs: '7', '2.5' ('2,5'); as f"{value:g}" reads."""
    return format_decimal(Decimal(f"{value:g}"), "0.##########", locale=reader_locale())


def percent(rate: float | None, empty: str | None = None) -> str:
    """A share as a whole percentage: '62%' ('62 %' in Spanish); `empty` (or '–') for None."""
    if rate is None:
        return NONE if empty is None else empty
    locale = reader_locale()
    # Scaled as Python's "%" format does (float x 100, then rounded), then set in the
    # language's percent layout ("#,##0%", "#,##0 %").
    whole = format_decimal(Decimal(rate * 100), "0", locale=locale)
    layout = Locale.parse(locale).percent_formats[None].pattern
    return layout.replace("#,##0", whole, 1) if "#,##0" in layout else f"{whole}%"


def signed(value: float | None, places: int = 1) -> str:
    """'+1.2', '-0.4', '0.0' (never '-0.0' or '+0.0'); '–' for None."""
    if value is None:
        return NONE
    text = f"{value:+.{places}f}"
    if float(text) == 0:
        # Rounds to zero: no sign, it is neither a rise nor a fall.
        return format_decimal(Decimal(0), _pattern(places), locale=reader_locale())
    body = _pattern(places)
    return format_decimal(Decimal(value), f"+{body};-{body}", locale=reader_locale())


def points(change: float | None) -> str:
    """A change between two rates (fractions) in percentage points: '+12 pts', '±0 pts'."""
    if change is None:
        return NONE
    text = signed(change * 100, 0)
    if text == "0":
        return _("±0 pts")
    return _("%(change)s pts", change=text)


def day_count(days: int) -> str:
    """'1 day', '13 days'."""
    return ngettext("%(num)d day", "%(num)d days", days)
