"""Movement-test files: ``movement_tests/<id>.yaml``, one per test of ``motion.protocols``.

Each file gives the person's instructions, the camera set-up, the view(s) the protocol can
measure from, the metrics it reports (name, unit, how to read the value, source) and the
thresholds it compares measurements with (value, unit, meaning, source). Checks beyond the
schema: the file is named after its id, the id is a known protocol, every threshold and
metric the protocol reads is present and none is unused, every source exists, and every
protocol has a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from backmech.domain.errors import KnowledgeError
from backmech.knowledge.exercise_files import SlugStr
from backmech.knowledge.files import SourceChecker, StrictModel, parse, read_yaml, relative, yaml_files
from backmech.motion.protocols import REQUIRES
from backmech.motion.protocols.spec import MetricInfo, MovementTestSpec, Threshold


class ThresholdEntry(StrictModel):
    value: float
    unit: str = ""
    text: str = Field(min_length=3)
    source: str


class MetricEntry(StrictModel):
    name: str = Field(min_length=3)
    unit: str = ""
    normal: str = Field(min_length=3)
    source: str


class MovementTestFile(StrictModel):
    id: SlugStr
    name: str = Field(min_length=3)
    purpose: str = Field(min_length=3)
    views: list[Literal["side", "front"]] = Field(min_length=1)
    repetitions: int = Field(ge=1, le=20)
    source: str
    instructions: list[str] = Field(min_length=1)
    camera: list[str] = Field(min_length=1)
    metrics: dict[str, MetricEntry]
    thresholds: dict[str, ThresholdEntry]
    findings: list[str] = Field(default_factory=list)


def _check_keys(kind: str, have: set[str], need: frozenset[str], where: str, test: str) -> None:
    missing, unused = sorted(need - have), sorted(have - need)
    if missing:
        raise KnowledgeError(f"{where}: {kind}.{missing[0]}", f"missing; the {test} protocol reads it")
    if unused:
        raise KnowledgeError(
            f"{where}: {kind}.{unused[0]}",
            f"is not read by the {test} protocol",
            hint=f"It reads: {', '.join(sorted(need))}.",
        )


def load_movement_tests(directory: Path, root: Path, sources: SourceChecker) -> dict[str, MovementTestSpec]:
    """Every movement test by id, cross-checked against its protocol and the bibliography."""
    found: dict[str, MovementTestSpec] = {}
    for path in yaml_files(directory):
        where = relative(path, root)
        doc = parse(MovementTestFile, read_yaml(path, root), where)
        if doc.id != path.stem:
            raise KnowledgeError(f"{where}: id", f"{doc.id!r} does not match the file name {path.stem!r}")
        if doc.id not in REQUIRES:
            raise KnowledgeError(
                f"{where}: id",
                f"no protocol for {doc.id!r}",
                hint=f"Known tests: {', '.join(sorted(REQUIRES))}.",
            )
        need = REQUIRES[doc.id]
        _check_keys("thresholds", set(doc.thresholds), need.thresholds, where, doc.id)
        _check_keys("metrics", set(doc.metrics), need.metrics, where, doc.id)
        sources.check(doc.source, f"{where}: source")
        for key, th in doc.thresholds.items():
            sources.check(th.source, f"{where}: thresholds.{key}.source")
        for key, m in doc.metrics.items():
            sources.check(m.source, f"{where}: metrics.{key}.source")
        found[doc.id] = MovementTestSpec(
            id=doc.id,
            name=doc.name,
            purpose=doc.purpose,
            instructions=tuple(doc.instructions),
            camera=tuple(doc.camera),
            views=tuple(doc.views),
            repetitions=doc.repetitions,
            thresholds={k: Threshold(v.value, v.unit, v.text, v.source) for k, v in doc.thresholds.items()},
            metrics={k: MetricInfo(v.name, v.unit, v.normal, v.source) for k, v in doc.metrics.items()},
            source=doc.source,
            findings=tuple(doc.findings),
        )
    absent = sorted(set(REQUIRES) - set(found))
    if absent:
        raise KnowledgeError(relative(directory, root), f"has no file for movement test {absent[0]!r}")
    return found
