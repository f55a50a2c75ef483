"""The knowledge loader rejects broken files and names the file and key."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from backmech.domain.errors import KnowledgeError
from backmech.knowledge.files import KNOWLEDGE_ROOT
from backmech.knowledge.loader import load_knowledge


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_ROOT, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def _edit(path: Path, change: Callable[[dict[str, object]], None]) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _rules(d: dict) -> list:  # type: ignore[type-arg]
    return d["rules"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        (
            "rules/evidence.yaml",
            lambda d: _rules(d)[0].update(source="nobody-2099"),
            "flex-sitting-slumped.source: names unknown source 'nobody-2099'",
        ),
        (
            "rules/evidence.yaml",
            lambda d: _rules(d)[0].update(when={"fact": "aggravated_by.sittin"}),
            "flex-sitting-slumped.when: unknown fact 'aggravated_by.sittin'",
        ),
        (
            "rules/evidence.yaml",
            lambda d: _rules(d)[0].update(when={"fact": "person.age", "op": "gt", "value": "old"}),
            "is not a number",
        ),
        (
            "rules/evidence.yaml",
            lambda d: _rules(d)[0].update(when={"fact": "pain.leg_pain", "value": "sideways"}),
            "must be one of none, left, right, both",
        ),
        ("rules/evidence.yaml", lambda d: _rules(d)[0].update(when={"all": []}), "malformed condition"),
        (
            "rules/evidence.yaml",
            lambda d: _rules(d)[0].update(mechanism="back-ache"),
            "unknown mechanism 'back-ache'",
        ),
        ("rules/evidence.yaml", lambda d: _rules(d)[1].update(id=_rules(d)[0]["id"]), "duplicate rule id"),
        (
            "rules/mechanisms.yaml",
            lambda d: d["mechanisms"][0].pop("source"),  # type: ignore[index]
            "mechanisms.0.source",
        ),
        (
            "plan.yaml",
            lambda d: d["daily_routines"]["routines"].update(
                general=[{"slug": "no-such-exercise", "dose": "ten", "minutes": 1}]
            ),  # type: ignore[index]
            "unknown exercise 'no-such-exercise'",
        ),
        (
            "plan.yaml",
            lambda d: d["lifestyle"]["rules"][0].update(topic="astrology"),  # type: ignore[index]
            "unknown topic 'astrology'",
        ),
        (
            "facts.yaml",
            lambda d: d["facts"]["person.age"].update(type="colour"),  # type: ignore[index]
            "facts.person.age.type",
        ),
        (
            "sources/literature.yaml",
            lambda d: d["sources"][0].update(level="anecdote"),  # type: ignore[index]
            "sources.0.level",
        ),
    ],
)
def test_broken_file_is_rejected_naming_file_and_key(
    kb_copy: Path, file: str, change: Callable[[dict[str, object]], None], expected: str
) -> None:
    _edit(kb_copy / file, change)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kb_copy)
    message = str(info.value)
    assert file in message
    assert expected in message


def test_invalid_yaml_names_the_line(kb_copy: Path) -> None:
    (kb_copy / "plan.yaml").write_text("programme:\n  default_weeks: [8\n")
    with pytest.raises(KnowledgeError, match=r"plan.yaml: is not valid YAML \(line \d+\)"):
        load_knowledge(kb_copy)


def test_bundled_knowledge_loads_and_every_source_is_used_or_listed() -> None:
    kb = load_knowledge()
    assert len(kb.questionnaires) == 7
    assert {"cauda_equina", "fracture", "malignancy", "infection", "inflammatory", "vascular"} <= {
        r.category for r in kb.safety.rules
    }
    assert len(kb.exercises) >= 40 and len(kb.education) >= 10
    for rule in kb.mechanisms.rules:
        assert rule.source in kb.sources
