"""Server-rendered SVG charts, shared by the web dashboard and the PDF reports.

Plain functions from plain data to an SVG string. Both partners are told apart by line style
and marker shape as well as colour, so the charts survive greyscale printing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

from markupsafe import Markup

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


def line_chart(
    title: str,
    series: list[Series],
    start: date,
    end: date,
    markers: list[Marker] | None = None,
    *,
    y_min: float = 0,
    y_max: float = 10,
    width: int = 640,
    height: int = 220,
    bands: list[tuple[float, float, str]] | None = None,
    highlight: dict[str, set[date]] | None = None,
) -> Markup:
    """Daily points and a rolling-mean line per partner over [start, end), with markers."""
    left, right, top, bottom = 34, 12, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    days = max((end - start).days, 1)

    def x(day: date) -> float:
        return left + (day - start).days / max(days - 1, 1) * plot_w

    def y(value: float) -> float:
        return top + (y_max - value) / (y_max - y_min) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for low, high, label in bands or []:
        # Shaded score bands (alternating greys survive greyscale printing), labelled inside.
        shade = "#f1eee8" if bands.index((low, high, label)) % 2 == 0 else "#e6efe9"
        parts.append(
            f'<rect x="{left}" y="{y(high):.1f}" width="{plot_w}" height="{y(low) - y(high):.1f}"'
            f' fill="{shade}"/><text x="{width - right - 4}" y="{y(high) + 10:.1f}" '
            f'font-size="9" text-anchor="end" fill="#56646c">{escape(label)}</text>'
        )
    step_y = 2 if y_max - y_min <= 12 else 5 if y_max - y_min <= 30 else 20
    for tick in range(int(y_min), int(y_max) + 1, step_y):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#e3ded6" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="#56646c">{tick}</text>'
        )
    step = max(1, days // 6)
    for i in range(0, days, step):
        day = start + timedelta(days=i)
        parts.append(
            f'<text x="{x(day):.1f}" y="{height - 14}" font-size="10" text-anchor="middle" '
            f'fill="#56646c">{day.day} {day:%b}</text>'
        )
    for marker in markers or []:
        if not start <= marker.day < end:
            continue
        dash = "2 3" if marker.kind == "appointment" else "none"
        colour = "#8a8f94" if marker.kind == "appointment" else "#1b4fa0"
        parts.append(
            f'<line x1="{x(marker.day):.1f}" x2="{x(marker.day):.1f}" y1="{top}" '
            f'y2="{top + plot_h}" stroke="{colour}" stroke-width="1" stroke-dasharray="{dash}">'
            f"<title>{escape(marker.label)}</title></line>"
        )
        if marker.kind == "stage":
            parts.append(
                f'<text x="{x(marker.day) + 3:.1f}" y="{top + 10}" font-size="10" '
                f'fill="{colour}">{escape(marker.label)}</text>'
            )
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
                    'stroke-width="1.5"><title>Reliable change from the first</title></circle>'
                )
            tip = f"<title>{escape(item.label)}, {day.day} {day:%b}: {value:g}</title>"
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
    legend_x = left
    for item in series:
        colour, dash, shape = STYLES.get(item.role, ("#333", "", "circle"))
        ly = height - 2
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 22}" y1="{ly - 4}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="2.2" stroke-dasharray="{dash or "none"}"/>'
            f'<text x="{legend_x + 27}" y="{ly}" font-size="10" fill="#1f2a30">'
            f"{escape(item.label)}</text>"
        )
        legend_x += 28 + 7 * len(item.label) + 16
    parts.append("</svg>")
    # The vetted exception to "no Markup": every text inside is escaped above.
    return Markup("".join(parts))  # noqa: S704  # nosec B704  # nosemgrep: mend-no-markup-call
