"""Lab draws and microbiology specimens: in the stay, in the ED before admission, near and far from it,
some without `hadm_id` the way MIMIC has them."""

import math
from datetime import datetime, timedelta

from generator.origin import SYNTHETIC_ROW_ID_BASE
from generator.synth.dictionaries import LabItem, lab_items, panels
from generator.synth.facts import LabValue
from generator.synth.patients import Admission, Patient, row_id

LAB_ROWS_PER_DAY = 56
NOTE_LAB_ITEMS = frozenset(
    (51301, 51222, 51265, 50983, 50971, 50912, 51006, 50931, 50861, 50878, 50863, 50885, 50956, 50813, 51003)
)
TEXT_VALUES = {
    51486: ("NEG", "NEG", "TR", "SM", "MOD", "LG"),
    51487: ("NEG", "NEG", "NEG", "POS"),
    51508: ("Yellow", "Straw", "Amber", "Yellow"),
}
LAB_COMMENTS = (
    "HEMOLYZED SPECIMEN, RESULT MAY BE FALSELY ELEVATED.",
    'Verified by replicate analysis. Called to RN ___ at 10:15, "read back" confirmed.',
    "___",
    "Reference range changed on ___.\nValues are not directly comparable, see ___.",
    "NEG.",
    "IF FASTING, 70-100 NORMAL, >125 PROVISIONAL DIABETES.",
)
EXTRA_PANELS = (("BMP",), ("CBC",), ("BG",), ("COAG",), ("MG",), ("BMP", "MG"), ("CBC", "BMP"))


def _format(item: LabItem, value: float) -> str:
    return f"{max(value, 0.0):.{item.decimals}f}"


class LabWriter:
    """Writes a patient's lab draws (one specimen each) into `labevents`."""

    def __init__(self, patient: Patient):
        self.patient = patient
        self.items = lab_items()
        self.panels = panels()

    def draw(self, when: datetime, hadm_id: int | None, names, adm: Admission | None, stat: bool = False):
        """One specimen with every item of the named panels; returns the (item, value) pairs written."""
        p, rng = self.patient, self.patient.rng
        specimen_id = row_id(p, "specimen")
        storetime = when + timedelta(minutes=25 + int(rng.random() * 150))
        provider = p.provider() if rng.random() < 0.16 else None
        priority = "STAT" if stat else ("ROUTINE" if rng.random() < 0.9 else None)
        hours = (when - adm.admittime).total_seconds() / 3600 if adm else 1e9
        targets = adm.condition.lab_targets if adm else {}
        written = []
        for name in names:
            for item in self.panels[name]:
                if item.mean is None:
                    choices = TEXT_VALUES[item.itemid]
                    value, valuenum, flag = choices[int(rng.random() * len(choices))], None, None
                else:
                    number = rng.gauss(item.mean, item.sd)
                    target = targets.get(item.itemid)
                    if target and hours < 96:
                        weight = math.exp(-max(hours, 0) / 40)
                        number = weight * rng.gauss(*target) + (1 - weight) * number
                    value = _format(item, number)
                    valuenum = value
                    low, high = float(item.lower), float(item.upper)
                    flag = "abnormal" if not low <= float(value) <= high else None
                comment = LAB_COMMENTS[int(rng.random() * len(LAB_COMMENTS))] if rng.random() < 0.05 else None
                if comment == "___":
                    value, valuenum, flag = "___", None, None
                labevent_id = SYNTHETIC_ROW_ID_BASE + p.index * 100_000 + p.next("labevent")
                p.add(
                    "labevents",
                    (
                        labevent_id,
                        p.subject_id,
                        hadm_id,
                        specimen_id,
                        item.itemid,
                        provider,
                        when,
                        storetime,
                        value,
                        valuenum,
                        item.unit or None,
                        item.lower or None,
                        item.upper or None,
                        flag,
                        priority,
                        comment,
                    ),
                )
                written.append((item, value, flag))
        return written


