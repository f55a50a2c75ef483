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
from backmech.domain.results.model import (
    DISCLAIMER,
    PLAN_READY,
    PLAN_WITHHELD_INCOMPLETE,
    PLAN_WITHHELD_RED_FLAG,
    RESULT_SCHEMA_VERSION,
    AssessmentResult,
    BandReport,
    ChangeReport,
    ClassificationSummary,
    DataCompleteness,
    ScoreReport,
)
from backmech.domain.safety.screening import TriageResult, screen
from backmech.domain.types import FactValue

INTAKE_SECTIONS = ("person", "history", "pain", "symptoms", "lifestyle", "neuro", "examination")


def score_report(q: Questionnaire, s: QuestionnaireScore) -> ScoreReport:
    """One questionnaire's scores as the result reports them (``scores.odi.percent`` etc. in JSON)."""
    primary_band = s.bands.get(q.primary_output)
    return ScoreReport(
        values=dict(s.values),
        band=primary_band.id if primary_band else None,
        bands={out: BandReport(b.id, b.label, b.meaning, b.source) for out, b in s.bands.items()},
        mcid={
            o.id: ChangeReport(o.mcid.points, o.mcid.percent, o.mcid.source)
            for o in q.outputs
            if o.mcid is not None
        },
        complete=s.complete,
        missing_items=s.missing_items,
        notes=s.notes,
        instrument=q.name,
        version=q.version,
        source=q.source,
    )


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
        scores: dict[str, ScoreReport] = {}
        incomplete: list[str] = []
        for qid, q in kb.questionnaires.items():
            answers = case.answers.get(qid)
            if not answers:
                continue
            result = score(q, answers)
            scores[qid] = score_report(q, result)
            facts.update(score_facts(result))
            if not result.complete:
                incomplete.append(qid)
        facts.update(derive_facts(facts, kb.derivations))

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
        scores: Mapping[str, ScoreReport],
        findings: Iterable[MechanismFinding],
        prediction: Iterable[PredictionRuleResult],
        plan: Plan | None,
    ) -> dict[str, str]:
        ids: set[str] = {r.source for r in triage.reasons}
        ids.add(self.kb.safety.source)
        for report in scores.values():
            ids.add(report.source)
            ids.update(b.source for b in report.bands.values())
            ids.update(m.source for m in report.mcid.values())
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
