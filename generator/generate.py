"""One admission, and one patient's admissions, from packet to artifacts; which admissions a run generates.

`generate_admission` is self-contained and safe to run concurrently for different admissions; it is
`answer_admission` (render, ask, validate; nothing written) then `write_answer`, which the cohort runner calls
apart so that the writing is off a patient's chain. `generate_patient_admissions` runs a patient's admissions in
order, each reading the previous admission's stored summary, and rewrites the patient files after each one.
"""

from datetime import datetime
from pathlib import Path
from typing import Any

from generator import artifacts
from generator.answer import AdmissionInputs, AdmissionOutcome, Backend, GenerationConfig, answer_admission
from generator.conversation import EndOfAdmissionSummary
from generator.governance import EndpointNotAllowed
from generator.packet import Packet
from generator.prompt import PreviousAdmission
from generator.records import run_record, write_answer
from generator.warehouse import AdmissionRef, Warehouse


class SelectionError(Exception):
    """The admissions asked for are none of the patient's eligible ones; the message says what to change."""


def generate_admission(
    packet: Packet,
    *,
    unlinked_notes: list[dict[str, Any]],
    previous: PreviousAdmission | None,
    backend: Backend,
    config: GenerationConfig,
    output_root: Path,
    build_info: dict[str, Any],
    force: bool = True,
) -> AdmissionOutcome:
    """Write one admission's artifacts; with `force=False` an up-to-date complete admission is skipped."""
    inputs = AdmissionInputs(packet, unlinked_notes)
    answer = answer_admission(
        inputs, previous=previous, backend=backend, config=config, output_root=output_root, force=force
    )
    if answer is None:
        return AdmissionOutcome(subject_id=packet.subject_id, hadm_id=packet.hadm_id, status="skipped")
    write_answer(answer, output_root=output_root, caps=config.caps, build_info=build_info)
    return answer.outcome


def load_previous(
    output_root: Path, subject_id: int, earlier: list[AdmissionRef], admittime: datetime
) -> PreviousAdmission | None:
    """The latest earlier admission with a stored summary (`earlier`: AdmissionRefs in admission order)."""
    for ref in reversed(earlier):
        path = artifacts.admission_dir(output_root, subject_id, ref.hadm_id) / artifacts.SUMMARY
        if path.exists():
            summary = EndOfAdmissionSummary.model_validate(artifacts.read_json(path)["end_of_admission_summary"])
            return previous_admission(ref, summary, admittime)
    return None


def previous_admission(ref: AdmissionRef, summary: EndOfAdmissionSummary, admittime: datetime) -> PreviousAdmission:
    """Admission `ref` with its summary, as the prompt of a later admission admitted at `admittime` shows it."""
    days = (admittime - ref.dischtime).days if ref.dischtime else None
    return PreviousAdmission(hadm_id=ref.hadm_id, summary=summary, days_before=days)


def select_admissions(
    refs: list[AdmissionRef], *, hadm_id: int | None, max_admissions: int | None, include_without_discharge: bool
) -> tuple[list[AdmissionRef], list[AdmissionRef]]:
    """(eligible admissions in order, admissions to generate now); a choice that selects none raises
    `SelectionError`."""
    eligible = [r for r in refs if include_without_discharge or r.has_discharge_note]
    if hadm_id is not None:
        targets = [r for r in eligible if r.hadm_id == hadm_id]
        if not targets:
            known = any(r.hadm_id == hadm_id for r in refs)
            raise SelectionError(
                f"Admission {hadm_id} has no discharge note; pass --include-admissions-without-discharge."
                if known
                else f"Admission {hadm_id} does not belong to this patient; check --hadm-id."
            )
        return eligible, targets
    if not eligible:
        raise SelectionError(
            "This patient has no admission with a discharge note; pass --include-admissions-without-discharge."
        )
    return eligible, eligible[:max_admissions] if max_admissions else eligible


def generate_patient_admissions(
    warehouse: Warehouse,
    backend: Backend,
    config: GenerationConfig,
    output_root: Path,
    subject_id: int,
    *,
    hadm_id: int | None = None,
    max_admissions: int | None = None,
    include_without_discharge: bool = False,
) -> list[AdmissionOutcome]:
    """Generate a patient's admissions in order; one failure does not stop the others."""
    refs = warehouse.admissions(subject_id)
    eligible, targets = select_admissions(
        refs, hadm_id=hadm_id, max_admissions=max_admissions, include_without_discharge=include_without_discharge
    )
    build_info = warehouse.build_info()
    run = run_record(config, backend, build_info)
    listed = [
        {"hadm_id": r.hadm_id, "admittime": r.admittime.isoformat(), "has_discharge_note": r.has_discharge_note}
        for r in eligible
    ]
    outcomes = []
    for ref in targets:
        earlier = eligible[: eligible.index(ref)]
        try:
            outcome = generate_admission(
                warehouse.packet(ref.hadm_id, config.caps),
                unlinked_notes=warehouse.unlinked_notes(ref.hadm_id),
                previous=load_previous(output_root, subject_id, earlier, ref.admittime),
                backend=backend,
                config=config,
                output_root=output_root,
                build_info=build_info,
            )
        except EndpointNotAllowed:  # every admission would be refused alike
            raise
        except Exception as exc:  # recorded as this admission's failure; the patient's other admissions go on
            outcome = AdmissionOutcome(
                subject_id=subject_id,
                hadm_id=ref.hadm_id,
                status="failed",
                error_kind=type(exc).__name__,
                error=str(exc),
            )
        outcomes.append(outcome)
        for entry in listed:
            if entry["hadm_id"] == ref.hadm_id:
                entry["this_run"] = outcome.model_dump(include={"status", "error_kind", "error"})
        artifacts.write_patient_files(output_root, subject_id, listed, run)
    return outcomes
