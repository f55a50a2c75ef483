"""The one codec: typed values to JSON and back (assessment results, plans, movement reports).

Everything that leaves the process as JSON — a stored result, the ``--json`` output, an API
answer — is made by :func:`dumps`; everything read back from JSON as one of backmech's
typed values goes through :func:`decode` (or :func:`result_from_json` for a stored
result). No other module builds or reads these documents, so there is one shape, one
version check, and one place that knows how older documents differ.

Encoding is orjson's own (dataclasses, enums, tuples are written natively, which keeps
a whole result under 0.1 ms); only types whose JSON shape differs from their fields pass
through :func:`_default` (a :class:`~backmech.domain.results.model.ScoreReport` keeps its
outputs beside its other fields, as the result contract has always had them).

Decoding walks the type hints of the target class, built once per class:

* a field missing from the document takes its default (fields added later have one), an
  optional field None, a tuple ``()``, a mapping ``{}``; any other missing field is a
  :class:`DocumentError` naming the path, as is a value of the wrong type;
* keys the class does not know are ignored (a newer release of the same version may add some);
* a record kept in a mapping by id (``metrics``) gets its ``id`` from the key when the
  document does not repeat it;
* ``schema_version`` above :data:`RESULT_SCHEMA_VERSION` is refused: written by a newer
  backmech. Every older or equal version reads (version 1 is the only one so far; its
  documents from before a field existed read with that field's default).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, TypeVar, get_args, get_origin
from uuid import UUID

import orjson

from backmech.domain.errors import BackmechError
from backmech.domain.plans.edits import PlanChange
from backmech.domain.results.model import (
    RESULT_SCHEMA_VERSION,
    AssessmentResult,
    BandReport,
    ChangeReport,
    MovementReport,
    ScoreReport,
)
from backmech.services.ports import AnalysisFailure, AnalysisProgress, AnalysisResult

T = TypeVar("T")
JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]
Decoder = Callable[[object, str], Any]


class DocumentError(BackmechError):
    """A stored or received document that is not one of our typed values (names the path and why)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(
            f"{path or 'document'}: {problem}",
            hint="The stored record may come from a newer backmech, or be damaged; nothing was changed.",
        )
        self.path = path
        self.problem = problem


# --------------------------------------------------------------------------- encoding


def _default(value: object) -> object:
    if isinstance(value, ScoreReport):
        return score_report_json(value)
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: object, *, indent: bool = False) -> bytes:
    """JSON bytes of any typed value (or plain JSON data)."""
    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    return orjson.dumps(value, default=_default, option=option)


def to_json_object(value: object) -> dict[str, JsonValue]:
    """A typed record as plain JSON data (dicts, lists, numbers, text): for an API model that wants it."""
    data = loads(dumps(value))
    if not isinstance(data, dict):
        raise TypeError(f"{type(value).__name__} is not written as a JSON object")
    return data


def loads(data: bytes | str) -> JsonValue:
    """Parse JSON text (the one parser, so a malformed document is a :class:`DocumentError`)."""
    try:
        parsed: JsonValue = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise DocumentError("", f"is not valid JSON ({exc})") from None
    return parsed


def score_report_json(report: ScoreReport) -> dict[str, object]:
    """One questionnaire's scores in the contract's shape: outputs beside band, bands, mcid…"""
    view: dict[str, object] = dict(report.values)
    view.update(
        band=report.band,
        bands=report.bands,
        mcid=report.mcid,
        complete=report.complete,
        missing_items=report.missing_items,
        notes=report.notes,
        instrument=report.instrument,
        version=report.version,
        source=report.source,
    )
    return view


SCORE_DETAIL_KEYS = frozenset(
    ("band", "bands", "mcid", "complete", "missing_items", "notes", "instrument", "version", "source")
)
"""The keys of a score object that are not outputs."""


# --------------------------------------------------------------------------- decoding


def result_from_json(document: object) -> AssessmentResult:
    """A stored or received result document as the typed result (any version up to ours)."""
    if not isinstance(document, Mapping):
        raise DocumentError("result", f"must be a JSON object, not {_kind(document)}")
    version = document.get("schema_version", 1)
    if not isinstance(version, int) or isinstance(version, bool):
        raise DocumentError("result.schema_version", f"must be a whole number, not {version!r}")
    if version > RESULT_SCHEMA_VERSION:
        raise DocumentError(
            "result.schema_version",
            f"is {version}; this backmech reads results up to version {RESULT_SCHEMA_VERSION}",
        )
    result = _result_fields(document, "result")
    assert isinstance(result, AssessmentResult)
    return result


