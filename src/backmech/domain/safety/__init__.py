"""The safety screen: red flags and the neurological screen, run before anything else.

A positive screen stops the programme and tells the person where to go and how
soon; it is never bypassed (clinical reference sections 0 and 2).
"""

from backmech.domain.safety.model import (
    CATEGORIES,
    RedFlagRule,
    SafetyScreen,
    ScreenQuestion,
    question_fact_specs,
)
from backmech.domain.safety.screening import TriageReason, TriageResult, screen

__all__ = [
    "CATEGORIES",
    "RedFlagRule",
    "SafetyScreen",
    "ScreenQuestion",
    "TriageReason",
    "TriageResult",
    "question_fact_specs",
    "screen",
]
