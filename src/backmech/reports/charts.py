"""Server-side SVG charts for the Progress page and the reports: pure functions from numbers to markup.

Why on the server: no chart library, no script (the CSP allows none inline), the
same picture with JavaScript off, and easy to test. Why here, in ``reports``: the
web pages and the printed reports (HTML and PDF) draw the same charts, and the
reports may not import the web layer; ``backmech.web.charts`` re-exports this module.

Colours come from CSS classes (``web/static/patient.css`` on the web,
``reports/templates/report.css`` in the reports); series also differ by marker
shape and line dash, so the chart reads without colour. Every chart has
``<title>``/``<desc>`` and the page shows the same numbers as a table.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 520, 300
LEFT, RIGHT, TOP, BOTTOM = 40, 14, 44, 36
MARKERS = ("circle", "square", "diamond")


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    points: Sequence[tuple[dt.date, float]]


@dataclass(frozen=True, slots=True)
class Band:
    """A shaded horizontal band, e.g. 'a change smaller than the minimal important change'."""

    low: float
    high: float
    label: str


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _head(
    chart_id: str, title: str, desc: str, height: int = HEIGHT, width: int = WIDTH, style: str = ""
) -> list[str]:
    cid = escape(chart_id)
    parts = [
        f'<svg class="chart" id="{cid}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]
    if style:
        # A PDF renderer (WeasyPrint) styles an inline SVG only from the SVG's own <style>,
        # not from the page's stylesheets, so a printed chart carries its classes with it.
        parts.append(f"<style>{escape(style)}</style>")
    return parts


def _marker(shape: str, x: float, y: float, css: str) -> str:
    if shape == "square":
        return f'<rect class="{css}" x="{_num(x - 4)}" y="{_num(y - 4)}" width="8" height="8"/>'
    if shape == "diamond":
        return (
            f'<polygon class="{css}" points="{_num(x)},{_num(y - 5)} {_num(x + 5)},{_num(y)} '
            f'{_num(x)},{_num(y + 5)} {_num(x - 5)},{_num(y)}"/>'
        )
    return f'<circle class="{css}" cx="{_num(x)}" cy="{_num(y)}" r="4.5"/>'


def _ticks(y_min: float, y_max: float) -> list[float]:
    span = y_max - y_min
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50) if span / s <= 6), span / 5 or 1)
    ticks, value = [], y_min
    while value <= y_max + 1e-9:
        ticks.append(value)
        value += step
    return ticks


def line_chart(
    chart_id: str,
    title: str,
    desc: str,
    series: Sequence[Series],
    *,
    y_min: float = 0,
    y_max: float = 10,
    y_label: str = "",
    band: Band | None = None,
    style: str = "",
) -> Markup:
    """A line chart of dated values (one or more series), y from ``y_min`` to ``y_max``.

    ``style`` (CSS) is embedded in the SVG for renderers that do not apply the page's
    stylesheets to inline SVG (the PDF reports); the web pages leave it empty.
    """
    parts = _head(chart_id, title, desc, style=style)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    dates = sorted({day for s in series for day, _ in s.points})

    def y_of(value: float) -> float:
        clamped = min(max(value, y_min), y_max)
        return TOP + plot_h - (clamped - y_min) / ((y_max - y_min) or 1) * plot_h

    def x_of(day: dt.date) -> float:
        if len(dates) < 2:
            return LEFT + plot_w / 2
        return LEFT + (day - dates[0]).days / ((dates[-1] - dates[0]).days or 1) * plot_w

    if band is not None:
        top, bottom = y_of(max(band.low, band.high)), y_of(min(band.low, band.high))
        parts.append(
            f'<rect class="chart-band" x="{LEFT}" y="{_num(top)}" width="{plot_w}" '
            f'height="{_num(max(bottom - top, 1))}"><title>{escape(band.label)}</title></rect>'
        )
    for tick in _ticks(y_min, y_max):
        y = y_of(tick)
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_num(y)}" y2="{_num(y)}"/>'
        )
        parts.append(
            f'<text class="chart-tick" x="{LEFT - 6}" y="{_num(y + 4)}" text-anchor="end">{_num(tick)}</text>'
        )
    if y_label:
        parts.append(
            f'<text class="chart-axis" x="{WIDTH - RIGHT}" y="{TOP - 8}" text-anchor="end">'
            f"{escape(y_label)}</text>"
        )
    if not dates:
        parts.append(
            f'<text class="chart-empty" x="{WIDTH / 2}" y="{TOP + plot_h / 2}" text-anchor="middle">'
            "Nothing recorded yet</text>"
        )
    else:
        shown = dates if len(dates) <= 3 else [dates[0], dates[len(dates) // 2], dates[-1]]
        for day in shown:
            anchor = "middle" if len(dates) < 2 else {dates[0]: "start", dates[-1]: "end"}.get(day, "middle")
            parts.append(
                f'<text class="chart-tick" x="{_num(x_of(day))}" y="{HEIGHT - BOTTOM + 24}" '
                f'text-anchor="{anchor}">{day.strftime("%d %b")}</text>'
            )
    legend_x = LEFT
    for index, line in enumerate(series):
        css = f"series series-{index}"
        shape = MARKERS[index % len(MARKERS)]
        points = sorted(line.points)
        if len(points) > 1:
            path = " ".join(f"{_num(x_of(d))},{_num(y_of(v))}" for d, v in points)
            parts.append(f'<polyline class="{css} chart-line" points="{path}"/>')
        for day, value in points:
            marker = _marker(shape, x_of(day), y_of(value), f"{css} chart-point")
            label = f"{escape(line.label)}, {day.strftime('%d %b %Y')}: {_num(value)}"
            parts.append(f"<g>{marker}<title>{label}</title></g>")
        parts.append(_marker(shape, legend_x + 6, 14, f"{css} chart-point"))
        parts.append(f'<text class="chart-legend" x="{legend_x + 16}" y="19">{escape(line.label)}</text>')
        legend_x += 30 + 9 * len(line.label)
    parts.append("</svg>")
    return Markup("\n".join(parts))


def calendar_chart(
    chart_id: str,
    title: str,
    done: Iterable[dt.date],
    end: dt.date,
    weeks: int = 6,
    *,
    style: str = "",
) -> Markup:
    """Weeks (rows, Monday first) ending with ``end``'s week; days with a session are filled and ticked.

    ``style`` as for :func:`line_chart`.
    """
    days_done = set(done)
    cell, gap, left, top = 50, 5, 60, 26
    height = top + weeks * (cell + gap) + 4
    width = left + 7 * (cell + gap)
    first_monday = end - dt.timedelta(days=end.weekday()) - dt.timedelta(weeks=weeks - 1)
    count = sum(1 for d in days_done if first_monday <= d <= end)
    desc = f"{count} of the days from {first_monday:%d %b} to {end:%d %b %Y} had a logged session."
    parts = _head(chart_id, title, desc, height, width, style)
    for column, name in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")):
        x = left + column * (cell + gap) + cell / 2
        parts.append(
            f'<text class="chart-tick" x="{_num(x)}" y="{top - 10}" text-anchor="middle">{name}</text>'
        )
    for row in range(weeks):
        monday = first_monday + dt.timedelta(weeks=row)
        y = top + row * (cell + gap)
        parts.append(f'<text class="chart-tick" x="0" y="{y + cell / 2 + 5}">{monday:%d %b}</text>')
        for column in range(7):
            day = monday + dt.timedelta(days=column)
            x = left + column * (cell + gap)
            state = "future" if day > end else ("done" if day in days_done else "empty")
            said = {"future": "not yet", "done": "session logged", "empty": "no session"}[state]
            parts.append(
                f'<g><rect class="cal-day cal-{state}" x="{x}" y="{y}" '
                f'width="{cell}" height="{cell}" rx="8"/>'
                f"<title>{day:%a %d %b}: {said}</title>"
            )
            parts.append(f'<text class="cal-date" x="{x + 6}" y="{y + 16}">{day.day}</text>')
            if state == "done":
                cx, cy = x + cell / 2, y + cell / 2 + 6
                parts.append(f'<path class="cal-tick" d="M{_num(cx - 11)} {_num(cy)} l8 8 l14 -16"/>')
            parts.append("</g>")
    parts.append("</svg>")
    return Markup("\n".join(parts))


PALETTE = (
    ("#0b5cad", ""),
    ("#b3261e", "7 4"),
    ("#1d6b3a", "2 3"),
    ("#6a3d9a", "10 3 2 3"),
    ("#8a5a00", "4 4"),
    ("#00707a", "1 5"),
)
"""Line colour and dash of series 0-5 as presentation attributes (the stylesheets style 0-2 alike),
so six lines differ by colour, dash and marker without new CSS."""


def _series_look(index: int) -> tuple[str, str, str]:
    colour, dash = PALETTE[index % len(PALETTE)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return colour, dash_attr, MARKERS[index % len(MARKERS)]


def step_chart(
    chart_id: str,
    title: str,
    desc: str,
    series: Sequence[Series],
    *,
    y_label: str = "",
    style: str = "",
) -> Markup:
    """Dated levels drawn as steps (a level holds until the day it changes), one line per series.

    Up to six series differ by colour, dash and marker (circle, square, diamond, then the
    same shapes hollow). The y range covers the values with whole numbers. ``style`` as
    for :func:`line_chart`.
    """
    height = HEIGHT + 20 * max(0, len(series) - 1)  # one legend row per series
    top = TOP + 20 * max(0, len(series) - 1)
    parts = _head(chart_id, title, desc, height, style=style)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    dates = sorted({day for s in series for day, _ in s.points})
    values = [v for s in series for _, v in s.points] or [0.0]
    y_min, y_max = float(min(0, int(min(values) // 1))), float(max(1, -int(-max(values) // 1)))

    def y_of(value: float) -> float:
        return top + plot_h - (value - y_min) / ((y_max - y_min) or 1) * plot_h

    def x_of(day: dt.date) -> float:
        if len(dates) < 2:
            return LEFT + plot_w / 2
        return LEFT + (day - dates[0]).days / ((dates[-1] - dates[0]).days or 1) * plot_w

    for tick in _ticks(y_min, y_max):
        y = y_of(tick)
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_num(y)}" y2="{_num(y)}"/>'
        )
        parts.append(
            f'<text class="chart-tick" x="{LEFT - 6}" y="{_num(y + 4)}" text-anchor="end">{_num(tick)}</text>'
        )
    if y_label:
        parts.append(
            f'<text class="chart-axis" x="{WIDTH - RIGHT}" y="{top - 8}" text-anchor="end">'
            f"{escape(y_label)}</text>"
        )
    if not dates:
        parts.append(
            f'<text class="chart-empty" x="{WIDTH / 2}" y="{top + plot_h / 2}" text-anchor="middle">'
            "Nothing recorded yet</text>"
        )
    else:
        # The first and last day, and the day halfway between them in time (logged days bunch up).
        middle = dates[0] + (dates[-1] - dates[0]) / 2
        shown = sorted({dates[0], dates[-1]} | ({middle} if (dates[-1] - dates[0]).days >= 6 else set()))
        for day in shown:
            anchor = "middle" if len(dates) < 2 else {dates[0]: "start", dates[-1]: "end"}.get(day, "middle")
            parts.append(
                f'<text class="chart-tick" x="{_num(x_of(day))}" y="{height - BOTTOM + 24}" '
                f'text-anchor="{anchor}">{day.strftime("%d %b")}</text>'
            )
    for index, line in enumerate(series):
        css = f"series series-{index}"
        colour, dash, shape = _series_look(index)
        fill = colour if index < len(MARKERS) else "#ffffff"
        look = f' stroke="{colour}" fill="{fill}" stroke-width="2"'
        points = list(line.points)  # in order; a day may hold a start and a change
        if len(points) > 1:
            path = [f"{_num(x_of(points[0][0]))},{_num(y_of(points[0][1]))}"]
            for (_, before), (day, value) in itertools.pairwise(points):
                path.append(f"{_num(x_of(day))},{_num(y_of(before))}")
                path.append(f"{_num(x_of(day))},{_num(y_of(value))}")
            parts.append(
                f'<polyline class="{css} chart-line" points="{" ".join(path)}" '
                f'stroke="{colour}" fill="none"{dash}/>'
            )
        for day, value in points:
            marker = _marker(shape, x_of(day), y_of(value), f"{css} chart-point").replace(
                "/>", f"{look}/>", 1
            )
            label = f"{escape(line.label)}, {day.strftime('%d %b %Y')}: {_num(value)}"
            parts.append(f"<g>{marker}<title>{label}</title></g>")
        legend_x, legend_y = LEFT, 14 + 20 * index
        parts.append(
            f'<line class="{css} chart-line" x1="{legend_x}" x2="{legend_x + 22}" y1="{legend_y}" '
            f'y2="{legend_y}" stroke="{colour}"{dash}/>'
        )
        legend_marker = _marker(shape, legend_x + 11, legend_y, f"{css} chart-point")
        parts.append(legend_marker.replace("/>", f"{look}/>", 1))
        parts.append(
            f'<text class="chart-legend" x="{legend_x + 30}" y="{legend_y + 5}">{escape(line.label)}</text>'
        )
    parts.append("</svg>")
    return Markup("\n".join(parts))


@dataclass(frozen=True, slots=True)
class BeforeAfter:
    """One metric's first and latest value, with an optional shaded normal range."""

    label: str
    unit: str
    first: float
    latest: float
    normal: Band | None = None


