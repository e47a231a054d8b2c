"""MIMIC-IV-Note shaped discharge summaries and radiology reports, written from an admission's facts."""

import random
from datetime import datetime, timedelta

from generator.synth.conditions import Condition
from generator.synth.dictionaries import exams
from generator.synth.facts import AdmissionFacts

SERVICES = {"SURG": "SURGERY", "MED": "MEDICINE", "CMED": "MEDICINE", "OMED": "MEDICINE", "NMED": "NEUROLOGY"}
DISPOSITIONS = {"HOME": "Home", "HOME HEALTH CARE": "Home With Service", "DIED": "Expired"}
ROUTINE_FINDINGS = {
    "CHEST": (
        "The lungs are clear. The cardiomediastinal silhouette is normal. No pleural effusion or pneumothorax.",
        "No acute cardiopulmonary process.",
    ),
    "ABDOMEN": (
        "The liver, gallbladder, pancreas, spleen and kidneys are unremarkable. No free fluid or free air.",
        "No acute abdominal or pelvic process.",
    ),
    "HEAD": (
        "No hemorrhage, edema, mass effect or acute infarction. Ventricles and sulci are normal.",
        "No acute intracranial process.",
    ),
    "EXTREMITY": ("Normal compressibility, flow and augmentation of the deep veins.", "No deep venous thrombosis."),
}


def discharge_text(facts: AdmissionFacts, condition: Condition | None, rng: random.Random) -> str:
    """A discharge summary with MIMIC's section headers and `___` placeholders, agreeing with the facts."""
    sex = "F" if facts.gender == "F" else "M"
    noun = "woman" if sex == "F" else "man"
    title = "Ms." if sex == "F" else "Mr."
    service = SERVICES.get(facts.service, facts.service)
    principal = condition.name if condition else facts.diagnoses[0]
    complaint = condition.chief_complaint if condition else principal
    days = 1 + int(rng.random() * 4)
    if condition:
        hpi = condition.hpi.format(age=facts.age, sex=noun, days=days)
        admission_exam, discharge_exam = condition.admission_exam, condition.discharge_exam
    else:
        hpi = f"{facts.age} year old {noun} who presents with {days} days of {complaint.lower()}."
        admission_exam = "VS: T 98.6 HR 80 BP 130/80 RR 16 O2 96% RA\nGEN: NAD\nLUNGS: CTAB\nABD: soft, non-tender"
        discharge_exam = "VS: afebrile, stable\nGEN: NAD\nABD: soft, non-tender"
    procedure = facts.procedures[0] if facts.procedures else "None"
    course = condition.course if condition else f"The patient was admitted for {principal.lower()} and treated."
    course = course.format(
        procedure=procedure.lower(),
        procedure_sentence=f"{title} ___ underwent {procedure.lower()}. " if facts.procedures else "",
    )
    secondary = "\n".join(facts.diagnoses[1:6]) or "None"
    history = ", ".join(facts.diagnoses[1:4]) or "None"
    home = [m for m in facts.medications if rng.random() < 0.4]
    parts = [
        " \nName:  ___                     Unit No:   ___\n \n"
        "Admission Date:  ___              Discharge Date:   ___\n"
        f" \nDate of Birth:  ___             Sex:   {sex}\n \nService: {service}\n \nAllergies: \n"
        f"{'No Known Allergies / Adverse Drug Reactions' if rng.random() < 0.7 else 'Penicillins'}\n \n"
        f"Attending: ___.\n ",
        f"Chief Complaint:\n{complaint}\n ",
        f"Major Surgical or Invasive Procedure:\n{procedure}\n ",
        f"History of Present Illness:\n{title} ___ is a {hpi}\n ",
        f"Past Medical History:\n{history}\n ",
        "Social History:\n___\nFamily History:\nNon-contributory\n ",
        f"Physical Exam:\nADMISSION PHYSICAL EXAM:\n{admission_exam}\n\nDISCHARGE PHYSICAL EXAM:\n{discharge_exam}\n ",
        f"Pertinent Results:\n{_results(facts)}\n ",
        f"Brief Hospital Course:\n{title} ___ is a {facts.age} year old {noun} admitted with {principal.lower()}. "
        f"{course}\n ",
        f"Medications on Admission:\n{_numbered(home) or 'None'}\n ",
        f"Discharge Medications:\n{_numbered(facts.medications) or 'None'}\n ",
        f"Discharge Disposition:\n{DISPOSITIONS.get(facts.discharge_location or '', 'Extended Care')}\n ",
        f"Discharge Diagnosis:\nPrimary diagnosis:\n{principal}\n\nSecondary diagnoses:\n{secondary}\n ",
        "Discharge Condition:\nMental Status: Clear and coherent.\nLevel of Consciousness: Alert and interactive.\n"
        "Activity Status: Ambulatory - Independent.\n ",
        f"Discharge Instructions:\nDear {title} ___,\n\nYou were admitted to ___ for {principal.lower()}. "
        "Please take your medications as prescribed and keep your follow-up appointments.\n\n"
        "Sincerely,\nYour ___ Team\n ",
        "Followup Instructions:\n___\n",
    ]
    return "\n".join(parts)


