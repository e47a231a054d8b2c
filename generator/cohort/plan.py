"""The cohort run's plan: each patient's admissions to generate, or why a patient is skipped."""

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from pydantic import BaseModel

from generator.admissions import SelectionError, select_admissions
from generator.warehouse import AdmissionRef, Warehouse, WarehouseError


class CohortOptions(BaseModel):
    """How the cohort is run; what decides each admission's output is in `GenerationConfig`."""

    concurrency: int = 4
    max_admissions: int | None = None
    include_without_discharge: bool = False
    force: bool = False
    price_per_1k_input: float | None = None
    price_per_1k_output: float | None = None
    shard: str | None = None  # "K/N" when the run is one shard of the cohort


class PatientPlan(BaseModel):
    """A patient's eligible admissions (in order) and those this run generates (a prefix of them)."""

    subject_id: int
    eligible: list[AdmissionRef]
    targets: list[AdmissionRef]


class SkippedPatient(BaseModel):
    subject_id: int
    reason: str


def plan_patients(
    warehouse: Warehouse, subject_ids: Iterable[int], options: CohortOptions
) -> tuple[list[PatientPlan], list[SkippedPatient]]:
    """Each patient's admissions to generate, in cohort order.

    Read on `options.concurrency` threads: the warehouse keeps one handle with a cursor per call.
    """
    with ThreadPoolExecutor(options.concurrency) as pool:
        planned = list(pool.map(lambda subject_id: _plan(warehouse, subject_id, options), dict.fromkeys(subject_ids)))
    plans = [p for p in planned if isinstance(p, PatientPlan)]
    return plans, [p for p in planned if isinstance(p, SkippedPatient)]


def _plan(warehouse: Warehouse, subject_id: int, options: CohortOptions) -> PatientPlan | SkippedPatient:
    try:
        eligible, targets = select_admissions(
            warehouse.admissions(subject_id),
            hadm_id=None,
            max_admissions=options.max_admissions,
            include_without_discharge=options.include_without_discharge,
        )
    except (SelectionError, WarehouseError) as error:
        return SkippedPatient(subject_id=subject_id, reason=str(error))
    return PatientPlan(subject_id=subject_id, eligible=eligible, targets=targets)
