"""Golden cases: whole assessments whose expected outcome comes from the literature.

Each ``cases/*.json`` file holds a ``title``, a ``reference`` (the published source and
what it says that the case encodes), ``notes`` (the hand arithmetic behind expected
scores), a valid ``intake`` and the ``expect`` block checked here. The expectations were
written from the literature (clinical reference sections 2, 3, 5 and 6), not copied from
engine output.

A case may also carry ``discrepancies``: expectations the literature requires but the
engine does not yet meet. Each one runs as its own test marked
``xfail(strict=True)`` with the reason, so it stays visible and turns into a failure
(and must be promoted into ``expect``) as soon as the engine is fixed.

Expectation keys (all optional):

* ``triage_level``; ``triage_categories_include`` / ``triage_categories_exclude``
  (categories among ``triage.reasons``); ``triage_rules_include`` /
  ``triage_rules_exclude`` (rule ids among ``triage.reasons``);
  ``red_flags_unanswered_include``;
* ``plan_status``;
* ``scores``: ``{"qid.output": value}`` where value is exact, ``{"approx": x, "tol": t}``,
  or ``null`` meaning *not scored* (questionnaire absent or output withheld; never 0);
  ``questionnaires_missing_include``;
* ``top_mechanism`` (first of ``result.mechanisms`` or ``null``), ``dominant``,
  ``classification_status``, ``classification_candidates_include``,
  ``discriminating_tests_include`` (substrings);
* ``mechanisms_include`` / ``mechanisms_exclude``, ``contributing_include`` /
  ``contributing_exclude``, ``prediction_rules`` (id → positive/negative/indeterminate),
  ``missing_evidence_for`` (mechanism id → fact ids in its ``missing_evidence``);
* ``plan_exercises_include`` / ``plan_exercises_exclude`` (slugs across every phase
  session, ``plan.exercises``, ``plan.daily_routine`` and the ``plan.walking`` programme),
  ``daily_routine_include`` / ``daily_routine_exclude`` (the 2-5 minute routine only), ``avoid_mentions``
  (substrings of ``plan.avoid[].what``), ``education_include``, ``lifestyle_include``,
  ``clinician_care_include``, ``plan_emphasis``, ``weeks``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from backmech.domain.results import AssessmentResult
from backmech.knowledge.loader import load_knowledge
from backmech.services.assessment import AssessmentService
from backmech.services.codec import SCORE_DETAIL_KEYS

CASES_DIR = Path(__file__).parent / "cases"
CASE_FILES = sorted(CASES_DIR.glob("*.json"))
MIN_CASES = 18
CASE_KEYS = frozenset({"title", "reference", "notes", "intake", "expect", "discrepancies"})
PREDICTION_STATUSES = frozenset({"positive", "negative", "indeterminate"})
CLASSIFICATION_STATUSES = frozenset({"clear", "mixed", "insufficient", "not_assessed"})
MECHANISM_LIST_KEYS = (
    "mechanisms_include",
    "mechanisms_exclude",
    "contributing_include",
    "contributing_exclude",
)


@cache
def service() -> AssessmentService:
    """One service for every case: loading the knowledge base is the slow part."""
    return AssessmentService(load_knowledge())


def load_case(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: a case is a JSON object"
    return data


@cache
def assessed(path: Path) -> AssessmentResult:
    """Each case is assessed once and shared by its expectation tests."""
    return service().assess(load_case(path)["intake"])


# ------------------------------------------------------------------------------ result views


def _plan_slugs(result: AssessmentResult) -> set[str]:
    plan = result.plan
    assert plan is not None
    slugs = {e.slug for e in (*plan.exercises, *plan.daily_routine, *plan.walking, *plan.relief)}
    for phase in plan.phases:
        slugs |= {e.slug for e in phase.session}
    return slugs


_MISSING = object()


def _score(result: AssessmentResult, key: str) -> object:
    qid, _, output = key.partition(".")
    view = result.scores.get(qid)
    if view is None:
        return _MISSING
    if output in SCORE_DETAIL_KEYS:  # band, complete, missing_items…: the report's own fields
        return getattr(view, output)
    return view.values.get(output, _MISSING)


def _matches(actual: object, expected: object) -> bool:
    if isinstance(expected, dict):
        if not isinstance(actual, int | float) or isinstance(actual, bool):
            return False
        return math.isclose(float(actual), float(expected["approx"]), abs_tol=float(expected["tol"]))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    return actual == expected


# ------------------------------------------------------------------------------ checks

Problems = list[str]


def _need_plan(result: AssessmentResult, key: str, problems: Problems) -> bool:
    if result.plan is None:
        problems.append(f"{key}: no plan was generated (plan_status={result.plan_status!r})")
        return False
    return True


def _subset(key: str, expected: list[str], actual: set[str] | list[str], problems: Problems) -> None:
    missing = [x for x in expected if x not in actual]
    if missing:
        problems.append(f"{key}: missing {missing}; got {sorted(actual)}")


def _disjoint(key: str, expected: list[str], actual: set[str] | list[str], problems: Problems) -> None:
    present = [x for x in expected if x in actual]
    if present:
        problems.append(f"{key}: unexpectedly present {present}")


def check_triage_level(r: AssessmentResult, exp: str, p: Problems) -> None:
    if r.triage.level.value != exp:
        p.append(f"triage_level: expected {exp!r}, got {r.triage.level.value!r}")


def check_triage_categories_include(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    _subset("triage_categories_include", exp, [x.category for x in r.triage.reasons], p)


def check_triage_categories_exclude(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    _disjoint("triage_categories_exclude", exp, [x.category for x in r.triage.reasons], p)


def check_triage_rules_include(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    _subset("triage_rules_include", exp, [x.rule_id for x in r.triage.reasons], p)


def check_triage_rules_exclude(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    _disjoint("triage_rules_exclude", exp, [x.rule_id for x in r.triage.reasons], p)


def check_red_flags_unanswered_include(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    _subset("red_flags_unanswered_include", exp, list(r.data_completeness.red_flags_unanswered), p)


def check_plan_status(r: AssessmentResult, exp: str, p: Problems) -> None:
    if r.plan_status != exp:
        p.append(f"plan_status: expected {exp!r}, got {r.plan_status!r}")


def check_scores(r: AssessmentResult, exp: Mapping[str, object], p: Problems) -> None:
    for key, expected in exp.items():
        actual = _score(r, key)
        if expected is None:
            if actual is not _MISSING and actual is not None:
                p.append(f"scores.{key}: expected not scored (absent), got {actual!r}")
        elif actual is _MISSING:
            p.append(f"scores.{key}: expected {expected!r}, but it was not scored")
        elif not _matches(actual, expected):
            p.append(f"scores.{key}: expected {expected!r}, got {actual!r}")


def check_questionnaires_missing_include(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    _subset("questionnaires_missing_include", exp, list(r.data_completeness.questionnaires_missing), p)
    scored = [q for q in exp if q in r.scores]
    if scored:
        p.append(f"questionnaires_missing_include: {scored} have scores although not answered")


def check_top_mechanism(r: AssessmentResult, exp: str | None, p: Problems) -> None:
    actual = r.mechanisms[0].id if r.mechanisms else None
    if actual != exp:
        p.append(f"top_mechanism: expected {exp!r}, got {actual!r} ({[m.id for m in r.mechanisms]})")


def check_dominant(r: AssessmentResult, exp: str | None, p: Problems) -> None:
    if r.classification.dominant != exp:
        p.append(f"dominant: expected {exp!r}, got {r.classification.dominant!r}")


def check_classification_status(r: AssessmentResult, exp: str, p: Problems) -> None:
    assert exp in CLASSIFICATION_STATUSES, exp
    if r.classification.status != exp:
        p.append(f"classification_status: expected {exp!r}, got {r.classification.status!r}")


def check_classification_candidates_include(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    _subset("classification_candidates_include", exp, list(r.classification.candidates), p)


def check_discriminating_tests_include(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    tests = r.classification.discriminating_tests
    for fragment in exp:
        if not any(fragment in t for t in tests):
            p.append(f"discriminating_tests_include: no test mentions {fragment!r}; got {list(tests)}")


def check_mechanisms_include(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    _subset("mechanisms_include", exp, [m.id for m in r.mechanisms], p)


def check_mechanisms_exclude(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    _disjoint("mechanisms_exclude", exp, [m.id for m in r.mechanisms], p)


def check_contributing_include(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    _subset("contributing_include", exp, [c.id for c in r.contributing_factors], p)


def check_contributing_exclude(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    _disjoint("contributing_exclude", exp, [c.id for c in r.contributing_factors], p)


def check_prediction_rules(r: AssessmentResult, exp: Mapping[str, str], p: Problems) -> None:
    got = {pr.id: pr.status for pr in r.prediction_rules}
    for rule_id, status in exp.items():
        assert status in PREDICTION_STATUSES, status
        if got.get(rule_id) != status:
            p.append(f"prediction_rules.{rule_id}: expected {status!r}, got {got.get(rule_id)!r}")


def check_missing_evidence_for(r: AssessmentResult, exp: Mapping[str, list[str]], p: Problems) -> None:
    findings = {m.id: m for m in (*r.mechanisms, *r.contributing_factors)}
    for mech_id, facts in exp.items():
        if mech_id not in findings:
            p.append(f"missing_evidence_for.{mech_id}: the mechanism was not reported")
            continue
        _subset(f"missing_evidence_for.{mech_id}", facts, list(findings[mech_id].missing_evidence), p)


def check_plan_exercises_include(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    if _need_plan(r, "plan_exercises_include", p):
        _subset("plan_exercises_include", exp, _plan_slugs(r), p)


def check_plan_exercises_exclude(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    if _need_plan(r, "plan_exercises_exclude", p):
        _disjoint("plan_exercises_exclude", exp, _plan_slugs(r), p)


def check_daily_routine_include(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    if _need_plan(r, "daily_routine_include", p):
        assert r.plan is not None
        _subset("daily_routine_include", exp, [e.slug for e in r.plan.daily_routine], p)


def check_daily_routine_exclude(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    if _need_plan(r, "daily_routine_exclude", p):
        assert r.plan is not None
        _disjoint("daily_routine_exclude", exp, [e.slug for e in r.plan.daily_routine], p)


def check_avoid_mentions(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    if not _need_plan(r, "avoid_mentions", p):
        return
    assert r.plan is not None
    whats = [a.what for a in r.plan.avoid]
    for fragment in exp:
        if not any(fragment in w for w in whats):
            p.append(f"avoid_mentions: nothing to avoid mentions {fragment!r}; got {whats}")


def check_education_include(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    if _need_plan(r, "education_include", p):
        assert r.plan is not None
        _subset("education_include", exp, [e.slug for e in r.plan.education], p)


def check_lifestyle_include(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    if _need_plan(r, "lifestyle_include", p):
        assert r.plan is not None
        _subset("lifestyle_include", exp, [a.id for a in r.plan.lifestyle], p)


def check_clinician_care_include(r: AssessmentResult, exp: list[str], p: Problems) -> None:
    if _need_plan(r, "clinician_care_include", p):
        assert r.plan is not None
        _subset("clinician_care_include", exp, [c.id for c in r.plan.clinician_care], p)


def check_plan_emphasis(r: AssessmentResult, exp: str, p: Problems) -> None:
    if _need_plan(r, "plan_emphasis", p):
        assert r.plan is not None
        if r.plan.emphasis != exp:
            p.append(f"plan_emphasis: expected {exp!r}, got {r.plan.emphasis!r}")


def check_weeks(r: AssessmentResult, exp: int, p: Problems) -> None:
    if _need_plan(r, "weeks", p):
        assert r.plan is not None
        if r.plan.weeks != exp:
            p.append(f"weeks: expected {exp}, got {r.plan.weeks} ({r.plan.weeks_reason})")


CHECKS: dict[str, Callable[[AssessmentResult, Any, Problems], None]] = {
    name.removeprefix("check_"): fn for name, fn in globals().items() if name.startswith("check_")
}


# ------------------------------------------------------------------------------ tests


def _expectation_params() -> list[Any]:
    params: list[Any] = []
    for path in CASE_FILES:
        data = load_case(path)
        params.append(pytest.param(path, data.get("expect", {}), id=path.stem))
        for i, disc in enumerate(data.get("discrepancies", ()), start=1):
            params.append(
                pytest.param(
                    path,
                    disc["expect"],
                    id=f"{path.stem}::discrepancy-{i}",
                    marks=pytest.mark.xfail(strict=True, reason=disc["reason"]),
                )
            )
    return params


def run_expectations(path: Path, expect: Mapping[str, Any]) -> Problems:
    result = assessed(path)
    problems: Problems = []
    for key, expected in expect.items():
        CHECKS[key](result, expected, problems)
    return problems


@pytest.mark.parametrize(("path", "expect"), _expectation_params())
def test_golden_case(path: Path, expect: Mapping[str, Any]) -> None:
    problems = run_expectations(path, expect)
    assert not problems, f"{path.name}:\n  " + "\n  ".join(problems)


def test_enough_golden_cases() -> None:
    assert len(CASE_FILES) >= MIN_CASES


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case_file_is_well_formed(path: Path) -> None:
    data = load_case(path)
    assert set(data) <= CASE_KEYS, f"unknown keys {set(data) - CASE_KEYS}"
    for key in ("title", "reference", "intake", "expect"):
        assert data.get(key), f"{path.name}: {key} is required"
    assert len(data["reference"]) >= 40, "say which source and what it says"
    blocks = [data["expect"], *(d["expect"] for d in data.get("discrepancies", ()))]
    for disc in data.get("discrepancies", ()):
        assert set(disc) == {"reason", "expect"} and disc["reason"], "a discrepancy needs reason + expect"
    for block in blocks:
        unknown = set(block) - set(CHECKS)
        assert not unknown, f"{path.name}: unknown expectation keys {sorted(unknown)}"
    slugs = set(service().kb.exercises)
    mechanisms = set(service().kb.mechanisms.mechanisms)
    for block in blocks:
        for key in (
            "plan_exercises_include",
            "plan_exercises_exclude",
            "daily_routine_include",
            "daily_routine_exclude",
        ):
            assert set(block.get(key, ())) <= slugs, f"{key}: unknown slugs {set(block[key]) - slugs}"
        for key in MECHANISM_LIST_KEYS:
            unknown_ids = set(block.get(key, ())) - mechanisms
            assert not unknown_ids, f"{key}: unknown mechanism ids {unknown_ids}"


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case_is_deterministic(path: Path) -> None:
    """The same intake gives the same conclusions and plan (generator invariant)."""
    intake = load_case(path)["intake"]
    first, second = service().assess(intake), service().assess(intake)
    assert first.triage == second.triage
    assert first.mechanisms == second.mechanisms
    assert first.plan == second.plan
