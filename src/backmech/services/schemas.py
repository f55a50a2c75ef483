"""JSON Schemas of the intake and the result, generated from the knowledge base.

The intake schema is built from the fact vocabulary, the questionnaires and the
red-flag questions, so the documentation can never drift from what the engine
accepts. The result schema is derived from the result dataclasses.
"""

from __future__ import annotations

from typing import Any

from backmech.domain.facts import FactKind, FactSpec
from backmech.domain.intake import EQUIPMENT, SCHEMA_VERSION
from backmech.domain.knowledge_base import KnowledgeBase
from backmech.domain.questionnaires.model import Questionnaire

JsonSchema = dict[str, Any]


def _fact_schema(spec: FactSpec) -> JsonSchema:
    schema: JsonSchema = {"description": spec.description}
    if spec.kind is FactKind.BOOL:
        schema["type"] = ["boolean", "null"]
    elif spec.kind is FactKind.NUMBER:
        schema["type"] = ["number", "null"]
        if spec.minimum is not None:
            schema["minimum"] = spec.minimum
        if spec.maximum is not None:
            schema["maximum"] = spec.maximum
        if spec.unit:
            schema["x-unit"] = spec.unit
    else:
        schema["enum"] = [*spec.values, None]
    return schema


def _insert(root: JsonSchema, path: str, leaf: JsonSchema) -> None:
    node = root
    parts = path.split(".")
    for part in parts[:-1]:
        props = node.setdefault("properties", {})
        node = props.setdefault(part, {"type": ["object", "null"], "additionalProperties": False})
    node.setdefault("properties", {})[parts[-1]] = leaf


def intake_schema(kb: KnowledgeBase) -> JsonSchema:
    """JSON Schema (draft 2020-12) of the intake, with every vocabulary value documented."""
    vocab = kb.vocabulary
    root: JsonSchema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "backmech intake",
        "description": (
            "Everything backmech needs to assess one person. Every field is optional: "
            "what is missing stays unknown and is reported as missing evidence. "
            "A field that is absent or null is never read as 'no'."
        ),
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION, "description": "Intake format version."},
            "case_id": {"type": "string", "description": "Your identifier for this case."},
            "assessed_on": {
                "type": "string",
                "format": "date",
                "description": "Date of the assessment (YYYY-MM-DD).",
            },
            "notes": {"type": "string", "description": "Free text, kept but not interpreted."},
        },
    }
    list_prefixes = {li.prefix for li in vocab.lists.values()}
    for fact_id, spec in sorted(vocab.specs.items()):
        if spec.origin != "intake" or fact_id.rsplit(".", 1)[0] in list_prefixes:
            continue
        _insert(root, fact_id, _fact_schema(spec))
    for field, li in sorted(vocab.lists.items()):
        values = vocab.enumerations[li.enumeration]
        _insert(
            root,
            field,
            {
                "type": ["array", "null"],
                "description": li.description,
                "items": {"enum": list(values)},
                "uniqueItems": True,
                "x-enum-descriptions": dict(values),
            },
        )
    root["properties"]["red_flags"] = {
        "type": "object",
        "additionalProperties": False,
        "description": "Answers to the red-flag screen, asked first. true = yes, false = no.",
        "properties": {
            q.id: {
                "type": ["boolean", "null"],
                "description": q.text,
                "x-help": q.help,
                "x-category": q.category,
            }
            for q in kb.safety.questions
        },
    }
    root["properties"]["questionnaires"] = {
        "type": "object",
        "additionalProperties": False,
        "description": "Item answers of validated questionnaires, keyed by questionnaire id.",
        "properties": {qid: _questionnaire_schema(q) for qid, q in kb.questionnaires.items()},
    }
    root["properties"]["findings"] = {
        "type": "object",
        "description": (
            "Examination or movement findings from another tool (for example video "
            "analysis), keyed by fact id as listed by `backmech vocabulary`."
        ),
        "additionalProperties": {"type": ["boolean", "number", "string"]},
    }
    root["properties"]["preferences"] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "equipment": {
                "type": "array",
                "items": {"enum": list(EQUIPMENT)},
                "uniqueItems": True,
                "description": "Equipment at hand beyond a mat, chair, wall and step.",
            },
            "session_minutes": {"type": "integer", "minimum": 10, "maximum": 45, "default": 20},
            "days_per_week": {"type": "integer", "minimum": 1, "maximum": 7, "default": 5},
        },
    }
    return root


def _questionnaire_schema(q: Questionnaire) -> JsonSchema:
    items: dict[str, JsonSchema] = {}
    for item in q.items:
        entry: JsonSchema = {"description": item.text}
        if item.type == "activity":
            entry["type"] = ["object", "null"]
            entry["properties"] = {
                "activity": {"type": "string", "maxLength": 200},
                "score": {"type": "integer", "minimum": 0, "maximum": 10},
            }
            entry["required"] = ["activity", "score"]
            entry["additionalProperties"] = False
        elif item.answer_option:
            values = [o.value for o in item.answer_option]
            entry["x-enum-descriptions"] = {str(o.value): o.label for o in item.answer_option}
            if q.multiple_ticks == "highest":
                entry["anyOf"] = [
                    {"enum": [*values, None]},
                    {"type": "array", "items": {"enum": values}, "minItems": 1},
                ]
            else:
                entry["enum"] = [*values, None]
        items[item.link_id] = entry
    return {
        "type": ["object", "null"],
        "description": f"{q.name} ({q.version}). {q.answer_format or q.instructions}".strip(),
        "additionalProperties": False,
        "properties": {"answers": {"type": "object", "additionalProperties": False, "properties": items}},
    }


