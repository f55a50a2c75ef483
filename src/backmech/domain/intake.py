"""Reading an intake (decoded JSON) into typed facts, questionnaire answers and preferences.

The intake is written by a person, a clinician or another program, so every
problem is reported with the dotted field path and the values that would have
been accepted. Nothing is guessed: a field that is absent or ``null`` leaves its
fact unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import field

from backmech.domain.errors import InputError
from backmech.domain.facts import FactKind, FactSpec, Vocabulary
from backmech.domain.records import record
from backmech.domain.types import FactValue

EQUIPMENT = ("mat", "chair", "wall", "dowel", "band", "kettlebell", "step", "bar")
"""Equipment a person can say they have; exercises needing anything else are left out."""

META_KEYS = frozenset(
    {
        "schema_version",
        "case_id",
        "assessed_on",
        "notes",
        "questionnaires",
        "red_flags",
        "findings",
        "preferences",
    }
)
SCHEMA_VERSION = 1


@record
class Preferences:
    """What the person can fit in: equipment at hand and time for a session."""

    equipment: tuple[str, ...] = ()
    session_minutes: int = 20
    days_per_week: int = 5


@record
class CaseInput:
    """A validated intake: facts, raw questionnaire answers, and preferences."""

    case_id: str
    assessed_on: str | None
    facts: Mapping[str, FactValue]
    answers: Mapping[str, Mapping[str, object]]
    preferences: Preferences
    notes: str = ""
    given_sections: frozenset[str] = field(default_factory=frozenset)


class IntakeReader:
    """Reads intakes against one vocabulary; build once per knowledge base.

    Example::

        reader = IntakeReader(kb.vocabulary, kb.questionnaires.keys())
        case = reader.read({"case_id": "a", "person": {"age": 40}})
        case.facts["person.age"]  # 40
    """

    def __init__(self, vocabulary: Vocabulary, questionnaire_ids: Iterable[str]) -> None:
        self.vocabulary = vocabulary
        self.questionnaire_ids = tuple(sorted(questionnaire_ids))
        self._children: dict[str, set[str]] = {}
        paths = [
            fid
            for fid, spec in vocabulary.specs.items()
            if spec.origin == "intake" and not self._in_list(fid)
        ]
        paths.extend(vocabulary.lists)
        for path in paths:
            parts = path.split(".")
            for depth in range(len(parts)):
                parent = ".".join(parts[:depth])
                self._children.setdefault(parent, set()).add(parts[depth])
        self._intake_specs = {fid: spec for fid, spec in vocabulary.specs.items() if spec.origin == "intake"}
        self._list_facts = {
            path: tuple((item, f"{li.prefix}.{item}") for item in vocabulary.enumerations[li.enumeration])
            for path, li in vocabulary.lists.items()
        }
        self._red_flag_ids = tuple(
            sorted(
                fid.removeprefix("red_flag.") for fid, s in vocabulary.specs.items() if s.origin == "red_flag"
            )
        )
        self._red_flag_facts = {qid: f"red_flag.{qid}" for qid in self._red_flag_ids}

    def _in_list(self, fact_id: str) -> bool:
        return any(
            fact_id.startswith(li.prefix + ".")
            and fact_id.removeprefix(li.prefix + ".") in self.vocabulary.enumerations[li.enumeration]
            for li in self.vocabulary.lists.values()
        )

    def read(self, data: object) -> CaseInput:
        """Validate and flatten one intake; raises :class:`InputError` naming the field."""
        if not isinstance(data, Mapping):
            raise InputError("(intake)", "must be a JSON object", allowed="an object with case_id, person, …")
        version = data.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise InputError(
                "schema_version", f"unsupported version {version!r}", allowed=str(SCHEMA_VERSION)
            )
        case_id = data.get("case_id", "")
        if not isinstance(case_id, str):
            raise InputError("case_id", "must be a string")
        assessed_on = data.get("assessed_on")
        if assessed_on is not None and not _is_iso_date(assessed_on):
            raise InputError("assessed_on", f"{assessed_on!r} is not a date", allowed="YYYY-MM-DD")
        notes = data.get("notes", "")
        if not isinstance(notes, str):
            raise InputError("notes", "must be a string")
        facts: dict[str, FactValue] = {}
        sections: set[str] = set()
        for key, value in data.items():
            if key in META_KEYS:
                continue
            if key not in self._children[""]:
                allowed = sorted(self._children[""] | META_KEYS)
                raise InputError(key, "is not a known intake field", allowed=", ".join(allowed))
            if value is not None:
                sections.add(key)
            self._walk(key, value, facts)
        self._read_red_flags(data.get("red_flags"), facts)
        self._read_findings(data.get("findings"), facts)
        answers = self._read_questionnaires(data.get("questionnaires"))
        return CaseInput(
            case_id=case_id,
            assessed_on=assessed_on,
            facts=facts,
            answers=answers,
            preferences=_read_preferences(data.get("preferences")),
            notes=notes,
            given_sections=frozenset(sections),
        )

    def _walk(self, path: str, value: object, facts: dict[str, FactValue]) -> None:
        if value is None:
            return
        spec = self._intake_specs.get(path)
        if spec is not None:
            # Fast path for well-formed values; anything else gets the full checks
            # and a message naming the field and the allowed values.
            kind = type(value)
            if spec.kind is FactKind.BOOL:
                ok = kind is bool
            elif spec.kind is FactKind.NUMBER:
                ok = (
                    (kind is int or kind is float)
                    and (spec.minimum is None or value >= spec.minimum)  # type: ignore[operator]
                    and (spec.maximum is None or value <= spec.maximum)  # type: ignore[operator]
                )
            else:
                ok = kind is str and value in spec.values
            facts[path] = value if ok else _checked(spec, value, path)  # type: ignore[assignment]
            return
        list_input = self.vocabulary.lists.get(path)
        if list_input is not None:
            allowed = self.vocabulary.enumerations[list_input.enumeration]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InputError(path, "must be a list of values", allowed=", ".join(allowed))
            for item in value:
                if item not in allowed:
                    raise InputError(path, f"unknown value {item!r}", allowed=", ".join(allowed))
            chosen = set(value)
            for item, fact_id in self._list_facts[path]:
                facts[fact_id] = item in chosen
            return
        children = self._children.get(path)
        if children is None:
            raise InputError(path, "is not a known intake field")
        if not isinstance(value, Mapping):
            raise InputError(path, "must be an object", allowed=", ".join(sorted(children)))
        for key, sub in value.items():
            if key not in children:
                raise InputError(f"{path}.{key}", "is not a known field", allowed=", ".join(sorted(children)))
            self._walk(f"{path}.{key}", sub, facts)

    def _read_red_flags(self, value: object, facts: dict[str, FactValue]) -> None:
        if value is None:
            return
        if not isinstance(value, Mapping):
            raise InputError(
                "red_flags",
                "must be an object of question id → true/false",
                allowed=", ".join(self._red_flag_ids),
            )
        fact_ids = self._red_flag_facts
        for key, answer in value.items():
            fact_id = fact_ids.get(key)
            if fact_id is None:
                raise InputError(
                    f"red_flags.{key}",
                    "is not a known red-flag question",
                    allowed=", ".join(self._red_flag_ids),
                )
            if answer is None:
                continue
            if answer is not True and answer is not False:
                raise InputError(f"red_flags.{key}", f"{answer!r} is not an answer", allowed="true, false")
            facts[fact_id] = answer

    def _read_findings(self, value: object, facts: dict[str, FactValue]) -> None:
        """Findings from other tools (e.g. video analysis), by fact id."""
        if value is None:
            return
        if not isinstance(value, Mapping):
            raise InputError("findings", "must be an object of fact id → value")
        for key, finding in value.items():
            spec = self.vocabulary.specs.get(key)
            if spec is None or spec.origin in ("derived", "score", "answer", "red_flag"):
                raise InputError(
                    f"findings.{key}",
                    "is not a fact that can be given as a finding",
                    allowed="examination, symptom or movement fact ids (see `backmech schema intake`)",
                )
            if finding is None:
                continue
            facts[key] = _checked(spec, finding, f"findings.{key}")

    def _read_questionnaires(self, value: object) -> dict[str, Mapping[str, object]]:
        if value is None:
            return {}
        allowed = ", ".join(self.questionnaire_ids)
        if not isinstance(value, Mapping):
            raise InputError("questionnaires", "must be an object keyed by questionnaire id", allowed=allowed)
        answers: dict[str, Mapping[str, object]] = {}
        for qid, block in value.items():
            if qid not in self.questionnaire_ids:
                raise InputError(f"questionnaires.{qid}", "is not a known questionnaire", allowed=allowed)
            if block is None:
                continue
            if not isinstance(block, Mapping) or set(block) - {"answers"}:
                raise InputError(
                    f"questionnaires.{qid}",
                    "must be an object with one key, answers",
                    allowed='{"answers": {item id: answer}}',
                )
            items = block.get("answers") or {}
            if not isinstance(items, Mapping):
                raise InputError(f"questionnaires.{qid}.answers", "must be an object of item id → answer")
            answers[qid] = {k: v for k, v in items.items() if v is not None}
        return answers


def _checked(spec: FactSpec, value: object, where: str) -> FactValue:
    """A value that fits its fact, or an InputError naming the field and allowed values."""
    if spec.kind is FactKind.NUMBER and isinstance(value, int | float) and not isinstance(value, bool):
        problem = spec.check_value(value)
    elif spec.kind is FactKind.BOOL and isinstance(value, bool):
        problem = None
    elif spec.kind is FactKind.ENUM and isinstance(value, str):
        problem = spec.check_value(value)
    else:
        problem = {
            FactKind.NUMBER: "must be a number",
            FactKind.BOOL: "must be true or false",
            FactKind.ENUM: "must be one of the listed values",
        }[spec.kind]
    if problem is None:
        return value  # type: ignore[return-value]
    raise InputError(
        where,
        f"{value!r} {problem}" if spec.kind is not FactKind.ENUM else f"{value!r}: {problem}",
        allowed=_allowed(spec),
    )


def _allowed(spec: FactSpec) -> str:
    if spec.kind is FactKind.BOOL:
        return "true, false"
    if spec.kind is FactKind.ENUM:
        return ", ".join(spec.values)
    low = "" if spec.minimum is None else f"{spec.minimum:g}"
    high = "" if spec.maximum is None else f"{spec.maximum:g}"
    unit = f" {spec.unit}" if spec.unit else ""
    return f"a number from {low} to {high}{unit}"


def _is_iso_date(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        return False
    y, m, d = value[:4], value[5:7], value[8:]
    if not (y.isdigit() and m.isdigit() and d.isdigit()):
        return False
    month, day = int(m), int(d)
    days = (31, 29 if _leap(int(y)) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    return 1 <= month <= 12 and 1 <= day <= days[month - 1]


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _read_preferences(value: object) -> Preferences:
    if value is None:
        return Preferences()
    if not isinstance(value, Mapping):
        raise InputError(
            "preferences", "must be an object", allowed="equipment, session_minutes, days_per_week"
        )
    unknown = set(value) - {"equipment", "session_minutes", "days_per_week"}
    if unknown:
        raise InputError(
            f"preferences.{sorted(unknown)[0]}",
            "is not a known field",
            allowed="equipment, session_minutes, days_per_week",
        )
    equipment = value.get("equipment", [])
    if not isinstance(equipment, list) or any(e not in EQUIPMENT for e in equipment):
        raise InputError(
            "preferences.equipment", "must be a list of equipment names", allowed=", ".join(EQUIPMENT)
        )
    minutes = value.get("session_minutes", 20)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 10 <= minutes <= 45:
        raise InputError(
            "preferences.session_minutes",
            f"{minutes!r} is out of range",
            allowed="a whole number from 10 to 45",
        )
    days = value.get("days_per_week", 5)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 7:
        raise InputError(
            "preferences.days_per_week", f"{days!r} is out of range", allowed="a whole number from 1 to 7"
        )
    return Preferences(tuple(sorted(set(equipment))), minutes, days)
