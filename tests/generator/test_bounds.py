"""Bounds on the answer schemas: written into the JSON schema sent, and checked on every parsed answer."""

import copy

import pytest

from generator.bounds import AnswerLimits, bound_errors, bounded_schema, cdm_answer_bounds, conversation_bounds
from generator.cdm.runner import CdmAnswer
from generator.conversation import ConversationOutput
from generator.llm import strict_json_schema
from tests.generator.packets import good_answer, make_packet


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
    bounds = conversation_bounds(packet, None, AnswerLimits(), output_tokens=3000)
    schema = bounded_schema(ConversationOutput, bounds)
    for path, node in arrays_and_strings(schema):
        assert ("maxItems" if node["type"] == "array" else "maxLength") in node, path
    turn = schema["$defs"]["Turn"]["properties"]
    assert turn["evidence_eids"]["maxItems"] == 8
    assert turn["evidence_eids"]["items"]["maxLength"] == max(len(eid) for eid in packet.evidence_ids())
    assert schema["properties"]["conversation"]["maxItems"] == 30  # 3000 output tokens at 100 a turn
    assert "maxItems" not in strict_json_schema(ConversationOutput)["properties"]["conversation"]


def test_every_array_and_string_of_the_cdm_answer_schema_carries_a_bound():
    schema = bounded_schema(CdmAnswer, cdm_answer_bounds(AnswerLimits(treatments=5)))
    assert schema["properties"]["treatments"]["maxItems"] == 5
    assert all(("maxItems" if n["type"] == "array" else "maxLength") in n for _, n in arrays_and_strings(schema))


def test_turns_follow_the_output_budget_within_the_configured_ceiling():
    packet, limits = make_packet(), AnswerLimits(turns=40)
    assert conversation_bounds(packet, None, limits, 100_000)["ConversationOutput.conversation"]["maxItems"] == 40
    assert conversation_bounds(packet, None, limits, 150)["ConversationOutput.conversation"]["maxItems"] == 4


def test_validation_reports_every_exceeded_bound_with_its_path():
    packet = make_packet()
    answer = good_answer()
    looping = copy.deepcopy(answer)
    looping["conversation"][0]["evidence_eids"] = [answer["conversation"][0]["evidence_eids"][0]] * 30
    looping["end_of_admission_summary"]["one_paragraph_summary"] = "x" * 2500
    bounds = conversation_bounds(packet, None, AnswerLimits(), output_tokens=3000)
    assert bound_errors(ConversationOutput.model_validate(answer), bounds) == []
    errors = bound_errors(ConversationOutput.model_validate(looping), bounds)
    assert errors == [
        "bounds: conversation[0].evidence_eids has 30 items; at most 8 are allowed",
        "bounds: end_of_admission_summary.one_paragraph_summary has 2500 characters; at most 2000 are allowed",
    ]


def test_a_bound_naming_no_field_is_refused():
    with pytest.raises(ValueError, match="names no field"):
        bounded_schema(CdmAnswer, {"CdmAnswer.differential": {"maxItems": 3}})
