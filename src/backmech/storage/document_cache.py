"""Decoded JSON documents of records that never change once stored, cached per process."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any
from uuid import UUID


class DocumentCache:
    """A bounded, thread-safe LRU of immutable JSON documents by record id (one per process).

    Values are shared between callers and must be treated as read-only (they are the
    ``Mapping`` fields of the port records, which nothing in backmech changes in place).
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[UUID, tuple[Any, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, ids: Sequence[UUID]) -> dict[UUID, tuple[Any, Any]]:
        with self._lock:
            found = {i: self._entries[i] for i in ids if i in self._entries}
            for i in found:
                self._entries.move_to_end(i)
        return found

    def put(self, key: UUID, value: tuple[Any, Any]) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


ASSESSMENT_DOCUMENTS = DocumentCache(size=1024)
"""An assessment's intake and result (~50 KB of JSON) decoded once, not on every plan page."""