def _numbered(lines: list[str]) -> str:
    return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, start=1))


def _results(facts: AdmissionFacts) -> str:
    """ADMISSION LABS and DISCHARGE LABS lines, MIMIC style (`___ 07:10AM BLOOD WBC-15.2*`)."""
    if not facts.labs:
        return "___"
    first_time = min(v.charttime for v in facts.labs)
    last_time = max(v.charttime for v in facts.labs)
    first = {v.label: v for v in sorted(facts.labs, key=lambda v: v.charttime, reverse=True)}
    last = {v.label: v for v in sorted(facts.labs, key=lambda v: v.charttime)}

    def line(when: datetime, values) -> str:
        items = " ".join(f"{v.label}-{v.value}{'*' if v.abnormal else ''}" for v in values)
        return f"___ {when.strftime('%I:%M%p')} BLOOD {items}"

    text = "ADMISSION LABS:\n" + line(first_time, first.values())
    if last_time > first_time:
        text += "\n\nDISCHARGE LABS:\n" + line(last_time, last.values())
    return text


def radiology_text(
    exam_key: str, facts: AdmissionFacts | None, condition: Condition | None, age: int, gender: str, primary: bool
) -> str:
    """A radiology report with EXAMINATION, INDICATION, TECHNIQUE, COMPARISON, FINDINGS and IMPRESSION."""
    exam = exams()[exam_key]
    noun = "woman" if gender == "F" else "man"
    if condition and primary:
        findings, impression = condition.findings, condition.impression
        indication = f"{condition.chief_complaint.lower()}, evaluate for acute process"
    else:
        findings, impression = ROUTINE_FINDINGS.get(exam["region"], ROUTINE_FINDINGS["ABDOMEN"])
        if facts:
            indication = facts.diagnoses[0].lower() if primary and facts.diagnoses else "follow-up"
        else:
            indication = "routine outpatient evaluation"
    technique = {
        "CT": "Multidetector CT images were obtained with intravenous contrast. Coronal and sagittal reformats.",
        "US": "Grayscale and color Doppler ultrasound images were obtained.",
        "MRI": "Multiplanar T1 and T2 weighted images were obtained.",
    }.get(exam["modality"], "Frontal and lateral views were obtained.")
    return (
        f"EXAMINATION:  {exam['exam_name']}\n\n"
        f"INDICATION:  ___ year old {noun} with {indication}  // ___\n\n"
        f"TECHNIQUE:  {technique}\n\n"
        f"COMPARISON:  {'None.' if primary else '___'}\n\n"
        f"FINDINGS: \n\n{findings}\n\n"
        f"IMPRESSION: \n\n{impression}\n"
    )


