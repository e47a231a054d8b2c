"""What the note writer knows about an admission, whether it was synthesized here or read from real hosp data."""

from datetime import datetime

from pydantic import BaseModel


class LabValue(BaseModel):
    """One lab result as a discharge note quotes it."""

    charttime: datetime
    label: str
    value: str
    abnormal: bool


class AdmissionFacts(BaseModel):
    """The structured rows of one admission that its notes must agree with."""

    subject_id: int
    hadm_id: int
    gender: str
    age: int
    admittime: datetime
    dischtime: datetime
    edregtime: datetime | None = None
    service: str
    discharge_location: str | None = None
    died: bool = False
    diagnoses: list[str]
    procedures: list[str] = []
    labs: list[LabValue] = []
    medications: list[str] = []
    has_discharge_note: bool = True
