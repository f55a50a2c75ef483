"""The charts moved to ``backmech.reports.charts``; the web keeps importing the same functions."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import backmech.reports.charts as reports_charts
import backmech.web.charts as web_charts
from backmech.reports.report_charts import MAX_CALENDAR_WEEKS, calendar_weeks, chart_css

SVG = "{http://www.w3.org/2000/svg}"
D = dt.date(2026, 3, 2)  # a Monday


def test_the_web_module_re_exports_the_same_objects() -> None:
    for name in web_charts.__all__:
        assert getattr(web_charts, name) is getattr(reports_charts, name)


def test_a_chart_can_carry_its_stylesheet_for_the_pdf() -> None:
    css = chart_css()
    line = reports_charts.line_chart(
        "c", "T", "D", [reports_charts.Series("A", [(D, 3.0)])], style=".chart-line > x { fill: none; }"
    )
    root = ET.fromstring(str(line))
    style = root.find(f"{SVG}style")
    assert style is not None and style.text == ".chart-line > x { fill: none; }"  # escaped, then parsed back
    calendar = ET.fromstring(str(reports_charts.calendar_chart("k", "Cal", [D], D, 1, style=css)))
    assert calendar.find(f"{SVG}style") is not None
    plain = ET.fromstring(str(reports_charts.line_chart("p", "T", "D", [])))
    assert plain.find(f"{SVG}style") is None  # the web pages are styled by patient.css


def test_the_report_chart_css_styles_every_class_the_charts_use() -> None:
    css = chart_css()
    markup = str(
        reports_charts.line_chart(
            "c",
            "T",
            "D",
            [reports_charts.Series(s, [(D, 1.0), (D + dt.timedelta(days=1), 2.0)]) for s in "ABC"],
            band=reports_charts.Band(1, 2, "b"),
        )
    ) + str(reports_charts.calendar_chart("k", "Cal", [D], D + dt.timedelta(days=3), 1))
    used = {c for el in ET.fromstring(f"<x>{markup}</x>").iter() for c in (el.get("class") or "").split()}
    assert used - {"chart", "series"} <= {c for c in used if f".{c}" in css}
    assert "var(" not in css  # the PDF renderer reads it inside the SVG, where page variables do not reach


def test_the_calendar_spans_the_programme_up_to_a_limit() -> None:
    assert calendar_weeks(None, D) == 1
    assert calendar_weeks(D, D) == 1
    assert calendar_weeks(D, D + dt.timedelta(days=7)) == 2
    assert calendar_weeks(D - dt.timedelta(days=400), D) == MAX_CALENDAR_WEEKS