class NoteWriter:
    """Writes one subject's notes; keeps its note_seq counters so note_ids stay unique."""

    def __init__(self, subject_id: int, rng: random.Random, gender: str):
        self.subject_id = subject_id
        self.rng = rng
        self.gender = gender
        self.ds_seq = 10 + int(rng.random() * 15)
        self.rr_seq = 1 + int(rng.random() * 10)
        self.rows: dict[str, list] = {"discharge": [], "discharge_detail": [], "radiology": [], "radiology_detail": []}

    def admission(self, facts: AdmissionFacts, condition: Condition | None) -> None:
        """The discharge note (if any) and the radiology reports of one admission."""
        if facts.has_discharge_note:
            self.discharge(facts, condition)
        for exam_key, when, hadm, primary in self.studies(facts, condition):
            self.radiology(exam_key, when, hadm, facts, condition, facts.age, primary)

    def discharge(self, facts: AdmissionFacts, condition: Condition | None) -> None:
        self.ds_seq += 1
        note_id = f"{self.subject_id}-DS-{self.ds_seq}"
        charttime = facts.dischtime.replace(hour=0, minute=0, second=0)
        storetime = (facts.dischtime + timedelta(hours=2 + self.rng.random() * 40)).replace(microsecond=0, second=0)
        text = discharge_text(facts, condition, self.rng)
        self.rows["discharge"].append(
            (note_id, self.subject_id, facts.hadm_id, "DS", self.ds_seq, charttime, storetime, text)
        )
        self.rows["discharge_detail"].append((note_id, self.subject_id, "author", "___", 1))

    def studies(self, facts: AdmissionFacts, condition: Condition | None):
        """(exam, time, hadm_id or None, is_primary) for each study: the principal problem's imaging first,
        often in the ED before admission and then often without hadm_id, then follow-up films."""
        rng = self.rng
        exam_keys = condition.exams if condition else ("chest_pa_lat",)
        first = (facts.edregtime or facts.admittime) + timedelta(minutes=45 + int(rng.random() * 90))
        ed = facts.edregtime is not None and first < facts.admittime
        planned = [(exam_keys[0], first, None if ed and rng.random() < 0.4 else facts.hadm_id, True)]
        if len(exam_keys) > 1 and rng.random() < 0.4:
            planned.append((exam_keys[1], first + timedelta(hours=3 + rng.random() * 20), facts.hadm_id, True))
        span = (facts.dischtime - facts.admittime).total_seconds()
        for _ in range(int(rng.random() * (3 + min(span / 86400, 12) * 0.6))):
            when = facts.admittime + timedelta(seconds=int(rng.random() * span))
            hadm = None if rng.random() < 0.05 else facts.hadm_id
            planned.append(("chest_portable" if rng.random() < 0.6 else "chest_pa_lat", when, hadm, False))
        return planned

    def radiology(
        self,
        exam_key: str,
        when: datetime,
        hadm: int | None,
        facts: AdmissionFacts | None,
        condition: Condition | None,
        age: int,
        primary: bool,
    ) -> None:
        """One RR report with its detail rows, sometimes followed by an AR addendum."""
        rng = self.rng
        self.rr_seq += 1
        note_id = f"{self.subject_id}-RR-{self.rr_seq}"
        when = when.replace(second=0, microsecond=0)
        storetime = when + timedelta(minutes=30 + int(rng.random() * 600))
        text = radiology_text(exam_key, facts, condition, age, self.gender, primary)
        self.rows["radiology"].append((note_id, self.subject_id, hadm, "RR", self.rr_seq, when, storetime, text))
        exam = exams()[exam_key]
        detail = self.rows["radiology_detail"]
        detail.append((note_id, self.subject_id, "exam_code", exam["exam_code"], 1))
        detail.append((note_id, self.subject_id, "exam_name", exam["exam_name"], 1))
        detail.append((note_id, self.subject_id, "cpt_code", exam["cpt_code"], 1))
        if rng.random() < 0.04:
            self.rr_seq += 1
            addendum_id = f"{self.subject_id}-AR-{self.rr_seq}"
            detail.append((note_id, self.subject_id, "addendum_note_id", addendum_id, 1))
            later = storetime + timedelta(hours=1 + int(rng.random() * 20))
            addendum = (
                f"ADDENDUM:\n\nFindings were discussed with Dr. ___ by Dr. ___ on ___ at {later:%H:%M}.\n\n{text}"
            )
            self.rows["radiology"].append(
                (addendum_id, self.subject_id, hadm, "AR", self.rr_seq, when, later, addendum)
            )
            detail.append((addendum_id, self.subject_id, "parent_note_id", note_id, 1))

    def outpatient(self, when: datetime, age: int) -> None:
        """A clinic study outside every admission window, without hadm_id."""
        exam_key = ("chest_pa_lat", "us_abd_complete", "renal_us")[int(self.rng.random() * 3)]
        self.radiology(exam_key, when, None, None, None, age, False)