def _span(row: BeforeAfter) -> tuple[float, float]:
    values = [row.first, row.latest]
    if row.normal is not None:
        values += [row.normal.low, row.normal.high]
    low, high = min(values), max(values)
    pad = max((high - low) * 0.15, 1.0)
    low = 0.0 if low >= 0 and low - pad < 0 else low - pad
    return float(int(low // 1)), float(-int(-(high + pad) // 1))


def before_after_chart(
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[BeforeAfter],
    *,
    first_label: str = "First",
    latest_label: str = "Latest",
    style: str = "",
) -> Markup:
    """A dumbbell per metric: the first value (circle), the latest (square), joined by a line.

    Each row has its own scale (metrics differ in unit), with its ends labelled; a row's
    ``normal`` band is shaded where one is given. ``style`` as for :func:`line_chart`.
    """
    row_h, top, label_w = 64, 40, 0
    height = top + row_h * max(1, len(rows)) + 6
    parts = _head(chart_id, title, desc, height, style=style)
    x0, x1 = LEFT, WIDTH - RIGHT - 120
    first_colour, latest_colour = PALETTE[0][0], PALETTE[1][0]
    parts.append(
        _marker("circle", LEFT + 6, 14, "series series-0 chart-point").replace(
            "/>", f' fill="{first_colour}"/>', 1
        )
    )
    parts.append(f'<text class="chart-legend" x="{LEFT + 16}" y="19">{escape(first_label)}</text>')
    second_x = LEFT + 40 + 8 * len(first_label)
    parts.append(
        _marker("square", second_x + 6, 14, "series series-1 chart-point").replace(
            "/>", f' fill="{latest_colour}"/>', 1
        )
    )
    parts.append(f'<text class="chart-legend" x="{second_x + 16}" y="19">{escape(latest_label)}</text>')
    if not rows:
        parts.append(
            f'<text class="chart-empty" x="{WIDTH / 2}" y="{top + 30}" text-anchor="middle">'
            "Nothing to compare yet</text>"
        )
    for index, row in enumerate(rows):
        y_text = top + index * row_h + 14
        y = y_text + 22
        low, high = _span(row)

        def x_of(value: float, low: float = low, high: float = high) -> float:
            return x0 + label_w + (value - low) / ((high - low) or 1) * (x1 - x0 - label_w)

        unit = f" ({row.unit})" if row.unit else ""
        parts.append(
            f'<text class="chart-legend" x="{x0}" y="{y_text}">{escape(row.label)}{escape(unit)}</text>'
        )
        if row.normal is not None:
            a, b = x_of(min(row.normal.low, row.normal.high)), x_of(max(row.normal.low, row.normal.high))
            parts.append(
                f'<rect class="chart-band" x="{_num(a)}" y="{y - 9}" width="{_num(max(b - a, 1))}" '
                f'height="18" fill="#fff4e0"><title>{escape(row.normal.label)}</title></rect>'
            )
        parts.append(f'<line class="chart-grid" x1="{x0}" x2="{x1}" y1="{y}" y2="{y}"/>')
        parts.append(f'<text class="chart-tick" x="{x0}" y="{y + 20}">{_num(low)}</text>')
        parts.append(f'<text class="chart-tick" x="{x1}" y="{y + 20}" text-anchor="end">{_num(high)}</text>')
        fx, lx = x_of(row.first), x_of(row.latest)
        parts.append(
            f'<line class="series series-0 chart-line" x1="{_num(fx)}" x2="{_num(lx)}" y1="{y}" y2="{y}" '
            f'stroke="#4a5560" stroke-width="2.5"/>'
        )
        first = _marker("circle", fx, y, "series series-0 chart-point").replace(
            "/>", f' fill="{first_colour}"/>', 1
        )
        latest = _marker("square", lx, y, "series series-1 chart-point").replace(
            "/>", f' fill="{latest_colour}"/>', 1
        )
        parts.append(
            f"<g>{first}<title>{escape(row.label)}, {escape(first_label)}: "
            f"{_num(row.first)} {escape(row.unit)}</title></g>"
        )
        parts.append(
            f"<g>{latest}<title>{escape(row.label)}, {escape(latest_label)}: "
            f"{_num(row.latest)} {escape(row.unit)}</title></g>"
        )
        parts.append(
            f'<text class="chart-tick" x="{WIDTH - RIGHT}" y="{y + 5}" text-anchor="end">'
            f"{_num(row.first)} → {_num(row.latest)}</text>"
        )
    parts.append("</svg>")
    return Markup("\n".join(parts))
