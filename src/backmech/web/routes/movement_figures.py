"""Line drawings of each movement test: where you start (light) and where the movement takes you (dark).

Why drawn here: ten small inline SVGs, as the camera should see you (side-on or from
the front), need no image files, no licences and no extra requests, and they scale
and print cleanly. Colours and line widths come from ``static/movement.css``.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

Point = tuple[float, float]
Pose = tuple[Point, tuple[Sequence[Point], ...]]
"""Head centre, then polylines (body, legs, arms) in a 120 x 140 box."""

_SIDE_STAND: Pose = (
    (60, 18),
    (((60, 28), (60, 72), (60, 100), (60, 128), (70, 128)), ((60, 34), (60, 52), (60, 70))),
)
_FRONT_STAND: Pose = (
    (60, 18),
    (
        ((60, 28), (60, 72)),
        ((46, 34), (74, 34)),
        ((52, 72), (68, 72)),
        ((52, 72), (52, 100), (52, 128)),
        ((68, 72), (68, 100), (68, 128)),
        ((46, 34), (42, 54), (40, 72)),
        ((74, 34), (78, 54), (80, 72)),
    ),
)
_FRONT_LEGS: tuple[Sequence[Point], ...] = (
    ((52, 72), (68, 72)),
    ((52, 72), (52, 100), (52, 128)),
    ((68, 72), (68, 100), (68, 128)),
)
_CHAIR: Sequence[Point] = ((36, 92), (80, 92), (80, 130))

FIGURES: dict[str, tuple[Pose, Pose]] = {
    "forward-bend": (
        _SIDE_STAND,
        ((102, 68), (((92, 62), (54, 72), (58, 100), (60, 128), (70, 128)), ((88, 64), (90, 86), (92, 106)))),
    ),
    "backward-bend": (
        _SIDE_STAND,
        ((42, 24), (((48, 33), (64, 74), (62, 100), (60, 128), (70, 128)), ((50, 38), (46, 56), (58, 70)))),
    ),
    "hip-hinge": (
        _SIDE_STAND,
        ((94, 40), (((86, 46), (48, 74), (56, 100), (58, 128), (68, 128)), ((84, 50), (86, 70), (88, 90)))),
    ),
    "squat": (
        _SIDE_STAND,
        ((74, 40), (((68, 50), (40, 92), (72, 98), (60, 128), (70, 128)), ((68, 54), (88, 58), (106, 58)))),
    ),
    "knee-to-wall": (
        ((60, 26), (((60, 36), (62, 80), (78, 104), (82, 128), (92, 128)), ((62, 80), (48, 104), (34, 128)))),
        ((64, 26), (((64, 36), (66, 80), (96, 104), (84, 128), (94, 128)), ((64, 42), (82, 50), (100, 54)))),
    ),
    "sitting": (
        ((44, 40), (((44, 50), (46, 90), (76, 90), (76, 128)), ((44, 56), (54, 72), (70, 78)), _CHAIR)),
        ((58, 46), (((54, 56), (40, 90), (76, 90), (76, 128)), ((54, 60), (62, 76), (74, 80)), _CHAIR)),
    ),
    "gait": (
        _SIDE_STAND,
        (
            (62, 18),
            (
                ((62, 28), (60, 72), (72, 100), (82, 126), (92, 128)),
                ((60, 72), (52, 100), (40, 124), (48, 128)),
                ((62, 34), (52, 52), (48, 68)),
                ((62, 34), (70, 52), (78, 66)),
            ),
        ),
    ),
    "side-bend": (
        _FRONT_STAND,
        (
            (38, 26),
            (
                ((44, 34), (60, 72)),
                ((34, 44), (56, 28)),
                *_FRONT_LEGS,
                ((34, 44), (40, 66), (46, 90)),
                ((56, 28), (66, 44), (72, 60)),
            ),
        ),
    ),
    "rotation": (
        (
            (60, 18),
            (
                ((60, 28), (60, 72)),
                ((46, 34), (74, 34)),
                *_FRONT_LEGS,
                ((46, 34), (62, 46)),
                ((74, 34), (58, 48)),
            ),
        ),
        (
            (64, 18),
            (
                ((62, 28), (60, 72)),
                ((54, 36), (72, 32)),
                *_FRONT_LEGS,
                ((54, 36), (66, 46)),
                ((72, 32), (62, 48)),
            ),
        ),
    ),
    "single-leg-stance": (
        _FRONT_STAND,
        (
            (60, 18),
            (
                ((60, 28), (60, 72)),
                ((46, 34), (74, 34)),
                ((52, 72), (68, 72)),
                ((52, 72), (48, 92), (52, 108)),
                ((68, 72), (68, 100), (68, 128)),
                ((46, 34), (36, 50), (28, 62)),
                ((74, 34), (84, 50), (92, 62)),
            ),
        ),
    ),
}


def _shape(pose: Pose, kind: str) -> str:
    (hx, hy), lines = pose
    parts = [f'<circle class="{kind}" cx="{hx:g}" cy="{hy:g}" r="9"/>']
    for line in lines:
        points = " ".join(f"{x:g},{y:g}" for x, y in line)
        parts.append(f'<polyline class="{kind}" points="{points}"/>')
    return "".join(parts)


def movement_svg(test: str, name: str) -> Markup:
    """The drawing for one test (a plain standing figure for a test without its own drawing)."""
    start, end = FIGURES.get(test, (_SIDE_STAND, _SIDE_STAND))
    label = escape(f"{name}: where the movement starts (light) and where it takes you (dark)")
    arrow = ""
    if test == "rotation":
        arrow = '<path class="arrow" d="M40 8 Q60 0 80 8" /><path class="arrow" d="M74 3 L80 8 L73 11"/>'
    return Markup(
        f'<svg class="mv-figure" viewBox="0 0 120 140" role="img" aria-label="{label}" focusable="false">'
        f'<line class="floor" x1="4" y1="131" x2="116" y2="131"/>'
        f"{_shape(start, 'start')}{_shape(end, 'end')}{arrow}</svg>"
    )
