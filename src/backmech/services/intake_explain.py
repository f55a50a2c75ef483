"""A stored assessment result explained for the person: what was found, and why, in words.

The result JSON keeps exact traces (``aggravated_by.bending_forward eq True``) for
clinicians and machines. The result page turns each trace into a short phrase
("Bending forward makes your pain worse"), keeps the knowledge base's rationale
and cites the source, so a person can see which of their answers led to which
conclusion. Nothing is concluded here; the engine's result is only reworded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from backmech.domain.conditions import LeafHit
from backmech.domain.evidence import RuleFiring
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.mechanism.classification import MechanismFinding
from backmech.domain.results.model import AssessmentResult, ScoreReport
from backmech.services.intake_text import SECTION_NAMES
from backmech.services.readable import readable_hit, readable_missing

LEVEL_WORDS: Mapping[str, str] = {
    "emergency": "Emergency: go now",
    "urgent": "Urgent: see a doctor today",
    "soon": "See a doctor soon",
    "none": "No warning signs found",
}


@dataclass
class Reason:
    level: str
    reason: str
    action: str
    where_to_go: str
    timeframe: str
    because: list[str]
    source: str


@dataclass
class Evidence:
    points: list[str]
    rationale: str
    source: str


@dataclass
class Finding:
    id: str
    name: str
    kind: str
    confidence_label: str
    confidence_percent: int
    explanation: str
    evidence: list[Evidence]
    against: list[Evidence]
    missing: str


@dataclass
class ScoreLine:
    instrument: str
    values: str
    band: str
    meaning: str
    complete: bool


@dataclass
class Explained:
    """Everything the result page shows, already in words."""

    level: str
    level_words: str
    stops: bool
    action: str
    reasons: list[Reason]
    safety_net: list[str]
    plan_status: str
    dominant: str
    classification_status: str
    mechanisms: list[Finding] = field(default_factory=list)
    psychosocial: list[Finding] = field(default_factory=list)
    contributing: list[Finding] = field(default_factory=list)
    scores: list[ScoreLine] = field(default_factory=list)
    unanswered_safety: list[str] = field(default_factory=list)
    missing_questionnaires: list[str] = field(default_factory=list)
    incomplete_questionnaires: list[str] = field(default_factory=list)
    missing_sections: list[str] = field(default_factory=list)
    discriminating_tests: list[str] = field(default_factory=list)
    disclaimer: str = ""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _phrase(kb: KnowledgeBase, hit: LeafHit) -> str:
    """One fact behind a conclusion, as a person would say it."""
    fact, actual = hit.fact, hit.actual
    activity = kb.vocabulary.enumerations.get("activity", {})
    places = kb.vocabulary.enumerations.get("pain_location", {})
    prefix, _, value = fact.partition(".")
    if prefix in ("aggravated_by", "eased_by") and value in activity:
        verb = "makes your pain worse" if prefix == "aggravated_by" else "eases your pain"
        return f"{activity[value]} {verb}" if actual is True else f"{activity[value]}: not a trigger for you"
    if fact.startswith("pain.location.") and fact.removeprefix("pain.location.") in places:
        return "You feel pain in: " + _lower_first(places[fact.removeprefix("pain.location.")])
    if prefix == "red_flag":
        question = kb.safety.question(value)
        if question is not None:
            return f"You answered {'yes' if actual else 'no'} to: {question.text}"
    if prefix == "score":
        qid, _, output = value.partition(".")
        if qid in kb.questionnaires:
            shown = (
                str(actual).replace("_", " ") if not isinstance(actual, bool) else ("yes" if actual else "no")
            )
            what = output.replace("_", " ").replace(".", " ")
            return f"Your {kb.questionnaires[qid].name} result ({what}): {shown}"
    return readable_hit(kb.vocabulary, hit)


def _from_trace(kb: KnowledgeBase, trace: str) -> str:
    """A triage evidence string (``red_flag.x eq True (was True)``, ``person.age ge 50 (was 67)``)."""
    fact = trace.split(" ", 1)[0]
    if fact.startswith("red_flag."):
        question = kb.safety.question(fact.removeprefix("red_flag."))
        if question is not None:
            return f"You answered yes to: {question.text}"
    spec = kb.vocabulary.get(fact)
    if spec is None:
        return trace
    was = trace.rsplit("(was ", 1)[-1].rstrip(")") if "(was " in trace else ""
    if was in ("True", "False"):
        was = "yes" if was == "True" else "no"
    unit = f" {spec.unit}" if spec.unit else ""
    return spec.description.rstrip(".") + (f": {was.strip(chr(39))}{unit}" if was else "")


def _cite(sources: Mapping[str, str], source_id: str) -> str:
    return sources.get(source_id, "") if source_id else ""


def _evidence(kb: KnowledgeBase, items: Sequence[RuleFiring], sources: Mapping[str, str]) -> list[Evidence]:
    return [
        Evidence([_phrase(kb, h) for h in e.hits] or list(e.facts), e.rationale, _cite(sources, e.source))
        for e in items
    ]


def _finding(kb: KnowledgeBase, m: MechanismFinding, sources: Mapping[str, str]) -> Finding:
    missing = m.missing_evidence
    return Finding(
        id=m.id,
        name=m.name,
        kind=str(m.kind),
        confidence_label=m.confidence_label,
        confidence_percent=round(m.confidence * 100),
        explanation=m.explanation,
        evidence=_evidence(kb, m.evidence, sources),
        against=_evidence(kb, m.against, sources),
        missing=readable_missing(kb.vocabulary, missing[:6]) if missing else "",
    )


def _score_line(report: ScoreReport) -> ScoreLine:
    values = ", ".join(
        f"{k.replace('_', ' ')}: {v:.1f}" if isinstance(v, float) else f"{k.replace('_', ' ')}: {v}"
        for k, v in report.values.items()
        if v is not None
    )
    bands = report.bands.values()
    return ScoreLine(
        instrument=report.instrument,
        values=values or "not scored (some answers missing)",
        band=", ".join(dict.fromkeys(b.label for b in bands)),
        meaning=" ".join(dict.fromkeys(b.meaning for b in bands)),
        complete=report.complete,
    )


def _names(kb: KnowledgeBase, ids: Sequence[str]) -> list[str]:
    return [kb.questionnaires[i].name if i in kb.questionnaires else i for i in ids]


def explain(kb: KnowledgeBase, result: AssessmentResult) -> Explained:
    """The stored result in words (works for stopped, withheld and ready results)."""
    triage = result.triage
    sources = result.sources
    level = str(triage.level)
    reasons = [
        Reason(
            level=str(r.level),
            reason=r.reason,
            action=r.action,
            where_to_go=r.where_to_go,
            timeframe=r.timeframe,
            because=[_from_trace(kb, t) for t in r.evidence],
            source=_cite(sources, r.source),
        )
        for r in triage.reasons
    ]
    classification = result.classification
    found = [_finding(kb, m, sources) for m in result.mechanisms]
    names = {f.id: f.name for f in found}
    completeness = result.data_completeness
    unanswered = []
    for qid in completeness.red_flags_unanswered:
        question = kb.safety.question(qid)
        unanswered.append(question.text if question else qid)
    return Explained(
        level=level,
        level_words=LEVEL_WORDS.get(level, level),
        stops=triage.level.stops_programme,
        action=triage.action,
        reasons=reasons,
        safety_net=list(triage.safety_net),
        plan_status=result.plan_status,
        dominant=names.get(classification.dominant or "", ""),
        classification_status=classification.status,
        mechanisms=[f for f in found if f.kind != "psychosocial"],
        psychosocial=[f for f in found if f.kind == "psychosocial"],
        contributing=[_finding(kb, m, sources) for m in result.contributing_factors],
        scores=[_score_line(report) for report in result.scores.values()],
        unanswered_safety=unanswered,
        missing_questionnaires=_names(kb, completeness.questionnaires_missing),
        incomplete_questionnaires=_names(kb, completeness.questionnaires_incomplete),
        missing_sections=[SECTION_NAMES.get(s, s) for s in completeness.sections_missing],
        discriminating_tests=list(classification.discriminating_tests),
        disclaimer=result.disclaimer,
    )
