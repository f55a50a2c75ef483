"""Facts the engine derives from what was given (sides combined, counts, directions).

Each derivation is small and named after the clinical idea it encodes, so a rule
can say ``derived.slr_average_degrees gt 91`` (Hicks 2005) instead of repeating
arithmetic in data. A derived fact is only set when its inputs are known.
"""

from __future__ import annotations

from collections.abc import Mapping

from backmech.domain.types import FactValue

_IMPROVES = frozenset({"centralises", "abolishes", "decreases"})
_CHRONIC_DAYS = 90  # >= 3 months: NIH task force definition of chronic LBP (Deyo 2014)
_LUOMAJOKI = (
    "waiters_bow",
    "pelvic_tilt",
    "one_leg_stance",
    "sitting_knee_extension",
    "rocking",
    "prone_knee_bend",
)
_ABERRANT = ("painful_arc", "instability_catch", "gowers_sign", "reversal_of_lumbopelvic_rhythm")


def _num(facts: Mapping[str, FactValue], key: str) -> float | None:
    value = facts.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _pair(facts: Mapping[str, FactValue], stem: str) -> tuple[float, float] | None:
    left, right = _num(facts, f"{stem}.left"), _num(facts, f"{stem}.right")
    if left is None or right is None:
        return None
    return left, right


def derive_facts(facts: Mapping[str, FactValue]) -> dict[str, FactValue]:
    """Return the derived facts (``derived.*``) for the given facts."""
    out: dict[str, FactValue] = {}

    leg = _num(facts, "pain.leg_nprs")
    back = _num(facts, "score.nprs.current")
    if leg is not None and back is not None:
        out["derived.leg_dominant"] = leg >= back
    elif facts.get("pain.leg_pain") == "none":
        out["derived.leg_dominant"] = False

    signs = (
        "neuro.slr_reproduces_leg_pain",
        "neuro.slump_positive",
        "neuro.crossed_slr_positive",
        "neuro.dermatomal_sensory_loss",
        "neuro.reflex_reduced",
    )
    known = [facts[s] for s in signs if s in facts]
    weakest = _num(facts, "neuro.weakest_motor_grade")
    if weakest is not None:
        known.append(weakest < 5)
    if any(v is True for v in known):
        out["derived.neural_sign"] = True
    elif len(known) == len(signs) + 1:
        out["derived.neural_sign"] = False

    ext = facts.get("examination.repeated_movements.extension")
    flex = facts.get("examination.repeated_movements.flexion")
    glides = [
        facts.get("examination.repeated_movements.side_glide_left"),
        facts.get("examination.repeated_movements.side_glide_right"),
    ]
    if ext is not None or flex is not None or any(g is not None for g in glides):
        if ext in _IMPROVES and flex not in _IMPROVES:
            out["derived.directional_preference"] = "extension"
        elif flex in _IMPROVES and ext not in _IMPROVES:
            out["derived.directional_preference"] = "flexion"
        elif any(g in _IMPROVES for g in glides) and ext not in _IMPROVES and flex not in _IMPROVES:
            out["derived.directional_preference"] = "lateral"
        else:
            out["derived.directional_preference"] = "none"
    if flex is not None:
        out["derived.peripheralises_with_flexion"] = flex == "peripheralises"
    if ext is not None:
        out["derived.peripheralises_with_extension"] = ext == "peripheralises"

    aberrant = [facts.get(f"examination.aberrant.{a}") for a in _ABERRANT]
    if any(a is True for a in aberrant):
        out["derived.aberrant_movement_any"] = True
    elif all(a is False for a in aberrant):
        out["derived.aberrant_movement_any"] = False

    luomajoki = [facts.get(f"examination.luomajoki.{t}") for t in _LUOMAJOKI]
    if any(r is not None for r in luomajoki):
        out["derived.luomajoki_incorrect_count"] = sum(r == "incorrect" for r in luomajoki)

    hip = _pair(facts, "examination.hip_ir_prone_degrees")
    if hip:
        out["derived.hip_ir_min_degrees"] = min(hip)
        out["derived.hip_ir_max_degrees"] = max(hip)
        out["derived.hip_ir_asymmetry_degrees"] = abs(hip[0] - hip[1])
    ktw = _pair(facts, "examination.knee_to_wall_cm")
    if ktw:
        out["derived.knee_to_wall_min_cm"] = min(ktw)
        out["derived.knee_to_wall_asymmetry_cm"] = abs(ktw[0] - ktw[1])
    side = _pair(facts, "examination.side_bridge_seconds")
    if side and max(side) > 0:
        out["derived.side_bridge_asymmetry_percent"] = round(abs(side[0] - side[1]) / max(side) * 100, 1)
    slr = _pair(facts, "examination.slr_degrees")
    if slr:
        out["derived.slr_average_degrees"] = (slr[0] + slr[1]) / 2

    for stem, name in (
        ("examination.trendelenburg", "derived.trendelenburg_any"),
        ("examination.thomas_test", "derived.thomas_any"),
    ):
        sides = [facts.get(f"{stem}.left"), facts.get(f"{stem}.right")]
        if "positive" in sides:
            out[name] = True
        elif all(s == "negative" for s in sides):
            out[name] = False

    days = _num(facts, "history.duration_days")
    if days is not None:
        out["derived.chronic"] = days >= _CHRONIC_DAYS

    bend = facts.get("aggravated_by.bending_forward")
    arch = facts.get("aggravated_by.arching_back")
    if bend is not None and arch is not None:
        out["symptoms.flexion_and_extension_both_provoke"] = bend is True and arch is True
    return out
