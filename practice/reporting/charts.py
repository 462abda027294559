"""Server-rendered SVG charts, shared by the web dashboard and the PDF reports.

Plain functions from plain data to an SVG string. Both partners are told apart by line style
and marker shape as well as colour, so the charts survive greyscale printing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

from flask_babel import gettext as _
from markupsafe import Markup

from practice.numfmt import number
from practice.timefmt import format_day_month

STYLES = {
    # role: (colour, dash pattern, marker)
    "injured": ("#2f6b5e", "", "circle"),
    "involved": ("#7a4a12", "6 4", "square"),
}


@dataclass(frozen=True)
class Series:
    label: str
    role: str
    points: dict[date, float]
    rolling: dict[date, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Marker:
    day: date
    label: str
    kind: str  # stage or appointment


@dataclass(frozen=True)
class Frame:
    """A chart's drawing size and type size. Text is sized for the narrowest width the frame is
    shown at (the CSS in mend.css switches frames), so it never renders under 12 CSS px."""

    width: int
    height: int
    font: int
    x_labels: int  # about how many dates along the bottom
    legend_rows: bool  # one legend entry per row (narrow) or all on one row


WIDE = Frame(680, 230, 12, 6, False)  # shown from 48rem up (>= ~690 px drawn, so >= 12 px)
NARROW = Frame(330, 270, 16, 3, True)  # shown under 48rem (>= ~250 px drawn at 320 px)

# Score bands shaded light (least concerning) to dark (most): one ordered scale that reads
# the same in greyscale; the band names are listed under the chart, never over the lines.
BAND_SHADES = ("#f7f5f1", "#eeeae3", "#e5e0d7", "#dcd5ca", "#d3cbbe", "#cac1b2")


def band_shade(rank: int, count: int) -> str:
    """The shade for a band of `rank` (0 least concerning) among `count` bands."""
    if count <= 1:
        return BAND_SHADES[0]
    index = round(rank * (len(BAND_SHADES) - 1) / (count - 1))
    return BAND_SHADES[max(0, min(index, len(BAND_SHADES) - 1))]


def _text_width(text: str, font: int) -> float:
    """A generous estimate of a label's drawn width (system sans-serif averages ~0.55 em)."""
    return len(text) * font * 0.6


