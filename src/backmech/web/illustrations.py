"""Simple line drawings of exercise starting positions, generated from the exercise data.

Why generated: every exercise in the knowledge base names its ``position`` (supine,
quadruped, standing...), so one small drawing per position covers the whole library
and any exercise added later, with no image files to license or keep in sync, and
no external requests. The drawing shows the starting position only; the written
steps say what to do. Colours come from ``static/player.css`` classes.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

Point = tuple[float, float]

# Each pose: head centre, then the body as polylines (torso, legs, arms) in a 200 x 120 box.
POSES: dict[str, tuple[Point, tuple[Sequence[Point], ...]]] = {
    "supine_bent": ((34, 92), (((44, 96), (110, 97), (132, 70), (156, 100)), ((56, 97), (92, 100)))),
    "supine": ((34, 92), (((44, 96), (110, 97), (180, 99)), ((56, 97), (92, 100)))),
    "prone": ((34, 90), (((44, 96), (112, 98), (180, 100)), ((56, 96), (62, 104), (78, 104)))),
    "quadruped": (
        (44, 56),
        (((58, 62), (128, 62)), ((58, 62), (58, 104)), ((128, 62), (128, 104), (168, 104))),
    ),
    "side": ((40, 62), (((52, 70), (140, 98), (182, 102)), ((52, 70), (56, 104), (82, 104)))),
    "seated": (
        (92, 24),
        (((92, 34), (92, 78), (132, 78), (132, 108)), ((92, 44), (108, 64), (124, 66))),
    ),
    "standing": (
        (100, 16),
        (((100, 26), (100, 66), (92, 108)), ((100, 66), (108, 108)), ((88, 62), (100, 34), (112, 62))),
    ),
    "walking": (
        (100, 16),
        (((100, 26), (100, 66), (82, 108)), ((100, 66), (118, 108)), ((86, 58), (100, 34), (114, 56))),
    ),
    "hinge": (
        (58, 34),
        (((68, 40), (118, 62), (112, 108)), ((118, 62), (122, 108)), ((78, 46), (82, 80))),
    ),
    "kneeling": (
        (96, 18),
        (
            ((96, 28), (96, 68), (96, 104), (70, 104)),
            ((96, 68), (130, 70), (130, 104)),
            ((96, 38), (106, 62)),
        ),
    ),
}

FLOOR = '<line class="ill-floor" x1="8" y1="108" x2="192" y2="108"/>'
SEAT = '<path class="ill-prop" d="M80 82 H140 M140 82 V108 M80 82 V108"/>'


def pose_for(position: str, slug: str = "") -> str:
    """The drawing that fits an exercise's ``position`` text (first match wins; standing if unknown)."""
    text = position.lower()
    if "hinge" in slug or "deadlift" in slug:
        return "hinge"
    rules = (
        ("quadruped", "quadruped"),
        ("side bridge", "side"),
        ("side-lying", "side"),
        ("prone", "prone"),
        ("kneeling", "kneeling"),
        ("lunge", "kneeling"),
    )
    for word, pose in rules:
        if word in text:
            return pose
    if text.startswith("supine"):
        return "supine_bent" if ("bent" in text or "90" in text) else "supine"
    if text.startswith(("seated", "sitting")):
        return "seated"
    if text.startswith("walking"):
        return "walking"
    return "standing"


def _polyline(points: Sequence[Point]) -> str:
    joined = " ".join(f"{x:g},{y:g}" for x, y in points)
    return f'<polyline class="ill-body" points="{joined}"/>'


def exercise_svg(slug: str, name: str, position: str, category: str = "") -> Markup:
    """An inline SVG of the starting position, labelled for screen readers."""
    pose = pose_for(position, slug)
    (hx, hy), lines = POSES[pose]
    where = position or "starting position"
    label = f"Drawing of the starting position for {name}: {where}."
    parts = [
        f'<svg class="illustration ill-{escape(category or "general")}" viewBox="0 0 200 120" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg" data-pose="{pose}">',
        f"<title>{escape(label)}</title>",
        FLOOR,
    ]
    if pose == "seated":
        parts.append(SEAT)
    parts.extend(_polyline(line) for line in lines)
    parts.append(f'<circle class="ill-head" cx="{hx:g}" cy="{hy:g}" r="9"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
