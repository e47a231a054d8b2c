"""Provider orders and medications of one admission: poe (+ detail), pharmacy, prescriptions, emar (+ detail),
including emar rows without hadm_id that link only through pharmacy_id, only through poe_id, or only by time."""

from datetime import datetime, timedelta

from generator.synth.dictionaries import medications
from generator.synth.patients import Admission, Patient, row_id

PHARMACY_ORDERS_PER_DAY = 7.1
OTHER_ORDERS_PER_DAY = 11.2
MAX_DOSES_PER_ORDER = 24
BASIC_MEDS = (
    "acetaminophen",
    "flush",
    "docusate",
    "senna",
    "ondansetron",
    "pantoprazole",
    "potassium",
    "magnesium",
    "heparin_sc",
    "enoxaparin",
    "oxycodone",
    "polyethylene_glycol",
    "insulin",
    "morphine",
    "hydromorphone",
    "lorazepam",
)
HOME_MEDS = ("lisinopril", "atorvastatin", "amlodipine", "metoprolol", "levothyroxine", "aspirin", "tamsulosin")
OTHER_ORDERS = (
    ("Lab", None, 34),
    ("General Care", "Vitals/Monitoring", 10),
    ("General Care", "Activity", 6),
    ("General Care", "Other", 8),
    ("IV therapy", "IV fluids", 9),
    ("Radiology", "General Xray", 5),
    ("Radiology", "CT Scan", 2),
    ("Nutrition", "Diet Order", 7),
    ("Blood Bank", None, 3),
    ("Respiratory", None, 3),
    ("Consults", None, 2),
    ("Cardiology", None, 2),
)
OTHER_WEIGHTS = tuple(w for *_, w in OTHER_ORDERS)
PCA_FIELDS = (("6", "0.2", "1.2"), ("10", "0.5", "2.4"), ("8", "0.75", "0.5"))
RATES = ("75", "100", "125", "62.5", "150", "0.5")
PRODUCT_AMOUNTS = {"TAB": ("1", "2", "0.5"), "CAP": ("1", "2"), "SYR": ("1", "0.5"), "VIAL": ("1", "0.25", "0.5")}


