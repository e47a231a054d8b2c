"""CDM cases, compatible with practical_cdm_benchmark's `HadmCase` JSON (a superset: the file adds the
data origin, the mode and the lab test mapping; treatments add a rubric category and their source, ground
truth the admission's ICD diagnosis titles)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

Pathology = Literal["appendicitis", "cholecystitis", "diverticulitis", "pancreatitis"]
PATHOLOGIES: tuple[Pathology, ...] = ("appendicitis", "cholecystitis", "diverticulitis", "pancreatitis")


class Demographics(BaseModel):
    """Both fields are required by the course project's `HadmCase`; a case without either has none."""

    age: int
    gender: str


class DetailedLabResult(BaseModel):
    itemid: int
    test_name: str
    fluid: str | None = None
    category: str | None = None
    value: str | None = None
    ref_range_lower: float | None = None
    ref_range_upper: float | None = None
    charttime: datetime | None = None
    sequence_num: int | None = None


class MicrobiologyEvent(BaseModel):
    test_itemid: int
    test_name: str | None = None
    spec_type_desc: str | None = None
    organism_name: str | None = None
    comments: str | None = None
    charttime: datetime | None = None
    sequence_num: int | None = None


class RadiologyReport(BaseModel):
    note_id: str
    exam_name: str | None = None
    region: str | None = None
    modality: str | None = None
    text: str | None = None
    charttime: datetime | None = None
    sequence_num: int | None = None


class Treatment(BaseModel):
    title: str
    icd_code: str | None = None
    is_coded: bool
    category: str | None = None
    source: Literal["code", "note"] | None = None  # procedures_icd, or the note's procedure list


class GroundTruth(BaseModel):
    primary_diagnosis: list[str] = []
    treatments: list[Treatment] = []
    icd_diagnoses: list[str] = []  # the admission's ICD diagnosis titles (CDMv1's "ICD Diagnosis")


class HadmCase(BaseModel):
    hadm_id: int
    pathology: Pathology | None = None
    demographics: Demographics | None = None
    patient_history: str | None = None
    lab_results: list[DetailedLabResult] = []
    microbiology_events: list[MicrobiologyEvent] = []
    radiology_reports: list[RadiologyReport] = []
    physical_exam_text: str | None = None
    ground_truth: GroundTruth | None = None


class LabMappingRow(BaseModel):
    """One row of the lab test mapping (`mart_cdm_lab_test_mapping`; CDMv1's `lab_test_mapping`), in order:
    a request names the row by its label and stands for its `corresponding_ids`."""

    kind: Literal["label", "panel", "abbreviation", "total", "microbiology", "synonym"]
    label: str
    fluid: str | None = None
    itemid: int | None = None
    category: str | None = None  # d_labitems category
    count: int | None = None  # lab events of the test
    corresponding_ids: list[int]
    rubric_category: str | None = None  # the mimicbench rubric's category of the test


class DiagnosticCriteria(BaseModel):
    """The criteria of one disease with its guideline (`mart_cdm_diagnostic_criteria`)."""

    disease: str
    aliases: list[str] = []
    criteria: str
    source: str


class CdmBenchmark(BaseModel):
    """The cases file written by `mimicbench cdm export`."""

    data_origin: str
    extended: bool = False
    lab_test_mapping: list[LabMappingRow] = []
    diagnostic_criteria: list[DiagnosticCriteria] = []
    cases: list[HadmCase]
