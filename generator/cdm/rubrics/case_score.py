"""One result scored by one rubric: the record both rubrics fill and `scoring` aggregates."""

from typing import Literal

from pydantic import BaseModel

from generator.cdm.case import Pathology

RubricName = Literal["mimicbench", "cdmv1"]

# The per-case numbers that are averaged (null where a rubric or a mode has none).
METRICS = (
    "diagnosis",
    "lenient_diagnosis",
    "physical_exam_first",
    "physical_exam_any",
    "lab_categories",
    "unnecessary_labs",
    "imaging",
    "unnecessary_imaging",
    "treatment_recall",
)


class CaseScore(BaseModel):
    hadm_id: int
    pathology: Pathology
    status: str
    rubric: RubricName
    diagnosis_read: str  # the diagnosis the rubric scored (the first listed)
    diagnosis_reshaped: bool  # the answer had to be cut down to one diagnosis
    diagnosis: float
    lenient_diagnosis: float
    physical_exam_first: float | None
    physical_exam_any: float | None
    lab_categories: float | None  # mimicbench: fraction of the required categories; cdmv1: their count
    lab_categories_hit: list[str] | None
    unnecessary_labs: float | None
    unnecessary_lab_tests: list[str] | None
    imaging: float | None
    unnecessary_imaging: float | None
    unnecessary_imaging_requests: list[str] | None
    treatment_required: list[str]
    treatment_requested: list[str]  # every treatment of the rubric the answer asks for, required or not
    treatment_recall: float | None
    tool_calls: int
    invalid_tool_calls: int
