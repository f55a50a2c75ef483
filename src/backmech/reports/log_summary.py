"""Adherence and pain monitoring from the session logs: counts and averages, never verdicts.

Why no thresholds here: the reports show what the person logged (how many days,
how much pain before, during, after and the next morning), and quote the plan's own
pain-monitoring rule from the stored result with its source from the knowledge base.
No clinical cut-off is typed into this module. Adherence is reported as it is, the
way the clinic list does (``services.clinic_overview``), without nagging.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from backmech.reports.basis import ReportBasis
from backmech.services.clinic_overview import ADHERENCE_WINDOW_DAYS, summarise
from backmech.services.ports import SessionLog
from backmech.services.progress import WeekSummary, session_days, streak, week_summary


@dataclass(frozen=True)
class Adherence:
    """Days with a logged session since the programme started, and in the recent windows."""

    start: dt.date | None
    """The programme's start (``ReportBasis.programme_start``)."""
    days_since_start: int
    """Days from the start to today, both counted (0 without a plan)."""
    days_with_session: int
    sessions: int
    window_days: int
    window_logged: int
    window_planned: int
    last_week: WeekSummary
    streak: int

    @property
    def percent(self) -> float | None:
        """Days with a session as a share of the days since the programme started."""
        if not self.days_since_start:
            return None
        return round(100 * self.days_with_session / self.days_since_start)


def adherence(basis: ReportBasis) -> Adherence:
    logs, today, start = basis.logs, basis.today, basis.programme_start
    since = [log for log in logs if start is not None and start <= log.session_date <= today]
    summary = summarise(basis.record.patient, list(basis.record.assessments), logs, today)
    return Adherence(
        start=start,
        days_since_start=(today - start).days + 1 if start is not None else 0,
        days_with_session=len(session_days(since)),
        sessions=len(since),
        window_days=ADHERENCE_WINDOW_DAYS,
        window_logged=summary.sessions_logged,
        window_planned=summary.sessions_planned,
        last_week=week_summary(logs, today),
        streak=streak(logs, today),
    )


def _mean(values: Iterable[int | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.fmean(known), 1) if known else None


@dataclass(frozen=True)
class WeekPain:
    """One calendar week (Monday first) of logged sessions, pain 0-10 averaged."""

    monday: dt.date
    sessions: int
    before: float | None
    during: float | None
    after: float | None
    next_morning: float | None


@dataclass(frozen=True)
class PainMonitoring:
    """What the logs say about pain around the sessions (pain 0-10 as the person logged it)."""

    sessions: int
    first_day: dt.date | None
    last_day: dt.date | None
    with_during: int
    during_median: float | None
    during_max: int | None
    with_morning: int
    morning_above_before: int
    """Sessions whose next-morning pain was higher than the pain before the session."""
    morning_rise_max: int | None
    """The largest rise from before the session to the next morning (``None``: none higher)."""
    weeks: tuple[WeekPain, ...]


def _week(monday: dt.date, logs: Sequence[SessionLog]) -> WeekPain:
    return WeekPain(
        monday=monday,
        sessions=len(logs),
        before=_mean(log.pain_before for log in logs),
        during=_mean(log.pain_during for log in logs),
        after=_mean(log.pain_after for log in logs),
        next_morning=_mean(log.next_morning_pain for log in logs),
    )


def pain_monitoring(logs: Sequence[SessionLog]) -> PainMonitoring:
    during = [log.pain_during for log in logs if log.pain_during is not None]
    mornings = [log for log in logs if log.next_morning_pain is not None]
    rises = [
        log.next_morning_pain - log.pain_before
        for log in mornings
        if log.next_morning_pain is not None and log.next_morning_pain > log.pain_before
    ]
    by_week: dict[dt.date, list[SessionLog]] = {}
    for log in logs:
        monday = log.session_date - dt.timedelta(days=log.session_date.weekday())
        by_week.setdefault(monday, []).append(log)
    return PainMonitoring(
        sessions=len(logs),
        first_day=logs[0].session_date if logs else None,
        last_day=logs[-1].session_date if logs else None,
        with_during=len(during),
        during_median=round(float(statistics.median(during)), 1) if during else None,
        during_max=max(during) if during else None,
        with_morning=len(mornings),
        morning_above_before=len(rises),
        morning_rise_max=max(rises) if rises else None,
        weeks=tuple(_week(monday, week) for monday, week in sorted(by_week.items())),
    )
