"""A bounded, thread-safe LRU cache, and the per-process cache of assessment documents built on it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import Generic, TypeVar
from uuid import UUID

from backmech.domain.results.model import AssessmentResult
from backmech.services.ports import JsonObject

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """At most ``size`` entries, least recently used evicted first; safe to share between threads.

    For values derived only from records that never change once stored, so an entry is
    never stale, only evicted. Values are shared between callers: treat them as read-only.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def get_many(self, keys: Sequence[K]) -> dict[K, V]:
        with self._lock:
            found = {key: self._entries[key] for key in keys if key in self._entries}
            for key in found:
                self._entries.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


ASSESSMENT_DOCUMENTS: LruCache[UUID, tuple[JsonObject, AssessmentResult]] = LruCache(size=1024)
"""An assessment's intake and typed result (~50 KB of JSON) decoded once, not on every plan page.

Both never change once stored; the result is immutable, and nothing in backmech changes an intake in place."""
