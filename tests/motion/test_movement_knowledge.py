"""Movement-test knowledge: the loader's checks, the facts tests report, and the rules that
turn video findings into mechanism evidence."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from protocol_support import specs

from backmech.domain.errors import KnowledgeError
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.knowledge.files import KNOWLEDGE_ROOT, SourceChecker
from backmech.knowledge.movement_test_files import load_movement_tests
from backmech.knowledge.source_files import load_sources
from backmech.motion.protocols import PROTOCOLS, REQUIRES

RULES = KNOWLEDGE_ROOT / "rules" / "movement.yaml"


def _checker() -> SourceChecker:
    return SourceChecker(set(load_sources(KNOWLEDGE_ROOT / "sources", KNOWLEDGE_ROOT)))


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "movement_tests"
    shutil.copytree(KNOWLEDGE_ROOT / "movement_tests", folder)
    return folder


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")


def test_every_protocol_has_a_spec_with_what_it_reads() -> None:
    loaded = specs()
    assert set(loaded) == set(PROTOCOLS)
    for test_id, spec in loaded.items():
        assert set(spec.thresholds) == REQUIRES[test_id].thresholds
        assert set(spec.metrics) == REQUIRES[test_id].metrics
        assert spec.instructions and spec.camera and spec.views
        assert spec.view in ("side", "front")


@pytest.mark.parametrize(
    ("change", "location", "problem"),
    [
        (lambda d: d["thresholds"].pop("catch_min_deg"), "forward-bend.yaml: thresholds.catch_min_deg",
         "missing"),
        (lambda d: d["thresholds"].update(typo={"value": 1, "text": "xxx", "source": "esola-1996"}),
         "forward-bend.yaml: thresholds.typo", "not read"),
        (lambda d: d["metrics"]["max_trunk_flexion_deg"].update(source="nobody-2099"),
         "forward-bend.yaml: metrics.max_trunk_flexion_deg.source", "unknown source"),
        (lambda d: d["thresholds"]["min_reps"].pop("source"), "forward-bend.yaml: thresholds.min_reps.source",
         "Field required"),
        (lambda d: d.update(id="forward-bends"), "forward-bend.yaml: id", "does not match"),
        (lambda d: d.update(views=["top"]), "forward-bend.yaml: views.0", ""),
    ],
)  # fmt: skip
def test_errors_name_file_and_key(tmp_path: Path, change, location: str, problem: str) -> None:  # type: ignore[no-untyped-def]
    folder = _copy(tmp_path)
    _edit(folder / "forward-bend.yaml", change)
    with pytest.raises(KnowledgeError) as err:
        load_movement_tests(folder, tmp_path, _checker())
    assert err.value.location.endswith(location)
    assert problem in str(err.value)


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "gait.yaml").unlink()
    with pytest.raises(KnowledgeError, match="no file for movement test 'gait'"):
        load_movement_tests(folder, tmp_path, _checker())


def test_declared_findings_are_facts_of_the_vocabulary(kb: KnowledgeBase) -> None:
    specs_by_id = kb.vocabulary.specs
    for spec in specs().values():
        for fact in spec.findings:
            assert fact in specs_by_id, f"{spec.id}: {fact}"
            origin = specs_by_id[fact].origin
            assert origin == "video" or fact.startswith("examination."), fact


def test_video_facts_are_used() -> None:
    """Every video fact of facts.yaml is reported by some test."""
    vocab = yaml.safe_load((KNOWLEDGE_ROOT / "facts.yaml").read_text(encoding="utf-8"))["facts"]
    video = {k for k, v in vocab.items() if v.get("origin") == "video"}
    reported = {f for spec in specs().values() for f in spec.findings}
    assert video <= reported, sorted(video - reported)


FIRES = {
    "mv-aberrant-stability": {"movement.thigh_climbing": True},
    "mv-aberrant-control": {"movement.instability_catch": True},
    "mv-rotation-control-stability": {"examination.rotation_control_loss": "left"},
    "mv-hinge-spine-flexion": {"movement.hip_hinge_spine_flexion": True},
    "mv-hinge-spine-flexion-control": {"movement.hip_hinge_spine_flexion": True},
    "mv-slumped-sitting": {"movement.sitting_slumped": True},
    "mv-squat-shift": {"movement.squat_lateral_shift": "right"},
    "mv-squat-valgus": {"movement.squat_knee_valgus": "both"},
    "mv-squat-heel-rise": {"movement.squat_heel_rise": True},
    "mv-ktw-angle-low": {"movement.knee_to_wall_angle_deg.right": 30.0},
    "mv-ktw-angle-mobility": {"movement.knee_to_wall_angle_deg.left": 33.0},
    "mv-ktw-asymmetry": {"movement.knee_to_wall_asymmetry_deg": 9.0},
    "mv-gait-pelvic-drop": {"movement.gait_pelvic_drop": "left"},
}
QUIET = {
    "movement.thigh_climbing": False,
    "movement.instability_catch": False,
    "movement.painful_arc_sign": False,
    "movement.rhythm_reversal": False,
    "examination.rotation_control_loss": "none",
    "movement.hip_hinge_spine_flexion": False,
    "movement.sitting_slumped": False,
    "movement.squat_lateral_shift": "none",
    "movement.squat_knee_valgus": "none",
    "movement.squat_heel_rise": False,
    "movement.knee_to_wall_angle_deg.left": 40.0,
    "movement.knee_to_wall_angle_deg.right": 38.0,
    "movement.knee_to_wall_asymmetry_deg": 2.0,
    "movement.gait_pelvic_drop": "none",
}


def test_movement_rules_fire_on_their_findings_and_not_otherwise(kb: KnowledgeBase) -> None:
    ids = {r["id"] for r in yaml.safe_load(RULES.read_text(encoding="utf-8"))["rules"]}
    assert ids == set(FIRES)
    rules = {r.id: r for r in kb.mechanisms.rules if r.id in ids}
    for rule_id, facts in FIRES.items():
        assert rules[rule_id].when.evaluate(facts).value is True, rule_id
        assert rules[rule_id].when.evaluate(QUIET).value is False, rule_id


def test_knee_to_wall_rule_uses_the_spec_threshold() -> None:
    spec = specs()["knee-to-wall"]
    text = RULES.read_text(encoding="utf-8")
    assert f"op: lt, value: {spec.value('limit_deg'):.0f}" in text
    assert f"op: gt, value: {spec.value('asymmetry_deg'):.0f}" in text


def test_video_findings_change_the_classification(kb: KnowledgeBase) -> None:
    from backmech.domain.mechanism.classification import classify

    base = {"aggravated_by.twisting": True}
    video = {**base, "examination.rotation_control_loss": "left", "movement.instability_catch": True,
             "movement.hip_hinge_spine_flexion": True, "movement.squat_heel_rise": True,
             "movement.knee_to_wall_angle_deg.left": 30.0}  # fmt: skip
    before = classify(kb.mechanisms, base)
    after = classify(kb.mechanisms, video)

    def score(c, mech: str) -> float:  # type: ignore[no-untyped-def]
        return next((m.score for m in (*c.mechanisms, *c.contributing) if m.id == mech), 0.0)

    for mech in ("rotation-motor-control", "stability-deficit", "ankle-dorsiflexion-limit"):
        assert score(after, mech) > score(before, mech), mech
