"""The interactive assessment, driven through standard input (no terminal).

The answer scripts come from ``interactive_script`` (conftest), which lists the
answers in the order the questions are asked; a run that asks one question more
or less than expected runs out of input and fails with exit code 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

RunCli = Callable[..., Any]
Script = Callable[..., list[str]]

AGE_PROMPT = "Answer (a number from 16 to 110 years; Enter to skip):"
SAFETY_PROMPT = "Answer (yes / no / unsure):"


def feed(lines: Sequence[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def saved(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


BASIC = {
    "person.age": "45",
    "person.sex": "female",
    "person.working": "yes",
    "person.occupation": "1",
    "history.duration_days": "30",
    "pain.leg_pain": "none",
    "pain.locations": "1, low_back_left",
}


def test_full_run_red_flags_no_and_most_questionnaires_skipped(
    run_cli: RunCli, script: Script, tmp_path: Path, kb: Any
) -> None:
    lines = script(
        basic=BASIC,
        questionnaires={"nprs": ["5", "7", "2"]},
        symptoms={"symptoms.aggravated_by": "sitting_slumped, 8", "lifestyle.stress": "4"},
        preferences=("25", "", "1,4"),
    )
    save = tmp_path / "answers.json"
    report = tmp_path / "report.html"
    run = run_cli("assess", "--json", "--save", save, "--html", report, stdin=feed(lines))
    assert run.code == 0, run.err[-3000:]

    # Prompts go to stderr with --json, so stdout is the result alone.
    result = run.json()
    assert "does not replace" in run.err
    assert run.err.count(SAFETY_PROMPT) == len(kb.safety.questions)
    assert result["triage"]["level"] == "none"
    assert result["triage"]["complete"] is True
    assert result["plan_status"] == "ready"
    assert result["plan"]["phases"]
    assert set(result["scores"]) == {"nprs"}, "skipped questionnaires are never scored"
    assert result["scores"]["nprs"]["current"] == 5
    assert result["scores"]["nprs"]["average"] == pytest.approx(14 / 3)
    missing = set(result["data_completeness"]["questionnaires_missing"])
    assert {"odi", "start_back", "fabq", "tsk11", "rmdq", "psfs"} <= missing
    assert "examination" in result["data_completeness"]["sections_missing"]
    assert "does not replace" in report.read_text(encoding="utf-8")

    state = saved(save)
    intake = state["intake"]
    assert intake["person"] == {"age": 45, "sex": "female", "working": True, "occupation": "desk"}
    assert intake["history"] == {"duration_days": 30}
    assert intake["pain"] == {"leg_pain": "none", "locations": ["low_back_central", "low_back_left"]}
    assert intake["symptoms"] == {"aggravated_by": ["sitting_slumped", "bending_forward"]}
    assert intake["lifestyle"] == {"stress": 4}
    assert intake["preferences"] == {"session_minutes": 25, "equipment": ["mat", "dowel"]}
    assert intake["questionnaires"] == {"nprs": {"answers": {"current": 5, "worst_24h": 7, "best_24h": 2}}}
    assert all(v is False for v in intake["red_flags"].values())
    assert len(intake["red_flags"]) == len(kb.safety.questions)
    assert "examination" not in intake
    assert state["sections"]["questionnaires.odi"] is False
    assert state["sections"]["section.examination"] is False

    # The saved intake is a valid intake for the non-interactive path, with the same result.
    again = run_cli("assess", "--input", _intake_file(tmp_path, intake), "--json")
    assert again.code == 0, again.err
    assert again.json()["scores"] == result["scores"]


def _intake_file(tmp_path: Path, intake: dict[str, Any]) -> Path:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(intake), encoding="utf-8")
    return path


def test_text_mode_prints_the_report(run_cli: RunCli, script: Script) -> None:
    run = run_cli("assess", stdin=feed(script(basic=BASIC)))
    assert run.code == 0, run.err
    assert "backmech supports decisions" in run.out
    assert "No red flags found" in run.out
    assert "No questionnaires answered" in run.out
    assert "plan" in run.out
    assert run.err == ""


def test_saddle_numbness_yes_stops_at_once_with_the_emergency_referral(
    run_cli: RunCli, kb: Any, tmp_path: Path
) -> None:
    ids = [q.id for q in kb.safety.questions]
    position = ids.index("saddle_numbness")
    lines = ["no"] * position + ["yes"] + ["no"] * 200
    save = tmp_path / "answers.json"
    run = run_cli("assess", "--save", save, stdin=feed(lines))
    assert run.code == 0, run.err
    assert run.out.count(SAFETY_PROMPT) == position + 1, "nothing more is asked"
    assert "About you" not in run.out
    assert "Questionnaire" not in run.out.split("STOP")[0]
    assert "STOP" in run.out
    assert "EMERGENCY" in run.out
    assert "emergency department" in run.out
    assert "Plan withheld" in run.out
    assert "Daily routine" not in run.out
    assert "Some red-flag questions were not answered" not in run.out, "no list buries the referral"
    assert saved(save)["done"] == [f"red_flags.{i}" for i in ids[: position + 1]]


def test_emergency_stop_with_json_and_html(run_cli: RunCli, kb: Any, tmp_path: Path) -> None:
    ids = [q.id for q in kb.safety.questions]
    lines = ["no"] * ids.index("saddle_numbness") + ["yes"]
    report = tmp_path / "report.html"
    run = run_cli("assess", "--json", "--html", report, stdin=feed(lines))
    assert run.code == 0, run.err
    result = run.json()
    assert result["triage"]["level"] == "emergency"
    assert any(r["where_to_go"] and r["timeframe"] for r in result["triage"]["reasons"])
    assert result["plan"] is None
    assert result["plan_status"] == "withheld_red_flag"
    # The referral is also on the terminal (stderr), not only inside the JSON.
    assert result["triage"]["action"].split(".")[0] in run.err
    assert "Emergency" in report.read_text(encoding="utf-8")


def test_urgent_answer_finishes_the_safety_questions_then_stops(run_cli: RunCli, kb: Any) -> None:
    """An urgent answer may still turn into an emergency, so every safety question is asked."""
    lines = [("yes" if q.id == "fever" else "no") for q in kb.safety.questions] + [""] * 200
    run = run_cli("assess", "--json", stdin=feed(lines))
    assert run.code == 0, run.err
    assert run.err.count(SAFETY_PROMPT) == len(kb.safety.questions)
    assert "About you" not in run.err
    result = run.json()
    assert result["triage"]["level"] == "urgent"
    assert result["plan"] is None


def test_unsure_red_flag_withholds_the_plan(run_cli: RunCli, script: Script) -> None:
    run = run_cli("assess", "--json", stdin=feed(script(red_flags={"fever": "unsure"})))
    assert run.code == 0, run.err
    result = run.json()
    assert result["triage"]["unanswered"] == ["fever"]
    assert result["plan"] is None
    assert result["plan_status"] == "withheld_screen_incomplete"


def test_invalid_answers_are_explained_and_asked_again(
    run_cli: RunCli, script: Script, kb: Any, tmp_path: Path
) -> None:
    lines = script(
        basic={"person.age": "45"},
        questionnaires={"odi": ["2", "1"]},
        symptoms={"symptoms.aggravated_by": "1, 3"},
    )
    first_age = len(kb.safety.questions)
    # Wrong answers inserted before the right one: red flag, age, ODI item, list, number.
    lines[0:0] = ["maybe", ""]
    lines[first_age + 2 : first_age + 2] = ["200", "forty", "15"]
    odi_first = lines.index("2")
    lines[odi_first:odi_first] = ["7", "two"]
    aggravated = lines.index("1, 3")
    lines[aggravated:aggravated] = ["99", "1, dancing"]
    save = tmp_path / "answers.json"
    run = run_cli("assess", "--save", save, stdin=feed(lines))
    assert run.code == 0, run.out[-3000:]
    out = run.out
    assert "Not accepted: 'maybe' is not yes or no. Allowed: yes, no, or unsure" in out
    assert "Not accepted: a safety question cannot be left out" in out
    assert out.count(AGE_PROMPT) == 4
    assert "Not accepted: 200 must be at most 110. Allowed: a number from 16 to 110 years" in out
    assert "Not accepted: 'forty' is not a number" in out
    assert "Not accepted: 15 must be at least 16" in out
    assert "Not accepted: 7 is not an answer to this question. Allowed: a whole number from 0 to 5" in out
    assert "Not accepted: 'two' is not a whole number" in out
    assert "Not accepted: '99' is not one of the options" in out
    assert "Not accepted: 'dancing' is not one of the options" in out

    intake = saved(save)["intake"]
    assert intake["person"] == {"age": 45}
    assert intake["questionnaires"]["odi"]["answers"] == {"pain_intensity": 2, "personal_care": 1}
    assert intake["symptoms"]["aggravated_by"] == ["sitting_slumped", "sitting_long"]
    assert intake["red_flags"]["saddle_numbness"] is False


def test_partly_answered_questionnaires_follow_their_rules(run_cli: RunCli, script: Script) -> None:
    """ODI with two sections (Fairbank 2000: 5 / 10 x 100), PSFS with two activities, SBST empty."""
    lines = script(
        questionnaires={
            "odi": ["2", "3"],
            "start_back": [],
            # PSFS: an activity and its rating are two lines; a skipped rating skips the activity.
            "psfs": ["Gardening", "4", "Running", "skip", "Lifting my child", "2", "", ""],
        }
    )
    run = run_cli("assess", "--json", stdin=feed(lines))
    assert run.code == 0, run.err[-3000:]
    scores = run.json()["scores"]
    assert scores["odi"]["percent"] == pytest.approx(50.0)
    assert scores["odi"]["complete"] is False
    assert scores["psfs"]["mean"] == pytest.approx(3.0)
    assert "start_back" not in scores, "a chosen but unanswered questionnaire is not scored as zero"


def test_fabq_work_items_are_not_asked_when_not_in_work(run_cli: RunCli, script: Script, kb: Any) -> None:
    fabq = kb.questionnaires["fabq"]
    asked = []
    for item in fabq.items:
        if item.not_applicable_when is not None:
            continue
        asked.append("no" if item.link_id == "in_work" else "3")
    lines = script(questionnaires={"fabq": asked})
    # interactive_script pads a questionnaire to all its items; the work items are not asked.
    gate = lines.index("yes")
    del lines[gate + 1 + len(asked) : gate + 1 + len(fabq.items)]
    run = run_cli("assess", "--json", stdin=feed(lines))
    assert run.code == 0, run.err[-3000:]
    assert run.err.count(f"{fabq.name}, question ") == len(asked)
    fabq_scores = run.json()["scores"]["fabq"]
    assert fabq_scores["physical_activity"] == 12
    assert fabq_scores["work"] is None


def test_eof_keeps_the_saved_answers_and_resume_finishes_without_asking_again(
    run_cli: RunCli, script: Script, kb: Any, tmp_path: Path
) -> None:
    lines = script(basic=BASIC, questionnaires={"nprs": ["5", "7", "2"]})
    cut = len(kb.safety.questions) + 1  # the red flags and the age
    save = tmp_path / "answers.json"

    first = run_cli("assess", "--save", save, stdin=feed(lines[:cut]))
    assert first.code == 2
    assert "input ended before the assessment was finished" in first.err
    assert f"--resume {save}" in first.err
    state = saved(save)
    assert len(state["done"]) == cut
    assert state["done"][-1] == "person.age"
    assert state["intake"]["person"] == {"age": 45}
    assert len(state["intake"]["red_flags"]) == len(kb.safety.questions)

    second = run_cli("assess", "--resume", save, "--json", stdin=feed(lines[cut:]))
    assert second.code == 0, second.err[-3000:]
    assert SAFETY_PROMPT not in second.err, "answered safety questions are not asked again"
    assert AGE_PROMPT not in second.err
    assert "Sex, used for risk" in second.err
    first_question = second.err.index("Answer (")
    assert second.err.rfind("Sex, used for risk", 0, first_question) != -1
    result = second.json()
    assert result["plan_status"] == "ready"
    assert result["scores"]["nprs"]["current"] == 5
    final = saved(save)
    assert final["intake"]["person"]["sex"] == "female"
    assert final["intake"]["person"]["age"] == 45
    assert len(final["done"]) == len(set(final["done"]))


def test_resume_of_a_finished_session_asks_nothing(run_cli: RunCli, script: Script, tmp_path: Path) -> None:
    save = tmp_path / "answers.json"
    assert run_cli("assess", "--save", save, stdin=feed(script(basic=BASIC))).code == 0
    run = run_cli("assess", "--resume", save, "--json", stdin="")
    assert run.code == 0, run.err
    assert "Answer (" not in run.err
    assert run.json()["plan_status"] == "ready"


def test_resume_into_a_new_save_file(run_cli: RunCli, script: Script, kb: Any, tmp_path: Path) -> None:
    lines = script(basic=BASIC)
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    cut = len(kb.safety.questions)
    assert run_cli("assess", "--save", old, stdin=feed(lines[:cut])).code == 2
    before = old.read_bytes()
    run = run_cli("assess", "--resume", old, "--save", new, stdin=feed(lines[cut:]))
    assert run.code == 0, run.out[-2000:]
    assert old.read_bytes() == before
    assert saved(new)["intake"]["person"]["age"] == 45


def test_eof_without_save_says_nothing_was_kept(run_cli: RunCli) -> None:
    run = run_cli("assess", stdin="no\nno\n")
    assert run.code == 2
    assert "input ended" in run.err
    assert "Nothing was saved" in run.err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"person": {"age": 45}}', "is not a saved backmech interactive assessment"),
        ("{oops", "not valid JSON"),
        (
            '{"format": "backmech-interactive", "version": 1, "intake": {"person": {"age": 500}}, '
            '"done": ["person.age"], "sections": {}}',
            "intake.person.age",
        ),
    ],
    ids=["not-a-session", "invalid-json", "invalid-intake"],
)
def test_resume_from_a_bad_file_exits_2(run_cli: RunCli, tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "session.json"
    path.write_text(content, encoding="utf-8")
    run = run_cli("assess", "--resume", path, stdin="no\n")
    assert run.code == 2
    assert expected in run.err
    assert "Traceback" not in run.err
    assert path.read_text(encoding="utf-8") == content, "a bad session file is left as it was"


def test_resume_missing_file_exits_2(run_cli: RunCli, tmp_path: Path) -> None:
    run = run_cli("assess", "--resume", tmp_path / "nope.json")
    assert run.code == 2
    assert "does not exist" in run.err
