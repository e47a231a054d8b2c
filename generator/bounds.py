"""Upper bounds on what a model may answer: every array gets `maxItems` and every free string `maxLength`.

A server that turns the JSON schema into a grammar (llama.cpp, vLLM) then cannot loop: the model measured here
repeated one evidence id until the output limit when the arrays had no bound. The same bounds are checked on
every parsed answer (`bound_errors`), since a server that ignores them, or only honours JSON mode, does not
enforce them. Bounds are keyed `Model.field` (the pydantic class and field) and `Model.field[]` (the strings of
an array field); `bounded_schema` writes them into the model's strict schema.

Conversations (`conversation_bounds`): evidence ids are no longer than the packet's longest and no more per item
than it holds. Every other bound starts from `AnswerLimits` and is scaled down until an answer that fills every
bound, indented, fits the answer's budget (`max_tokens`), so a model that loops runs into its bounds about when it
runs out of tokens. Prose costs `CHARACTERS_PER_OUTPUT_TOKEN` characters a token; evidence ids and numbers cost
what the server's tokenizer says (`id_characters_per_token`, measured once per run by `generator/context/model.py`:
SmolLM2 spends a token a digit, 1.3 characters a token of our ids), else the same as prose. A model that fills every
string to its bound more densely than that can still reach the limit: the round is then `truncated`.
CDM answers (`cdm_answer_bounds`): the diagnosis' length and the number and length of treatments, scaled the same
way.
"""

import bisect
import copy
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict

from generator.conversation import ConversationOutput
from generator.llm import strict_json_schema
from generator.packet import Packet
from generator.prompt import PreviousAdmission

Bounds = dict[str, dict[str, int]]
CHARACTERS_PER_OUTPUT_TOKEN = 3  # prose with ids; SmolLM2 wrote 1,186 characters of indented JSON ids in 600 tokens
WHITESPACE_PER_VALUE = 8  # a grammar lets the model indent: a newline and spaces before every value
COUNT_EXPONENT = 0.5  # counts shrink with the square root of the share, lengths with the share itself
TIME_CHARACTERS = 12  # `H+hh:mm` with room for a thousand hours and a sign
NUMBER_CHARACTERS = 16  # the longest integer a JSON grammar lets through
SCALE_STEPS = 100


class AnswerLimits(BaseModel):
    """The ceilings of every bound, before the answer's token budget scales them down (never below the floors)."""

    model_config = ConfigDict(frozen=True)

    turns: int = 60
    turn_characters: int = 600
    evidence_per_item: int = 12
    summary_characters: int = 2000
    summary_items: int = 12
    item_characters: int = 300
    treatments: int = 12
    diagnosis_characters: int = 200

    def scaled(self, share: float) -> "AnswerLimits":
        """The ceilings for `share` of the room: lengths times `share`, counts times its square root (a shorter
        turn costs the story less than a missing one), each kept at or above its floor."""
        counts = {"turns": 4, "evidence_per_item": 2, "summary_items": 1, "treatments": 2}
        lengths = {"turn_characters": 80, "summary_characters": 120, "item_characters": 40, "diagnosis_characters": 60}
        scaled = {name: max(floor, int(getattr(self, name) * share**COUNT_EXPONENT)) for name, floor in counts.items()}
        scaled |= {name: max(floor, int(getattr(self, name) * share)) for name, floor in lengths.items()}
        return AnswerLimits(**scaled)


