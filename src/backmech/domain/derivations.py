"""Facts the engine derives from what was given (sides combined, counts, directions).

Each derivation is a small named rule after the clinical idea it encodes, so a rule can
say ``derived.slr_average_degrees gt 91`` (Hicks 2005) instead of repeating arithmetic in
data. :data:`DERIVATIONS` lists them in order; a derived fact is only set when its inputs
are known. The cut-offs a derivation decides with (when an episode counts as chronic,
what grade counts as weakness) come from the knowledge base, with their sources.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from backmech.domain.types import FactValue, SourceId

_IMPROVES = frozenset({"centralises", "abolishes", "decreases"})
_LUOMAJOKI = (
    "waiters_bow",
    "pelvic_tilt",
    "one_leg_stance",
    "sitting_knee_extension",
    "rocking",
    "prone_knee_bend",
)
_ABERRANT = ("painful_arc", "instability_catch", "gowers_sign", "reversal_of_lumbopelvic_rhythm")
_NEURAL_SIGNS = (
    "neuro.slr_reproduces_leg_pain",
    "neuro.slump_positive",
    "neuro.crossed_slr_positive",
    "neuro.dermatomal_sensory_loss",
    "neuro.reflex_reduced",
)


@dataclass(frozen=True, slots=True)
class DerivationSettings:
    """The clinical cut-offs of the derivations (``facts.yaml``: ``derivations``)."""

    chronic_after_days: int
    """An episode this long or longer is chronic."""
    chronic_source: SourceId
    full_motor_grade: int
    """A key muscle graded below this is weak (a neurological sign)."""
    motor_grade_source: SourceId


Facts = Mapping[str, FactValue]
Derived = dict[str, FactValue]
Derivation = Callable[[Facts, DerivationSettings], Derived]


def _num(facts: Facts, key: str) -> float | None:
    value = facts.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _pair(facts: Facts, stem: str) -> tuple[float, float] | None:
    left, right = _num(facts, f"{stem}.left"), _num(facts, f"{stem}.right")
    if left is None or right is None:
        return None
    return left, right


def _any_or_all(values: Sequence[object], positive: object, negative: object) -> bool | None:
    """True when any value is ``positive``, False when all are ``negative``, else unknown."""
    if positive in values:
        return True
    if all(v == negative for v in values):
        return False
    return None


def _known(name: str, value: FactValue | None) -> Derived:
    return {} if value is None else {name: value}


# --------------------------------------------------------------------------- the derivations


def leg_dominant(facts: Facts, settings: DerivationSettings) -> Derived:
    """Leg pain at least as strong as back pain (radicular pattern)."""
    leg, back = _num(facts, "pain.leg_nprs"), _num(facts, "score.nprs.current")
    if leg is not None and back is not None:
        return {"derived.leg_dominant": leg >= back}
    return {"derived.leg_dominant": False} if facts.get("pain.leg_pain") == "none" else {}


def neural_sign(facts: Facts, settings: DerivationSettings) -> Derived:
    """Any neurodynamic or neurological sign; none only when every one was examined."""
    known = [facts[s] for s in _NEURAL_SIGNS if s in facts]
    weakest = _num(facts, "neuro.weakest_motor_grade")
    if weakest is not None:
        known.append(weakest < settings.full_motor_grade)
    if any(v is True for v in known):
        return {"derived.neural_sign": True}
    return {"derived.neural_sign": False} if len(known) == len(_NEURAL_SIGNS) + 1 else {}


def directional_preference(facts: Facts, settings: DerivationSettings) -> Derived:
    """The one direction of repeated movement that improves symptoms (McKenzie), or none."""
    prefix = "examination.repeated_movements"
    ext, flex = facts.get(f"{prefix}.extension"), facts.get(f"{prefix}.flexion")
    glides = [facts.get(f"{prefix}.side_glide_left"), facts.get(f"{prefix}.side_glide_right")]
    if ext is None and flex is None and all(g is None for g in glides):
        return {}
    sagittal = {d for d, v in (("extension", ext), ("flexion", flex)) if v in _IMPROVES}
    if len(sagittal) == 1:
        return {"derived.directional_preference": sagittal.pop()}
    lateral = not sagittal and any(g in _IMPROVES for g in glides)
    return {"derived.directional_preference": "lateral" if lateral else "none"}


def peripheralisation(facts: Facts, settings: DerivationSettings) -> Derived:
    """Repeated flexion or extension moves the symptoms further down the leg."""
    prefix = "examination.repeated_movements"
    out: Derived = {}
    for direction in ("flexion", "extension"):
        value = facts.get(f"{prefix}.{direction}")
        if value is not None:
            out[f"derived.peripheralises_with_{direction}"] = value == "peripheralises"
    return out


def aberrant_movement(facts: Facts, settings: DerivationSettings) -> Derived:
    seen = [facts.get(f"examination.aberrant.{a}") for a in _ABERRANT]
    return _known("derived.aberrant_movement_any", _any_or_all(seen, True, False))


def luomajoki_count(facts: Facts, settings: DerivationSettings) -> Derived:
    """How many of the movement-control tests done were incorrect."""
    results = [facts.get(f"examination.luomajoki.{t}") for t in _LUOMAJOKI]
    if all(r is None for r in results):
        return {}
    return {"derived.luomajoki_incorrect_count": sum(r == "incorrect" for r in results)}


def hip_rotation(facts: Facts, settings: DerivationSettings) -> Derived:
    hip = _pair(facts, "examination.hip_ir_prone_degrees")
    if hip is None:
        return {}
    return {
        "derived.hip_ir_min_degrees": min(hip),
        "derived.hip_ir_max_degrees": max(hip),
        "derived.hip_ir_asymmetry_degrees": abs(hip[0] - hip[1]),
    }


def ankle_dorsiflexion(facts: Facts, settings: DerivationSettings) -> Derived:
    ktw = _pair(facts, "examination.knee_to_wall_cm")
    if ktw is None:
        return {}
    return {
        "derived.knee_to_wall_min_cm": min(ktw),
        "derived.knee_to_wall_asymmetry_cm": abs(ktw[0] - ktw[1]),
    }


def side_bridge_asymmetry(facts: Facts, settings: DerivationSettings) -> Derived:
    """The side-to-side difference as a share of the better side."""
    side = _pair(facts, "examination.side_bridge_seconds")
    if side is None or max(side) <= 0:
        return {}
    return {"derived.side_bridge_asymmetry_percent": round(abs(side[0] - side[1]) / max(side) * 100, 1)}


def straight_leg_raise(facts: Facts, settings: DerivationSettings) -> Derived:
    """The mean of both sides (Hicks 2005's stabilisation rule uses it)."""
    slr = _pair(facts, "examination.slr_degrees")
    return {} if slr is None else {"derived.slr_average_degrees": (slr[0] + slr[1]) / 2}


def either_side(facts: Facts, settings: DerivationSettings) -> Derived:
    """Trendelenburg and Thomas tests: positive on either side."""
    out: Derived = {}
    for stem, name in (
        ("examination.trendelenburg", "derived.trendelenburg_any"),
        ("examination.thomas_test", "derived.thomas_any"),
    ):
        sides = [facts.get(f"{stem}.left"), facts.get(f"{stem}.right")]
        out |= _known(name, _any_or_all(sides, "positive", "negative"))
    return out


def chronic(facts: Facts, settings: DerivationSettings) -> Derived:
    days = _num(facts, "history.duration_days")
    return {} if days is None else {"derived.chronic": days >= settings.chronic_after_days}


def both_directions_provoke(facts: Facts, settings: DerivationSettings) -> Derived:
    """Bending forward and arching back both hurt (a multidirectional pattern)."""
    bend, arch = facts.get("aggravated_by.bending_forward"), facts.get("aggravated_by.arching_back")
    if bend is None or arch is None:
        return {}
    return {"symptoms.flexion_and_extension_both_provoke": bend is True and arch is True}


DERIVATIONS: tuple[Derivation, ...] = (
    leg_dominant,
    neural_sign,
    directional_preference,
    peripheralisation,
    aberrant_movement,
    luomajoki_count,
    hip_rotation,
    ankle_dorsiflexion,
    side_bridge_asymmetry,
    straight_leg_raise,
    either_side,
    chronic,
    both_directions_provoke,
)


def derive_facts(facts: Facts, settings: DerivationSettings) -> Derived:
    """Return the derived facts (``derived.*``) for the given facts: each derivation in turn."""
    out: Derived = {}
    for derivation in DERIVATIONS:
        out |= derivation(facts, settings)
    return out
