"""A patient's admissions: which ones a run generates, and the earlier one each admission's prompt recalls."""

from datetime import datetime
from pathlib import Path

from generator import artifacts
from generator.conversation import EndOfAdmissionSummary
from generator.prompt import PreviousAdmission
from generator.warehouse import AdmissionRef


class SelectionError(Exception):
    """The admissions asked for are none of the patient's eligible ones; the message says what to change."""


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
