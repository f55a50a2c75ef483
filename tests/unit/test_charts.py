"""Server-side SVG charts and exercise drawings: well-formed, labelled, and placing values correctly."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from backmech.knowledge.loader import default_knowledge
from backmech.web.charts import (
    BOTTOM,
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    Band,
    Series,
    calendar_chart,
    line_chart,
)
from backmech.web.illustrations import POSES, exercise_svg, pose_for

NS = {"s": "http://www.w3.org/2000/svg"}
D = dt.date(2026, 3, 2)  # a Monday


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def _labelled(root: ET.Element) -> None:
    assert root.get("role") == "img"
    ids = (root.get("aria-labelledby") or "").split()
    assert len(ids) == 2
    found = {el.get("id"): el for el in root.iter() if el.get("id")}
    assert found[ids[0]].tag.endswith("title") and (found[ids[0]].text or "").strip()
    assert found[ids[1]].tag.endswith("desc") and (found[ids[1]].text or "").strip()


def test_a_line_chart_is_labelled_and_has_one_marker_per_value() -> None:
    before = Series("Before", [(D, 6), (D + dt.timedelta(days=2), 5), (D + dt.timedelta(days=5), 4)])
    after = Series("After", [(D, 4), (D + dt.timedelta(days=5), 2)])
    root = _parse(line_chart("c1", "Pain", "Three sessions", [before, after]))
    _labelled(root)
    points = [el for el in root.iter() if "chart-point" in (el.get("class") or "")]
    assert len(points) == 3 + 2 + 2  # the values, plus one legend marker per series
    lines = root.findall("s:polyline", NS)
    assert len(lines) == 2 and "series-0" in (lines[0].get("class") or "")
    tooltips = [el.text for el in root.iter(f"{{{NS['s']}}}title")]
    assert "Before, 02 Mar 2026: 6" in tooltips and "After, 07 Mar 2026: 2" in tooltips


def test_values_map_onto_the_axis() -> None:
    root = _parse(line_chart("c2", "t", "d", [Series("x", [(D, 10), (D + dt.timedelta(days=1), 0)])]))
    circles = [el for el in root.iter(f"{{{NS['s']}}}circle") if "series-0" in (el.get("class") or "")]
    first, last, _legend = circles
    assert float(first.get("cy") or 0) == pytest.approx(TOP)
    assert float(first.get("cx") or 0) == pytest.approx(LEFT)
    assert float(last.get("cy") or 0) == pytest.approx(HEIGHT - BOTTOM)
    assert float(last.get("cx") or 0) == pytest.approx(WIDTH - RIGHT)


def test_an_empty_chart_says_so_and_labels_are_escaped() -> None:
    markup = line_chart("c3", 'Pain <&> "x"', "none", [Series("A&B <i>", [])])
    root = _parse(markup)
    assert "Nothing recorded yet" in str(markup)
    assert "<i>" not in str(markup)
    assert root.find("s:title", NS) is not None and root.find("s:title", NS).text == 'Pain <&> "x"'  # type: ignore[union-attr]


def test_the_band_is_drawn_only_when_given_and_spans_its_values() -> None:
    series = [Series("ODI", [(D, 40.0)])]
    without = _parse(line_chart("c4", "t", "d", series, y_max=100))
    assert not [el for el in without.iter() if el.get("class") == "chart-band"]
    band = Band(low=40, high=30, label="within the minimal important change")
    root = _parse(line_chart("c5", "t", "d", series, y_max=100, band=band))
    (rect,) = [el for el in root.iter() if el.get("class") == "chart-band"]
    plot_h = HEIGHT - TOP - BOTTOM
    assert float(rect.get("y") or 0) == pytest.approx(TOP + plot_h * 0.6)
    assert float(rect.get("height") or 0) == pytest.approx(plot_h * 0.1)


def test_the_calendar_marks_days_with_a_session_and_not_future_days() -> None:
    end = D + dt.timedelta(days=9)  # a Wednesday
    done = {D, D + dt.timedelta(days=1), end, D - dt.timedelta(days=400)}
    root = _parse(calendar_chart("cal", "Days", done, end, weeks=4))
    _labelled(root)
    classes = [el.get("class") or "" for el in root.iter() if "cal-day" in (el.get("class") or "")]
    assert len(classes) == 28
    assert classes.count("cal-day cal-done") == 3
    assert classes.count("cal-day cal-future") == 4  # Thursday to Sunday of the last week
    assert len([el for el in root.iter() if el.get("class") == "cal-tick"]) == 3
    desc = root.find("s:desc", NS)
    assert desc is not None and (desc.text or "").startswith("3 of the days")


@pytest.mark.parametrize(
    ("position", "slug", "pose"),
    [
        ("supine, knees bent", "glute-bridge", "supine_bent"),
        ("supine", "x", "supine"),
        ("quadruped (hands and knees)", "bird-dog", "quadruped"),
        ("side-lying on the elbow, knees bent", "side-bridge", "side"),
        ("prone", "lumbar-extension", "prone"),
        ("seated upright", "x", "seated"),
        ("half-kneeling", "x", "kneeling"),
        ("standing", "hip-hinge", "hinge"),
        ("varies with the task", "x", "standing"),
    ],
)
def test_positions_get_a_matching_drawing(position: str, slug: str, pose: str) -> None:
    assert pose_for(position, slug) == pose


def test_every_library_exercise_gets_a_labelled_drawing() -> None:
    kb = default_knowledge()
    used = set()
    for exercise in kb.exercises.values():
        root = _parse(exercise_svg(exercise.slug, exercise.name, exercise.position, exercise.category))
        assert root.get("role") == "img" and exercise.name in (root.get("aria-label") or "")
        used.add(root.get("data-pose"))
    assert used <= set(POSES) and len(used) >= 6
