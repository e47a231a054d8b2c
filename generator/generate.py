"""One admission, and one patient's admissions in order, from packet to artifacts (`generate-patient`).

`generate_admission` is self-contained and safe to run concurrently for different admissions; it is
`answer_admission` (render, ask, validate; nothing written) then `write_answer`, which the cohort runner calls
apart so that the writing is off a patient's chain. `generate_patient_admissions` runs a patient's admissions in
order under the patient's lock, each reading the previous admission's stored summary, and rewrites the patient
files after each one; a failure every later admission would share (a refused API key) ends it.
"""

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from generator import artifacts
from generator.admissions import load_previous, select_admissions
from generator.answer import AdmissionInputs, AdmissionOutcome, Backend, GenerationConfig, answer_admission
from generator.governance import EndpointNotAllowed
from generator.packet import Packet
from generator.prompt import PreviousAdmission
from generator.records import run_record, write_answer
from generator.warehouse import Warehouse


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
    reread: Callable[[Mapping[str, int | None]], Packet] | None = None,
) -> AdmissionOutcome:
    """Write one admission's artifacts; with `force=False` an up-to-date complete admission is skipped.

    `reread(caps)` gives the admission's packet with tighter caps (`Warehouse.recapped`), for fitting it to the
    model's window."""
    inputs = AdmissionInputs(packet, unlinked_notes, reread)
    answer = answer_admission(
        inputs, previous=previous, backend=backend, config=config, output_root=output_root, force=force
    )
    if answer is None:
        return AdmissionOutcome(subject_id=packet.subject_id, hadm_id=packet.hadm_id, status="skipped")
    write_answer(answer, output_root=output_root, caps=config.caps, build_info=build_info)
    return answer.outcome


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
    """Generate a patient's admissions in order; one failure does not stop the others, unless every later
    request would fail alike (`AdmissionOutcome.stops_run`). Raises `locks.Busy` if another run holds the patient."""
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
    with artifacts.patient_lock(output_root, subject_id):
        for ref in targets:
            earlier = eligible[: eligible.index(ref)]
            try:
                packet = warehouse.packet(ref.hadm_id, config.caps)
                outcome = generate_admission(
                    packet,
                    unlinked_notes=warehouse.unlinked_notes(ref.hadm_id),
                    previous=load_previous(output_root, subject_id, earlier, ref.admittime),
                    backend=backend,
                    config=config,
                    output_root=output_root,
                    build_info=build_info,
                    reread=functools.partial(warehouse.recapped, packet),
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
            if outcome.stops_run:
                break
    return outcomes