class Orders:
    """Writes the orders of one patient; id counters and poe/emar sequences are the patient's."""

    def __init__(self, patient: Patient):
        self.p = patient
        self.meds = medications()

    def poe(
        self,
        hadm: int | None,
        when: datetime,
        order_type: str,
        subtype: str | None,
        transaction: str = "New",
        discontinue_of: str | None = None,
        discontinued_by: str | None = None,
    ) -> tuple[str, int]:
        seq = self.p.next("poe")
        poe_id = f"{self.p.subject_id}-{seq}"
        row = (
            poe_id,
            seq,
            self.p.subject_id,
            hadm,
            when,
            order_type,
            subtype,
            transaction,
            discontinue_of,
            discontinued_by,
            self.p.provider(),
            "Inactive",
        )
        self.p.add("poe", row)
        return poe_id, seq

    def write_admission(self, adm: Admission) -> list[str]:
        """All orders of one admission; returns the discharge medication lines its note may list."""
        rng = self.p.rng
        days = max(adm.los_days, 0.4)
        wanted = max(6, round(PHARMACY_ORDERS_PER_DAY * days * rng.lognormvariate(0, 0.2)))
        home = [m for m in HOME_MEDS if rng.random() < 0.3]
        pool = list(adm.condition.meds) + home + [m for m in BASIC_MEDS if rng.random() < 0.6]
        keys = [pool[k % len(pool)] for k in range(wanted)]
        by_time = rng.random() < 0.12
        via_pharmacy = rng.random() < 0.25
        via_poe = rng.random() < 0.2
        lines: list[str] = []
        for n, key in enumerate(keys):
            mode = None
            if n == 1 and via_pharmacy:
                mode = "pharmacy_id"
            elif n == 2 and via_poe:
                mode = "poe_id"
            elif key == "flush" and by_time:
                mode = "time"
                by_time = False
            line = self.medication(adm, key, n, mode)
            if line and line not in lines:
                lines.append(line)
        self.other_orders(adm, days)
        return lines

    def medication(self, adm: Admission, key: str, n: int, unlinked: str | None) -> str | None:
        """One medication order with its pharmacy, prescriptions and administrations. `unlinked` says how its
        emar rows lose hadm_id: 'pharmacy_id', 'poe_id' or 'time' (poe without hadm_id, no pharmacy row)."""
        p, rng, med = self.p, self.p.rng, self.meds[key]
        hadm = adm.hadm_id
        span = (adm.dischtime - adm.admittime).total_seconds()
        offset = rng.random() * 7200 if n < 8 else rng.random() * span * 0.85
        ordertime = adm.admittime + timedelta(seconds=int(offset))
        start = ordertime.replace(minute=0, second=0) + timedelta(hours=1)
        once = med["frequency"] == "ONCE"
        stop = min(start + timedelta(hours=1 if once else 6 + rng.random() * 46), adm.dischtime)
        stop = max(stop, start + timedelta(hours=1)).replace(minute=0, second=0)
        discontinued = not once and rng.random() < 0.3
        dc_id = f"{p.subject_id}-{p.counters.get('poe', 0) + 2}" if discontinued else None
        poe_hadm = None if unlinked == "time" else hadm
        poe_id, poe_seq = self.poe(poe_hadm, ordertime, "Medications", None, discontinued_by=dc_id)
        if discontinued:
            self.poe(poe_hadm, stop, "Medications", None, "D/C", discontinue_of=poe_id)
        pharmacy_id = None
        if unlinked != "time":
            pharmacy_id = row_id(p, "pharmacy")
            self.pharmacy(adm, med, pharmacy_id, poe_id, start, stop, ordertime)
            provider = p.provider()
            route = med["route"]
            main = (
                p.subject_id,
                hadm,
                pharmacy_id,
                poe_id,
                poe_seq,
                provider,
                start,
                stop,
                "MAIN",
                med["drug"],
                med["formulary_drug_cd"],
                med["gsn"] or None,
                med["ndc"],
                med["prod_strength"],
                med["form_rx"] if rng.random() < 0.02 else None,
                med["dose_val_rx"],
                med["dose_unit_rx"],
                med["form_val_disp"],
                med["form_unit_disp"],
                med["doses_per_24_hrs"] or None,
                route,
            )
            p.add("prescriptions", main)
            if med["proc_type"] in ("IV Piggyback", "IV Large Volume") and rng.random() < 0.8:
                base = (
                    *main[:8],
                    "BASE",
                    "0.9% Sodium Chloride",
                    "NS50",
                    "001210",
                    "00338004904",
                    "50 mL Bag",
                    None,
                    "50",
                    "mL",
                    "50",
                    "mL",
                    None,
                    "IV",
                )
                p.add("prescriptions", base)
        emar_hadm = None if unlinked else hadm
        emar_pharmacy = pharmacy_id if unlinked in (None, "pharmacy_id") and rng.random() < 0.9 else None
        self.administrations(med, emar_hadm, poe_id, emar_pharmacy, start, stop)
        if med["route"].startswith(("PO", "SC", "IH")):
            return f"{med['drug']} {med['dose_val_rx']} {med['dose_unit_rx']} {med['route']} {med['frequency']}"
        return None

    def pharmacy(self, adm: Admission, med: dict, pharmacy_id: int, poe_id: str, start, stop, ordertime) -> None:
        rng = self.p.rng
        entertime = ordertime + timedelta(seconds=int(rng.random() * 900))
        status = "Discontinued via patient discharge" if stop >= adm.dischtime.replace(minute=0) else "Discontinued"
        lockout = basal = one_hr = None
        if med["drug"].startswith(("HYDROmorphone", "Morphine")) and rng.random() < 0.4:
            lockout, basal, one_hr = PCA_FIELDS[int(rng.random() * len(PCA_FIELDS))]
        once = med["frequency"] == "ONCE"
        duration = "1" if once else (str(1 + int(rng.random() * 10)) if rng.random() < 0.25 else None)
        self.p.add(
            "pharmacy",
            (
                self.p.subject_id,
                adm.hadm_id,
                pharmacy_id,
                poe_id if rng.random() < 0.99 else None,
                start,
                stop,
                med["drug"],
                med["proc_type"],
                status,
                entertime,
                entertime,
                med["route"],
                med["frequency"],
                med["disp_sched"] or None,
                med["infusion_type"] or None,
                "Y" if med["key"] == "insulin" else None,
                lockout,
                basal,
                one_hr,
                med["doses_per_24_hrs"] or None,
                duration,
                "Doses" if once else ("Days" if duration else "Ongoing"),
                "36" if rng.random() < 0.85 else None,
                "Hours",
                None,
                "Floor Stock Item" if med["key"] == "flush" else "Omnicell",
                None,
            ),
        )

    def administrations(self, med: dict, hadm, poe_id: str, pharmacy_id, start: datetime, stop: datetime) -> None:
        """emar rows for the doses of one order, each with a parent emar_detail row and one or two children."""
        rng = self.p.rng
        frequency = med["frequency"]
        if frequency == "ONCE":
            times = [start]
        elif frequency == "CONTINUOUS":
            times = [start + (stop - start) * k / 3 for k in range(3)]
        elif frequency.endswith("PRN"):
            hours = (stop - start).total_seconds() / 3600
            times = sorted(
                start + timedelta(minutes=int(rng.random() * hours * 60)) for _ in range(int(rng.random() * 5))
            )
        else:
            step = timedelta(hours=24 / int(med["doses_per_24_hrs"]))
            times, when = [], start
            while when < stop and len(times) < MAX_DOSES_PER_ORDER:
                times.append(when)
                when += step
        for scheduled in times:
            self.administration(med, hadm, poe_id, pharmacy_id, scheduled.replace(second=0, microsecond=0))

    def administration(self, med: dict, hadm, poe_id: str, pharmacy_id, scheduled: datetime) -> None:
        p, rng = self.p, self.p.rng
        seq = p.next("emar")
        emar_id = f"{p.subject_id}-{seq}"
        charttime = scheduled if rng.random() < 0.4 else scheduled + timedelta(minutes=int(rng.random() * 50) - 10)
        key = med["key"]
        if key == "flush":
            event = "Flushed" if rng.random() < 0.7 else "Not Flushed"
        elif med["frequency"] == "CONTINUOUS":
            event = "Started" if rng.random() < 0.6 else "Stopped"
        elif key == "insulin" and rng.random() < 0.3:
            event = "Not Given per Sliding Scale"
        else:
            event = "Administered" if rng.random() < 0.9 else "Not Given"
        storetime = charttime + timedelta(minutes=int(rng.random() * 30))
        p.add(
            "emar",
            (
                p.subject_id,
                hadm,
                emar_id,
                seq,
                poe_id,
                pharmacy_id,
                p.provider() if rng.random() < 0.08 else None,
                charttime,
                med["drug"],
                event,
                scheduled,
                storetime,
            ),
        )
        given = event in ("Administered", "Flushed", "Started")
        dose = med["dose_val_rx"]
        complete = ("No" if given else "Yes") if rng.random() < 0.4 else None
        p.add(
            "emar_detail",
            (
                p.subject_id,
                emar_id,
                seq,
                None,
                med["administration_type"],
                None,
                None,
                "Barcode Damaged" if rng.random() < 0.02 else None,
                complete,
                dose,
                med["dose_unit_rx"],
                None,
                None,
                "No" if complete == "Yes" else None,
                *([None] * 19),
            ),
        )
        if not given:
            return
        infusion = med["frequency"] == "CONTINUOUS"
        rate = RATES[int(rng.random() * len(RATES))] if infusion else None
        amounts = PRODUCT_AMOUNTS.get(med["product_unit"], ("1",))
        dose_given = "___" if rng.random() < 0.01 else dose.split("-")[0]
        site = (
            ("abdomen", "arm", "thigh")[int(rng.random() * 3)] if med["route"] == "SC" and rng.random() < 0.3 else None
        )
        for ordinal in ("1.1", "1.2") if rng.random() < 0.2 else ("1.1",):
            p.add(
                "emar_detail",
                (
                    p.subject_id,
                    emar_id,
                    seq,
                    ordinal,
                    None,
                    pharmacy_id,
                    "if" if pharmacy_id else None,
                    None,
                    None,
                    None,
                    None,
                    dose_given,
                    med["dose_unit_rx"],
                    None,
                    amounts[int(rng.random() * len(amounts))],
                    med["product_unit"],
                    med["formulary_drug_cd"],
                    f"{med['drug']} {med['prod_strength']}",
                    None,
                    rate if rate and rng.random() < 0.5 else None,
                    rate,
                    "Initial Rate" if rate else None,
                    None,
                    "mL/hr" if rate else None,
                    med["route"] if med["route"] in ("PO", "SC", "IM", "PR") else None,
                    None,
                    None,
                    "Y" if rate and rng.random() < 0.3 else None,
                    None,
                    None,
                    None,
                    site,
                    None,
                ),
            )

    def other_orders(self, adm: Admission, days: float) -> None:
        """Non-medication orders (labs, nursing, imaging, diet, ADT) with the ADT details in poe_detail."""
        p, rng = self.p, self.p.rng
        sid, hadm = p.subject_id, adm.hadm_id
        admit_id, admit_seq = self.poe(hadm, adm.admittime, "ADT orders", None)
        p.add("poe_detail", (admit_id, admit_seq, sid, "Admit category", "Admit to inpatient"))
        p.add("poe_detail", (admit_id, admit_seq, sid, "Admit to", "Surgery" if adm.service == "SURG" else "Medicine"))
        code_id, code_seq = self.poe(hadm, adm.admittime + timedelta(minutes=20), "General Care", "Other")
        p.add("poe_detail", (code_id, code_seq, sid, "Code status", "Full code" if rng.random() < 0.8 else "DNR/DNI"))
        span = (adm.dischtime - adm.admittime).total_seconds()
        count = max(4, round(OTHER_ORDERS_PER_DAY * days * rng.lognormvariate(0, 0.2)))
        for _ in range(count):
            order_type, subtype, _ = rng.choices(OTHER_ORDERS, OTHER_WEIGHTS)[0]
            when = adm.admittime + timedelta(seconds=int(rng.random() * span))
            poe_id, seq = self.poe(hadm, when, order_type, subtype)
            if order_type == "General Care" and rng.random() < 0.15:
                p.add(
                    "poe_detail", (poe_id, seq, sid, "Tubes & Drains type", "Indwelling urinary catheter (IUC) - Foley")
                )
        if not adm.died:
            dc_id, dc_seq = self.poe(hadm, adm.dischtime - timedelta(hours=3), "ADT orders", None)
            p.add("poe_detail", (dc_id, dc_seq, sid, "Discharge Planning", "Finalized"))
            p.add("poe_detail", (dc_id, dc_seq, sid, "Discharge When", "Discharge Now"))
