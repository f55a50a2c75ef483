"""Bibliography files: ``sources/*.yaml``, a list of citable entries by id."""

from __future__ import annotations

from pathlib import Path

from backmech.domain.errors import KnowledgeError
from backmech.domain.evidence import EvidenceLevel, Source
from backmech.knowledge.files import StrictModel, parse, read_yaml, relative, yaml_files


class SourceEntry(StrictModel):
    id: str
    citation: str
    level: EvidenceLevel
    url: str = ""
    note: str = ""


class SourceFile(StrictModel):
    sources: list[SourceEntry]


def load_sources(directory: Path, root: Path) -> dict[str, Source]:
    """All bibliography entries; a duplicated id across files is an error."""
    found: dict[str, Source] = {}
    for path in yaml_files(directory):
        where = relative(path, root)
        doc = parse(SourceFile, read_yaml(path, root), where)
        for i, entry in enumerate(doc.sources):
            if entry.id in found:
                raise KnowledgeError(f"{where}: sources[{i}].id", f"duplicate source id {entry.id!r}")
            found[entry.id] = Source(entry.id, entry.citation, entry.level, entry.url, entry.note)
    if not found:
        raise KnowledgeError(relative(directory, root), "holds no sources")
    return found
