"""What a person logs during a course: sessions, walking, check-in answers and scores.

Plain immutable records so a course can be replayed from stored entries and give
the same decisions every time. Pain ratings are the 0-10 NPRS; ``None`` means the
question was not answered (never zero).
"""

from __future__ import annotations

from datetime import date

from backmech.domain.records import record


@record
class SessionLog:
    """One exercise session and its pain ratings.

    ``next_morning_pain`` is asked the morning after; until it is answered the
    session's colour is provisional. ``reported_flare`` is the person saying that
    the back has flared up (the Costa 2019 definition is self-reported).
    """

    done: bool = True
    pain_before: int | None = None
    pain_during: int | None = None
    pain_after: int | None = None
    next_morning_pain: int | None = None
    peripheralisation: bool = False
    new_neurology: bool = False
    reported_flare: bool = False


@record
class Score:
    """A questionnaire score for one tracked measure (``odi``, ``nprs`` …)."""

    measure: str
    value: float


@record
class DayEntry:
    """Everything logged on one day of the course.

    ``red_flags`` holds the ids of safety questions answered *yes* at a check-in;
    any of them stops the programme. ``reported_flare`` lets the person report a
    flare-up on a day without a session (or with one: either flag counts).
    """

    day: date
    session: SessionLog | None = None
    walking_minutes: float = 0.0
    red_flags: tuple[str, ...] = ()
    scores: tuple[Score, ...] = ()
    reported_flare: bool = False
    new_neurology: bool = False
    """New or spreading leg pain, numbness or weakness reported at a check-in (no session needed)."""

    @property
    def active(self) -> bool:
        """Any activity logged: a session done or some walking."""
        return (self.session is not None and self.session.done) or self.walking_minutes > 0
