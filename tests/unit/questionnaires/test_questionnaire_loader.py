"""The questionnaire loader rejects malformed files, naming the file and the key."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from backmech.domain.errors import KnowledgeError
from backmech.knowledge.files import KNOWLEDGE_ROOT, SourceChecker
from backmech.knowledge.questionnaire_files import load_questionnaires


def real(qid: str) -> dict[str, Any]:
    path = KNOWLEDGE_ROOT / "questionnaires" / f"{qid}.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def load_one(tmp_path: Path, checker: SourceChecker, data: dict[str, Any], name: str) -> None:
    folder = tmp_path / "questionnaires"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    load_questionnaires(folder, tmp_path, checker)


def rejected(tmp_path: Path, checker: SourceChecker, data: dict[str, Any], name: str) -> KnowledgeError:
    with pytest.raises(KnowledgeError) as err:
        load_one(tmp_path, checker, data, name)
    return err.value


def output(data: dict[str, Any], output_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(o for o in data["outputs"] if o["id"] == output_id)
    return found


def test_real_files_round_trip(tmp_path: Path, source_checker: SourceChecker) -> None:
    for qid in ("nprs", "odi", "start_back", "fabq", "psfs"):
        load_one(tmp_path, source_checker, real(qid), qid)


def test_unknown_source_in_a_band(tmp_path: Path, source_checker: SourceChecker) -> None:
    data = real("odi")
    output(data, "percent")["bands"][1]["source"] = "made-up-2099"
    err = rejected(tmp_path, source_checker, data, "odi")
    assert err.location == "questionnaires/odi.yaml: outputs.percent.bands.moderate.source"
    assert "made-up-2099" in str(err)


@pytest.mark.parametrize(
    ("where", "key"),
    [("mcid", "outputs.total.mcid.source"), ("cutoff", "outputs.total.cutoffs.recovered.source")],
)
def test_unknown_source_in_mcid_or_cutoff(
    tmp_path: Path, source_checker: SourceChecker, where: str, key: str
) -> None:
    data = real("rmdq")
    total = output(data, "total")
    if where == "mcid":
        total["mcid"]["source"] = "nobody-2001"
    else:
        total["cutoffs"][0]["source"] = "nobody-2001"
    err = rejected(tmp_path, source_checker, data, "rmdq")
    assert err.location == f"questionnaires/rmdq.yaml: {key}"


def test_band_gap(tmp_path: Path, source_checker: SourceChecker) -> None:
    data = real("odi")
    output(data, "percent")["bands"][1]["minimum"] = 21  # integer thinking: 20-21 uncovered
    err = rejected(tmp_path, source_checker, data, "odi")
    assert err.location == "questionnaires/odi.yaml: outputs.percent.bands.moderate.minimum"
    assert "gap" in err.problem


def test_band_overlap(tmp_path: Path, source_checker: SourceChecker) -> None:
    data = real("tsk11")
    output(data, "total")["bands"][2]["minimum"] = 27
    err = rejected(tmp_path, source_checker, data, "tsk11")
    assert err.location == "questionnaires/tsk11.yaml: outputs.total.bands.moderate.minimum"
    assert "overlaps" in err.problem


def test_bands_must_reach_the_ends(tmp_path: Path, source_checker: SourceChecker) -> None:
    data = real("odi")
    output(data, "percent")["bands"][-1]["maximum"] = 99
    err = rejected(tmp_path, source_checker, data, "odi")
    assert err.location == "questionnaires/odi.yaml: outputs.percent.bands.extreme.maximum"
    data = real("odi")
    output(data, "percent")["bands"][0]["minimum"] = 1
    err = rejected(tmp_path, source_checker, data, "odi")
    assert err.location == "questionnaires/odi.yaml: outputs.percent.bands.minimal.minimum"


def test_range_must_match_the_items(tmp_path: Path, source_checker: SourceChecker) -> None:
    data = real("fabq")
    work = output(data, "work")
    work["items"] = [i for i in work["items"] if i != "item_11"]  # the classic mistake
    err = rejected(tmp_path, source_checker, data, "fabq")
    assert err.location == "questionnaires/fabq.yaml: outputs.work.minimum"
    assert "0-36" in err.problem


def test_unknown_item_in_output(tmp_path: Path, source_checker: SourceChecker) -> None:
    data = real("start_back")
    output(data, "psychosocial")["items"][0] = "fears"
    err = rejected(tmp_path, source_checker, data, "start_back")
    assert err.location == "questionnaires/start_back.yaml: outputs.psychosocial.items"
    assert "fears" in err.problem


def test_file_name_must_be_the_id(tmp_path: Path, source_checker: SourceChecker) -> None:
    err = rejected(tmp_path, source_checker, real("nprs"), "pain")
    assert err.location == "questionnaires/pain.yaml: id"


def test_unknown_key_is_named(tmp_path: Path, source_checker: SourceChecker) -> None:
    data = real("nprs")
    data["items"][0]["hint"] = "typo"
    err = rejected(tmp_path, source_checker, data, "nprs")
    assert err.location == "questionnaires/nprs.yaml: items.0.hint"


def test_boolean_item_needs_true_and_false(tmp_path: Path, source_checker: SourceChecker) -> None:
    data = real("start_back")
    data["answer_sets"]["agree"] = [{"value": True, "label": "Agree"}, {"value": 0, "label": "No"}]
    err = rejected(tmp_path, source_checker, data, "start_back")
    assert err.location == "questionnaires/start_back.yaml: items.leg_pain.options"


def test_not_applicable_needs_an_earlier_boolean(tmp_path: Path, source_checker: SourceChecker) -> None:
    data = real("fabq")
    data["items"][6]["not_applicable_when"] = {"question": "item_1", "answer": False}
    err = rejected(tmp_path, source_checker, data, "fabq")
    assert err.location == "questionnaires/fabq.yaml: items.item_6.not_applicable_when.question"


def test_risk_rule_must_name_earlier_outputs(tmp_path: Path, source_checker: SourceChecker) -> None:
    data = real("start_back")
    output(data, "risk")["risk_rule"]["subscale"] = "distress"
    err = rejected(tmp_path, source_checker, data, "start_back")
    assert err.location == "questionnaires/start_back.yaml: outputs.risk.risk_rule.subscale"


def test_missing_rule_is_required(tmp_path: Path, source_checker: SourceChecker) -> None:
    data = real("tsk11")
    del output(data, "total")["missing"]
    err = rejected(tmp_path, source_checker, data, "tsk11")
    assert err.location == "questionnaires/tsk11.yaml: outputs.total.missing"


def test_cutoff_outside_range(tmp_path: Path, source_checker: SourceChecker) -> None:
    data = real("fabq")
    output(data, "physical_activity")["cutoffs"][0]["value"] = 30
    err = rejected(tmp_path, source_checker, data, "fabq")
    assert err.location == "questionnaires/fabq.yaml: outputs.physical_activity.cutoffs.elevated.value"


def test_loinc_needs_a_source(tmp_path: Path, source_checker: SourceChecker) -> None:
    data = real("nprs")
    del data["loinc_source"]
    err = rejected(tmp_path, source_checker, data, "nprs")
    assert err.location == "questionnaires/nprs.yaml: loinc_source"


def test_empty_folder(tmp_path: Path, source_checker: SourceChecker) -> None:
    (tmp_path / "questionnaires").mkdir()
    with pytest.raises(KnowledgeError):
        load_questionnaires(tmp_path / "questionnaires", tmp_path, source_checker)