def conversation_bounds(
    packet: Packet,
    previous: PreviousAdmission | None,
    limits: AnswerLimits,
    output_tokens: int | None,
    id_characters_per_token: float = CHARACTERS_PER_OUTPUT_TOKEN,
) -> Bounds:
    """Bounds for `ConversationOutput` given the packet, the previous summary, the answer's token budget and what
    an evidence id's character costs."""
    ids = packet.evidence_ids() | set(previous.summary.cited_eids() if previous else ())
    longest_id = max(len(i) for i in ids)

    def bounds_of(scaled: AnswerLimits) -> Bounds:
        eid = {"maxLength": longest_id}
        per_item = {"maxItems": min(scaled.evidence_per_item, len(ids))}
        text = {"maxLength": scaled.item_characters}
        time = {"maxLength": TIME_CHARACTERS}
        items = {"maxItems": scaled.summary_items}
        bounds: Bounds = {
            "ConversationOutput.conversation": {"maxItems": scaled.turns},
            "Turn.relative_time": time,
            "Turn.text": {"maxLength": scaled.turn_characters},
            "Turn.evidence_eids": per_item,
            "Turn.evidence_eids[]": eid,
            "EndOfAdmissionSummary.relative_discharge_time": time,
            "EndOfAdmissionSummary.one_paragraph_summary": {"maxLength": scaled.summary_characters},
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

    return _within_budget(ConversationOutput, bounds_of, limits, output_tokens, id_characters_per_token)


def cdm_answer_bounds(model: type[BaseModel], limits: AnswerLimits, output_tokens: int | None) -> Bounds:
    """Bounds for the CDM answer (`model`: its `diagnosis` and `treatments`) within the answer's token budget."""

    def bounds_of(scaled: AnswerLimits) -> Bounds:
        text = {"maxLength": scaled.diagnosis_characters}
        owner = model.__name__
        return {
            f"{owner}.diagnosis": text,
            f"{owner}.treatments": {"maxItems": scaled.treatments},
            f"{owner}.treatments[]": text,
        }

    return _within_budget(model, bounds_of, limits, output_tokens)


def largest_answer(
    schema: dict[str, Any],
    id_characters_per_token: float = CHARACTERS_PER_OUTPUT_TOKEN,
    node: dict[str, Any] | None = None,
    ids: bool = False,
) -> float:
    """The output tokens of the longest JSON value the (bounded) schema allows, indented (`WHITESPACE_PER_VALUE`):
    prose at `CHARACTERS_PER_OUTPUT_TOKEN` characters a token, evidence ids (fields named `*eids`) and numbers at
    `id_characters_per_token`."""
    node = schema if node is None else node
    dense, prose = id_characters_per_token, CHARACTERS_PER_OUTPUT_TOKEN
    if "$ref" in node:
        return largest_answer(schema, dense, schema["$defs"][node["$ref"].rsplit("/", 1)[-1]], ids)
    kind = node.get("type")
    pad = WHITESPACE_PER_VALUE
    if kind == "object":
        fields = node["properties"].items()
        return (2 + pad) / prose + sum(
            (len(key) + 4 + pad) / prose + largest_answer(schema, dense, value, key.endswith("eids"))
            for key, value in fields
        )
    if kind == "array":
        return (2 + pad) / prose + node["maxItems"] * (
            largest_answer(schema, dense, node["items"], ids) + (1 + pad) / prose
        )
    if kind == "string":
        characters = 2 + (max(len(value) for value in node["enum"]) if "enum" in node else node["maxLength"])
        return characters / (dense if ids else prose)
    return NUMBER_CHARACTERS / dense


def _within_budget(
    model: type[BaseModel],
    bounds_of: Callable[[AnswerLimits], Bounds],
    limits: AnswerLimits,
    output_tokens: int | None,
    id_characters_per_token: float = CHARACTERS_PER_OUTPUT_TOKEN,
) -> Bounds:
    """The bounds of the largest share of `limits` whose fullest answer fits the budget (the floors if none does)."""
    if output_tokens is None:
        return bounds_of(limits)

    def fits(step: int) -> bool:
        schema = bounded_schema(model, bounds_of(limits.scaled(step / SCALE_STEPS)))
        return largest_answer(schema, id_characters_per_token) <= output_tokens

    fitting = bisect.bisect_left(range(SCALE_STEPS, 0, -1), True, key=lambda step: fits(step))
    return bounds_of(limits.scaled(max(1, SCALE_STEPS - fitting) / SCALE_STEPS))


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
