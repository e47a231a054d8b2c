"""The template baseline: a valid, fully grounded, deterministic answer from packet facts only."""

from generator.template_backend import template_answer
from generator.validate import validate_answer
from tests.packets import make_packet


def test_template_answer_is_valid_fully_grounded_and_deterministic():
    packet = make_packet()
    answer = template_answer(packet)
    output, report = validate_answer(answer.model_dump(), packet, None)
    assert report.errors == [] and report.grounding_score == 1.0
    assert template_answer(packet) == answer
    assert answer.conversation[0].relative_time == "H-02:00"
    assert any(t.speaker == "PATIENT" for t in answer.conversation)


def test_template_answer_without_discharge_note_is_valid():
    packet = make_packet(discharge_note=False)
    assert validate_answer(template_answer(packet).model_dump(), packet, None)[1].errors == []
