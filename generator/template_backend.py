"""`--backend template`: a deterministic, non-LLM baseline conversation built from packet facts only.

Every clinician turn states facts of the rows it cites (numbers copied from them), the patient answers in
fixed lay phrases, and the discharge note is cited at discharge. Same packet, same conversation.
"""

from typing import Any

from generator.answer import BackendAnswer, GenerationConfig, Round
from generator.context.fit import FitRecord
from generator.context.model import NO_MODEL
from generator.conversation import (
    ConversationOutput,
    Disposition,
    EndOfAdmissionSummary,
    KeyTestResult,
    Problem,
    TreatmentOrMed,
    Turn,
)
from generator.packet import Packet
from generator.prompt import PreviousAdmission, Prompt, relative_label
from generator.validate import validate_answer

BACKEND_NAME = "template"
MODEL_NAME = "template-baseline"
MAX_LABS, MAX_MEDS, MAX_IMAGING, MAX_MICRO, MAX_PROBLEMS = 6, 4, 2, 2, 5
PATIENT_REPLIES = (
    "Okay. Thank you for explaining that to me.",
    "I see. What does that mean for me?",
    "Alright, I understand.",
    "Thanks. I still feel tired, but a bit better.",
)


class TemplateBackend:
    """The `Backend` of the template baseline: no model, no endpoint, no repair rounds."""

    name = BACKEND_NAME
    model = None
    endpoint = None
    context = NO_MODEL
    max_output_tokens = None

    def resume_fields(self, config: GenerationConfig) -> dict[str, Any]:
        return {"model": MODEL_NAME, "params": {}, "repair_rounds": 0}

    def describe(self) -> dict[str, Any]:
        return {"model": MODEL_NAME, "backend": BACKEND_NAME}

    def answer(
        self,
        packet: Packet,
        previous: PreviousAdmission | None,
        prompt: Prompt,
        config: GenerationConfig,
        fit: FitRecord,
    ) -> BackendAnswer:
        """The template's answer, validated like a model's (the prompt is not needed)."""
        output = template_answer(packet)
        text = output.model_dump_json()
        _, report = validate_answer(
            output.model_dump(), packet, previous, min_grounding_score=config.min_grounding_score
        )
        rounds = [
            Round(
                round=1,
                repair_message=None,
                attempts=[],
                notes=["deterministic template backend, no model call"],
                params_sent={},
                finish_reason=None,
                response_text=text,
                errors=report.errors,
            )
        ]
        failure = (
            None if report.ok else ("validation", "template answer failed validation: " + "; ".join(report.errors))
        )
        return BackendAnswer(rounds, output, report, failure)


def template_answer(packet: Packet) -> ConversationOutput:
    """The baseline conversation and summary for one admission."""
    discharge_minutes = _discharge_minutes(packet)
    events = sorted(_clinical_events(packet), key=lambda e: (e[0], e[2]))
    start = min([0, *(e[0] for e in events)])
    turns: list[tuple[str, int, str, list[str]]] = [
        ("NURSE", start, _admission_text(packet), [packet.admission["eid"]]),
        ("PATIENT", start, "Hello. I have not been feeling well, so I came in.", []),
    ]
    for index, (minutes, speaker, eid, text) in enumerate(events):
        turns.append((speaker, minutes, text, [eid]))
        turns.append(("PATIENT", minutes, PATIENT_REPLIES[index % len(PATIENT_REPLIES)], []))
    end = max([discharge_minutes, *(t[1] for t in turns)])
    turns.append(("ATTENDING", end, _discharge_text(packet), _discharge_eids(packet)))
    turns.append(("PATIENT", end, "Thank you all for taking care of me.", []))
    conversation = [
        Turn(turn_id=i, speaker=speaker, relative_time=relative_label(minutes), text=text, evidence_eids=eids)
        for i, (speaker, minutes, text, eids) in enumerate(turns, start=1)
    ]
    return ConversationOutput(conversation=conversation, end_of_admission_summary=_summary(packet, end))


