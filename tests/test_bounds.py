"""Bounds on the answer schemas: written into the JSON schema sent, and checked on every parsed answer."""

import copy
import json

import pytest

from generator.bounds import (
    CHARACTERS_PER_OUTPUT_TOKEN,
    AnswerLimits,
    bound_errors,
    bounded_schema,
    cdm_answer_bounds,
    conversation_bounds,
    largest_answer,
)
from generator.cdm.runner import CdmAnswer
from generator.conversation import ConversationOutput
from generator.llm import strict_json_schema
from tests.packets import good_answer, make_packet


def arrays_and_strings(node, path="$"):
    """(path, schema node) of every array and free string (no enum) in a JSON schema."""
    if isinstance(node, dict):
        if node.get("type") == "array" or (node.get("type") == "string" and "enum" not in node):
            yield path, node
        for key, value in node.items():
            yield from arrays_and_strings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from arrays_and_strings(value, f"{path}[{index}]")


def test_every_array_and_string_of_the_conversation_schema_carries_a_bound():
    packet = make_packet()
    bounds = conversation_bounds(packet, None, AnswerLimits(), output_tokens=None)
    schema = bounded_schema(ConversationOutput, bounds)
    for path, node in arrays_and_strings(schema):
        assert ("maxItems" if node["type"] == "array" else "maxLength") in node, path
    turn = schema["$defs"]["Turn"]["properties"]
    assert turn["evidence_eids"]["maxItems"] == 12 and schema["properties"]["conversation"]["maxItems"] == 60
    assert turn["evidence_eids"]["items"]["maxLength"] == max(len(eid) for eid in packet.evidence_ids())
    assert "maxItems" not in strict_json_schema(ConversationOutput)["properties"]["conversation"]


def test_every_array_and_string_of_the_cdm_answer_schema_carries_a_bound():
    schema = bounded_schema(CdmAnswer, cdm_answer_bounds(CdmAnswer, AnswerLimits(treatments=5), None))
    assert schema["properties"]["treatments"]["maxItems"] == 5
    assert all(("maxItems" if n["type"] == "array" else "maxLength") in n for _, n in arrays_and_strings(schema))


@pytest.mark.parametrize("output_tokens", [1500, 4000, 16000])
def test_an_answer_filling_every_bound_fits_the_output_budget(output_tokens):
    bounds = conversation_bounds(make_packet(), None, AnswerLimits(), output_tokens)
    assert largest_answer(bounded_schema(ConversationOutput, bounds)) <= output_tokens
    assert bounds["ConversationOutput.conversation"]["maxItems"] >= 4
    cdm = bounded_schema(CdmAnswer, cdm_answer_bounds(CdmAnswer, AnswerLimits(), output_tokens // 4))
    assert largest_answer(cdm) <= output_tokens // 4


@pytest.mark.parametrize("output_tokens", [1500, 2182, 4000])
def test_turns_citing_digit_ids_to_every_bound_fit_a_budget_sized_for_a_token_a_digit(output_tokens):
    """SmolLM2 filled every turn with ids as long and as many as allowed, spending a token a digit; bounds sized
    with its tokenizer's figure for ids (1.24 characters a token) hold that answer inside the budget."""
    bounds = conversation_bounds(make_packet(), None, AnswerLimits(), output_tokens, id_characters_per_token=1.24)
    longest = "4" * bounds["Turn.evidence_eids[]"]["maxLength"]
    turn = {
        "turn_id": 10,
        "speaker": "NURSE",
        "relative_time": "H+00:10",
        "text": "x" * bounds["Turn.text"]["maxLength"],
        "evidence_eids": [longest] * bounds["Turn.evidence_eids"]["maxItems"],
    }
    text = json.dumps({"conversation": [turn] * bounds["ConversationOutput.conversation"]["maxItems"]}, indent=6)
    digits = sum(character.isdigit() for character in text)
    assert digits + (len(text) - digits) / CHARACTERS_PER_OUTPUT_TOKEN <= output_tokens
    prose_sized = conversation_bounds(make_packet(), None, AnswerLimits(), output_tokens)
    assert (
        bounds["ConversationOutput.conversation"]["maxItems"]
        < prose_sized["ConversationOutput.conversation"]["maxItems"]
    )


def test_a_larger_budget_allows_more_turns_up_to_the_ceiling():
    turns = [
        conversation_bounds(make_packet(), None, AnswerLimits(turns=40), budget)["ConversationOutput.conversation"]
        for budget in (1000, 4000, 16000, 10**6)
    ]
    assert [t["maxItems"] for t in turns] == sorted(t["maxItems"] for t in turns) and turns[-1]["maxItems"] == 40


def test_validation_reports_every_exceeded_bound_with_its_path():
    packet = make_packet()
    answer = good_answer()
    looping = copy.deepcopy(answer)
    looping["conversation"][0]["evidence_eids"] = [answer["conversation"][0]["evidence_eids"][0]] * 30
    looping["end_of_admission_summary"]["one_paragraph_summary"] = "x" * 2500
    bounds = conversation_bounds(packet, None, AnswerLimits(), output_tokens=None)
    assert bound_errors(ConversationOutput.model_validate(answer), bounds) == []
    errors = bound_errors(ConversationOutput.model_validate(looping), bounds)
    assert errors == [
        "bounds: conversation[0].evidence_eids has 30 items; at most 12 are allowed",
        "bounds: end_of_admission_summary.one_paragraph_summary has 2500 characters; at most 2000 are allowed",
    ]


def test_a_bound_naming_no_field_is_refused():
    with pytest.raises(ValueError, match="names no field"):
        bounded_schema(CdmAnswer, {"CdmAnswer.differential": {"maxItems": 3}})
