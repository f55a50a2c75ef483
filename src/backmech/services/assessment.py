"""The assessment use case: intake → scores → screen → facts → mechanisms → plan.

This is the one orchestration of the engine; the CLI, the web app and workers
call it and only render what it returns. Each stage is a pure function of the
domain; this module just calls them in order and assembles the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from backmech import __version__
from backmech.domain.derivations import derive_facts
from backmech.domain.exercises.selection import ExerciseIndex
from backmech.domain.intake import CaseInput, IntakeReader
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.mechanism.classification import (
    Classification,
    MechanismFinding,
    PredictionRuleResult,
    classify,
)
from backmech.domain.plans.generator import generate_plan
from backmech.domain.plans.model import Plan
from backmech.domain.questionnaires.facts import score_facts
from backmech.domain.questionnaires.model import Questionnaire
from backmech.domain.questionnaires.scoring import QuestionnaireScore, score
from backmech.domain.records import record
from backmech.domain.safety.screening import TriageResult, screen
from backmech.domain.types import FactValue

RESULT_SCHEMA_VERSION = 1

DISCLAIMER = (
    "backmech supports decisions about low back pain; it does not replace an assessment "
    "by a clinician. If your symptoms change or you are worried, contact a health professional."
)

PLAN_READY = "ready"
PLAN_WITHHELD_RED_FLAG = "withheld_red_flag"
PLAN_WITHHELD_INCOMPLETE = "withheld_screen_incomplete"


@record
class ClassificationSummary:
    """How clear the mechanism picture is, and what would clarify it."""

    status: str
    """``clear``, ``mixed``, ``insufficient``, or ``not_assessed`` after a red-flag stop."""
    dominant: str | None
    candidates: tuple[str, ...]
    discriminating_tests: tuple[str, ...]
    emphasis: str


@record
class DataCompleteness:
    """What was not answered, so conclusions can say what evidence was missing."""

    questionnaires_answered: tuple[str, ...]
    questionnaires_missing: tuple[str, ...]
    questionnaires_incomplete: tuple[str, ...]
    sections_missing: tuple[str, ...]
    red_flags_unanswered: tuple[str, ...]


@record
class AssessmentResult:
    """The machine-readable result. Field names are a public contract: extend, never rename."""

    schema_version: int
    case_id: str
    assessed_on: str | None
    backmech_version: str
    disclaimer: str
    triage: TriageResult
    scores: Mapping[str, Mapping[str, object]]
    classification: ClassificationSummary
    mechanisms: tuple[MechanismFinding, ...]
    contributing_factors: tuple[MechanismFinding, ...]
    prediction_rules: tuple[PredictionRuleResult, ...]
    plan: Plan | None
    plan_status: str
    data_completeness: DataCompleteness
    sources: Mapping[str, str]
    """Every source id cited anywhere in this result, with its citation."""
    movement_tests: tuple[Mapping[str, object], ...] = ()
    """Movement-test analyses whose findings were added to this assessment (``--video``)."""


INTAKE_SECTIONS = ("person", "history", "pain", "symptoms", "lifestyle", "neuro", "examination")


def score_view(q: Questionnaire, s: QuestionnaireScore) -> dict[str, object]:
    """One questionnaire's scores in the contract shape: ``scores.odi.percent`` etc."""
    return _score_view(q, s, _static_view(q))


def _static_view(q: Questionnaire) -> dict[str, object]:
    """The parts of a score view that depend only on the instrument."""
    return {
        "mcid": {
            o.id: {"points": o.mcid.points, "percent": o.mcid.percent, "source": o.mcid.source}
            for o in q.outputs
            if o.mcid is not None
        },
        "instrument": q.name,
        "version": q.version,
        "source": q.source,
    }


def _score_view(q: Questionnaire, s: QuestionnaireScore, static: Mapping[str, object]) -> dict[str, object]:
    view: dict[str, object] = dict(s.values)
    primary_band = s.bands.get(q.primary_output)
    view["band"] = primary_band.id if primary_band else None
    view["bands"] = {
        out: {"id": b.id, "label": b.label, "meaning": b.meaning, "source": b.source}
        for out, b in s.bands.items()
    }
    view["mcid"] = static["mcid"]
    view["complete"] = s.complete
    view["missing_items"] = list(s.missing_items)
    view["notes"] = list(s.notes)
    view["instrument"] = static["instrument"]
    view["version"] = static["version"]
    view["source"] = static["source"]
    return view


