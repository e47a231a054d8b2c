"""Prompt rendering: deterministic, compact, relative times only."""

import pytest

from generator.conversation import EndOfAdmissionSummary
from generator.prompt import (
    PreviousAdmission,
    canonical_json,
    parse_relative,
    relative_label,
    render_prompt,
    render_sections,
)
from tests.packets import good_answer, make_packet


@pytest.mark.parametrize(
    ("minutes", "label"), [(0, "H+00:00"), (95, "H+01:35"), (2850, "H+47:30"), (-90, "H-01:30"), (None, "-")]
)
def test_relative_labels_round_trip(minutes, label):
    assert relative_label(minutes) == label
    assert parse_relative(label) == minutes


def test_rendering_is_deterministic_and_versioned():
    first, second = render_prompt(make_packet(), None), render_prompt(make_packet(), None)
    assert first == second and first.template_version == "conversation-prompt.v1"


def test_rows_render_one_per_line_evidence_id_first_with_relative_time():
    text = render_sections(make_packet())
    assert "## labs (3 of 5 kept): label|value|valueuom|flag|ref_range_lower|ref_range_upper|comments" in text
    assert "LAB#1001|H-02:00|Hemoglobin|9.8|g/dL|abnormal|12|16\n" in text
    assert "RX#81234567-1|H+10:00|Furosemide|40|mg|PO|1\n" in text
    assert "DX#81234567-1|-|1|5715|Cirrhosis of liver without mention of alcohol" in text


def test_no_absolute_dates_years_or_future_death_reach_the_model():
    prompt = render_prompt(make_packet(), None)
    assert "2180" not in prompt.user and "dod" not in prompt.user
    assert "edregtime=H-03:06" in prompt.user and "discharge=H+49:37" in prompt.user


def test_note_text_is_kept_with_blank_lines_and_runs_of_spaces_collapsed():
    text = render_sections(make_packet())
    assert '"""\nName: ___ Unit No: ___\nChief Complaint:\nworsening abdominal distension and pain\n' in text


def test_previous_summary_and_missing_discharge_note_are_stated():
    summary = EndOfAdmissionSummary.model_validate(good_answer()["end_of_admission_summary"])
    prompt = render_prompt(
        make_packet(discharge_note=False), PreviousAdmission(hadm_id=1, summary=summary, days_before=12)
    )
    assert "Previous admission ADM#1, discharged 12 days before this admission" in prompt.user
    assert '"relative_discharge_time":"H+49:37"' in prompt.user
    assert "This admission has no discharge note" in prompt.user


def test_structured_rows_take_at_most_40_percent_of_their_canonical_json():
    packet = make_packet()
    structured = {name: s for name, s in packet.sections.items() if name not in ("discharge_notes", "radiology_notes")}
    canonical = canonical_json({name: section.rows for name, section in structured.items()})
    assert len(render_sections(packet.model_copy(update={"sections": structured}))) <= 0.4 * len(canonical)
