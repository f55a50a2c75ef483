"""Education modules: coverage of the topics and mechanisms, shape, sources, and loader errors."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from backmech.domain.education import TOPICS as EDUCATION_TOPICS
from backmech.domain.education import EducationModule
from backmech.domain.errors import KnowledgeError
from backmech.knowledge.education_files import load_education
from backmech.knowledge.files import KNOWLEDGE_ROOT, SourceChecker
from backmech.knowledge.source_files import load_sources

TOPICS = set(EDUCATION_TOPICS)


def _mechanisms() -> set[str]:
    doc = yaml.safe_load((KNOWLEDGE_ROOT / "rules" / "mechanisms.yaml").read_text(encoding="utf-8"))
    return {m["id"] for m in doc["mechanisms"]}


MECHANISMS = _mechanisms()


@pytest.fixture(scope="module")
def sources() -> set[str]:
    return set(load_sources(KNOWLEDGE_ROOT / "sources", KNOWLEDGE_ROOT))


@pytest.fixture(scope="module")
def modules(sources: set[str]) -> dict[str, EducationModule]:
    return load_education(
        KNOWLEDGE_ROOT / "education", KNOWLEDGE_ROOT, SourceChecker(sources), MECHANISMS, TOPICS
    )


REQUIRED = [
    "pain-is-a-signal",
    "spine-hygiene",
    "sitting-posture",
    "sleep",
    "ergonomics",
    "stress",
    "pacing",
    "flare-ups",
    "fear-of-movement",
    "walking",
    "imaging",
    "recovery-timeline",
    "breathing",
    "flexion-intolerance",
    "extension-intolerance",
    "rotation-control",
    "compression-intolerance",
    "nerve-pain",
    "mobility-vs-stability",
]


@pytest.mark.parametrize("slug", REQUIRED)
def test_required_module_exists(modules: dict[str, EducationModule], slug: str) -> None:
    assert slug in modules


def test_file_name_matches_slug() -> None:
    for path in sorted((KNOWLEDGE_ROOT / "education").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert doc["slug"] == path.stem


def test_pain_is_a_signal_is_always_shown_and_rejects_all_in_your_head(
    modules: dict[str, EducationModule],
) -> None:
    module = modules["pain-is-a-signal"]
    assert module.always is True
    text = " ".join(module.body).lower()
    assert "in their head" in text or "in your head" in text
    assert "pain_science" in module.for_topics


@pytest.mark.parametrize(
    ("mechanism", "slug"),
    [
        ("flexion-intolerance", "flexion-intolerance"),
        ("extension-intolerance", "extension-intolerance"),
        ("rotation-motor-control", "rotation-control"),
        ("compression-intolerance", "compression-intolerance"),
        ("radicular", "nerve-pain"),
        ("mobility-deficit", "mobility-vs-stability"),
        ("stability-deficit", "mobility-vs-stability"),
        ("neurogenic-claudication", "neurogenic-claudication"),
        ("fear-avoidance", "fear-of-movement"),
        ("psychosocial-risk", "stress"),
    ],
)
def test_each_main_mechanism_has_its_module(
    modules: dict[str, EducationModule], mechanism: str, slug: str
) -> None:
    assert mechanism in modules[slug].for_mechanisms


MECHANISM_MODULES = [
    "flexion-intolerance",
    "extension-intolerance",
    "rotation-control",
    "compression-intolerance",
    "nerve-pain",
    "mobility-vs-stability",
    "neurogenic-claudication",
    "directional-preference",
]


@pytest.mark.parametrize("slug", MECHANISM_MODULES)
def test_mechanism_modules_are_offered_only_for_their_mechanisms(
    modules: dict[str, EducationModule], slug: str
) -> None:
    """A lifestyle topic (say, low activity) must not pull in an explanation of stenosis."""
    module = modules[slug]
    assert module.for_mechanisms
    assert module.for_topics == ()
    assert module.always is False


def test_every_topic_is_covered(modules: dict[str, EducationModule]) -> None:
    covered = {t for m in modules.values() for t in m.for_topics}
    assert covered == TOPICS


def test_every_module_is_offered_to_someone(modules: dict[str, EducationModule]) -> None:
    for module in modules.values():
        assert module.always or module.for_mechanisms or module.for_topics, module.slug


def _words(module: EducationModule) -> int:
    return sum(len(p.split()) for p in module.body)


def test_modules_have_three_to_six_paragraphs_and_key_points(
    modules: dict[str, EducationModule],
) -> None:
    for module in modules.values():
        assert 3 <= len(module.body) <= 6, module.slug
        assert 3 <= len(module.key_points) <= 6, module.slug
        assert module.summary, module.slug


def test_reading_minutes_match_the_length(modules: dict[str, EducationModule]) -> None:
    # Plain-language reading runs at roughly 150-250 words a minute.
    for module in modules.values():
        words = _words(module) + sum(len(k.split()) for k in module.key_points) + len(module.summary.split())
        low, high = math.ceil(words / 250), math.ceil(words / 150)
        assert low <= module.reading_minutes <= high, (module.slug, words)


def test_no_paragraph_is_a_wall_of_text(modules: dict[str, EducationModule]) -> None:
    for module in modules.values():
        for paragraph in module.body:
            assert len(paragraph.split()) <= 130, module.slug


def test_ergonomics_labels_the_break_interval_as_a_heuristic(
    modules: dict[str, EducationModule],
) -> None:
    module = modules["ergonomics"]
    text = " ".join(module.body)
    assert re.search(r"20 to 30 minutes", text)
    assert "rule of thumb" in text and "not a tested threshold" in text
    assert "heuristic-sitting-breaks" in module.sources
    assert {"ergonomics", "lifting", "sitting"} <= set(module.for_topics)


def test_spine_hygiene_covers_hinge_morning_and_the_30_second_sitting_fix(
    modules: dict[str, EducationModule],
) -> None:
    module = modules["spine-hygiene"]
    text = " ".join(module.body).lower()
    assert "hip hinge" in text
    assert "first hour" in text
    assert "half a minute" in text or "30 seconds" in text
    assert "snook-1998" in module.sources


def test_imaging_reports_the_published_prevalence_and_nice(
    modules: dict[str, EducationModule],
) -> None:
    module = modules["imaging"]
    text = " ".join(module.body)
    # Brinjikji 2015: disc bulge 30 % at age 20 rising to 84 % at 80.
    assert "30 %" in text and "84 %" in text
    assert {"nice-ng59", "brinjikji-2015"} <= set(module.sources)


def test_walking_reports_walkback_numbers(modules: dict[str, EducationModule]) -> None:
    module = modules["walking"]
    text = " ".join(module.body)
    assert "208" in text and "112" in text
    assert "30 minutes on 5 days a week" in text
    assert "pocovi-2024" in module.sources


def test_recovery_timeline_is_six_to_twelve_weeks(modules: dict[str, EducationModule]) -> None:
    module = modules["recovery-timeline"]
    assert "6 to 12 weeks" in " ".join(module.body)
    assert "costa-2012" in module.sources


def test_flare_ups_rechecks_red_flags_and_says_when_to_get_help(
    modules: dict[str, EducationModule],
) -> None:
    text = " ".join(modules["flare-ups"].body).lower()
    assert "emergency" in text
    assert "bladder" in text or "urine" in text
    assert "contact your clinician" in text
    assert "finucane-2020" in modules["flare-ups"].sources


# --- the loader rejects broken files, naming the file and the key -----------------------


def _module(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "slug": "test-module",
        "title": "Test",
        "summary": "A test module.",
        "body": ["One.", "Two.", "Three."],
        "key_points": ["Point."],
        "reading_minutes": 1,
        "for_topics": ["sleep"],
        "sources": ["kelly-2011"],
    }
    doc.update(changes)
    return doc


def _load(tmp_path: Path, *docs: dict[str, Any]) -> dict[str, EducationModule]:
    folder = tmp_path / "education"
    folder.mkdir(exist_ok=True)
    for i, doc in enumerate(docs):
        (folder / f"m{i}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return load_education(folder, tmp_path, SourceChecker({"kelly-2011"}), MECHANISMS, TOPICS)


def test_a_valid_module_loads(tmp_path: Path) -> None:
    assert set(_load(tmp_path, _module())) == {"test-module"}


def test_missing_body_names_file_and_key(tmp_path: Path) -> None:
    doc = _module()
    del doc["body"]
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, doc)
    assert err.value.location == "education/m0.yaml: body"


def test_unknown_topic_names_file_and_key(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, _module(for_topics=["sleeping"]))
    assert err.value.location == "education/m0.yaml: for_topics"
    assert "sleeping" in err.value.problem


def test_unknown_mechanism_names_file_and_key(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, _module(for_mechanisms=["disc-bulge"]))
    assert err.value.location == "education/m0.yaml: for_mechanisms"


def test_unknown_source_names_file_and_index(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, _module(sources=["kelly-2011", "someone-2030"]))
    assert err.value.location == "education/m0.yaml: sources[1]"


def test_empty_sources_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, _module(sources=[]))
    assert err.value.location == "education/m0.yaml: sources"


def test_reading_minutes_out_of_range_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, _module(reading_minutes=0))
    assert err.value.location == "education/m0.yaml: reading_minutes"


def test_duplicate_slug_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, _module(), _module())
    assert err.value.location == "education/m1.yaml: slug"


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as err:
        _load(tmp_path, _module(paragraphs=["x"]))
    assert err.value.location == "education/m0.yaml: paragraphs"