def plan_change_from_json(document: object) -> PlanChange:
    """A stored or received plan change (told apart by its ``kind``)."""
    change: PlanChange = _decoder(PlanChange)(document, "plan change")
    return change


def analysis_json(result: AnalysisResult | None) -> JsonValue:
    """A stored analysis's result as JSON data: its report, ``{"error": …}`` or ``{"progress": …}``."""
    if isinstance(result, AnalysisFailure):
        return {"error": to_json_object(result)}
    if isinstance(result, AnalysisProgress):
        return {"progress": result.fraction}
    return None if result is None else to_json_object(result)


def analysis_result_from_json(document: object) -> AnalysisResult | None:
    """A stored analysis's result (the shapes :func:`analysis_json` writes)."""
    if document is None:
        return None
    if not isinstance(document, Mapping):
        raise DocumentError("analysis", f"must be a JSON object, not {_kind(document)}")
    if "error" in document:
        return decode(AnalysisFailure, document["error"], "analysis.error")
    if set(document) == {"progress"}:
        return AnalysisProgress(_decoder(float)(document["progress"], "analysis.progress"))
    return decode(MovementReport, document, "analysis")


def decode(kind: type[T], document: object, path: str = "", *, strict: bool = False) -> T:
    """``document`` (JSON data) as a value of ``kind``; raises :class:`DocumentError` naming the path.

    ``strict`` refuses keys the record does not have (an import must not drop what it does
    not understand); by default they are ignored.
    """
    value: T = _decoder(kind, strict)(document, path)
    return value


_DECODERS: dict[tuple[object, bool], Decoder] = {}


def _decoder(kind: object, strict: bool = False) -> Decoder:
    """The decoder of one type hint, built once (per strictness)."""
    found = _DECODERS.get((kind, strict))
    if found is None:
        found = _DECODERS[(kind, strict)] = _build_decoder(kind, strict)
    return found


_ANALYSIS_RESULTS = frozenset({MovementReport, AnalysisFailure, AnalysisProgress})


def _result_fields(value: object, path: str) -> object:
    """The record decoder of the result itself (``result_from_json`` checks the version first)."""
    found = _DECODERS.get(("result fields", False))
    if found is None:
        found = _DECODERS[("result fields", False)] = _record_decoder(AssessmentResult, False)
    return found(value, path)


def _build_decoder(kind: object, strict: bool) -> Decoder:
    if kind is ScoreReport:
        return _decode_score_report
    if kind is AssessmentResult:
        return lambda value, path: result_from_json(value)
    if kind is object or kind is Any:
        return _decode_any
    if kind in _TEXT_TYPES:
        return _text_decoder(_TEXT_TYPES[kind])
    origin = get_origin(kind)
    if origin is typing.Literal:
        return _literal_decoder(get_args(kind))
    if origin is types.UnionType or origin is typing.Union:
        if set(get_args(kind)) - {type(None)} == _ANALYSIS_RESULTS:
            return lambda value, path: analysis_result_from_json(value)
        tagged = _tagged_union(get_args(kind))
        return tagged if tagged is not None else _union_decoder(get_args(kind), strict)
    if origin is tuple:
        return _tuple_decoder(get_args(kind), strict)
    if origin is frozenset:
        return _frozenset_decoder(get_args(kind)[0], strict)
    if origin in (Mapping, dict) or (isinstance(origin, type) and issubclass(origin, Mapping)):
        return _mapping_decoder(get_args(kind)[1], strict)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _record_decoder(kind, strict)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _enum_decoder(kind)
    if kind in (bool, int, float, str, type(None)):
        return _union_decoder((kind,), strict)
    raise TypeError(f"the codec cannot decode {kind!r}")