def write_admission_labs(patient: Patient, adm: Admission, labs: LabWriter) -> list[LabValue]:
    """The admission's draws: the first one in the ED (often without hadm_id), daily morning labs, extras
    up to a volume proportional to the stay, a few inside the window without hadm_id, and some just before
    admission or after discharge. Returns first and last values of the items a discharge note quotes."""
    rng = patient.rng
    condition = adm.condition
    first_panels = ["CBC", "DIFF", "BMP", "MG", "COAG"]
    if condition.abdominal or rng.random() < 0.3:
        first_panels += ["LFT", "LIPASE"]
    if condition.key == "pancreatitis":
        first_panels += ["AMYLASE", "LIPID"]
    if condition.key in ("heart_failure", "chest_pain"):
        first_panels.append("CARDIAC")
    if condition.key == "sepsis" or adm.icu:
        first_panels.append("BG")
    if rng.random() < 0.45:
        first_panels.append("UA")
    quoted: dict[int, list[LabValue]] = {}
    start = patient.counters.get("labevent", 0)

    def keep(when: datetime, written) -> None:
        for item, value, flag in written:
            if item.itemid in NOTE_LAB_ITEMS:
                entry = LabValue(charttime=when, label=item.label, value=value, abnormal=flag is not None)
                quoted.setdefault(item.itemid, []).append(entry)

    if adm.edregtime:
        when = adm.edregtime + timedelta(minutes=20 + int(rng.random() * 60))
        hadm = None if rng.random() < 0.5 else adm.hadm_id
    else:
        when = adm.admittime + timedelta(minutes=30 + int(rng.random() * 90))
        hadm = adm.hadm_id
    keep(when, labs.draw(when, hadm, first_panels, adm, stat=True))

    target = max(40, int(LAB_ROWS_PER_DAY * adm.los_days * rng.lognormvariate(0, 0.25)))
    day = adm.admittime.replace(hour=4, minute=0) + timedelta(days=1)
    while day < adm.dischtime:
        morning = day + timedelta(minutes=int(rng.random() * 120))
        names = ["CBC", "BMP", "MG"] + (["LFT"] if condition.abdominal and rng.random() < 0.6 else [])
        names += ["LIPASE"] if condition.key == "pancreatitis" else []
        keep(morning, labs.draw(morning, _in_stay_hadm(patient, adm), names, adm))
        day += timedelta(days=1)
    span = (adm.dischtime - adm.admittime).total_seconds()
    while patient.counters.get("labevent", 0) - start < target:
        when = adm.admittime + timedelta(seconds=int(rng.random() * span))
        when = when.replace(second=0)
        names = EXTRA_PANELS[int(rng.random() * len(EXTRA_PANELS))]
        labs.draw(when, _in_stay_hadm(patient, adm), names, adm, stat=rng.random() < 0.3)
    if rng.random() < 0.3:
        when = adm.admittime - timedelta(hours=6 + rng.random() * 60)
        labs.draw(when.replace(second=0, microsecond=0), None, ("CBC", "BMP"), adm)
    if rng.random() < 0.2 and not adm.died:
        when = adm.dischtime + timedelta(hours=8 + rng.random() * 50)
        labs.draw(when.replace(second=0, microsecond=0), None, ("BMP",), None)
    return [v for values in quoted.values() for v in (values[0], values[-1])]


def _in_stay_hadm(patient: Patient, adm: Admission) -> int | None:
    return None if patient.rng.random() < 0.04 else adm.hadm_id


def write_outpatient_labs(patient: Patient, labs: LabWriter) -> None:
    """Clinic draws far from every admission (before the first, and in long gaps), all without hadm_id."""
    rng = patient.rng
    admissions = patient.admissions
    moments = [admissions[0].admittime - timedelta(days=30 + rng.random() * 300) for _ in range(rng.randint(0, 3))]
    for before, after in zip(admissions, admissions[1:], strict=False):
        gap = after.admittime - before.dischtime
        if gap > timedelta(days=90):
            moments.append(before.dischtime + gap / 2)
    for when in moments:
        when = when.replace(second=0, microsecond=0)
        labs.draw(when, None, ("CBC", "BMP") if rng.random() < 0.7 else ("LFT", "LIPID"), None)


MICRO_SPECIMENS = (
    (70079, "URINE", 90039, "URINE CULTURE", 30),
    (70012, "BLOOD CULTURE", 90201, "Blood Culture, Routine", 30),
    (70091, "MRSA SCREEN", 90189, "MRSA SCREEN", 15),
    (70062, "SPUTUM", 90055, "RESPIRATORY CULTURE", 8),
    (70064, "STOOL", 90221, "C. difficile PCR", 7),
    (70070, "SWAB", 90046, "WOUND CULTURE", 5),
)
PERITONEAL = (70053, "PERITONEAL FLUID", 90268, "FLUID CULTURE", 0)
ORGANISMS = (
    (80002, "ESCHERICHIA COLI"),
    (80004, "KLEBSIELLA PNEUMONIAE"),
    (80023, "STAPH AUREUS COAG +"),
    (80026, "PSEUDOMONAS AERUGINOSA"),
    (80053, "ENTEROCOCCUS SP."),
)
ANTIBIOTICS = (
    (90004, "AMPICILLIN"),
    (90008, "TRIMETHOPRIM/SULFA"),
    (90012, "GENTAMICIN"),
    (90017, "CEFTAZIDIME"),
    (90018, "CEFTRIAXONE"),
    (90019, "CIPROFLOXACIN"),
    (90026, "PIPERACILLIN/TAZO"),
    (90028, "CEFEPIME"),
    (90029, "MEROPENEM"),
)
DILUTIONS = (
    ("<=1", "<=        ", "1"),
    ("<=0.25", "<=        ", "0.25"),
    ("2", "=         ", "2"),
    ("=>64", "=>        ", "64"),
    ("<=4", "<=        ", "4"),
)
NEGATIVE_COMMENTS = (
    "NO GROWTH.  ",
    "No MRSA isolated.  ",
    "Negative for C. difficile toxin, by PCR.  ",
    "MIXED BACTERIAL FLORA ( >= 3 COLONY TYPES), CONSISTENT WITH SKIN AND/OR GENITAL "
    'CONTAMINATION.  "Reported by phone to ___ at 3:10PM."',
    "___",
)


