"""Upper bounds on what a model may answer: every array gets `maxItems` and every free string `maxLength`.

A server that turns the JSON schema into a grammar (llama.cpp, vLLM) then cannot loop: the model measured here
repeated one evidence id until the output limit when the arrays had no bound. The same bounds are checked on
every parsed answer (`bound_errors`), since a server that ignores them, or only honours JSON mode, does not
enforce them. Bounds are keyed `Model.field` (the pydantic class and field) and `Model.field[]` (the strings of
an array field); `bounded_schema` writes them into the model's strict schema.

Conversations (`conversation_bounds`): evidence ids per turn and their length come from the packet (no more ids
than it holds, no longer than its longest), the number of turns from the answer's token budget (about
`TOKENS_PER_TURN` a turn) within `AnswerLimits.turns`, and characters per turn and per summary item from the
limits. CDM answers (`cdm_answer_bounds`): the diagnosis' length and the number and length of treatments.
"""

import copy
from typing import Any

from pydantic import BaseModel, ConfigDict

from generator.llm import strict_json_schema
from generator.packet import Packet
from generator.prompt import PreviousAdmission

Bounds = dict[str, dict[str, int]]
TOKENS_PER_TURN = 100  # a turn with its time, speaker and a few evidence ids, in tokens
MIN_TURNS = 4
TIME_CHARACTERS = 12  # `H+hh:mm` with room for a thousand hours and a sign


class AnswerLimits(BaseModel):
    """The configured ceilings; the packet and the token budget may lower them."""

    model_config = ConfigDict(frozen=True)

    turns: int = 40
    turn_characters: int = 800
    evidence_per_turn: int = 8
    summary_characters: int = 2000
    summary_items: int = 20
    item_characters: int = 300
    treatments: int = 12
    diagnosis_characters: int = 300


def conversation_bounds(
    packet: Packet, previous: PreviousAdmission | None, limits: AnswerLimits, output_tokens: int | None
) -> Bounds:
    """Bounds for `ConversationOutput` given the packet, the previous summary and the answer's token budget."""
    ids = packet.evidence_ids() | set(previous.summary.cited_eids() if previous else ())
    eid = {"maxLength": max(len(i) for i in ids)}
    per_item = {"maxItems": min(limits.evidence_per_turn, len(ids))}
    turns = (
        limits.turns if output_tokens is None else max(MIN_TURNS, min(limits.turns, output_tokens // TOKENS_PER_TURN))
    )
    text = {"maxLength": limits.item_characters}
    time = {"maxLength": TIME_CHARACTERS}
    items = {"maxItems": limits.summary_items}
    bounds: Bounds = {
        "ConversationOutput.conversation": {"maxItems": turns},
        "Turn.relative_time": time,
        "Turn.text": {"maxLength": limits.turn_characters},
        "Turn.evidence_eids": per_item,
        "Turn.evidence_eids[]": eid,
        "EndOfAdmissionSummary.relative_discharge_time": time,
        "EndOfAdmissionSummary.one_paragraph_summary": {"maxLength": limits.summary_characters},
        "EndOfAdmissionSummary.problem_list": items,
        "EndOfAdmissionSummary.key_tests_and_results": items,
        "EndOfAdmissionSummary.treatments_and_meds": items,
        "KeyTestResult.relative_time": time,
    }
    for model, fields in {
        "Problem": ("problem", "status_at_discharge"),
        "KeyTestResult": ("test", "result"),
        "TreatmentOrMed": ("treatment_or_med", "details"),
        "Disposition": ("discharge_location",),
    }.items():
        bounds.update({f"{model}.{field}": text for field in fields})
        bounds[f"{model}.supporting_eids"] = per_item
        bounds[f"{model}.supporting_eids[]"] = eid
    return bounds


def cdm_answer_bounds(limits: AnswerLimits) -> Bounds:
    """Bounds for the CDM answer: one diagnosis, a short list of treatments."""
    text = {"maxLength": limits.diagnosis_characters}
    return {
        "CdmAnswer.diagnosis": text,
        "CdmAnswer.treatments": {"maxItems": limits.treatments},
        "CdmAnswer.treatments[]": text,
    }


def bounded_schema(model: type[BaseModel], bounds: Bounds) -> dict[str, Any]:
    """The model's strict JSON schema with the bounds written in (a copy; the cached schema stays as it is)."""
    schema = copy.deepcopy(strict_json_schema(model))
    definitions = schema.get("$defs", {})
    for key, keywords in bounds.items():
        owner, field = key.split(".", 1)
        node = schema if owner == model.__name__ else definitions.get(owner)
        name = field.removesuffix("[]")
        if node is None or name not in node.get("properties", {}):
            raise ValueError(f"bound {key!r} names no field of {model.__name__}'s schema")
        target = node["properties"][name]
        if field.endswith("[]"):
            target = target["items"]
        target.update(keywords)
    return schema


def bound_errors(answer: BaseModel, bounds: Bounds, where: str = "") -> list[str]:
    """Every bound the parsed answer exceeds, as `bounds: <path> ...` errors (what a repair turn shows)."""
    errors = []
    owner = type(answer).__name__
    for field in type(answer).model_fields:
        value = getattr(answer, field)
        path = f"{where}.{field}" if where else field
        errors += _exceeds(path, value, bounds.get(f"{owner}.{field}", {}))
        if isinstance(value, list):
            item_bound = bounds.get(f"{owner}.{field}[]", {})
            for index, item in enumerate(value):
                errors += _exceeds(f"{path}[{index}]", item, item_bound)
                if isinstance(item, BaseModel):
                    errors += bound_errors(item, bounds, f"{path}[{index}]")
        elif isinstance(value, BaseModel):
            errors += bound_errors(value, bounds, path)
    return errors


def _exceeds(path: str, value: Any, keywords: dict[str, int]) -> list[str]:
    if "maxItems" in keywords and isinstance(value, list) and len(value) > keywords["maxItems"]:
        return [f"bounds: {path} has {len(value)} items; at most {keywords['maxItems']} are allowed"]
    if "maxLength" in keywords and isinstance(value, str) and len(value) > keywords["maxLength"]:
        return [f"bounds: {path} has {len(value)} characters; at most {keywords['maxLength']} are allowed"]
    return []
