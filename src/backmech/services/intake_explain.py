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
from typing import Any

from backmech.domain.conditions import LeafHit
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.services.intake_text import SECTION_NAMES
from backmech.services.readable import readable_hit, readable_missing

REFERRAL_LEVELS = frozenset({"emergency", "urgent"})
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


def _phrase(kb: KnowledgeBase, hit: Mapping[str, Any]) -> str:
    """One fact behind a conclusion, as a person would say it."""
    fact = str(hit.get("fact", ""))
    actual = hit.get("actual")
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
    leaf = LeafHit(fact, str(hit.get("op", "")), hit.get("expected"), actual)  # type: ignore[arg-type]
    return readable_hit(kb.vocabulary, leaf)


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


def _cite(sources: Mapping[str, Any], source_id: object) -> str:
    return str(sources.get(str(source_id), "")) if source_id else ""


def _evidence(kb: KnowledgeBase, items: object, sources: Mapping[str, Any]) -> list[Evidence]:
    out: list[Evidence] = []
    for e in items if isinstance(items, list) else []:
        hits = e.get("hits") or []
        points = [_phrase(kb, h) for h in hits] or [str(f) for f in e.get("facts", [])]
        out.append(Evidence(points, str(e.get("rationale", "")), _cite(sources, e.get("source"))))
    return out


def _finding(kb: KnowledgeBase, m: Mapping[str, Any], sources: Mapping[str, Any]) -> Finding:
    missing = tuple(str(f) for f in m.get("missing_evidence", []) or [])
    confidence = m.get("confidence")
    return Finding(
        id=str(m.get("id", "")),
        name=str(m.get("name", "")),
        kind=str(m.get("kind", "")),
        confidence_label=str(m.get("confidence_label", "")),
        confidence_percent=round(float(confidence) * 100) if isinstance(confidence, int | float) else 0,
        explanation=str(m.get("explanation", "")),
        evidence=_evidence(kb, m.get("evidence"), sources),
        against=_evidence(kb, m.get("against"), sources),
        missing=readable_missing(kb.vocabulary, missing[:6]) if missing else "",
    )


def _score_line(qid: str, view: Mapping[str, Any]) -> ScoreLine:
    skip = {"band", "bands", "mcid", "complete", "missing_items", "notes", "instrument", "version", "source"}
    values = ", ".join(
        f"{k.replace('_', ' ')}: {v:.1f}" if isinstance(v, float) else f"{k.replace('_', ' ')}: {v}"
        for k, v in view.items()
        if k not in skip and v is not None
    )
    bands = view.get("bands") if isinstance(view.get("bands"), Mapping) else {}
    assert isinstance(bands, Mapping)
    band_labels = ", ".join(dict.fromkeys(str(b.get("label", "")) for b in bands.values()))
    meanings = " ".join(dict.fromkeys(str(b.get("meaning", "")) for b in bands.values()))
    return ScoreLine(
        instrument=str(view.get("instrument", qid)),
        values=values or "not scored (some answers missing)",
        band=band_labels,
        meaning=meanings,
        complete=view.get("complete") is True,
    )


def _names(kb: KnowledgeBase, ids: Sequence[object]) -> list[str]:
    return [kb.questionnaires[str(i)].name if str(i) in kb.questionnaires else str(i) for i in ids]


def explain(kb: KnowledgeBase, result: Mapping[str, Any]) -> Explained:
    """The stored result in words (works for stopped, withheld and ready results)."""
    triage = result.get("triage") or {}
    sources = result.get("sources") or {}
    level = str(triage.get("level", "none"))
    reasons = [
        Reason(
            level=str(r.get("level", "")),
            reason=str(r.get("reason", "")),
            action=str(r.get("action", "")),
            where_to_go=str(r.get("where_to_go", "")),
            timeframe=str(r.get("timeframe", "")),
            because=[_from_trace(kb, str(t)) for t in r.get("evidence", [])],
            source=_cite(sources, r.get("source")),
        )
        for r in triage.get("reasons", [])
    ]
    classification = result.get("classification") or {}
    found = [_finding(kb, m, sources) for m in result.get("mechanisms", [])]
    names = {f.id: f.name for f in found}
    completeness = result.get("data_completeness") or {}
    unanswered = []
    for qid in completeness.get("red_flags_unanswered", []):
        question = kb.safety.question(str(qid))
        unanswered.append(question.text if question else str(qid))
    return Explained(
        level=level,
        level_words=LEVEL_WORDS.get(level, level),
        stops=level in REFERRAL_LEVELS,
        action=str(triage.get("action", "")),
        reasons=reasons,
        safety_net=[str(s) for s in triage.get("safety_net", [])],
        plan_status=str(result.get("plan_status", "")),
        dominant=names.get(str(classification.get("dominant")), ""),
        classification_status=str(classification.get("status", "")),
        mechanisms=[f for f in found if f.kind != "psychosocial"],
        psychosocial=[f for f in found if f.kind == "psychosocial"],
        contributing=[_finding(kb, m, sources) for m in result.get("contributing_factors", [])],
        scores=[_score_line(str(qid), view) for qid, view in (result.get("scores") or {}).items()],
        unanswered_safety=unanswered,
        missing_questionnaires=_names(kb, completeness.get("questionnaires_missing", [])),
        incomplete_questionnaires=_names(kb, completeness.get("questionnaires_incomplete", [])),
        missing_sections=[
            SECTION_NAMES.get(str(s), str(s)) for s in completeness.get("sections_missing", [])
        ],
        discriminating_tests=[str(t) for t in classification.get("discriminating_tests", [])],
        disclaimer=str(result.get("disclaimer", "")),
    )
