"""Education files: ``education/*.yaml``, one module per file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from backmech.domain.education import EducationModule
from backmech.domain.errors import KnowledgeError
from backmech.knowledge.exercise_files import SlugStr
from backmech.knowledge.files import (
    SourceChecker,
    StrictModel,
    parse,
    read_yaml,
    relative,
    yaml_files,
)


class EducationEntry(StrictModel):
    slug: SlugStr
    title: str
    summary: str
    body: list[str] = Field(min_length=1)
    key_points: list[str] = Field(min_length=1)
    reading_minutes: int = Field(ge=1, le=30)
    for_mechanisms: list[str] = Field(default_factory=list)
    for_topics: list[str] = Field(default_factory=list)
    always: bool = False
    sources: list[str] = Field(min_length=1)


def load_education(
    directory: Path, root: Path, sources: SourceChecker, mechanisms: set[str], topics: set[str]
) -> dict[str, EducationModule]:
    """Every module by slug; mechanisms and topics must be known ids."""
    found: dict[str, EducationModule] = {}
    for path in yaml_files(directory):
        where = relative(path, root)
        e = parse(EducationEntry, read_yaml(path, root), where)
        if e.slug in found:
            raise KnowledgeError(f"{where}: slug", f"duplicate education slug {e.slug!r}")
        for i, sid in enumerate(e.sources):
            sources.check(sid, f"{where}: sources[{i}]")
        for mech in e.for_mechanisms:
            if mech not in mechanisms:
                raise KnowledgeError(f"{where}: for_mechanisms", f"unknown mechanism {mech!r}")
        for topic in e.for_topics:
            if topic not in topics:
                raise KnowledgeError(
                    f"{where}: for_topics",
                    f"unknown topic {topic!r}",
                    hint=f"Known topics: {', '.join(sorted(topics))}.",
                )
        found[e.slug] = EducationModule(
            slug=e.slug,
            title=e.title,
            summary=e.summary,
            body=tuple(e.body),
            key_points=tuple(e.key_points),
            reading_minutes=e.reading_minutes,
            for_mechanisms=tuple(e.for_mechanisms),
            for_topics=tuple(e.for_topics),
            always=e.always,
            sources=tuple(e.sources),
        )
    return found
