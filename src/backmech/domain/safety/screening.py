"""Evaluate the safety screen: the first and overriding step of every assessment.

The screen is evaluated with the three-valued logic of
:mod:`backmech.domain.conditions`: an unanswered question is *unknown*, never
"no". The result therefore says three things the caller needs:

* ``level``: the most urgent rule that certainly holds;
* ``unanswered`` / ``complete``: whether every question has an answer (the caller
  withholds any plan until it has);
* ``possible``: emergency or urgent rules that missing answers leave open.

Nothing here can lower a level: there is no override, no weighting and no
"ignore" switch. An emergency or urgent level stops the programme
(:attr:`TriageLevel.stops_programme`); that is the caller's contract.

Example::

    >>> from backmech.domain.conditions import Leaf
    >>> from backmech.domain.safety.model import RedFlagRule, SafetyScreen, ScreenQuestion
    >>> q = ScreenQuestion("saddle_numbness", "Numb saddle area?", "", "cauda_equina")
    >>> rule = RedFlagRule("ces", "cauda_equina", TriageLevel.EMERGENCY,
    ...     Leaf("red_flag.saddle_numbness", "eq", True), "why", "go", "ED", "now", "s")
    >>> safety = SafetyScreen((q,), (rule,), {TriageLevel.EMERGENCY: "Go now."}, (), "s")
    >>> result = screen(safety, {"red_flag.saddle_numbness": True})
    >>> result.level, result.complete, result.reasons[0].evidence
    (<TriageLevel.EMERGENCY: 'emergency'>, True, ('red_flag.saddle_numbness eq True (was True)',))
"""

from __future__ import annotations

from backmech.domain.records import record
from backmech.domain.safety.model import SafetyScreen
from backmech.domain.types import Facts, SourceId, TriageLevel


@record
class TriageReason:
    """One rule that held: what concerns us, what to do, and the answers behind it."""

    rule_id: str
    category: str
    level: TriageLevel
    reason: str
    action: str
    where_to_go: str
    timeframe: str
    source: SourceId
    evidence: tuple[str, ...]
    """Readable ``fact op value (was …)`` strings of the leaves that held."""


@record
class TriageResult:
    """Outcome of the screen for one person.

    Invariants: ``level`` equals the level of ``reasons[0]`` (or ``none`` when
    no rule held); ``reasons`` run from most to least urgent; ``complete`` is
    true exactly when ``unanswered`` is empty.
    """

    level: TriageLevel
    reasons: tuple[TriageReason, ...]
    action: str
    """The action text for ``level`` (what the person must do now)."""
    safety_net: tuple[str, ...]
    """Shown to every person, whatever the level."""
    unanswered: tuple[str, ...]
    """Question ids with no answer, in question order."""
    complete: bool
    possible: tuple[str, ...]
    """Emergency/urgent rule ids that missing answers leave open."""

    @property
    def stops_programme(self) -> bool:
        """True when exercise content must not be shown (emergency or urgent)."""
        return self.level.stops_programme

    @property
    def findings(self) -> tuple[TriageReason, ...]:
        """Reasons at level ``none``: noted for the clinician, no referral needed."""
        return tuple(r for r in self.reasons if r.level is TriageLevel.NONE)


def screen(safety: SafetyScreen, facts: Facts) -> TriageResult:
    """Evaluate every rule against ``facts`` and keep the most urgent level.

    All rules are evaluated (not only until the first hit) so the person and the
    clinician see every concern, each with its own route and evidence.
    """
    reasons: list[TriageReason] = []
    possible: list[str] = []
    for rule in safety.rules:
        value = rule.when.truth(facts)
        if value is True:
            outcome = rule.when.evaluate(facts)
            reasons.append(
                TriageReason(
                    rule_id=rule.id,
                    category=rule.category,
                    level=rule.level,
                    reason=rule.reason,
                    action=rule.action,
                    where_to_go=rule.where_to_go,
                    timeframe=rule.timeframe,
                    source=rule.source,
                    evidence=tuple(hit.describe() for hit in outcome.held),
                )
            )
        elif value is None and rule.level.stops_programme:
            possible.append(rule.id)
    # Stable sort: equally urgent reasons keep the order of the knowledge file.
    reasons.sort(key=lambda r: -r.level.rank)
    level = reasons[0].level if reasons else TriageLevel.NONE
    unanswered = tuple(qid for qid, fact_id in safety.question_facts() if fact_id not in facts)
    return TriageResult(
        level=level,
        reasons=tuple(reasons),
        action=safety.level_actions.get(level, ""),
        safety_net=safety.safety_net,
        unanswered=unanswered,
        complete=not unanswered,
        possible=tuple(possible),
    )