class AssessmentService:
    """Assess cases against one knowledge base. Build once; reuse for many cases.

    Example::

        service = AssessmentService(default_knowledge())
        result = service.assess(json.loads(path.read_text()))
        result.triage.level, result.plan
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.reader = IntakeReader(kb.vocabulary, kb.questionnaires.keys())
        self._exercises = ExerciseIndex.build(kb.exercises)
        self._static_views = {qid: _static_view(q) for qid, q in kb.questionnaires.items()}
        # Offered order: modules for everyone first, then by slug (stable output).
        self._education = {
            m.slug: m for m in sorted(kb.education.values(), key=lambda m: (not m.always, m.slug))
        }
        self._exercises = ExerciseIndex.build(kb.exercises)
        self._static_views = {qid: _static_view(q) for qid, q in kb.questionnaires.items()}
        # Offered order: modules for everyone first, then by slug (stable output).
        self._education = {
            m.slug: m for m in sorted(kb.education.values(), key=lambda m: (not m.always, m.slug))
        }

    def read(self, data: object) -> CaseInput:
        """Validate an intake (raises InputError naming the field)."""
        return self.reader.read(data)

    def assess(self, data: object) -> AssessmentResult:
        """Full assessment of one decoded intake."""
        return self.assess_case(self.read(data))

    def assess_case(self, case: CaseInput) -> AssessmentResult:
        kb = self.kb
        facts: dict[str, FactValue] = dict(case.facts)
        scores: dict[str, Mapping[str, object]] = {}
        incomplete: list[str] = []
        for qid, q in kb.questionnaires.items():
            answers = case.answers.get(qid)
            if not answers:
                continue
            result = score(q, answers)
            scores[qid] = _score_view(q, result, self._static_views[qid])
            facts.update(score_facts(result))
            if not result.complete:
                incomplete.append(qid)
        facts.update(derive_facts(facts))

        triage = screen(kb.safety, facts)
        if triage.level.stops_programme:
            classification = None
            plan_status = PLAN_WITHHELD_RED_FLAG
        else:
            classification = classify(kb.mechanisms, facts)
            plan_status = PLAN_READY if triage.complete else PLAN_WITHHELD_INCOMPLETE

        plan: Plan | None = None
        if classification is not None and plan_status == PLAN_READY:
            plan = generate_plan(
                classification=classification,
                facts=facts,
                preferences=case.preferences,
                exercises=self._exercises,
                education=self._education,
                settings=kb.plan,
                mechanisms=kb.mechanisms.mechanisms,
            )
        summary = _summary(classification)
        completeness = DataCompleteness(
            questionnaires_answered=tuple(scores),
            questionnaires_missing=tuple(q for q in kb.questionnaires if q not in scores),
            questionnaires_incomplete=tuple(incomplete),
            sections_missing=tuple(s for s in INTAKE_SECTIONS if s not in case.given_sections),
            red_flags_unanswered=triage.unanswered,
        )
        mechanisms = classification.mechanisms if classification else ()
        contributing = classification.contributing if classification else ()
        prediction = classification.prediction_rules if classification else ()
        return AssessmentResult(
            schema_version=RESULT_SCHEMA_VERSION,
            case_id=case.case_id,
            assessed_on=case.assessed_on,
            backmech_version=__version__,
            disclaimer=DISCLAIMER,
            triage=triage,
            scores=scores,
            classification=summary,
            mechanisms=mechanisms,
            contributing_factors=contributing,
            prediction_rules=prediction,
            plan=plan,
            plan_status=plan_status,
            data_completeness=completeness,
            sources=self._cited(triage, scores, (*mechanisms, *contributing), prediction, plan),
        )

    def _cited(
        self,
        triage: TriageResult,
        scores: Mapping[str, Mapping[str, object]],
        findings: Iterable[MechanismFinding],
        prediction: Iterable[PredictionRuleResult],
        plan: Plan | None,
    ) -> dict[str, str]:
        ids: set[str] = {r.source for r in triage.reasons}
        ids.add(self.kb.safety.source)
        for view in scores.values():
            ids.add(str(view["source"]))
            bands = view["bands"]
            mcid = view["mcid"]
            assert isinstance(bands, dict) and isinstance(mcid, dict)
            ids.update(b["source"] for b in bands.values())
            ids.update(m["source"] for m in mcid.values())
        for f in findings:
            ids.add(f.source)
            ids.update(e.source for e in f.evidence)
            ids.update(e.source for e in f.against)
        ids.update(p.source for p in prediction)
        if plan is not None:
            ids.update(plan.sources)
            ids.update(x.source for x in plan.daily_routine)
        known = self.kb.sources
        return {sid: known[sid].citation for sid in sorted(ids) if sid in known}


def _summary(classification: Classification | None) -> ClassificationSummary:
    if classification is None:
        return ClassificationSummary("not_assessed", None, (), (), "balanced")
    return ClassificationSummary(
        status=classification.status,
        dominant=classification.dominant,
        candidates=classification.candidates,
        discriminating_tests=classification.discriminating_tests,
        emphasis=classification.emphasis,
    )