def write_specimen(patient: Patient, when: datetime, hadm_id: int | None, specimen: tuple, positive: float) -> None:
    """One microbiology specimen: a single test row, or an organism with its antibiotic panel."""
    p, rng = patient, patient.rng
    spec_itemid, spec_desc, test_itemid, test_name, _ = specimen
    micro_specimen_id = row_id(p, "micro_specimen")
    chartdate = when.replace(hour=0, minute=0, second=0, microsecond=0)
    charttime = None if rng.random() < 0.06 else when
    stored = when + timedelta(hours=20 + rng.random() * 70)
    storedate = stored.replace(hour=0, minute=0, second=0, microsecond=0)
    storetime = stored.replace(second=0, microsecond=0)
    provider = p.provider() if rng.random() < 0.1 else None
    head = (
        p.subject_id,
        hadm_id,
        micro_specimen_id,
        provider,
        chartdate,
        charttime,
        spec_itemid,
        spec_desc,
        1,
        storedate,
        storetime,
        test_itemid,
        test_name,
    )

    def row(org=(None, None), isolate=None, ab=(None, None), dilution=(None, None, None), interp=None, comment=None):
        microevent_id = SYNTHETIC_ROW_ID_BASE + p.index * 10_000 + p.next("microevent")
        p.add("microbiologyevents", (microevent_id, *head, *org, isolate, None, *ab, *dilution, interp, comment))

    if "culture" not in test_name.lower() or rng.random() >= positive:
        row(comment=NEGATIVE_COMMENTS[int(rng.random() * len(NEGATIVE_COMMENTS))])
        return
    organism = ORGANISMS[int(rng.random() * len(ORGANISMS))]
    row(
        org=organism,
        isolate=1,
        comment="Final report, susceptibilities follow, see ___." if rng.random() < 0.3 else None,
    )
    for ab in rng.sample(ANTIBIOTICS, 5 + int(rng.random() * 4)):
        dilution = DILUTIONS[int(rng.random() * len(DILUTIONS))]
        interp = "R" if dilution[0].startswith("=>") else ("I" if rng.random() < 0.05 else "S")
        row(org=organism, isolate=1, ab=ab, dilution=dilution, interp=interp)


def write_admission_micro(patient: Patient, adm: Admission) -> None:
    """Cultures of one admission: ED cultures before admittime (often without hadm_id), cultures in the stay,
    peritoneal fluid for drained abdominal cases."""
    rng = patient.rng
    weights = [s[-1] for s in MICRO_SPECIMENS]
    count = min(1 + int(rng.expovariate(1 / 2.2)), 14)
    span = (adm.dischtime - adm.admittime).total_seconds()
    for n in range(count):
        specimen = rng.choices(MICRO_SPECIMENS, weights)[0]
        if n == 0 and adm.edregtime:
            when = adm.edregtime + timedelta(minutes=30 + int(rng.random() * 60))
            hadm = None if rng.random() < 0.5 else adm.hadm_id
        else:
            when = adm.admittime + timedelta(seconds=int(rng.random() * span))
            hadm = None if rng.random() < 0.05 else adm.hadm_id
        write_specimen(patient, when.replace(second=0, microsecond=0), hadm, specimen, adm.condition.micro_positive)
    if adm.procedures and adm.condition.key == "diverticulitis":
        write_specimen(patient, adm.admittime + timedelta(days=1), adm.hadm_id, PERITONEAL, 0.7)


def write_outpatient_micro(patient: Patient) -> None:
    """A clinic urine culture well before the first admission, for some patients."""
    rng = patient.rng
    if rng.random() < 0.3:
        when = patient.admissions[0].admittime - timedelta(days=40 + rng.random() * 200)
        write_specimen(patient, when.replace(second=0, microsecond=0), None, MICRO_SPECIMENS[0], 0.3)
