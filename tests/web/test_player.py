"""The session player: every exercise of the session, with its tools, and the log form at the end."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from tests.web.conftest import Site, build_site

from backmech.domain.plans.model import Plan
from backmech.services.care_plan import current_plan
from backmech.services.progress import phase_session
from backmech.storage.engine import sqlite_url


@pytest.fixture(scope="module")
def assessed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One installation where patient_a has a plan (read only: building one takes seconds)."""
    folder = tmp_path_factory.mktemp("player")
    built = build_site(sqlite_url(folder / "backmech.db"), folder / "data")
    built.assess("patient_a")
    yield built
    for person in built.people.values():
        person.client.close()
    built.state.engine.dispose()


def _plan(site: Site) -> Plan:
    person = site["patient_a"]
    assert person.patient is not None
    found = current_plan(site.state.uow_factory, person.user, person.patient.id, person.patient.clinic_id)
    assert found is not None
    return found.plan


def _step(page: str, slug: str) -> str:
    start = page.index(f'id="step-{slug}"')
    return page[start : page.index("</li>\n", page.index('class="tools"', start))]


def test_the_full_session_has_each_exercise_with_its_instructions_and_tools(assessed: Site) -> None:
    plan = _plan(assessed)
    session = phase_session(plan, plan.phases[0])
    page = assessed["patient_a"].client.get("/me/session/full")
    assert page.status_code == 200
    text = page.text
    kb = assessed.state.knowledge
    assert text.count('class="card step"') == len(session) + 1  # the exercises, then the log
    for item in session:
        step = _step(text, item.slug)
        known = kb.exercises[item.slug]
        assert '<svg class="illustration' in step and "aria-label=" in step
        assert known.instructions[0].replace("'", "&#39;").replace('"', "&#34;") in step
        dose = item.dose
        assert ('class="hold-timer' in step) == bool(dose.hold_seconds or item.category == "breathing")
        assert ('class="pacer' in step) == (item.category == "breathing")
        assert ('class="rep-counter' in step) == (item.category != "breathing")
        if dose.hold_seconds:
            assert f'data-seconds="{dose.hold_seconds}"' in step
        if dose.reps:
            assert f'data-reps="{dose.reps}"' in step
    for control in ('id="player-start"', 'id="player-next"', 'id="player-prev"', 'id="log-form"'):
        assert control in text
    for name in ("pain_before", "pain_after", "effort", "notes", "session_date"):
        assert f'id="{name}" name="{name}"' in text
    assert 'name="kind" value="full"' in text
    assert re.search(
        r"<button type=\"submit\"[^>]*id=\"save-session\">Save today('|&#39;)s session</button>", text
    )
    assert '<script src="/static/player.js" defer></script>' in text


def test_a_pyramid_dose_counts_reps_per_set(assessed: Site) -> None:
    page = assessed["patient_a"].client.get("/me/session/full").text
    step = _step(page, "bird-dog")
    assert 'data-pyramid="6,4,2"' in step and 'data-sets="3"' in step and 'data-seconds="10"' in step


def test_the_daily_routine_player_and_an_unknown_session(assessed: Site) -> None:
    plan = _plan(assessed)
    client = assessed["patient_a"].client
    page = client.get("/me/session/routine").text
    for item in plan.daily_routine:
        assert f'id="step-{item.slug}"' in page
    assert 'name="kind" value="routine"' in page
    assert client.get("/me/session/marathon").status_code == 404


def test_the_breathing_guide_takes_no_pace_the_knowledge_base_does_not_give(assessed: Site) -> None:
    page = assessed["patient_a"].client.get("/me/session/full").text
    step = _step(page, "breathing-with-movement")
    assert "press and hold the button while you breathe in" in step
    assert "data-inhale" not in step and "per minute" not in step
    assert 'data-seconds="120"' in step  # the dose's 2 minutes, from the knowledge base
