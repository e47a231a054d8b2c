"""Every validation rule, on a hand-made packet and answer."""

import pytest

from generator.conversation import EndOfAdmissionSummary
from generator.prompt import PreviousAdmission
from generator.validate import numbers_in, validate_answer
from tests.packets import good_answer, make_packet

PACKET = make_packet()


def errors_of(answer, packet=PACKET, previous=None, **options) -> list[str]:
    return validate_answer(answer, packet, previous, **options)[1].errors


def test_good_answer_passes_with_full_grounding():
    output, report = validate_answer(good_answer(), PACKET, None)
    assert output is not None and report.ok and report.errors == []
    assert (report.numbers_stated, report.numbers_grounded, report.grounding_score) == (2, 2, 1.0)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda a: a.update(extra=1), "schema: extra"),
        (lambda a: a["conversation"][0].pop("speaker"), "schema: conversation.0.speaker"),
        (lambda a: a["conversation"][0].update(speaker="DOCTOR"), "schema: conversation.0.speaker"),
        (lambda a: a["conversation"][0].update(turn_id=True), "schema: conversation.0.turn_id"),
        (lambda a: a["conversation"][0].update(turn_id="1"), "schema: conversation.0.turn_id"),
        (lambda a: a["end_of_admission_summary"].pop("disposition"), "schema: end_of_admission_summary.disposition"),
    ],
)
def test_schema_and_types_are_enforced(change, expected):
    answer = good_answer()
    change(answer)
    assert any(e.startswith(expected) for e in errors_of(answer)), errors_of(answer)


def test_turn_ids_must_run_one_to_n():
    answer = good_answer()
    answer["conversation"][2]["turn_id"] = 7
    assert "turn_ids: turn 3 has turn_id 7; ids must run 1..n in order" in errors_of(answer)


def test_empty_conversation_is_rejected():
    answer = good_answer()
    answer["conversation"] = []
    assert "turn_ids: the conversation is empty" in errors_of(answer)


def test_text_must_not_be_empty():
    answer = good_answer()
    answer["conversation"][3]["text"] = "  "
    assert "non_empty_text: turn 4 has no text" in errors_of(answer)


@pytest.mark.parametrize("label", ["HospitalDay2 09:40", "H+4438", "5 hours", "H+3:15"])
def test_relative_times_must_be_canonical(label):
    answer = good_answer()
    answer["conversation"][1]["relative_time"] = label
    assert any(e.startswith("relative_time: turn 2") for e in errors_of(answer))


def test_summary_times_must_be_canonical():
    answer = good_answer()
    answer["end_of_admission_summary"]["relative_discharge_time"] = "day 3"
    answer["end_of_admission_summary"]["key_tests_and_results"][0]["relative_time"] = "morning"
    errors = errors_of(answer)
    assert sum(e.startswith("relative_time: summary") for e in errors) == 2


def test_time_never_goes_backwards():
    answer = good_answer()
    answer["conversation"][3]["relative_time"] = "H+01:00"
    assert "chronology: turn 4 at H+01:00 goes back in time" in errors_of(answer)


def test_pre_admission_times_are_allowed_in_order():
    answer = good_answer()
    answer["conversation"][0]["relative_time"] = "H-02:00"
    assert errors_of(answer) == []


@pytest.mark.parametrize(
    "text", ["Seen on 2180-05-07.", "Seen on 5/7/2180.", "Back on May 7 for review.", "Diagnosed in 2015."]
)
def test_calendar_dates_and_years_are_rejected(text):
    answer = good_answer()
    answer["conversation"][3]["text"] = text
    assert any(e.startswith("no_calendar_dates: turn 4") for e in errors_of(answer))


def test_blood_pressure_and_doses_are_not_taken_for_dates():
    answer = good_answer()
    answer["end_of_admission_summary"]["one_paragraph_summary"] = "BP 120/80, heparin 5000 units, 1800 kcal diet."
    assert not [e for e in errors_of(answer) if e.startswith("no_calendar_dates")]


def test_unknown_evidence_ids_are_rejected():
    answer = good_answer()
    answer["conversation"][2]["evidence_eids"] = ["LAB#999999"]
    answer["end_of_admission_summary"]["disposition"]["supporting_eids"] = ["patient"]
    errors = errors_of(answer)
    assert any("turn 3 cites 'LAB#999999'" in e for e in errors)
    assert any("summary cites 'patient'" in e for e in errors)


def test_previous_summary_ids_may_be_cited():
    previous_summary = EndOfAdmissionSummary.model_validate(good_answer()["end_of_admission_summary"])
    previous_summary = previous_summary.model_copy(
        update={"problem_list": [previous_summary.problem_list[0].model_copy(update={"supporting_eids": ["LAB#77"]})]}
    )
    previous = PreviousAdmission(hadm_id=1, summary=previous_summary, days_before=30)
    answer = good_answer()
    answer["conversation"][4]["evidence_eids"].append("LAB#77")
    assert errors_of(answer) != []
    assert errors_of(answer, previous=previous) == []


def test_clinician_turns_and_turns_with_numbers_must_cite():
    answer = good_answer()
    answer["conversation"][0]["evidence_eids"] = []
    answer["conversation"][3]["text"] = "I have been sick for 3 days."
    errors = errors_of(answer)
    assert "clinical_turns_cite: turn 1 (NURSE) cites no evidence" in errors
    assert "clinical_turns_cite: turn 4 (PATIENT) cites no evidence" in errors


def test_discharge_note_must_be_cited():
    answer = good_answer()
    answer["conversation"][1]["evidence_eids"] = []
    answer["conversation"][4]["evidence_eids"] = ["RX#81234567-1"]
    answer["end_of_admission_summary"]["problem_list"][0]["supporting_eids"] = ["DX#81234567-1"]
    assert any(e.startswith("discharge_note_cited") for e in errors_of(answer))


def test_no_discharge_note_needs_no_citation():
    packet = make_packet(discharge_note=False)
    answer = good_answer()
    for turn in answer["conversation"]:
        turn["evidence_eids"] = [e for e in turn["evidence_eids"] if not e.startswith("DS#")]
    answer["conversation"][1]["evidence_eids"] = []
    answer["end_of_admission_summary"]["problem_list"][0]["supporting_eids"] = ["DX#81234567-1"]
    assert errors_of(answer, packet) == []


def test_the_patient_must_speak():
    answer = good_answer()
    for turn in answer["conversation"]:
        if turn["speaker"] == "PATIENT":
            turn["speaker"] = "NURSE"
            turn["evidence_eids"] = ["ADM#81234567"]
    assert "patient_speaks: the PATIENT never speaks" in errors_of(answer)


def test_ungrounded_numbers_lower_the_score_and_fail_only_when_configured():
    answer = good_answer()
    answer["conversation"][2]["text"] = "Your sodium is low at 125 mEq/L."
    output, report = validate_answer(answer, PACKET, None)
    assert report.ok and report.grounding_score == 0.5
    assert [(u.turn_id, u.number) for u in report.ungrounded_numbers] == [(3, "125")]
    strict = errors_of(answer, min_grounding_score=0.9)
    assert len(strict) == 1 and strict[0].startswith("grounding: only 50%") and "turn 3: 125" in strict[0]


def test_numbers_skip_evidence_ids_and_relative_times():
    assert numbers_in("At H+05:10 (LAB#1002) sodium was 1,280.5 then 128") == ["1280.5", "128"]
