"""What every request shares inside one web process: storage, services, templates, the job queue.

Built once by :func:`backmech.web.app.create_app`; routes reach it through
``request.app.state.backmech`` (:func:`backmech.web.security.app_state`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy import Engine

from backmech.services.ports import UnitOfWorkFactory
from backmech.storage.document_cache import LruCache
from backmech.web.config import WebConfig

if TYPE_CHECKING:
    from backmech.domain.knowledge_base import KnowledgeBase
    from backmech.services.assessment import AssessmentService


class FragmentCache:
    """Rendered page parts that depend only on immutable records, kept per process (bounded, LRU).

    A plan page's body depends on the assessment (never changed once stored), the
    clinician's edits (each new edit has a new id, so the key changes) and the date.
    Rendering it was half of the page's time; the key carries everything it depends
    on, so a stale entry is never served, only evicted.
    """

    def __init__(self, templates: Jinja2Templates, size: int = 512) -> None:
        self._templates = templates
        self._entries: LruCache[Hashable, Markup] = LruCache(size)

    def get_or_render(self, key: Hashable, template: str, context: Mapping[str, Any]) -> Markup:
        found = self._entries.get(key)
        if found is None:
            found = Markup(self._templates.get_template(template).render(context))
            self._entries.put(key, found)
        return found


class AnalysisQueue(Protocol):
    """Where uploaded movement videos go to be analysed off the request path."""

    def submit(self, clinic_id: UUID, analysis_id: UUID) -> None: ...
    def close(self) -> None: ...


class NoQueue:
    """Used when separate ``backmech worker`` processes pick jobs up by themselves."""

    def submit(self, clinic_id: UUID, analysis_id: UUID) -> None:
        return None

    def close(self) -> None:
        return None


@dataclass
class AppState:
    config: WebConfig
    engine: Engine
    uow_factory: UnitOfWorkFactory
    templates: Jinja2Templates
    queue: AnalysisQueue = field(default_factory=NoQueue)
    fragments: FragmentCache = field(init=False)
    setup_done: bool = False
    """Set once an admin exists (it never goes back), so the home page stops asking the database."""
    _assessment_factory: Callable[[], AssessmentService] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.fragments = FragmentCache(self.templates)

    @cached_property
    def assessment(self) -> AssessmentService:
        """The assessment engine over the bundled knowledge base (loaded once per process)."""
        if self._assessment_factory is not None:
            return self._assessment_factory()
        from backmech.bootstrap import assessment_service

        return assessment_service()

    @property
    def knowledge(self) -> KnowledgeBase:
        return self.assessment.kb
