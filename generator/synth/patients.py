"""One synthetic patient: demographics, admissions and the administrative rows around them (transfers,
services, ICU stays, diagnoses, procedures, DRGs). Events and orders are added by `events` and `orders`."""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from generator.origin import (
    SYNTHETIC_HADM_IDS,
    SYNTHETIC_ROW_ID_BASE,
    SYNTHETIC_STAY_IDS,
    SYNTHETIC_SUBJECT_IDS,
    SYNTHETIC_TRANSFER_IDS,
)
from generator.synth.conditions import COMORBIDITIES, CONDITIONS, Condition
from generator.synth.dictionaries import icd_titles

MAX_PATIENTS = 250_000
MAX_ADMISSIONS = 40
# Row ids drawn per patient: (most a patient draws, the space they are scattered over). A space holds MAX_PATIENTS
# times the most, so no two patients' ids collide (tests/synth checks it).
ROW_ID_SPACES = {
    "specimen": (20_000, 10_000_000_000),
    "micro_specimen": (5_000, 10_000_000_000),
    "pharmacy": (8_000, 10_000_000_000),
}
MEAN_LOS_DAYS = 4.6

# admissions per patient: (count, weight); skewed like MIMIC, with a tail of frequent flyers
ADMISSION_COUNTS = ((1, 46), (2, 20), (3, 11), (4, 7), (5, 4), (6, 3), (7, 2.5), (8, 2), (10, 1.5), (13, 1.5), (18, 1))
ADMISSION_TYPES = (
    ("EW EMER.", 40),
    ("EU OBSERVATION", 12),
    ("OBSERVATION ADMIT", 10),
    ("URGENT", 10),
    ("SURGICAL SAME DAY ADMISSION", 8),
    ("DIRECT EMER.", 6),
    ("ELECTIVE", 6),
    ("DIRECT OBSERVATION", 5),
    ("AMBULATORY OBSERVATION", 3),
)
DISCHARGE_LOCATIONS = (("HOME", 40), ("HOME HEALTH CARE", 25), ("SKILLED NURSING FACILITY", 12), ("REHAB", 5))
RACES = (("WHITE", 60), ("BLACK/AFRICAN AMERICAN", 14), ("HISPANIC/LATINO - PUERTO RICAN", 4), ("ASIAN", 4))
RACES += (("UNKNOWN", 5), ("OTHER", 4), ("WHITE - OTHER EUROPEAN", 3), ("BLACK/CAPE VERDEAN", 2))
WARDS = ("Medicine", "Med/Surg", "Medicine/Cardiology", "Surgery", "Med/Surg/GYN", "Hematology/Oncology")
ICUS = (
    "Medical Intensive Care Unit (MICU)",
    "Surgical Intensive Care Unit (SICU)",
    "Medical/Surgical Intensive Care Unit (MICU/SICU)",
    "Cardiac Vascular Intensive Care Unit (CVICU)",
    "Trauma SICU (TSICU)",
)
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PROVIDERS = tuple(
    "P" + "".join(ALNUM[(n * 2_654_435_761 % 36**5) // 36**i % 36] for i in range(5)) for n in range(1, 401)
)
YEAR_GROUPS = ("2008 - 2010", "2011 - 2013", "2014 - 2016", "2017 - 2019")
# Admissions whose principal problem is one of the four CDM pathologies (equally likely, weight 1 each), so
# every pathology has enough CDM cases for bootstrap intervals that mean something.
ABDOMINAL_SHARE = 0.25
GOLDEN = 0.6180339887498949  # a Weyl sequence spreads the abdominal admissions evenly over any patient range
ABDOMINAL_CONDITIONS = tuple(c for c in CONDITIONS if c.abdominal)
OTHER_CONDITIONS = tuple(c for c in CONDITIONS if not c.abdominal)


def scatter(n: int, space: int) -> int:
    """A bijection of 0..space-1 onto itself (space a power of ten) so ids look random but never collide."""
    return (n * 7_654_321 + 1_234_567) % space


def row_id(patient: "Patient", kind: str) -> int:
    """The patient's next row id of `kind` (ROW_ID_SPACES): unique across patients, scattered to look random."""
    most, space = ROW_ID_SPACES[kind]
    return SYNTHETIC_ROW_ID_BASE + scatter(patient.index * most + patient.next(kind), space)


def pick(rng: random.Random, weighted: tuple[tuple, ...]):
    """A weighted choice from ((value, weight), ...)."""
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


@dataclass
class Admission:
    """One synthetic admission and what later generators need to know about it."""

    hadm_id: int
    admittime: datetime
    dischtime: datetime
    edregtime: datetime | None
    condition: Condition
    icd_version: int
    died: bool
    discharge_location: str | None
    service: str
    icu: bool
    diagnoses: list[str] = field(default_factory=list)
    procedures: list[str] = field(default_factory=list)

    @property
    def los_days(self) -> float:
        return (self.dischtime - self.admittime).total_seconds() / 86400


@dataclass
class Patient:
    """A patient being generated: its random stream, id counters and the rows written so far, per table."""

    index: int
    rng: random.Random
    subject_id: int
    gender: str
    anchor_age: int
    anchor_year: int
    admissions: list[Admission] = field(default_factory=list)
    rows: dict[str, list] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, row: tuple) -> None:
        self.rows.setdefault(table, []).append(row)

    def next(self, counter: str) -> int:
        """The next value (from 1) of a per-patient counter."""
        value = self.counters.get(counter, 0) + 1
        self.counters[counter] = value
        return value

    def provider(self) -> str:
        return PROVIDERS[int(self.rng.random() * len(PROVIDERS))]

    def age_at(self, when: datetime) -> int:
        return self.anchor_age + when.year - self.anchor_year


def new_patient(seed: int, index: int) -> Patient:
    """Demographics and the admission timeline of patient number `index` (0-based)."""
    rng = random.Random(f"{seed}:patient:{index}")
    patient = Patient(
        index=index,
        rng=rng,
        subject_id=SYNTHETIC_SUBJECT_IDS.start + 32 + index * 37,
        gender="F" if rng.random() < 0.52 else "M",
        anchor_age=18 + int(rng.random() * 72),
        anchor_year=2110 + int(rng.random() * 80),
    )
    count = min(pick(rng, ADMISSION_COUNTS), MAX_ADMISSIONS)
    when = datetime(patient.anchor_year, 1, 1) + timedelta(minutes=int(rng.random() * 300 * 1440))
    died = rng.random() < 0.08
    for k in range(count):
        patient.admissions.append(_admission(patient, k, when, died and k == count - 1))
        when = patient.admissions[-1].dischtime + timedelta(days=3 + rng.expovariate(1 / 160))
    return patient


def _admission(patient: Patient, k: int, admittime: datetime, dies: bool) -> Admission:
    rng = patient.rng
    abdominal = (patient.index * MAX_ADMISSIONS + k) * GOLDEN % 1 < ABDOMINAL_SHARE
    group = ABDOMINAL_CONDITIONS if abdominal else OTHER_CONDITIONS
    condition = rng.choices(group, [c.weight for c in group])[0]
    los = min(max(rng.lognormvariate(math.log(3.6), 0.7), 0.3), 45.0)
    admittime = admittime.replace(second=0)
    dischtime = admittime + timedelta(minutes=int(los * 1440))
    ed = rng.random() < 0.68
    edregtime = admittime - timedelta(minutes=90 + int(rng.random() * 480)) if ed else None
    return Admission(
        hadm_id=SYNTHETIC_HADM_IDS.start + scatter(patient.index * MAX_ADMISSIONS + k, 10_000_000),
        admittime=admittime,
        dischtime=dischtime,
        edregtime=edregtime,
        condition=condition,
        icd_version=9 if rng.random() < 0.25 else 10,
        died=dies,
        discharge_location="DIED" if dies else (pick(rng, DISCHARGE_LOCATIONS) if rng.random() < 0.85 else None),
        service=condition.service,
        icu=dies or rng.random() < 0.2,
    )


def write_demographics(patient: Patient) -> None:
    """The patients row and each admission's admissions row."""
    rng = patient.rng
    last = patient.admissions[-1]
    dod = last.dischtime.date() if last.died else None
    if dod is None and rng.random() < 0.15:
        dod = (last.dischtime + timedelta(days=30 + int(rng.random() * 900))).date()
    group = YEAR_GROUPS[int(rng.random() * len(YEAR_GROUPS))]
    patient.add(
        "patients",
        (patient.subject_id, patient.gender, patient.anchor_age, patient.anchor_year, group, dod),
    )
    insurance = pick(rng, (("Medicare", 40), ("Other", 45), ("Medicaid", 15)))
    language = "ENGLISH" if rng.random() < 0.9 else "?"
    marital = pick(rng, (("MARRIED", 45), ("SINGLE", 35), ("WIDOWED", 10), ("DIVORCED", 6), (None, 4)))
    race = pick(rng, RACES)
    for adm in patient.admissions:
        admission_type = "EW EMER." if adm.edregtime and rng.random() < 0.6 else pick(rng, ADMISSION_TYPES)
        location = (
            "EMERGENCY ROOM"
            if adm.edregtime
            else pick(rng, (("PHYSICIAN REFERRAL", 50), ("TRANSFER FROM HOSPITAL", 25), ("CLINIC REFERRAL", 15)))
        )
        edouttime = adm.admittime + timedelta(minutes=int(rng.random() * 120)) if adm.edregtime else None
        patient.add(
            "admissions",
            (
                patient.subject_id,
                adm.hadm_id,
                adm.admittime,
                adm.dischtime,
                adm.dischtime if adm.died else None,
                admission_type,
                patient.provider(),
                location,
                adm.discharge_location,
                insurance,
                language,
                marital,
                race,
                adm.edregtime,
                edouttime,
                1 if adm.died else 0,
            ),
        )


def write_stay(patient: Patient, adm: Admission) -> None:
    """Transfers (ED, wards, ICU, discharge), services and the ICU stay of one admission."""
    rng = patient.rng
    sid, hadm = patient.subject_id, adm.hadm_id

    def transfer(eventtype: str, careunit: str | None, intime: datetime, outtime: datetime | None) -> None:
        transfer_id = SYNTHETIC_TRANSFER_IDS.start + scatter(
            patient.index * 400 + patient.next("transfer"), 100_000_000
        )
        patient.add("transfers", (sid, hadm, transfer_id, eventtype, careunit, intime, outtime))

    if adm.edregtime:
        transfer("ED", "Emergency Department", adm.edregtime, adm.admittime)
    span = adm.dischtime - adm.admittime
    ward = "Surgery" if adm.service == "SURG" else WARDS[int(rng.random() * len(WARDS))]
    if adm.icu:
        icu_in = adm.admittime + span * (0.05 + 0.3 * rng.random())
        icu_out = icu_in + span * (0.2 + 0.3 * rng.random())
        unit = ICUS[int(rng.random() * len(ICUS))]
        transfer("admit", ward, adm.admittime, icu_in)
        transfer("transfer", unit, icu_in, icu_out)
        transfer("transfer", ward, icu_out, adm.dischtime)
        stay_id = SYNTHETIC_STAY_IDS.start + scatter(patient.index * MAX_ADMISSIONS + patient.next("stay"), 10_000_000)
        los = (icu_out - icu_in).total_seconds() / 86400
        patient.add(
            "icustays",
            (sid, hadm, stay_id, unit, unit, icu_in.replace(microsecond=0), icu_out.replace(microsecond=0), los),
        )
    else:
        transfer("admit", ward, adm.admittime, adm.dischtime)
    transfer("discharge", None, adm.dischtime, None)
    patient.add("services", (sid, hadm, adm.admittime + timedelta(seconds=int(rng.random() * 3600)), None, adm.service))
    if adm.condition.key in ("pancreatitis", "diverticulitis") and rng.random() < 0.3:
        moved = adm.admittime + span * 0.4
        patient.add("services", (sid, hadm, moved.replace(microsecond=0), adm.service, "SURG"))


def write_codes(patient: Patient, adm: Admission) -> None:
    """Diagnoses (principal condition first), procedures and DRGs of one admission, in one ICD version."""
    rng = patient.rng
    sid, hadm, version = patient.subject_id, adm.hadm_id, adm.icd_version
    titles = icd_titles("diagnoses")
    condition = adm.condition
    codes = condition.icd10 if version == 10 else condition.icd9
    principal = codes[int(rng.random() * len(codes))]
    chosen = [principal]
    for icd10, icd9, share in COMORBIDITIES:
        if rng.random() < share * 2.6:
            chosen.append(icd10 if version == 10 else icd9)
    for seq, code in enumerate(chosen, start=1):
        patient.add("diagnoses_icd", (sid, hadm, seq, code, version))
        adm.diagnoses.append(titles[(code, version)])
    write_procedures(patient, adm)
    drg_code, drg_description = condition.drg
    patient.add("drgcodes", (sid, hadm, "HCFA", drg_code, drg_description, None, None))
    if rng.random() < 0.6:
        severity = 1 + int(rng.random() * 4)
        patient.add("drgcodes", (sid, hadm, "APR", drg_code, drg_description.title(), severity, max(1, severity - 1)))


def write_procedures(patient: Patient, adm: Admission) -> None:
    """The condition's signature procedure (always for surgical abdominal cases) and a central line in ICU."""
    rng = patient.rng
    condition = adm.condition
    codes = condition.procedures10 if adm.icd_version == 10 else condition.procedures9
    performed: list[str] = []
    if codes:
        surgical = condition.key in ("appendicitis", "cholecystitis")
        if surgical or rng.random() < 0.35:
            performed.append(codes[0] if surgical or rng.random() < 0.7 else codes[-1])
        elif len(codes) > 1 and rng.random() < 0.2:
            performed.append(codes[1])
    if adm.icu and rng.random() < 0.5:
        performed.append("02HV33Z" if adm.icd_version == 10 else "3893")
    titles = icd_titles("procedures")
    day = adm.admittime + timedelta(days=min(1, adm.los_days / 2))
    for seq, code in enumerate(performed, start=1):
        patient.add("procedures_icd", (patient.subject_id, adm.hadm_id, seq, day.date(), code, adm.icd_version))
        adm.procedures.append(titles[(code, adm.icd_version)])
