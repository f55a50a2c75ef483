"""The SVG charts, re-exported from :mod:`backmech.reports.charts` where they now live.

Why a re-export: the printed reports draw the same charts and may not import the
web layer, so the module moved down a layer; the web pages and their tests keep
importing ``backmech.web.charts`` unchanged.
"""

from __future__ import annotations

from backmech.reports.charts import (
    BOTTOM,
    HEIGHT,
    LEFT,
    MARKERS,
    RIGHT,
    TOP,
    WIDTH,
    Band,
    Series,
    calendar_chart,
    line_chart,
)

__all__ = [
    "BOTTOM",
    "HEIGHT",
    "LEFT",
    "MARKERS",
    "RIGHT",
    "TOP",
    "WIDTH",
    "Band",
    "Series",
    "calendar_chart",
    "line_chart",
]