def _aware(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("it has no time zone")
    return moment.astimezone(dt.UTC)


_TEXT_TYPES: dict[object, Callable[[str], object]] = {
    UUID: UUID,
    dt.datetime: _aware,
    dt.date: dt.date.fromisoformat,
    dt.time: dt.time.fromisoformat,
}
"""Values JSON keeps as text (as orjson writes them): ids, moments (with their time zone), days, times."""


def _text_decoder(parse: Callable[[str], object]) -> Decoder:
    def decode_text(value: object, path: str) -> object:
        if not isinstance(value, str):
            raise DocumentError(path, f"must be text, not {_kind(value)}")
        try:
            return parse(value)
        except ValueError as exc:
            raise DocumentError(path, f"{value!r} is not valid here ({exc})") from None

    return decode_text


def _frozenset_decoder(item: object, strict: bool) -> Decoder:
    def decode_set(value: object, path: str) -> frozenset[object]:
        if not isinstance(value, list):
            raise DocumentError(path, f"must be a list, not {_kind(value)}")
        each = _decoder(item, strict)
        return frozenset(each(v, f"{path}[{i}]") for i, v in enumerate(value))

    return decode_set


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _decode_any(value: object, path: str) -> object:
    """Free-form data (a rule's expected value): lists become tuples, as the engine keeps them."""
    if isinstance(value, list):
        return tuple(_decode_any(v, path) for v in value)
    if isinstance(value, dict):
        return {k: _decode_any(v, path) for k, v in value.items()}
    return value


def _literal_decoder(allowed: tuple[object, ...]) -> Decoder:
    def decode_literal(value: object, path: str) -> object:
        if value not in allowed:
            raise DocumentError(path, f"must be {' or '.join(repr(a) for a in allowed)}, not {value!r}")
        return value

    return decode_literal


def _tag(option: object) -> str | None:
    """The ``kind`` a record of a tagged union always has (its Literal default), if it has one."""
    if not (isinstance(option, type) and dataclasses.is_dataclass(option)):
        return None
    for f in dataclasses.fields(option):
        if f.name == "kind" and isinstance(f.default, str):
            return f.default
    return None


def _tagged_union(options: tuple[object, ...]) -> Decoder | None:
    """Records told apart by their ``kind`` (a plan change): decoded by the kind the document names."""
    tags = {_tag(o): o for o in options}
    if None in tags or len(tags) != len(options):
        return None

    def decode_tagged(value: object, path: str) -> object:
        kind = value.get("kind") if isinstance(value, dict) else None
        if kind not in tags:
            allowed = ", ".join(sorted(str(t) for t in tags))
            raise DocumentError(f"{path}.kind" if path else "kind", f"must be one of {allowed}, not {kind!r}")
        return _decoder(tags[kind])(value, path)

    return decode_tagged


_WORDS: dict[object, str] = {
    int: "a whole number",
    float: "a number",
    str: "text",
    bool: "true or false",
    type(None): "null",
}


def _union_decoder(options: tuple[object, ...], strict: bool = False) -> Decoder:
    scalars = {o for o in options if o in (bool, int, float, str, type(None))}
    others = [o for o in options if o not in scalars]

    def decode_union(value: object, path: str) -> object:
        if value is None and type(None) in scalars:
            return None
        if isinstance(value, bool):
            if bool in scalars:
                return value
        elif isinstance(value, int):
            if int in scalars:
                return value
            if float in scalars:
                return float(value)
        elif isinstance(value, float):
            if float in scalars:
                return value
        elif isinstance(value, str) and str in scalars:
            return value
        for other in others:
            try:
                return _decoder(other, strict)(value, path)
            except DocumentError:
                continue
        wanted = " or ".join(dict.fromkeys(_WORDS.get(o, getattr(o, "__name__", str(o))) for o in options))
        raise DocumentError(path, f"{value!r} is not {wanted}")

    return decode_union


def _tuple_decoder(args: tuple[object, ...], strict: bool) -> Decoder:
    if len(args) == 2 and args[1] is Ellipsis:
        item = args[0]

        def decode_items(value: object, path: str) -> tuple[object, ...]:
            if not isinstance(value, list):
                raise DocumentError(path, f"must be a list, not {_kind(value)}")
            each = _decoder(item, strict)
            return tuple(each(v, f"{path}[{i}]") for i, v in enumerate(value))

        return decode_items

    def decode_fixed(value: object, path: str) -> tuple[object, ...]:
        if not isinstance(value, list) or len(value) != len(args):
            raise DocumentError(path, f"must be a list of {len(args)}")
        return tuple(
            _decoder(a, strict)(v, f"{path}[{i}]") for i, (a, v) in enumerate(zip(args, value, strict=True))
        )

    return decode_fixed


def _mapping_decoder(item: object, strict: bool) -> Decoder:
    if item is object:
        return _decode_json_object  # a JSON document kept as it is (an intake)
    keyed = isinstance(item, type) and dataclasses.is_dataclass(item) and "id" in _field_names(item)

    def decode_mapping(value: object, path: str) -> dict[str, object]:
        if not isinstance(value, dict):
            raise DocumentError(path, f"must be an object, not {_kind(value)}")
        each = _decoder(item, strict)
        out: dict[str, object] = {}
        for key, entry in value.items():
            if keyed and isinstance(entry, dict) and "id" not in entry:
                entry = {**entry, "id": key}  # kept by id: the key is the id
            out[str(key)] = each(entry, f"{path}.{key}")
        return out

    return decode_mapping


def _decode_json_object(value: object, path: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise DocumentError(path, f"must be an object, not {_kind(value)}")
    return value


def _field_names(kind: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(kind))


def _enum_decoder(kind: type[Enum]) -> Decoder:
    def decode_enum(value: object, path: str) -> Enum:
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in kind)
            raise DocumentError(path, f"{value!r} is not one of {allowed}") from None

    return decode_enum


_MISSING = object()


def _when_missing(f: dataclasses.Field[Any], hint: object) -> object:
    """What a field absent from a document means: its default, else the empty value of its type."""
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    origin = get_origin(hint)
    if (origin is types.UnionType or origin is typing.Union) and type(None) in get_args(hint):
        return None
    if origin is tuple:
        return ()
    if origin in (Mapping, dict):
        return {}
    return _MISSING


def _record_decoder(kind: type, strict: bool) -> Decoder:
    hints = typing.get_type_hints(kind)
    plan = [(f.name, f, hints[f.name]) for f in dataclasses.fields(kind) if f.init]
    known = frozenset(name for name, _, _ in plan)

    def decode_record(value: object, path: str) -> object:
        if not isinstance(value, dict):
            raise DocumentError(path, f"must be an object, not {_kind(value)}")
        if strict and not value.keys() <= known:
            unknown = sorted(set(value) - known)[0]
            raise DocumentError(f"{path}.{unknown}" if path else unknown, "is not a field of this record")
        values: dict[str, object] = {}
        for name, f, hint in plan:
            where = f"{path}.{name}" if path else name
            if name in value:
                values[name] = _decoder(hint, strict)(value[name], where)
                continue
            missing = _when_missing(f, hint)
            if missing is _MISSING:
                raise DocumentError(where, "is missing")
            values[name] = missing
        try:
            return kind(**values)
        except (TypeError, ValueError) as exc:
            raise DocumentError(path, str(exc)) from None

    return decode_record


def _decode_score_report(value: object, path: str) -> ScoreReport:
    if not isinstance(value, dict):
        raise DocumentError(path, f"must be an object, not {_kind(value)}")
    detail = {k: v for k, v in value.items() if k in SCORE_DETAIL_KEYS}
    outputs = {k: v for k, v in value.items() if k not in SCORE_DETAIL_KEYS}
    return ScoreReport(
        values=_decoder(Mapping[str, float | int | str | None])(outputs, path),
        band=_decoder(str | None)(detail.get("band"), f"{path}.band"),
        bands=_decoder(Mapping[str, BandReport])(detail.get("bands", {}), f"{path}.bands"),
        mcid=_decoder(Mapping[str, ChangeReport])(detail.get("mcid", {}), f"{path}.mcid"),
        complete=_decoder(bool)(detail.get("complete", True), f"{path}.complete"),
        missing_items=_decoder(tuple[str, ...])(detail.get("missing_items", []), f"{path}.missing_items"),
        notes=_decoder(tuple[str, ...])(detail.get("notes", []), f"{path}.notes"),
        instrument=_decoder(str)(detail.get("instrument", ""), f"{path}.instrument"),
        version=_decoder(str)(detail.get("version", ""), f"{path}.version"),
        source=_decoder(str)(detail.get("source", ""), f"{path}.source"),
    )