def _clinical_events(packet: Packet) -> list[tuple[int, str, str, str]]:
    """(minutes, speaker, eid, text) for the selected labs, imaging, microbiology and medications."""
    events = []
    for row in _timed(packet, "labs", MAX_LABS, prefer=lambda r: bool(r.get("flag"))):
        flag = f", flagged {row['flag']}" if row.get("flag") else ""
        events.append((row["t_rel_min"], "RESIDENT", row["eid"], f"Your {_lab(row)} came back{flag}."))
    for row in _timed(packet, "radiology_notes", MAX_IMAGING):
        events.append((row["t_rel_min"], "ATTENDING", row["eid"], "We reviewed your imaging report with you."))
    for row in _timed(packet, "microbiology", MAX_MICRO):
        test = row.get("test_name") or "culture"
        grew = f"grew {row['org_name']}" if row.get("org_name") else "has no organism documented"
        events.append((row["t_rel_min"], "CONSULT", row["eid"], f"The {test} {grew}."))
    for row in _timed(packet, "prescriptions", MAX_MEDS):
        events.append((row["t_rel_min"], "NURSE", row["eid"], f"We are starting {_medication(row)}."))
    return events


def _timed(packet: Packet, section: str, limit: int, prefer=lambda row: False) -> list[dict[str, Any]]:
    """The first `limit` timed rows of a section, preferred rows (e.g. flagged labs) first, then by time."""
    rows = [r for r in _rows(packet, section) if r.get("t_rel_min") is not None]
    ranked = sorted(enumerate(rows), key=lambda pair: (not prefer(pair[1]), pair[0]))
    return [row for _, row in ranked[:limit]]


def _rows(packet: Packet, section: str) -> list[dict[str, Any]]:
    return packet.sections[section].rows if section in packet.sections else []


def _lab(row: dict[str, Any]) -> str:
    unit = f" {row['valueuom']}" if row.get("valueuom") else ""
    value = row.get("value") if row.get("value") not in (None, "") else row.get("valuenum")
    shown = "not documented" if value in (None, "") else f"{value}{unit}"
    return f"{row.get('label') or 'lab test'} result of {shown}"


def _medication(row: dict[str, Any]) -> str:
    parts = [row.get("drug") or "a medication", row.get("dose_val_rx"), row.get("dose_unit_rx"), row.get("route")]
    return " ".join(str(p) for p in parts if p not in (None, ""))


def _admission_text(packet: Packet) -> str:
    how = packet.admission.get("admission_type") or "not documented"
    where = packet.admission.get("admission_location") or "not documented"
    return f"Welcome to the hospital. You were admitted as {how}, arriving from {where}."


def _discharge_text(packet: Packet) -> str:
    where = packet.admission.get("discharge_location") or "not documented"
    note = " Your discharge note summarises this stay." if _discharge_note_eids(packet) else ""
    return f"You are ready to leave the hospital; discharge location: {where}.{note}"


def _discharge_note_eids(packet: Packet) -> list[str]:
    return [row["eid"] for row in _rows(packet, "discharge_notes")][:1]


def _discharge_eids(packet: Packet) -> list[str]:
    return [packet.admission["eid"], *_discharge_note_eids(packet)]


def _discharge_minutes(packet: Packet) -> int:
    if packet.dischtime is None:
        return 0
    return int((packet.dischtime - packet.admittime).total_seconds() // 60)


def _summary(packet: Packet, end_minutes: int) -> EndOfAdmissionSummary:
    problems = [
        Problem(
            problem=row.get("long_title") or str(row.get("icd_code")),
            status_at_discharge="coded at discharge",
            supporting_eids=[row["eid"]],
        )
        for row in _rows(packet, "diagnoses")[:MAX_PROBLEMS]
    ]
    tests = [
        KeyTestResult(
            test=row.get("label") or "lab test",
            result=_lab(row),
            relative_time=relative_label(row["t_rel_min"]),
            supporting_eids=[row["eid"]],
        )
        for row in _timed(packet, "labs", MAX_LABS, prefer=lambda r: bool(r.get("flag")))
    ]
    meds = [
        TreatmentOrMed(
            treatment_or_med=row.get("drug") or "medication", details=_medication(row), supporting_eids=[row["eid"]]
        )
        for row in _timed(packet, "prescriptions", MAX_MEDS)
    ]
    titles = "; ".join(p.problem for p in problems) or "not documented"
    paragraph = (
        f"Template baseline summary built from structured rows only. Coded diagnoses: {titles}. "
        f"{len(tests)} key lab results and {len(meds)} medications are listed."
    )
    return EndOfAdmissionSummary(
        relative_discharge_time=relative_label(end_minutes),
        one_paragraph_summary=paragraph,
        problem_list=problems,
        key_tests_and_results=tests,
        treatments_and_meds=meds,
        disposition=Disposition(
            discharge_location=packet.admission.get("discharge_location") or "not documented",
            supporting_eids=_discharge_eids(packet),
        ),
    )
