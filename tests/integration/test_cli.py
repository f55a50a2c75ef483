"""End-to-end tests of the `backmech` command: exit codes, the JSON contract, files.

Every test runs the real command in a new process (``python -m backmech``). Scores
are checked against the published scoring rules computed here independently
(ODI: Fairbank & Pynsent 2000; STarT Back: Hill 2008; FABQ: Waddell 1993), not
against the engine's own numbers.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

RunCli = Callable[..., Any]

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))
RED_FLAG_EXAMPLE = EXAMPLES / "red-flag-cauda-equina.json"
KNOWLEDGE = REPO / "src" / "backmech" / "knowledge"
TRIAGE_LEVELS = {"emergency", "urgent", "soon", "none"}
STOP_LEVELS = {"emergency", "urgent"}


def _load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_examples_exist() -> None:
    assert len(EXAMPLE_FILES) >= 2
    assert RED_FLAG_EXAMPLE in EXAMPLE_FILES


# --- help -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [[], ["assess"], ["schema"], ["check-knowledge"], ["vocabulary"]],
    ids=lambda c: c[0] if c else "main",
)
def test_help_exits_zero(run_cli: RunCli, command: list[str]) -> None:
    run = run_cli(*command, "--help")
    assert run.code == 0, run.err
    assert "Usage: backmech" in run.out
    if not command:
        for sub in ("assess", "schema", "check-knowledge", "vocabulary"):
            assert sub in run.out
        assert "does not replace a clinician" in run.out


def test_assess_help_lists_its_options(run_cli: RunCli) -> None:
    run = run_cli("assess", "--help")
    for option in ("--input", "--json", "--html", "--batch", "--out", "--save", "--resume"):
        assert option in run.out


# --- the JSON contract ------------------------------------------------------------------


def _odi_percent(answers: dict[str, Any]) -> float:
    """Fairbank & Pynsent 2000: sum / (5 x answered sections) x 100; two ticks -> the higher."""
    scores = [max(v) if isinstance(v, list) else v for v in answers.values() if v is not None]
    return sum(scores) / (5 * len(scores)) * 100


def _start_back(answers: dict[str, Any]) -> tuple[int, int, str]:
    """Hill 2008: total 0-9, psychosocial 0-5; low <= 3 total, high >= 4 psychosocial."""
    bother = 1 if answers["bothersomeness"] >= 3 else 0
    physical = ("leg_pain", "shoulder_neck_pain", "short_walks", "slow_dressing")
    psych = ("fear", "anxiety", "catastrophising", "low_mood")
    psychosocial = sum(bool(answers[k]) for k in psych) + bother
    total = sum(bool(answers[k]) for k in physical) + psychosocial
    risk = "high" if psychosocial >= 4 else "low" if total <= 3 else "medium"
    return total, psychosocial, risk


def _fabq(answers: dict[str, Any]) -> tuple[int, int | None]:
    """Waddell 1993: physical activity = items 2-5; work = items 6, 7, 9, 10, 11, 12, 15."""
    pa = sum(answers[f"item_{n}"] for n in (2, 3, 4, 5))
    if answers.get("in_work") is False:
        return pa, None
    return pa, sum(answers[f"item_{n}"] for n in (6, 7, 9, 10, 11, 12, 15))


def _check_scores(intake: dict[str, Any], scores: dict[str, Any]) -> None:
    given = {qid: block["answers"] for qid, block in intake.get("questionnaires", {}).items() if block}
    assert set(scores) == {qid for qid, answers in given.items() if answers}
    if "odi" in given:
        assert scores["odi"]["percent"] == pytest.approx(_odi_percent(given["odi"]))
        assert 0 <= scores["odi"]["percent"] <= 100
    if "start_back" in given and len(given["start_back"]) == 9:
        total, psychosocial, risk = _start_back(given["start_back"])
        assert scores["start_back"]["total"] == total
        assert scores["start_back"]["psychosocial"] == psychosocial
        assert scores["start_back"]["risk"] == risk
    if "fabq" in given and len(given["fabq"]) >= 16:
        pa, work = _fabq(given["fabq"])
        assert scores["fabq"]["physical_activity"] == pa
        assert scores["fabq"]["work"] == work
    for view in scores.values():
        assert view["source"], "every score names its source"


def _check_mechanisms(result: dict[str, Any]) -> None:
    for finding in [*result["mechanisms"], *result["contributing_factors"]]:
        assert finding["id"]
        assert 0 <= finding["confidence"] <= 1
        assert isinstance(finding["evidence"], list)
        for item in finding["evidence"]:
            assert item["rationale"] and item["source"]
            assert item["source"] in result["sources"], "every cited source is listed"


def _check_plan(plan: dict[str, Any]) -> None:
    assert plan["phases"], "a plan has phases"
    for phase in plan["phases"]:
        assert phase["name"] and phase["session"]
    assert plan["exercises"]
    assert {"slug", "name", "dose", "reason", "source"} <= set(plan["exercises"][0])
    assert plan["daily_routine"]
    assert isinstance(plan["avoid"], list)
    for advice in plan["avoid"]:
        assert advice["what"] and advice["instead"] and advice["why"]
    assert plan["education"]
    assert isinstance(plan["reassess_after_days"], int) and plan["reassess_after_days"] > 0


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_json_contract(
    run_cli: RunCli, tmp_path: Path, example: Path, result_schema: dict[str, Any]
) -> None:
    report = tmp_path / "report.html"
    run = run_cli("assess", "--input", example, "--json", "--html", report)
    assert run.code == 0, run.err
    result = run.json()
    assert isinstance(result, dict)
    intake = _load(example)

    Draft202012Validator(result_schema).validate(result)
    assert result["case_id"] == intake["case_id"]
    assert "does not replace" in result["disclaimer"]
    triage = result["triage"]
    assert triage["level"] in TRIAGE_LEVELS
    assert isinstance(triage["reasons"], list)
    assert triage["safety_net"], "the safety net is shown to everyone"
    _check_scores(intake, result["scores"])
    _check_mechanisms(result)

    if example == RED_FLAG_EXAMPLE:
        assert triage["level"] in STOP_LEVELS
        assert triage["reasons"]
        for reason in triage["reasons"]:
            assert reason["action"] and reason["where_to_go"] and reason["timeframe"]
        assert result["plan"] is None
        assert result["plan_status"] == "withheld_red_flag"
        assert result["mechanisms"] == []
    else:
        assert triage["level"] not in STOP_LEVELS
        assert result["plan_status"] == "ready"
        _check_plan(result["plan"])

    html = report.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert intake["case_id"] in html
    assert "does not replace" in html
    if result["plan"] is not None:
        assert result["plan"]["exercises"][0]["name"].split()[0] in html


def test_flexion_example_finds_flexion_intolerance(run_cli: RunCli) -> None:
    run = run_cli("assess", "--input", EXAMPLES / "flexion-intolerant-desk-worker.json", "--json")
    result = run.json()
    assert isinstance(result, dict)
    assert result["classification"]["dominant"] == "flexion-intolerance"
    assert result["mechanisms"][0]["id"] == "flexion-intolerance"
    assert result["mechanisms"][0]["evidence"]


def test_text_report_and_html(run_cli: RunCli, tmp_path: Path) -> None:
    report = tmp_path / "out" / "report.html"
    run = run_cli("assess", "--input", EXAMPLES / "flexion-intolerant-desk-worker.json", "--html", report)
    assert run.code == 0, run.err
    assert "No red flags found" in run.out
    assert "Oswestry Disability Index" in run.out
    assert "plan" in run.out
    assert f"Report written to {report}" in run.out
    assert "Flexion intolerance" in report.read_text(encoding="utf-8")


def test_red_flag_text_report_withholds_plan(run_cli: RunCli) -> None:
    run = run_cli("assess", "--input", RED_FLAG_EXAMPLE)
    assert run.code == 0, run.err
    assert "EMERGENCY" in run.out
    assert "Plan withheld" in run.out
    assert "emergency department" in run.out
    assert "Daily routine" not in run.out


# --- schemas ----------------------------------------------------------------------------


def test_schemas_are_valid_json_schemas(intake_schema: dict[str, Any], result_schema: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(intake_schema)
    Draft202012Validator.check_schema(result_schema)
    assert "red_flags" in intake_schema["properties"]
    assert "questionnaires" in intake_schema["properties"]
    assert {"triage", "scores", "mechanisms", "plan"} <= set(result_schema["properties"])


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_validates_against_the_intake_schema(
    example: Path, intake_schema: dict[str, Any]
) -> None:
    Draft202012Validator(intake_schema).validate(_load(example))


@pytest.mark.parametrize(
    "change",
    [
        {"person": {"age": 200}},
        {"red_flags": {"not_a_question": True}},
        {"symptoms": {"aggravated_by": ["dancing"]}},
        {"questionnaires": {"odi": {"answers": {"lifting": 7}}}},
        {"unknown_section": {}},
    ],
    ids=["age", "red-flag", "aggravating", "odi", "unknown-key"],
)
def test_intake_schema_rejects_what_the_engine_rejects(
    change: dict[str, Any], intake_schema: dict[str, Any]
) -> None:
    assert not Draft202012Validator(intake_schema).is_valid(change)


# --- bad input ----------------------------------------------------------------------------

Setup = Callable[[Path], Path]


def _write(text: str) -> Setup:
    def setup(tmp: Path) -> Path:
        path = tmp / "intake.json"
        path.write_text(text, encoding="utf-8")
        return path

    return setup


def _intake(data: object) -> Setup:
    return _write(json.dumps(data))


def _missing(tmp: Path) -> Path:
    return tmp / "no-such-file.json"


def _directory(tmp: Path) -> Path:
    folder = tmp / "a-folder"
    folder.mkdir()
    return folder


BAD_INPUTS: list[tuple[str, Setup, tuple[str, ...]]] = [
    ("invalid-json", _write('{"person": {"age": 40,'), ("intake.json", "not valid JSON")),
    ("missing-file", _missing, ("no-such-file.json", "does not exist")),
    ("directory", _directory, ("a-folder", "directory")),
    ("not-an-object", _intake([1, 2]), ("must be a JSON object",)),
    (
        "odi-out-of-range",
        _intake({"questionnaires": {"odi": {"answers": {"lifting": 7}}}}),
        ("questionnaires.odi.answers.lifting", "7", "0 to 5"),
    ),
    (
        "unknown-red-flag",
        _intake({"red_flags": {"saddle_numbess": True}}),
        ("red_flags.saddle_numbess", "saddle_numbness", "bladder_change"),
    ),
    (
        "unknown-aggravating",
        _intake({"symptoms": {"aggravated_by": ["sitting_slumped", "dancing"]}}),
        ("symptoms.aggravated_by", "dancing", "bending_forward"),
    ),
    (
        "wrong-type",
        _intake({"person": {"age": "forty"}}),
        ("person.age", "must be a number", "16 to 110"),
    ),
    ("age-200", _intake({"person": {"age": 200}}), ("person.age", "200", "16 to 110")),
    (
        "unknown-field",
        _intake({"person": {"height": 180}}),
        ("person.height", "age", "sex"),
    ),
]


@pytest.mark.parametrize(
    ("setup", "expected"), [(s, e) for _, s, e in BAD_INPUTS], ids=[i for i, _, _ in BAD_INPUTS]
)
def test_bad_input_exits_2_naming_the_problem_and_writes_nothing(
    run_cli: RunCli, tmp_path: Path, setup: Setup, expected: tuple[str, ...]
) -> None:
    path = setup(tmp_path)
    report = tmp_path / "report.html"
    run = run_cli("assess", "--input", path, "--json", "--html", report)
    assert run.code == 2, (run.out, run.err)
    for text in expected:
        assert text in run.err
    assert "Traceback" not in run.err
    assert run.out == ""
    assert not report.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


def test_unknown_schema_kind_exits_2(run_cli: RunCli) -> None:
    run = run_cli("schema", "nonsense")
    assert run.code == 2
    assert "intake" in run.err and "result" in run.err


# --- batch --------------------------------------------------------------------------------


def test_batch_folder_into_folder(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "results"
    run = run_cli("assess", "--batch", EXAMPLES, "--out", out)
    assert run.code == 0, run.err
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [f"{e.stem}.result.json" for e in EXAMPLE_FILES]
    for example, file in zip(EXAMPLE_FILES, files, strict=True):
        record = _load(file)
        assert record["ok"] is True
        assert record["result"]["case_id"] == _load(example)["case_id"]
        assert record["result"]["triage"]["level"] in TRIAGE_LEVELS
    red = _load(out / f"{RED_FLAG_EXAMPLE.stem}.result.json")
    assert red["result"]["plan"] is None
    assert f"{len(EXAMPLE_FILES)} of {len(EXAMPLE_FILES)} cases assessed" in run.err


def test_batch_folder_into_jsonl(run_cli: RunCli, tmp_path: Path, result_schema: dict[str, Any]) -> None:
    out = tmp_path / "results.jsonl"
    run = run_cli("assess", "--batch", EXAMPLES, "--out", out)
    assert run.code == 0, run.err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(EXAMPLE_FILES)
    validator = Draft202012Validator(result_schema)
    for record in records:
        assert record["ok"] is True
        validator.validate(record["result"])
    assert {r["case"] for r in records} == {_load(e)["case_id"] for e in EXAMPLE_FILES}


def test_batch_jsonl_input_to_stdout(run_cli: RunCli, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(_load(e)) + "\n" for e in EXAMPLE_FILES[:2]), encoding="utf-8")
    run = run_cli("assess", "--batch", cases)
    assert run.code == 0, run.err
    records = [json.loads(line) for line in run.out.splitlines()]
    assert [r["ok"] for r in records] == [True, True]


def test_batch_with_one_bad_case_exits_2_but_keeps_the_good_results(run_cli: RunCli, tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    for example in EXAMPLE_FILES:
        shutil.copy(example, cases / example.name)
    (cases / "zz-bad.json").write_text(
        json.dumps({"case_id": "bad", "person": {"age": 200}}), encoding="utf-8"
    )
    out = tmp_path / "results"
    run = run_cli("assess", "--batch", cases, "--out", out)
    assert run.code == 2
    assert "1 invalid" in run.err
    good = sorted(out.glob("*.result.json"))
    assert len(good) == len(EXAMPLE_FILES)
    assert all(_load(f)["ok"] is True for f in good)
    error = _load(out / "zz-bad.error.json")
    assert error["ok"] is False
    assert error["error"]["field"] == "person.age"
    assert "16 to 110" in error["error"]["hint"]


def test_batch_jsonl_with_a_broken_line(run_cli: RunCli, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    good = json.dumps(_load(EXAMPLE_FILES[0]))
    cases.write_text(f"{good}\n{{not json\n{good}\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run = run_cli("assess", "--batch", cases, "--out", out)
    assert run.code == 2
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["ok"] for r in records] == [True, False, True]
    assert "not valid JSON" in records[1]["error"]["message"]


def test_batch_missing_source_exits_2(run_cli: RunCli, tmp_path: Path) -> None:
    run = run_cli("assess", "--batch", tmp_path / "nowhere.jsonl")
    assert run.code == 2
    assert "nowhere.jsonl" in run.err and "does not exist" in run.err


# --- knowledge ----------------------------------------------------------------------------


def test_check_knowledge_ok(run_cli: RunCli, kb: Any) -> None:
    run = run_cli("check-knowledge")
    assert run.code == 0, run.err
    assert run.out.startswith("ok:")
    assert f"{len(kb.questionnaires)} questionnaires" in run.out
    assert f"{len(kb.safety.questions)} red-flag questions" in run.out


def _break_yaml(root: Path) -> str:
    path = root / "questionnaires" / "odi.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nitems: [unclosed\n", encoding="utf-8")
    return "questionnaires/odi.yaml"


def _unknown_source(root: Path) -> str:
    path = root / "questionnaires" / "odi.yaml"
    text = path.read_text(encoding="utf-8")
    assert "source: fairbank-2000" in text
    path.write_text(text.replace("source: fairbank-2000", "source: no-such-source-1999", 1), encoding="utf-8")
    return "odi.yaml"


@pytest.mark.parametrize("breaker", [_break_yaml, _unknown_source], ids=["bad-yaml", "unknown-source"])
def test_check_knowledge_on_a_broken_copy_exits_3_naming_the_file(
    run_cli: RunCli, tmp_path: Path, breaker: Callable[[Path], str]
) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    assert run_cli("check-knowledge", root).code == 0, "the unbroken copy is valid"
    named = breaker(root)
    run = run_cli("check-knowledge", root)
    assert run.code == 3, (run.out, run.err)
    assert named in run.err
    assert "Traceback" not in run.err
    assess = run_cli("assess", "--input", EXAMPLE_FILES[0], "--knowledge", root)
    assert assess.code == 3
    assert named in assess.err


def test_vocabulary_json_lists_facts(run_cli: RunCli) -> None:
    run = run_cli("vocabulary", "--json")
    assert run.code == 0, run.err
    rows = run.json()
    assert isinstance(rows, list)
    by_id = {row["id"]: row for row in rows}
    assert by_id["person.age"]["type"] == "number"
    assert "16" in by_id["person.age"]["allowed"] and "110" in by_id["person.age"]["allowed"]