def line_chart(
    title: str,
    series: list[Series],
    start: date,
    end: date,
    markers: list[Marker] | None = None,
    *,
    y_min: float = 0,
    y_max: float = 10,
    width: int | None = None,
    height: int | None = None,
    bands: list[tuple] | None = None,
    highlight: dict[str, set[date]] | None = None,
    frame: Frame = WIDE,
) -> Markup:
    """Daily points and a rolling-mean line per partner over [start, end), with markers.

    `bands` are (low, high, label) or (low, high, label, rank) with rank 0 least concerning;
    they are shaded here and named in band_key(), outside the drawing."""
    width = width or frame.width
    height = height or frame.height
    font = frame.font
    legend_h = (font + 6) * (len(series) if frame.legend_rows else 1)
    left, right, top = round(font * 2.4), round(font * 0.8), round(font * 1.4)
    bottom = round(font * 2.2) + legend_h
    plot_w, plot_h = width - left - right, height - top - bottom
    days = max((end - start).days, 1)

    def x(day: date) -> float:
        return left + (day - start).days / max(days - 1, 1) * plot_w

    def y(value: float) -> float:
        return top + (y_max - value) / (y_max - y_min) * plot_h

    def text_x(centre: float, text: str) -> float:
        """A label's centre, moved in so the whole label stays inside the drawing."""
        half = _text_width(text, font) / 2
        return min(max(centre, left - 2 + half), width - half - 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart" '
        f'font-family="system-ui, sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for index, band in enumerate(bands or []):
        low, high = band[0], band[1]
        rank = band[3] if len(band) > 3 else index
        parts.append(
            f'<rect x="{left}" y="{y(high):.1f}" width="{plot_w}" height="{y(low) - y(high):.1f}"'
            f' fill="{band_shade(rank, len(bands))}"><title>{escape(band[2])}</title></rect>'
        )
    span = y_max - y_min
    step_y = 2 if span <= 12 else 5 if span <= 30 else 20
    if frame.legend_rows and span <= 12:
        step_y = 5 if span == 10 else step_y
    for tick in range(int(y_min), int(y_max) + 1, step_y):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#e3ded6" stroke-width="1"/>'
            f'<text x="{left - 5}" y="{y(tick) + font * 0.35:.1f}" font-size="{font}" '
            f'text-anchor="end" fill="#56646c">{tick}</text>'
        )
    step = max(1, -(-days // frame.x_labels)) if days > frame.x_labels else 1
    label_days = list(range(0, days, step))
    if days - 1 - label_days[-1] >= step * 0.6:
        label_days.append(days - 1)  # the period's last day, when it is not crowded
    for i in label_days:
        day = start + timedelta(days=i)
        label = escape(format_day_month(day))
        parts.append(
            f'<text x="{text_x(x(day), label):.1f}" y="{top + plot_h + font * 1.4:.1f}" '
            f'font-size="{font}" text-anchor="middle" fill="#56646c">{label}</text>'
        )
    for marker in markers or []:
        if not start <= marker.day < end:
            continue
        dash = "2 3" if marker.kind == "appointment" else "none"
        colour = "#8a8f94" if marker.kind == "appointment" else "#1b4fa0"
        mx = x(marker.day)
        parts.append(
            f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{top}" '
            f'y2="{top + plot_h}" stroke="{colour}" stroke-width="1" stroke-dasharray="{dash}">'
            f"<title>{escape(marker.label)}</title></line>"
        )
        if marker.kind == "stage":
            # Above the plot, so it never sits on a line; kept inside the drawing.
            label_w = _text_width(marker.label, font)
            anchor_x = mx + 3 if mx + 3 + label_w <= width else mx - 3 - label_w
            parts.append(
                f'<text x="{max(anchor_x, 1):.1f}" y="{top - font * 0.35:.1f}" '
                f'font-size="{font}" fill="{colour}">{escape(marker.label)}</text>'
            )
    reliable = _("Reliable change from the first")
    for item in series:
        colour, dash, shape = STYLES.get(item.role, ("#333", "", "circle"))
        rolling = sorted((d, v) for d, v in item.rolling.items() if start <= d < end)
        if len(rolling) > 1:
            path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in rolling)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.2" '
                f'stroke-dasharray="{dash or "none"}"/>'
            )
        ringed = (highlight or {}).get(item.role, set())
        for day, value in sorted(item.points.items()):
            if not start <= day < end:
                continue
            cx, cy = x(day), y(value)
            if day in ringed:
                parts.append(
                    f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="none" stroke="#1f2a30" '
                    f'stroke-width="1.5"><title>{escape(reliable)}</title></circle>'
                )
            tip = "<title>{}</title>".format(
                escape(
                    _(
                        "%(name)s, %(day)s: %(value)s",
                        name=item.label,
                        day=format_day_month(day),
                        value=number(value),
                    )
                )
            )
            if shape == "square":
                parts.append(
                    f'<rect x="{cx - 2.5:.1f}" y="{cy - 2.5:.1f}" width="5" height="5" '
                    f'fill="{colour}" fill-opacity="0.55">{tip}</rect>'
                )
            else:
                parts.append(
                    f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.7" fill="{colour}" '
                    f'fill-opacity="0.55">{tip}</circle>'
                )
    legend_x, ly = left, height - legend_h + font
    for item in series:
        colour, dash, shape = STYLES.get(item.role, ("#333", "", "circle"))
        if frame.legend_rows:
            legend_x = 2
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 22}" y1="{ly - font * 0.35:.1f}" '
            f'y2="{ly - font * 0.35:.1f}" '
            f'stroke="{colour}" stroke-width="2.2" stroke-dasharray="{dash or "none"}"/>'
            f'<text x="{legend_x + 27}" y="{ly:.1f}" font-size="{font}" fill="#1f2a30">'
            f"{escape(item.label)}</text>"
        )
        if frame.legend_rows:
            ly += font + 6
        else:
            legend_x += 27 + _text_width(item.label, font) + 16
    parts.append("</svg>")
    # The vetted exception to "no Markup": every text inside is escaped above.
    return Markup("".join(parts))  # noqa: S704  # nosec B704  # nosemgrep: mend-no-markup-call


def band_key(bands: list[tuple]) -> Markup:
    """The score bands' names with their shades and score ranges, light (least concerning) to
    dark, as an HTML list under a chart."""
    items = []
    ranked = sorted(enumerate(bands), key=lambda pair: pair[1][3] if len(pair[1]) > 3 else pair[0])
    for index, band in ranked:
        rank = band[3] if len(band) > 3 else index
        shade = band_shade(rank, len(bands))
        items.append(
            '<li><svg width="14" height="14" aria-hidden="true" focusable="false">'
            f'<rect width="14" height="14" fill="{shade}" stroke="#8d9aa1"/></svg> '
            f'{escape(str(band[2]))} <span class="muted">({band[0] + 0.5 if index else band[0]:g}'
            f"&#8211;{band[1] if index + 1 == len(bands) else band[1] - 0.5:g})</span></li>"
        )
    # The vetted exception to "no Markup": every text inside is escaped above.
    return Markup(  # noqa: S704  # nosec B704  # nosemgrep: mend-no-markup-call
        '<ul class="band-key">' + "".join(items) + "</ul>"
    )


def responsive_chart(*args, **kwargs) -> Markup:
    """The same chart drawn for a phone and for a wider screen; mend.css shows the one that
    fits, so its text stays at least 12 CSS px wherever it is read."""
    narrow = line_chart(*args, frame=NARROW, **kwargs)
    wide = line_chart(*args, frame=WIDE, **kwargs)
    # The vetted exception to "no Markup": both drawings are escaped Markup from line_chart.
    return Markup(  # noqa: S704  # nosec B704  # nosemgrep: mend-no-markup-call
        f'<div class="chart-narrow">{narrow}</div><div class="chart-wide">{wide}</div>'
    )
