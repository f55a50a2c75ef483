"""The saved state of an interactive assessment: the partial intake and the questions done.

With ``--save FILE`` the session is written after every question (atomically);
``--resume FILE`` loads it back, validating the intake like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from backmech.cli.files import read_json, write_atomic
from backmech.cli.interactive.answers import Answer, Where
from backmech.cli.render import dumps
from backmech.domain.errors import InputError
from backmech.domain.intake import SCHEMA_VERSION
from backmech.services.assessment import AssessmentService

SAVE_FORMAT = "backmech-interactive"
SAVE_VERSION = 1


@dataclass
class Session:
    """The answers so far: a partial intake, the questions done, and section choices."""

    intake: dict[str, object]
    done: list[str] = field(default_factory=list)
    sections: dict[str, bool] = field(default_factory=dict)
    """Whether the person chose to answer a questionnaire or the examination section."""
    path: Path | None = None

    def get(self, path: Where) -> object:
        parent = node(self.intake, path[:-1], create=False)
        return None if parent is None else parent.get(path[-1])

    def put(self, path: Where, value: Answer) -> None:
        """Store an answer; ``None`` (unanswered) is not written, so it stays unknown."""
        if value is not None:
            parent = node(self.intake, path[:-1], create=True)
            assert parent is not None
            parent[path[-1]] = value

    def record(self, key: str) -> None:
        """Mark a question done and save (when a save file was given)."""
        if key not in self.done:
            self.done.append(key)
        self.save()

    def save(self) -> None:
        if self.path is None:
            return
        state = {
            "format": SAVE_FORMAT,
            "version": SAVE_VERSION,
            "intake": self.intake,
            "done": self.done,
            "sections": self.sections,
        }
        write_atomic(self.path, dumps(state, indent=True) + b"\n")


def node(root: dict[str, object], path: Sequence[str], *, create: bool) -> dict[str, object] | None:
    """The dict at ``path`` under ``root``; with ``create`` missing ones are made, else None."""
    current = root
    for part in path:
        child = current.get(part)
        if not isinstance(child, dict):
            if not create:
                return None
            child = {}
            current[part] = child
        current = child
    return current


def new_session(path: Path | None) -> Session:
    """A fresh session, dated today; saved to ``path`` when one is given."""
    intake: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "case_id": "",
        "assessed_on": date.today().isoformat(),
    }
    return Session(intake=intake, path=path)


def load_session(path: Path, service: AssessmentService, save: Path | None) -> Session:
    """A session saved with --save; its intake is validated like any other."""
    data = read_json(path)
    not_saved = InputError(
        str(path),
        "is not a saved backmech interactive assessment",
        allowed="a file written by `backmech assess --save FILE`",
    )
    if not isinstance(data, dict) or data.get("format") != SAVE_FORMAT:
        raise not_saved
    if data.get("version") != SAVE_VERSION:
        raise InputError(f"{path}: version", f"unsupported version {data.get('version')!r}", allowed="1")
    intake, done, sections = data.get("intake"), data.get("done"), data.get("sections", {})
    if (
        not isinstance(intake, dict)
        or not isinstance(done, list)
        or not all(isinstance(k, str) for k in done)
        or not isinstance(sections, dict)
        or not all(isinstance(v, bool) for v in sections.values())
    ):
        raise not_saved
    try:
        service.read(intake)
    except InputError as exc:
        raise InputError(f"{path}: intake.{exc.field}", exc.problem, allowed=exc.allowed) from exc
    return Session(intake=intake, done=list(done), sections=dict(sections), path=save or path)
