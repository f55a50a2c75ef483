"""Named aliases and small enumerations shared across the domain.

Kept in one place (like ``starlette/types.py``) so the vocabulary of the core is
read once and means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

FactValue = bool | int | float | str
"""A typed fact: a flag, a measurement, or a value from a documented enumeration."""

Facts = Mapping[str, FactValue]
"""Facts known about one person. A fact that is absent is *unknown*, never false."""

SourceId = str
"""Key of an entry in the bibliography (``knowledge/sources/*.yaml``)."""

Slug = str
"""Stable, human-readable identifier such as ``bird-dog``; never a database key."""


class TriageLevel(StrEnum):
    """Level of concern from the safety screen, most urgent first.

    The order follows the IFOMPT framework (Finucane 2020): emergency now,
    urgent within 24-48 h, see a doctor soon, or no concern.
    """

    EMERGENCY = "emergency"
    URGENT = "urgent"
    SOON = "soon"
    NONE = "none"

    @property
    def rank(self) -> int:
        """Higher is more urgent; used to keep the worst level seen."""
        return _TRIAGE_RANK[self]

    @property
    def stops_programme(self) -> bool:
        """Emergency and urgent levels stop all exercise content (clinical.md 2.2)."""
        return self in (TriageLevel.EMERGENCY, TriageLevel.URGENT)


_TRIAGE_RANK = {
    TriageLevel.NONE: 0,
    TriageLevel.SOON: 1,
    TriageLevel.URGENT: 2,
    TriageLevel.EMERGENCY: 3,
}