def result_schema(kb: KnowledgeBase) -> JsonSchema:
    """JSON Schema of the assessment result (serialisation form)."""
    from pydantic import ConfigDict, TypeAdapter
    from pydantic.json_schema import GenerateJsonSchema

    from backmech.domain.results import AssessmentResult

    class _Generator(GenerateJsonSchema):
        """A ScoreReport writes its own JSON (outputs beside band, bands…): described per instrument below."""

        def is_instance_schema(self, schema: Any) -> JsonSchema:
            return {"type": "object"}

    class Result(AssessmentResult):  # the same fields; pydantic may pass over the ScoreReport class
        __pydantic_config__ = ConfigDict(arbitrary_types_allowed=True)

    schema: JsonSchema = TypeAdapter(Result).json_schema(mode="serialization", schema_generator=_Generator)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "backmech assessment result"
    score_props: dict[str, JsonSchema] = {}
    for qid, q in kb.questionnaires.items():
        props: dict[str, JsonSchema] = {}
        for out in q.outputs:
            if out.kind == "enum":
                props[out.id] = {"enum": [*out.values, None], "description": out.description}
            else:
                props[out.id] = {"type": ["number", "null"], "description": out.description}
        props["band"] = {
            "type": ["string", "null"],
            "description": f"Band id of the primary output ({q.primary_output}).",
        }
        for key in ("bands", "mcid"):
            props[key] = {"type": "object"}
        props["complete"] = {"type": "boolean"}
        props["missing_items"] = {"type": "array", "items": {"type": "string"}}
        props["notes"] = {"type": "array", "items": {"type": "string"}}
        for key in ("instrument", "version", "source"):
            props[key] = {"type": "string"}
        score_props[qid] = {"type": "object", "properties": props, "required": [o.id for o in q.outputs]}
    schema["properties"]["scores"] = {
        "type": "object",
        "additionalProperties": False,
        "properties": score_props,
        "description": "Scores of the answered questionnaires, e.g. scores.odi.percent.",
    }
    return schema


def vocabulary_table(kb: KnowledgeBase) -> list[dict[str, object]]:
    """Every fact with its type, allowed values and origin (for docs and `backmech vocabulary`)."""
    rows: list[dict[str, object]] = []
    for fact_id, spec in sorted(kb.vocabulary.specs.items()):
        if spec.kind is FactKind.ENUM:
            allowed = ", ".join(spec.values)
        elif spec.kind is FactKind.NUMBER:
            low = "" if spec.minimum is None else f"{spec.minimum:g}"
            high = "" if spec.maximum is None else f"{spec.maximum:g}"
            allowed = f"{low}..{high} {spec.unit}".strip()
        else:
            allowed = "true/false"
        rows.append(
            {
                "id": fact_id,
                "type": str(spec.kind),
                "allowed": allowed,
                "origin": spec.origin,
                "description": spec.description,
            }
        )
    return rows


def vocabulary_markdown(kb: KnowledgeBase) -> str:
    """docs/vocabulary.md: every intake field, fact and vocabulary value, generated."""
    vocab = kb.vocabulary
    lines = [
        "# Intake vocabulary",
        "",
        "Generated by `backmech vocabulary --markdown` from the knowledge base; a test keeps",
        "this file in step with the code. Every fact an intake may give is listed with its",
        "type and allowed values. Facts marked *derived* are computed by the engine; facts",
        "marked *score* or *answer* come from questionnaires; *red_flag* facts from the",
        "red-flag questions.",
        "",
        "## List fields",
        "",
    ]
    for field, li in sorted(vocab.lists.items()):
        lines.append(f"### `{field}`")
        lines.append("")
        lines.append(f"{li.description} Each value becomes the fact `{li.prefix}.<value>`.")
        lines.append("")
        lines.append("| value | meaning |")
        lines.append("|---|---|")
        for value, label in vocab.enumerations[li.enumeration].items():
            lines.append(f"| `{value}` | {label} |")
        lines.append("")
    lines.extend(
        ["## Red-flag questions (`red_flags.<id>`)", "", "| id | category | question |", "|---|---|---|"]
    )
    for question in kb.safety.questions:
        lines.append(f"| `{question.id}` | {question.category} | {question.text} |")
    lines.extend(["", "## Questionnaires (`questionnaires.<id>.answers`)", ""])
    for qid, q in kb.questionnaires.items():
        outputs = ", ".join(f"`{o.id}`" for o in q.outputs)
        lines.append(
            f"- `{qid}`: {q.name} ({q.version}); items "
            f"{', '.join(f'`{i.link_id}`' for i in q.items)}; scores {outputs}."
        )
    lines.extend(
        ["", "## Facts", "", "| fact | type | allowed | origin | description |", "|---|---|---|---|---|"]
    )
    list_prefixes = {li.prefix for li in vocab.lists.values()}
    for row in vocabulary_table(kb):
        fid = str(row["id"])
        if fid.rsplit(".", 1)[0] in list_prefixes or row["origin"] == "red_flag":
            continue
        lines.append(
            f"| `{fid}` | {row['type']} | {row['allowed']} | {row['origin']} | {row['description']} |"
        )
    return "\n".join(lines) + "\n"
