"""``progression.yaml``: loads into the knowledge base, and broken edits name file and key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from backmech.domain.errors import KnowledgeError
from backmech.domain.evidence import EvidenceLevel
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.knowledge.files import KNOWLEDGE_ROOT, SourceChecker
from backmech.knowledge.progression_files import load_progression_settings

PATH = KNOWLEDGE_ROOT / "progression.yaml"


def _load(kb: KnowledgeBase, path: Path = PATH) -> object:
    return load_progression_settings(
        path, path.parent, SourceChecker(set(kb.sources)), kb.questionnaires, kb.plan
    )


def test_bundled_file_loads_into_the_knowledge_base(kb: KnowledgeBase) -> None:
    p = kb.progression
    assert (p.pain.safe_max, p.pain.acceptable_max, p.pain.next_morning_above_baseline) == (2, 5, 2)
    assert p.flare.resume_after_green == 2
    assert p.adherence.target_percent == 80
    assert p.adherence.inactivity_alert_days == 3
    # One home for each number: the calendar comes from plan.yaml, MCIDs from the questionnaires.
    assert p.reassessment.questionnaires_every_days == kb.plan.questionnaires_every_days
    assert p.reassessment.movement_retest_weeks == kb.plan.movement_retest_weeks
    assert p.reassessment.measures["odi"].mcid_points == 10
    assert p.reassessment.measures["rmdq"].mdc_points is None
    assert _load(kb) == p


def test_heuristic_numbers_cite_heuristic_sources(kb: KnowledgeBase) -> None:
    p = kb.progression
    for sid in (
        p.pain.adaptation_source,
        p.ladder.reps_source,
        p.flare.detect_source,
        p.flare.plan_source,
        p.adherence.target_source,
        p.adherence.engagement_source,
    ):
        assert kb.sources[sid].level is EvidenceLevel.HEURISTIC, sid
    assert kb.sources[p.pain.model_source].level is EvidenceLevel.RCT


def _set(path: list[str], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        node: Any = doc
        for key in path[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            _set(["ladder", "reps_source"], "nobody-2099"),
            "ladder.reps_source: names unknown source 'nobody-2099'",
        ),
        (_set(["flare", "plan_source"], ""), "flare.plan_source: has no source"),
        (_set(["pain_monitoring", "safe_max"], 6), "pain_monitoring.acceptable_max: must be above safe_max"),
        (_set(["pain_monitoring", "acceptable_max"], 11), "pain_monitoring.acceptable_max"),
        (
            _set(["pain_monitoring", "colour"], "blue"),
            "pain_monitoring.colour: Extra inputs are not permitted",
        ),
        (
            _set(["flare", "detect_points_above_baseline"], 2),
            "flare.detect_points_above_baseline: must be above",
        ),
        (_set(["adherence", "max_reminders_per_week"], 8), "adherence.max_reminders_per_week"),
        (
            _set(["reassessment", "measures", "0", "questionnaire"], "nprs2"),
            "reassessment.measures[0].questionnaire: unknown questionnaire 'nprs2'",
        ),
        (_set(["reassessment", "measures", "1", "output"], "total"), "reassessment.measures[1].output"),
        (
            _set(["reassessment", "measures", "1", "mdc"], "mdc95"),
            "has no change value 'mdc95' (known: mdc90, mid)",
        ),
        (_set(["reassessment", "measures", "1", "id"], "nprs"), "duplicate measure id 'nprs'"),
        (
            _set(["reassessment", "questionnaires"], ["odi", "sbst"]),
            "reassessment.questionnaires[1]: unknown measure",
        ),
        (_set(["phases", "0", "to_phase"], 3), "phases[1].to_phase: duplicate phase 3"),
        (_set(["phases", "0", "source"], "nobody-2099"), "phases[0].source: names unknown source"),
    ],
)
def test_broken_edits_are_located(
    change: Callable[[dict[str, Any]], None], expected: str, kb: KnowledgeBase, tmp_path: Path
) -> None:
    doc = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / "progression.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        _load(kb, path)
    assert str(info.value).startswith("progression.yaml: ")
    assert expected in str(info.value)
