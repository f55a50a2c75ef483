"""Questionnaires (our paraphrased forms) and QuestionnaireResponses (a person's answers) in FHIR R4.

Why the forms travel with the answers: a receiving system needs the items' linkIds, types
and answer options to read a response, and our instruments have no published FHIR
Questionnaire we may copy. The item texts are backmech's own paraphrases from
``knowledge/questionnaires/*.yaml``, never the published wording (which is licensed).

Answers keep the intake's shapes, so an import gives back exactly what the scorer reads:
``true``/``false`` for yes/no items, the option value for choices (a list when several
ODI statements were ticked), ``{"activity": text, "score": n}`` for PSFS entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from backmech.domain.questionnaires.model import Item, Questionnaire
from backmech.exports.fhir_codes import (
    CODE_SYSTEM,
    EXT_SOURCE,
    INSTRUMENT_LOINC,
    LOINC,
    ORDINAL_VALUE,
    QUESTIONNAIRE_URL,
    Json,
    coding,
    derived_id,
    instant,
    ref,
    string_extension,
)

ACTIVITY_TEXT = "activity"
ACTIVITY_SCORE = "score"


def questionnaire_url(qid: str) -> str:
    return f"{QUESTIONNAIRE_URL}/{qid}"


def qid_from_url(url: str) -> str | None:
    """The instrument id of one of our Questionnaire urls (``None`` for anyone else's)."""
    prefix = QUESTIONNAIRE_URL + "/"
    return url[len(prefix) :].split("|", 1)[0] if url.startswith(prefix) else None


def questionnaire_id(q: Questionnaire) -> str:
    """Stable per instrument and version, so every export of the same form has the same id."""
    return derived_id("questionnaire", f"{q.id}/{q.version}")


def answer_system(qid: str) -> str:
    """The code system of one instrument's answer options (code = the option's value)."""
    return f"{CODE_SYSTEM}/{qid}-answers"


def build_questionnaire(q: Questionnaire) -> Json:
    """The form: items with our linkIds and paraphrased texts, answer options with their scores."""
    resource: Json = {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(q),
        "url": questionnaire_url(q.id),
        "version": q.version,
        "name": "Backmech" + "".join(part.capitalize() for part in q.id.split("_")),
        "title": q.name,
        "status": "active",
        "subjectType": ["Patient"],
        "description": (
            f"{q.instructions} Recall period: {q.recall_period} Item texts are backmech's paraphrases; "
            "use the published (licensed) form for the original wording."
        ),
        "item": [_item(q, item) for item in q.items],
    }
    if q.source:
        resource["extension"] = [string_extension(EXT_SOURCE, q.source)]
    if q.licence_note:
        resource["copyright"] = q.licence_note
    if q.id in INSTRUMENT_LOINC:
        code, display = INSTRUMENT_LOINC[q.id]
        resource["code"] = [coding(LOINC, code, display)]
    return resource


def _item(q: Questionnaire, item: Item) -> Json:
    found: Json = {"linkId": item.link_id, "text": item.text, "required": item.required}
    if item.number is not None:
        found["prefix"] = str(item.number)
    if item.type == "boolean":
        found["type"] = "boolean"
    elif item.type == "choice":
        found["type"] = "choice"
        found["answerOption"] = _options(q, item)
        if q.multiple_ticks == "highest":
            found["repeats"] = True
    else:  # a PSFS activity: the person's words and a 0-10 rating
        found["type"] = "group"
        found["item"] = [
            {
                "linkId": f"{item.link_id}.{ACTIVITY_TEXT}",
                "text": "The activity, in the person's own words.",
                "type": "string",
                "required": item.required,
            },
            {
                "linkId": f"{item.link_id}.{ACTIVITY_SCORE}",
                "text": "How well the activity can be done today.",
                "type": "choice",
                "required": item.required,
                "answerOption": _options(q, item),
            },
        ]
    if item.not_applicable_when is not None:
        found["enableWhen"] = [
            {
                "question": item.not_applicable_when.question,
                "operator": "!=",
                "answerBoolean": item.not_applicable_when.answer,
            }
        ]
    return found


def _options(q: Questionnaire, item: Item) -> list[Json]:
    return [
        {
            "valueCoding": {
                **coding(answer_system(q.id), str(option.value), option.label),
                "extension": [{"url": ORDINAL_VALUE, "valueDecimal": option.score}],
            }
        }
        for option in item.answer_option
    ]


def build_response(
    q: Questionnaire, answers: Mapping[str, object], assessment_id: UUID, patient_id: UUID, at: dt.datetime
) -> Json:
    """One instrument's answers from one intake, items in the form's order."""
    items: list[Json] = []
    for item in q.items:
        raw = answers.get(item.link_id)
        if raw is None:
            continue
        if item.type == "activity" and isinstance(raw, Mapping):
            if not str(raw.get(ACTIVITY_TEXT, "")).strip():
                continue  # the scorer refuses an unnamed activity; FHIR refuses an empty string
            items.append(
                {
                    "linkId": item.link_id,
                    "item": [
                        {
                            "linkId": f"{item.link_id}.{ACTIVITY_TEXT}",
                            "answer": [{"valueString": str(raw.get(ACTIVITY_TEXT, ""))}],
                        },
                        {
                            "linkId": f"{item.link_id}.{ACTIVITY_SCORE}",
                            "answer": [_answer(q, item, raw.get(ACTIVITY_SCORE))],
                        },
                    ],
                }
            )
            continue
        values = raw if isinstance(raw, list | tuple) else [raw]
        items.append({"linkId": item.link_id, "answer": [_answer(q, item, v) for v in values]})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": response_id(assessment_id, q.id),
        "questionnaire": questionnaire_url(q.id),
        "status": "completed",
        "subject": ref(patient_id),
        "authored": instant(at),
        "item": items,
    }


def response_id(assessment_id: UUID, qid: str) -> str:
    return derived_id(assessment_id, f"response/{qid}")


def _answer(q: Questionnaire, item: Item, value: object) -> Json:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        option = item.option(value)
        if option is not None:
            return {"valueCoding": coding(answer_system(q.id), str(value), option.label)}
        return {"valueInteger": value}
    return {"valueString": str(value)}


def read_response(response: Mapping[str, Any]) -> dict[str, object]:
    """A QuestionnaireResponse back to the intake's ``answers`` object (item id → answer)."""
    answers: dict[str, object] = {}
    for item in response.get("item", ()):
        link_id = str(item["linkId"])
        if item.get("item"):
            entry: dict[str, object] = {}
            for part in item["item"]:
                key = str(part["linkId"]).rsplit(".", 1)[-1]
                values = [_value(a) for a in part.get("answer", ())]
                if values:
                    entry[key] = values[0]
            answers[link_id] = entry
            continue
        values = [_value(a) for a in item.get("answer", ())]
        if values:
            answers[link_id] = values[0] if len(values) == 1 else values
    return answers


def _value(answer: Mapping[str, Any]) -> object:
    if "valueBoolean" in answer:
        return bool(answer["valueBoolean"])
    if "valueCoding" in answer:
        return int(answer["valueCoding"]["code"])
    if "valueInteger" in answer:
        return int(answer["valueInteger"])
    return answer.get("valueString")
