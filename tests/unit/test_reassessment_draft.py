"""The reassessment draft: safety and the tracked questionnaires open, everything else carried over."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from backmech.bootstrap import assessment_service
from backmech.services.intake_forms import intake_document, shown_values
from backmech.services.intake_model import WIZARD_KEY
from backmech.services.intake_wizard import build_wizard
from backmech.services.reassessment_draft import (
    carried_from,
    is_reassessment,
    reassessment_draft,
    screens_to_ask,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "flexion-intolerant-desk-worker.json"
SERVICE = assessment_service()
WIZARD = build_wizard(SERVICE)
TRACKED = ("nprs", "odi", "psfs")


def _intake() -> dict[str, object]:
    intake = json.loads(EXAMPLE.read_text())
    intake["questionnaires"]["psfs"] = {
        "answers": {"activity_1": {"activity": "Sitting through a meeting", "score": 4}}
    }
    intake.setdefault("history", {})["duration_days"] = 120
    return intake


def test_safety_and_tracked_questionnaires_are_asked_again_and_the_rest_is_done() -> None:
    draft = reassessment_draft(WIZARD, _intake(), TRACKED, dt.date(2026, 3, 2), dt.date(2026, 3, 16))
    assert is_reassessment(draft) and carried_from(draft) == "2026-03-02"
    asked = [s for s in screens_to_ask(WIZARD, draft) if s.id != "review"]
    assert asked and all(s.section == "Safety questions" or s.questionnaire in TRACKED for s in asked)
    assert {s.questionnaire for s in asked} >= set(TRACKED)
    assert any(s.section == "Safety questions" for s in asked)
    first_open = WIZARD.first_open(draft)
    assert first_open.section == "Safety questions"  # safety first, never carried over
    assert "red_flags" not in draft or not draft["red_flags"]
    answers = draft["questionnaires"]
    assert isinstance(answers, dict)
    assert not answers["nprs"].get("answers") and not answers["odi"].get("answers")
    assert "activity_1" not in answers["psfs"].get("answers", {})  # no half answer the engine refuses
    psfs = next(s for s in asked if s.questionnaire == "psfs")
    assert shown_values(draft, psfs)["psfs.activity_1.activity"] == ["Sitting through a meeting"]
    SERVICE.assess(intake_document(WIZARD, draft, "case", dt.date(2026, 3, 16)))  # the draft reads
    assert answers["rmdq"] == _intake()["questionnaires"]["rmdq"]  # not tracked: carried over


def test_carried_answers_stay_and_durations_grow_by_the_days_since() -> None:
    intake = _intake()
    draft = reassessment_draft(WIZARD, intake, TRACKED, dt.date(2026, 3, 2), dt.date(2026, 3, 16))
    assert draft["symptoms"] == intake["symptoms"]
    assert draft["history"]["duration_days"] == 134  # type: ignore[index]
    assert draft[WIZARD_KEY]["typed"]  # type: ignore[index]
    document = intake_document(WIZARD, draft, "case", dt.date(2026, 3, 16))
    assert WIZARD_KEY not in document and document["assessed_on"] == "2026-03-16"


def test_an_ordinary_draft_asks_every_applicable_screen() -> None:
    assert screens_to_ask(WIZARD, {}) == WIZARD.applicable({})
    assert not is_reassessment({}) and carried_from({}) == ""
