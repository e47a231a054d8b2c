"""`mimicbench synth`: a whole synthetic MIMIC-IV + MIMIC-IV-Note dataset, streamed out one patient at a time."""

import multiprocessing
import random
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path

from generator import __version__
from generator.origin import SYNTHETIC
from generator.synth.dictionaries import icd_titles, lab_items
from generator.synth.events import (
    LabWriter,
    write_admission_labs,
    write_admission_micro,
    write_outpatient_labs,
    write_outpatient_micro,
)
from generator.synth.facts import AdmissionFacts
from generator.synth.marker import SyntheticMarker, fingerprint, write_marker
from generator.synth.notes import NoteWriter
from generator.synth.orders import Orders
from generator.synth.patients import Patient, new_patient, write_codes, write_demographics, write_stay
from generator.synth.tables import MODULES
from generator.synth.writer import TableSet, csv_text, staged_output

DISCHARGE_NOTE_SHARE = 0.51
BLOCK_PATIENTS = 250  # patients one process renders at a time


def synthesize_patient(seed: int, index: int) -> dict[str, list]:
    """Every row of patient number `index`, by table; the same (seed, index) always gives the same rows."""
    patient = new_patient(seed, index)
    write_demographics(patient)
    labs, orders = LabWriter(patient), Orders(patient)
    notes = NoteWriter(patient.subject_id, random.Random(f"{seed}:notes:{index}"), patient.gender)
    for adm in patient.admissions:
        write_stay(patient, adm)
        write_codes(patient, adm)
        quoted = write_admission_labs(patient, adm, labs)
        write_admission_micro(patient, adm)
        discharge_meds = orders.write_admission(adm)
        facts = AdmissionFacts(
            subject_id=patient.subject_id,
            hadm_id=adm.hadm_id,
            gender=patient.gender,
            age=patient.age_at(adm.admittime),
            admittime=adm.admittime,
            dischtime=adm.dischtime,
            edregtime=adm.edregtime,
            service=adm.service,
            discharge_location=adm.discharge_location,
            died=adm.died,
            diagnoses=adm.diagnoses,
            procedures=adm.procedures,
            labs=quoted,
            medications=discharge_meds,
            has_discharge_note=adm.condition.abdominal or patient.rng.random() < DISCHARGE_NOTE_SHARE,
        )
        notes.admission(facts, adm.condition)
    write_outpatient_labs(patient, labs)
    write_outpatient_micro(patient)
    _outpatient_imaging(patient, notes)
    return patient.rows | notes.rows


def _outpatient_imaging(patient: Patient, notes: NoteWriter) -> None:
    """Clinic studies months before the first admission, outside every admission window."""
    rng = patient.rng
    first = patient.admissions[0].admittime
    for _ in range(int(rng.random() * 2.2)):
        when = first - timedelta(days=20 + rng.random() * 200)
        notes.outpatient(when, patient.age_at(when))


def dictionary_rows() -> dict[str, list]:
    """The d_ tables: every lab item and ICD code the generator can emit."""
    return {
        "d_labitems": [(i.itemid, i.label, i.fluid, i.category) for i in lab_items().values()],
        "d_icd_diagnoses": [(c, v, t) for (c, v), t in icd_titles("diagnoses").items()],
        "d_icd_procedures": [(c, v, t) for (c, v), t in icd_titles("procedures").items()],
    }


def rendered_block(seed: int, start: int, stop: int) -> dict[str, tuple[str, int]]:
    """Patients `start` to `stop - 1` as CSV text per table, with the row count: (text, rows)."""
    rows: dict[str, list] = {}
    for index in range(start, stop):
        for table, batch in synthesize_patient(seed, index).items():
            rows.setdefault(table, []).extend(batch)
    return {table: (csv_text(batch), len(batch)) for table, batch in rows.items()}


def rendered_blocks(seed: int, patients: int, jobs: int, block: int) -> Iterator[tuple[int, dict]]:
    """(patients done, rendered block) in patient order; `jobs` processes render blocks of `block` patients.

    At most two blocks per process wait to be written, so memory stays flat however many patients there are."""
    ranges = [(start, min(start + block, patients)) for start in range(0, patients, block)]
    if jobs == 1 or len(ranges) == 1:
        for start, stop in ranges:
            yield stop, rendered_block(seed, start, stop)
        return
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        waiting: deque[tuple[int, Future]] = deque()
        for start, stop in ranges:
            waiting.append((stop, pool.submit(rendered_block, seed, start, stop)))
            if len(waiting) >= 2 * jobs:
                done, future = waiting.popleft()
                yield done, future.result()
        while waiting:
            done, future = waiting.popleft()
            yield done, future.result()


def write_dataset(
    out: Path,
    patients: int,
    seed: int,
    force: bool,
    progress: Callable[[int], None] | None = None,
    *,
    jobs: int = 1,
    block: int = BLOCK_PATIENTS,
) -> dict[str, int]:
    """Write `out/hosp`, `out/icu`, `out/note` and the synthetic markers; returns rows per table.

    The files are the same, byte for byte, whatever `jobs` (processes that render patients) and `block`."""
    module_tables = [(module, table) for module, tables in MODULES.items() for table in tables]
    with staged_output(out, force) as staging:
        tables = TableSet({table: staging / module for module, table in module_tables})
        try:
            tables.write(dictionary_rows())
            reported = 0
            for done, rendered in rendered_blocks(seed, patients, jobs, block):
                tables.write_rendered(rendered)
                if progress and done // 1000 > reported:
                    reported = done // 1000
                    progress(reported * 1000)
        finally:
            tables.close()
        counts = tables.row_counts()
        for folder in (staging, staging / "note"):
            marker = SyntheticMarker(
                generator="mimicbench synth",
                version=__version__,
                seed=seed,
                patients=patients,
                source_origin=SYNTHETIC,
                files=fingerprint(folder),
            )
            write_marker(folder, marker)
    return counts
