"""The assessment result as typed values: what the engine concluded, from red flags to the plan.

One value, the same from the engine to the report: storage keeps it as JSON through the
codec (:mod:`backmech.domain.results.codec`) and gives it back as these types, so every
page, document, export and analysis reads fields, never keys of a stored document.

Field names are a public contract (``docs/result.md``): they are extended, never
renamed. A field added later has a default here, so a document stored before it was
added still reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field

from backmech.domain.mechanism.classification import MechanismFinding, PredictionRuleResult
from backmech.domain.movement import Event, Finding, Metric, Phase, ViewCheck
from backmech.domain.plans.model import Plan
from backmech.domain.records import record
from backmech.domain.safety.screening import TriageResult
from backmech.domain.types import FactValue, SourceId

RESULT_SCHEMA_VERSION = 1
"""The result's format version: a document of a newer version is refused, older ones are read."""

DISCLAIMER = (
    "backmech supports decisions about low back pain; it does not replace an assessment "
    "by a clinician. If your symptoms change or you are worried, contact a health professional."
)

PLAN_READY = "ready"
PLAN_WITHHELD_RED_FLAG = "withheld_red_flag"
PLAN_WITHHELD_INCOMPLETE = "withheld_screen_incomplete"

ScoreValue = float | int | str | None
"""One questionnaire output: a number, a category (STarT Back's ``risk``), or None when not scorable."""


@record
class BandReport:
    """The interpretation band an output fell in."""

    id: str
    label: str
    meaning: str
    source: SourceId


@record
class ChangeReport:
    """The smallest change in an output that matters to a person (MCID), in points and/or percent."""

    points: float | None
    percent: float | None
    source: SourceId


class ScoreReport:
    """One questionnaire's scores as reported: outputs, bands, what change matters, what was missing.

    In JSON the outputs sit beside the other fields (``scores.odi.percent``), as the result
    contract has always had them; :attr:`values` holds them here. That is why this is a
    plain immutable class rather than a record: the codec writes its JSON itself.
    """

    __slots__ = (
        "band",
        "bands",
        "complete",
        "instrument",
        "mcid",
        "missing_items",
        "notes",
        "source",
        "values",
        "version",
    )
    values: Mapping[str, ScoreValue]
    band: str | None
    """Band id of the instrument's primary output."""
    bands: Mapping[str, BandReport]
    mcid: Mapping[str, ChangeReport]
    complete: bool
    missing_items: tuple[str, ...]
    notes: tuple[str, ...]
    instrument: str
    version: str
    source: SourceId

    def __init__(
        self,
        *,
        values: Mapping[str, ScoreValue],
        band: str | None,
        bands: Mapping[str, BandReport],
        mcid: Mapping[str, ChangeReport],
        complete: bool,
        missing_items: tuple[str, ...],
        notes: tuple[str, ...],
        instrument: str,
        version: str,
        source: SourceId,
    ) -> None:
        self.values = values
        self.band = band
        self.bands = bands
        self.mcid = mcid
        self.complete = complete
        self.missing_items = missing_items
        self.notes = notes
        self.instrument = instrument
        self.version = version
        self.source = source

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ScoreReport):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # holds mappings: not hashable, like the records

    def __repr__(self) -> str:
        return f"ScoreReport({self.instrument!r}, {dict(self.values)!r}, band={self.band!r})"

    def number(self, output: str) -> float | None:
        """An output as a number, or None when it was not scored or is a category."""
        value = self.values.get(output)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)


@record
class ClassificationSummary:
    """How clear the mechanism picture is, and what would clarify it."""

    status: str
    """``clear``, ``mixed``, ``insufficient``, or ``not_assessed`` after a red-flag stop."""
    dominant: str | None
    candidates: tuple[str, ...]
    discriminating_tests: tuple[str, ...]
    emphasis: str


@record
class DataCompleteness:
    """What was not answered, so conclusions can say what evidence was missing."""

    questionnaires_answered: tuple[str, ...]
    questionnaires_missing: tuple[str, ...]
    questionnaires_incomplete: tuple[str, ...]
    sections_missing: tuple[str, ...]
    red_flags_unanswered: tuple[str, ...]


@record
class VideoSummary:
    """What the file was: shown in results so a clinician can judge the recording."""

    width: int
    height: int
    rotation: int
    duration_s: float
    fps: float
    frames: int


def _unknown_view() -> ViewCheck:
    return ViewCheck(ok=False, view="unknown", problems=())


@record
class MovementReport:
    """One analysed movement test, as ``backmech analyse --json`` prints it and an assessment keeps it.

    Every field but ``test`` has a default: a report imported from another system's record
    (FHIR) carries only its metrics, and such reports were stored as ``{test, metrics}``.
    """

    test: str
    estimator: str = ""
    video: VideoSummary | None = None
    frames_analysed: int = 0
    detection_rate: float = 0.0
    view: ViewCheck = field(default_factory=_unknown_view)
    repetitions: int = 0
    metrics: Mapping[str, Metric] = field(default_factory=dict)
    """Keyed by metric id."""
    findings: Mapping[str, FactValue] = field(default_factory=dict)
    """Fact id → value: what the clinical engine reads."""
    finding_reasons: tuple[Finding, ...] = ()
    phases: tuple[Phase, ...] = ()
    events: tuple[Event, ...] = ()
    notes: tuple[str, ...] = ()
    analysis_id: str | None = None
    """The stored analysis this came from (web uploads)."""
    overlay: str | None = None
    """Where the overlay video is, relative to the media folder."""
    assessment_note: str | None = None


@record
class AssessmentResult:
    """The machine-readable result. Field names are a public contract: extend, never rename."""

    schema_version: int
    case_id: str
    assessed_on: str | None
    backmech_version: str
    disclaimer: str
    triage: TriageResult
    scores: Mapping[str, ScoreReport]
    classification: ClassificationSummary
    mechanisms: tuple[MechanismFinding, ...]
    contributing_factors: tuple[MechanismFinding, ...]
    prediction_rules: tuple[PredictionRuleResult, ...]
    plan: Plan | None
    plan_status: str
    data_completeness: DataCompleteness
    sources: Mapping[str, str]
    """Every source id cited anywhere in this result, with its citation."""
    movement_tests: tuple[MovementReport, ...] = ()
    """Movement-test analyses whose findings were added to this assessment."""

    def found(self) -> frozenset[str]:
        """Ids of the mechanisms and contributing factors reported."""
        return frozenset(m.id for m in (*self.mechanisms, *self.contributing_factors))

    def main_mechanism(self) -> MechanismFinding | None:
        """The dominant mechanism, else the top-ranked one; None when none was reported."""
        dominant = self.classification.dominant
        chosen = next((m for m in self.mechanisms if m.id == dominant), None)
        return chosen if chosen is not None else (self.mechanisms[0] if self.mechanisms else None)

    def score(self, questionnaire: str, output: str) -> float | None:
        """One questionnaire output as a number (None when not answered or not scorable)."""
        report = self.scores.get(questionnaire)
        return report.number(output) if report is not None else None
