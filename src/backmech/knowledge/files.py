"""Reading YAML knowledge files and turning schema errors into located messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from backmech.domain.conditions import Condition, parse_condition
from backmech.domain.errors import InputError, KnowledgeError
from backmech.domain.facts import Vocabulary
from backmech.input_files import read_limited

ModelT = TypeVar("ModelT", bound=BaseModel)

KNOWLEDGE_ROOT = Path(__file__).resolve().parent
MAX_KNOWLEDGE_FILE_BYTES = 4 * 1024 * 1024
"""The largest bundled file is tens of kilobytes; a file far larger is not a knowledge file."""


class StrictModel(BaseModel):
    """Base for knowledge schemas: unknown keys are errors (a typo must not pass)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def relative(path: Path, root: Path) -> str:
    """Path as shown in messages: relative to the knowledge root when possible."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def read_yaml(path: Path, root: Path) -> Any:
    """Parse one YAML file, naming the file (and line) when it is not valid YAML."""
    where = relative(path, root)
    try:
        text = read_limited(path, MAX_KNOWLEDGE_FILE_BYTES, what="a knowledge file").decode("utf-8")
    except InputError as exc:
        raise KnowledgeError(where, exc.problem) from None
    except UnicodeDecodeError:
        raise KnowledgeError(where, "is not UTF-8 text") from None
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise KnowledgeError(where, f"is not valid YAML{line}: {exc}") from exc


def parse(model: type[ModelT], data: Any, where: str) -> ModelT:
    """Validate ``data`` against a schema; the first error names file and key."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        location = f"{where}: {key}" if key else where
        extra = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise KnowledgeError(location, f"{err['msg']}{extra}") from exc


def yaml_files(directory: Path) -> list[Path]:
    """YAML files of a folder in a stable order (so loading is deterministic)."""
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


class SourceChecker:
    """Collects ``source`` references and fails on any that the bibliography lacks."""

    def __init__(self, known: set[str]) -> None:
        self.known = known

    def check(self, source_id: str, location: str) -> str:
        if not source_id:
            raise KnowledgeError(location, "has no source; every clinical number needs one")
        if source_id not in self.known:
            raise KnowledgeError(
                location,
                f"names unknown source {source_id!r}",
                hint="Add it to knowledge/sources/*.yaml or use an existing id.",
            )
        return source_id


def rule_condition(data: object, where: str, vocabulary: Vocabulary, *, hint: str = "") -> Condition:
    """Parse a rule's condition and check every leaf against the fact vocabulary.

    Malformed shapes, unknown facts, wrong operators and out-of-vocabulary values are
    rejected with ``where`` (file and rule id) so a typo never silently disables a rule.
    """
    try:
        condition = parse_condition(data, "when")
    except ValueError as exc:
        raise KnowledgeError(where, f"malformed condition: {exc}") from exc
    problems = vocabulary.condition_problems(condition)
    if problems:
        raise KnowledgeError(
            where,
            "; ".join(problems),
            hint=hint or "Fact ids and values are listed by `backmech vocabulary`.",
        )
    return condition
