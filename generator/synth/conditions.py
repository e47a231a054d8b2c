"""Clinical profiles: what makes an admission for one principal problem look coherent across tables and notes."""

from dataclasses import dataclass, field

WBC, LIPASE, ALT, AST, ALP, TBILI, LACTATE, CREAT, BUN, HGB, TROP, NEUT = (
    51301,
    50956,
    50861,
    50878,
    50863,
    50885,
    50813,
    50912,
    51006,
    51222,
    51003,
    51256,
)


@dataclass(frozen=True)
class Condition:
    """One principal problem: codes, labs, imaging, procedures, medications and the words that go with them."""

    key: str
    name: str
    weight: float
    icd10: tuple[str, ...]
    icd9: tuple[str, ...]
    service: str
    drg: tuple[str, str]
    chief_complaint: str
    hpi: str
    admission_exam: str
    discharge_exam: str
    course: str
    exams: tuple[str, ...]
    findings: str
    impression: str
    abdominal: bool = False
    lab_targets: dict[int, tuple[float, float]] = field(default_factory=dict)
    procedures10: tuple[str, ...] = ()
    procedures9: tuple[str, ...] = ()
    procedure_name: str = "None"
    meds: tuple[str, ...] = ()
    micro_positive: float = 0.15


GENERAL_EXAM = (
    "VS: T 98.4 HR 84 BP 128/76 RR 16 O2 97% RA\n"
    "GEN: Alert, oriented, no acute distress\n"
    "HEENT: NCAT, MMM, EOMI, sclera anicteric\n"
    "CV: RRR, normal S1/S2, no murmurs\n"
    "LUNGS: {lungs}\n"
    "ABD: {abdomen}\n"
    "EXT: {extremities}\n"
    "NEURO: A&Ox3, moves all extremities"
)

CONDITIONS: tuple[Condition, ...] = (
    Condition(
        key="appendicitis",
        name="Acute appendicitis",
        weight=1,
        icd10=("K3580", "K3589", "K3530", "K3532"),
        icd9=("5409", "5400"),
        service="SURG",
        drg=("343", "APPENDECTOMY W/O COMPLICATED PRINCIPAL DIAG W/O CC/MCC"),
        chief_complaint="Right lower quadrant abdominal pain",
        hpi=(
            "{age} year old {sex} who presents with {days} days of abdominal pain that began around the "
            "umbilicus and migrated to the right lower quadrant. Pain is constant, worse with movement, and "
            "associated with nausea, anorexia and one episode of non-bloody emesis. Reports subjective fevers. "
            "Denies diarrhea, dysuria or hematuria. In the ED ___ was tender in the RLQ and labs were notable "
            "for a leukocytosis. CT in the ED was concerning for acute appendicitis and surgery was consulted."
        ),
        admission_exam=GENERAL_EXAM.format(
            lungs="CTAB, no wheezes or crackles",
            abdomen="soft, non-distended, tender to palpation in the right lower quadrant with voluntary "
            "guarding, positive Rovsing sign, no rebound",
            extremities="warm and well perfused, no edema",
        ),
        discharge_exam=GENERAL_EXAM.format(
            lungs="CTAB",
            abdomen="soft, appropriately tender near laparoscopic incisions, incisions clean, dry and intact",
            extremities="no edema",
        ),
        course=(
            "The patient was admitted to the Acute Care Surgery service and made NPO with IV fluids and IV "
            "antibiotics. ___ was taken to the operating room for {procedure}, which ___ tolerated well. "
            "Post-operatively the diet was advanced, pain was controlled with oral medications and ___ was "
            "ambulating and voiding without difficulty."
        ),
        exams=("ct_abd_pelvis_contrast", "us_abd_limited"),
        findings=(
            "The appendix is dilated to 12 mm with wall thickening, mucosal hyperenhancement and surrounding "
            "fat stranding. No extraluminal air or drainable fluid collection. The liver, gallbladder, "
            "pancreas and kidneys are unremarkable."
        ),
        impression="Findings consistent with acute appendicitis without evidence of perforation or abscess.",
        abdominal=True,
        lab_targets={WBC: (15.5, 3.0), NEUT: (84.0, 5.0)},
        procedures10=("0DTJ4ZZ",),
        procedures9=("4701",),
        procedure_name="Laparoscopic appendectomy",
        meds=("piptazo", "metronidazole", "ceftriaxone", "hydromorphone", "oxycodone", "lr"),
    ),
    Condition(
        key="cholecystitis",
        name="Acute cholecystitis",
        weight=1,
        icd10=("K8000", "K810"),
        icd9=("57400", "5750"),
        service="SURG",
        drg=("418", "LAPAROSCOPIC CHOLECYSTECTOMY W/O C.D.E. W CC"),
        chief_complaint="Right upper quadrant pain",
        hpi=(
            "{age} year old {sex} with a history of intermittent postprandial epigastric discomfort who "
            "presents with {days} days of constant right upper quadrant pain radiating to the right shoulder, "
            "with nausea, emesis and fevers. Pain began after a fatty meal and has not remitted. Denies "
            "jaundice, acholic stools or dark urine. RUQ ultrasound in the ED was concerning for cholecystitis."
        ),
        admission_exam=GENERAL_EXAM.format(
            lungs="CTAB",
            abdomen="soft, non-distended, tender in the right upper quadrant with positive Murphy's sign, "
            "no rebound, no palpable masses",
            extremities="no edema",
        ),
        discharge_exam=GENERAL_EXAM.format(
            lungs="CTAB",
            abdomen="soft, mildly tender at port sites, incisions clean, dry and intact",
            extremities="no edema",
        ),
        course=(
            "The patient was admitted to surgery, made NPO and started on IV antibiotics and IV fluids. "
            "Liver function tests were trended. ___ underwent {procedure} on hospital day 2 without "
            "complication. The diet was advanced and ___ was discharged home in good condition."
        ),
        exams=("us_abd_limited", "ct_abd_pelvis_contrast"),
        findings=(
            "The gallbladder is distended with multiple shadowing stones, including one impacted in the "
            "neck. The wall is thickened to 6 mm with pericholecystic fluid. Sonographic Murphy sign is "
            "positive. The common bile duct measures 4 mm."
        ),
        impression="Cholelithiasis with findings of acute cholecystitis.",
        abdominal=True,
        lab_targets={WBC: (14.0, 3.0), ALT: (95.0, 40.0), AST: (80.0, 35.0), ALP: (160.0, 40.0), TBILI: (1.9, 0.6)},
        procedures10=("0FT44ZZ",),
        procedures9=("5123",),
        procedure_name="Laparoscopic cholecystectomy",
        meds=("piptazo", "ceftriaxone", "metronidazole", "hydromorphone", "ondansetron", "lr"),
    ),
    Condition(
        key="diverticulitis",
        name="Acute diverticulitis",
        weight=1,
        icd10=("K5732", "K5720"),
        icd9=("56211",),
        service="MED",
        drg=("392", "ESOPHAGITIS, GASTROENT & MISC DIGEST DISORDERS W/O MCC"),
        chief_complaint="Left lower quadrant abdominal pain",
        hpi=(
            "{age} year old {sex} who presents with {days} days of left lower quadrant abdominal pain, "
            "fevers and chills, with loose stools. Prior colonoscopy showed diverticulosis. Denies "
            "hematochezia, melena or urinary symptoms. CT in the ED showed sigmoid diverticulitis."
        ),
        admission_exam=GENERAL_EXAM.format(
            lungs="CTAB",
            abdomen="soft, mildly distended, tender to palpation in the left lower quadrant with localized "
            "guarding, no rebound",
            extremities="no edema",
        ),
        discharge_exam=GENERAL_EXAM.format(
            lungs="CTAB", abdomen="soft, non-distended, minimal LLQ tenderness", extremities="no edema"
        ),
        course=(
            "The patient was admitted with bowel rest, IV fluids and IV antibiotics. Pain and leukocytosis "
            "improved. {procedure_sentence}The diet was advanced and ___ was transitioned to oral "
            "antibiotics to complete a 10 day course, with outpatient colonoscopy in 6 weeks."
        ),
        exams=("ct_abd_pelvis_contrast", "ct_abd_pelvis_plain"),
        findings=(
            "There is segmental wall thickening of the sigmoid colon with numerous diverticula and adjacent "
            "pericolonic fat stranding. No free intraperitoneal air. The appendix is normal."
        ),
        impression="Acute sigmoid diverticulitis without perforation.",
        abdominal=True,
        lab_targets={WBC: (14.5, 2.5), NEUT: (80.0, 6.0)},
        procedures10=("0W9G30Z", "0DTN0ZZ"),
        procedures9=("5491", "4576"),
        procedure_name="Percutaneous drainage of pelvic abscess",
        meds=("ciprofloxacin", "metronidazole", "piptazo", "morphine", "lr"),
    ),
    Condition(
        key="pancreatitis",
        name="Acute pancreatitis",
        weight=1,
        icd10=("K8590", "K8510", "K8520"),
        icd9=("5770",),
        service="MED",
        drg=("440", "DISORDERS OF PANCREAS EXCEPT MALIGNANCY W/O CC/MCC"),
        chief_complaint="Epigastric pain",
        hpi=(
            "{age} year old {sex} who presents with {days} days of severe epigastric pain radiating to the "
            "back, associated with nausea and repeated vomiting. Pain is worse after eating. Reports "
            "drinking ___ drinks per day. No prior episodes. Lipase in the ED was markedly elevated, concerning for "
            "pancreatitis."
        ),
        admission_exam=GENERAL_EXAM.format(
            lungs="CTAB",
            abdomen="soft, mildly distended, tender in the epigastrium with voluntary guarding, hypoactive "
            "bowel sounds",
            extremities="no edema",
        ),
        discharge_exam=GENERAL_EXAM.format(
            lungs="CTAB", abdomen="soft, non-tender, non-distended, normoactive bowel sounds", extremities="no edema"
        ),
        course=(
            "The patient was treated with aggressive IV fluid resuscitation, bowel rest and IV analgesia. "
            "Lipase downtrended. {procedure_sentence}The diet was advanced to a low fat diet, which was "
            "tolerated, and pain resolved."
        ),
        exams=("us_abd_limited", "ct_abd_pelvis_contrast", "mrcp"),
        findings=(
            "The pancreas is edematous with peripancreatic fat stranding and a small amount of free fluid. "
            "No pancreatic necrosis or pseudocyst. Cholelithiasis without gallbladder wall thickening. The "
            "common bile duct measures 5 mm."
        ),
        impression="Acute interstitial edematous pancreatitis. Cholelithiasis.",
        abdominal=True,
        lab_targets={LIPASE: (1450.0, 600.0), WBC: (13.0, 3.0), ALT: (70.0, 40.0), AST: (75.0, 40.0)},
        procedures10=("0FC98ZZ",),
        procedures9=("5188",),
        procedure_name="ERCP with sphincterotomy and stone extraction",
        meds=("lr", "hydromorphone", "ondansetron", "pantoprazole", "thiamine"),
    ),
    Condition(
        key="pneumonia",
        name="Community acquired pneumonia",
        weight=13,
        icd10=("J189",),
        icd9=("486",),
        service="MED",
        drg=("195", "SIMPLE PNEUMONIA & PLEURISY W/O CC/MCC"),
        chief_complaint="Cough, fever",
        hpi=(
            "{age} year old {sex} who presents with {days} days of productive cough, fevers to 101, chills and "
            "worsening shortness of breath on exertion. Denies chest pain, hemoptysis or sick contacts."
        ),
        admission_exam=GENERAL_EXAM.format(
            lungs="crackles at the right base with egophony, no wheezes",
            abdomen="soft, non-tender, non-distended",
            extremities="no edema",
        ),
        discharge_exam=GENERAL_EXAM.format(
            lungs="faint crackles at the right base", abdomen="soft, non-tender", extremities="no edema"
        ),
        course=(
            "The patient was treated with ceftriaxone and azithromycin for community acquired pneumonia with "
            "improvement in fever curve and oxygen requirement, and was transitioned to oral antibiotics."
        ),
        exams=("chest_pa_lat", "chest_portable"),
        findings=(
            "There is a new right lower lobe consolidation. No pleural effusion or pneumothorax. The cardiac "
            "silhouette is normal in size."
        ),
        impression="Right lower lobe pneumonia.",
        lab_targets={WBC: (13.5, 3.0)},
        meds=("ceftriaxone", "azithromycin", "albuterol", "acetaminophen"),
        micro_positive=0.3,
    ),
    Condition(
        key="sepsis",
        name="Sepsis due to urinary tract infection",
        weight=8,
        icd10=("A419",),
        icd9=("0389",),
        service="MED",
        drg=("872", "SEPTICEMIA OR SEVERE SEPSIS W/O MV >96 HOURS W/O MCC"),
        chief_complaint="Fever, confusion",
        hpi=(
            "{age} year old {sex} brought in by family for {days} days of fevers, dysuria and new confusion. "
            "In the ED ___ was hypotensive to the ___ and received 2L of fluid with improvement."
        ),
        admission_exam=GENERAL_EXAM.format(
            lungs="CTAB", abdomen="soft, suprapubic tenderness, no CVA tenderness", extremities="warm, no edema"
        ),
        discharge_exam=GENERAL_EXAM.format(lungs="CTAB", abdomen="soft, non-tender", extremities="no edema"),
        course=(
            "The patient met sepsis criteria with a urinary source. Blood and urine cultures were sent and "
            "___ was treated with IV fluids and broad spectrum antibiotics, narrowed according to "
            "sensitivities. Mental status returned to baseline."
        ),
        exams=("chest_portable", "renal_us"),
        findings="No hydronephrosis. No renal calculi. The bladder is decompressed around a Foley catheter.",
        impression="No hydronephrosis.",
        lab_targets={WBC: (17.0, 4.0), LACTATE: (3.4, 1.0), CREAT: (1.7, 0.5)},
        procedures10=("0T9B70Z",),
        procedures9=("5794",),
        procedure_name="Foley catheter placement",
        meds=("vancomycin", "piptazo", "ns", "acetaminophen"),
        micro_positive=0.6,
    ),
    Condition(
        key="heart_failure",
        name="Acute on chronic systolic heart failure",
        weight=11,
        icd10=("I5023",),
        icd9=("42823",),
        service="CMED",
        drg=("292", "HEART FAILURE & SHOCK W CC"),
        chief_complaint="Shortness of breath, leg swelling",
        hpi=(
            "{age} year old {sex} with systolic heart failure who presents with {days} days of worsening "
            "dyspnea on exertion, orthopnea and bilateral leg swelling after dietary indiscretion. Weight is "
            "up 8 lbs from dry weight."
        ),
        admission_exam=GENERAL_EXAM.format(
            lungs="bibasilar crackles to mid lung fields", abdomen="soft, non-tender", extremities="2+ pitting edema"
        ),
        discharge_exam=GENERAL_EXAM.format(lungs="clear", abdomen="soft, non-tender", extremities="trace edema"),
        course=(
            "The patient was diuresed with IV furosemide with net negative fluid balance and improvement in "
            "symptoms, then transitioned to an oral regimen."
        ),
        exams=("chest_pa_lat", "chest_portable"),
        findings="Cardiomegaly with vascular congestion and small bilateral pleural effusions.",
        impression="Pulmonary edema with small bilateral effusions.",
        lab_targets={CREAT: (1.5, 0.4), BUN: (34.0, 10.0), TROP: (0.04, 0.02)},
        meds=("furosemide", "metoprolol", "lisinopril", "potassium", "aspirin"),
    ),
    Condition(
        key="copd",
        name="COPD exacerbation",
        weight=8,
        icd10=("J441",),
        icd9=("49121",),
        service="MED",
        drg=("191", "CHRONIC OBSTRUCTIVE PULMONARY DISEASE W CC"),
        chief_complaint="Shortness of breath",
        hpi=(
            "{age} year old {sex} with COPD on home oxygen who presents with {days} days of increased "
            "dyspnea, wheezing and sputum production."
        ),
        admission_exam=GENERAL_EXAM.format(
            lungs="diffuse expiratory wheezes, prolonged expiratory phase",
            abdomen="soft, non-tender",
            extremities="no edema",
        ),
        discharge_exam=GENERAL_EXAM.format(lungs="scattered wheezes", abdomen="soft", extremities="no edema"),
        course="Treated with nebulizers, prednisone and azithromycin with gradual improvement.",
        exams=("chest_pa_lat",),
        findings="Hyperinflated lungs with flattened diaphragms. No focal consolidation.",
        impression="Emphysema without acute process.",
        meds=("albuterol", "ipratropium", "prednisone", "azithromycin"),
    ),
    Condition(
        key="aki",
        name="Acute kidney injury",
        weight=7,
        icd10=("N179",),
        icd9=("5849",),
        service="MED",
        drg=("683", "RENAL FAILURE W CC"),
        chief_complaint="Abnormal labs",
        hpi=(
            "{age} year old {sex} sent in from clinic for a creatinine elevated from baseline, with {days} "
            "days of poor oral intake and lightheadedness."
        ),
        admission_exam=GENERAL_EXAM.format(lungs="CTAB", abdomen="soft, non-tender", extremities="no edema"),
        discharge_exam=GENERAL_EXAM.format(lungs="CTAB", abdomen="soft, non-tender", extremities="no edema"),
        course="Prerenal injury treated with IV fluids; creatinine returned toward baseline.",
        exams=("renal_us",),
        findings="Normal sized kidneys without hydronephrosis.",
        impression="No hydronephrosis.",
        lab_targets={CREAT: (2.8, 0.8), BUN: (48.0, 14.0)},
        meds=("ns", "acetaminophen"),
    ),
    Condition(
        key="gi_bleed",
        name="Upper gastrointestinal bleed",
        weight=6,
        icd10=("K922",),
        icd9=("5789",),
        service="MED",
        drg=("378", "G.I. HEMORRHAGE W CC"),
        chief_complaint="Melena",
        hpi="{age} year old {sex} who presents with {days} days of black tarry stools and lightheadedness.",
        admission_exam=GENERAL_EXAM.format(
            lungs="CTAB", abdomen="soft, non-tender, guaiac positive dark stool", extremities="no edema"
        ),
        discharge_exam=GENERAL_EXAM.format(lungs="CTAB", abdomen="soft, non-tender", extremities="no edema"),
        course=(
            "Transfused packed red cells and started on an IV proton pump inhibitor. EGD showed a clean based "
            "ulcer. Hemoglobin remained stable."
        ),
        exams=("chest_portable",),
        findings="No acute cardiopulmonary process.",
        impression="No acute cardiopulmonary process.",
        lab_targets={HGB: (7.4, 1.0), BUN: (40.0, 10.0)},
        procedures10=("0DJ08ZZ", "30233N1"),
        procedures9=("4513", "9904"),
        procedure_name="EGD",
        meds=("pantoprazole", "ns"),
    ),
    Condition(
        key="cellulitis",
        name="Cellulitis of right lower extremity",
        weight=6,
        icd10=("L03115",),
        icd9=("6826",),
        service="MED",
        drg=("603", "CELLULITIS W/O MCC"),
        chief_complaint="Right leg redness",
        hpi="{age} year old {sex} who presents with {days} days of right leg redness, warmth and swelling.",
        admission_exam=GENERAL_EXAM.format(
            lungs="CTAB", abdomen="soft, non-tender", extremities="erythema and warmth of the right shin"
        ),
        discharge_exam=GENERAL_EXAM.format(
            lungs="CTAB", abdomen="soft", extremities="receding erythema of the right shin"
        ),
        course="Treated with IV vancomycin then oral antibiotics with receding erythema.",
        exams=("le_veins",),
        findings="No evidence of deep venous thrombosis in the right lower extremity veins.",
        impression="No DVT.",
        lab_targets={WBC: (12.0, 2.5)},
        meds=("vancomycin", "acetaminophen"),
    ),
    Condition(
        key="syncope",
        name="Syncope",
        weight=7,
        icd10=("R55",),
        icd9=("7802",),
        service="MED",
        drg=("312", "SYNCOPE & COLLAPSE"),
        chief_complaint="Syncope",
        hpi="{age} year old {sex} who had a witnessed loss of consciousness while standing {days} days ago.",
        admission_exam=GENERAL_EXAM.format(lungs="CTAB", abdomen="soft, non-tender", extremities="no edema"),
        discharge_exam=GENERAL_EXAM.format(lungs="CTAB", abdomen="soft, non-tender", extremities="no edema"),
        course="Monitored on telemetry without arrhythmia; orthostatic hypotension treated with fluids.",
        exams=("ct_head", "chest_pa_lat"),
        findings="No acute intracranial hemorrhage or mass effect.",
        impression="No acute intracranial process.",
        meds=("ns",),
    ),
    Condition(
        key="chest_pain",
        name="Chest pain",
        weight=9,
        icd10=("R079",),
        icd9=("78650",),
        service="CMED",
        drg=("313", "CHEST PAIN"),
        chief_complaint="Chest pain",
        hpi="{age} year old {sex} who presents with {days} days of intermittent substernal chest pressure.",
        admission_exam=GENERAL_EXAM.format(lungs="CTAB", abdomen="soft, non-tender", extremities="no edema"),
        discharge_exam=GENERAL_EXAM.format(lungs="CTAB", abdomen="soft, non-tender", extremities="no edema"),
        course="Troponins were negative times two and a stress test showed no inducible ischemia.",
        exams=("chest_pa_lat", "cta_chest"),
        findings="No pulmonary embolism. No aortic dissection. Lungs are clear.",
        impression="No acute cardiopulmonary process.",
        lab_targets={TROP: (0.01, 0.005)},
        meds=("aspirin", "atorvastatin", "metoprolol"),
    ),
    Condition(
        key="tia",
        name="Transient ischemic attack",
        weight=6,
        icd10=("G459",),
        icd9=("4359",),
        service="NMED",
        drg=("069", "TRANSIENT ISCHEMIA W/O THROMBOLYTIC"),
        chief_complaint="Transient right arm weakness",
        hpi="{age} year old {sex} with {days} days of episodes of right arm weakness and word finding difficulty, "
        "each resolving within 20 minutes.",
        admission_exam=GENERAL_EXAM.format(lungs="CTAB", abdomen="soft, non-tender", extremities="no edema"),
        discharge_exam=GENERAL_EXAM.format(lungs="CTAB", abdomen="soft, non-tender", extremities="no edema"),
        course="MRI showed no infarct; started on aspirin and a statin with neurology follow-up.",
        exams=("ct_head", "chest_pa_lat"),
        findings="No acute intracranial hemorrhage or territorial infarct.",
        impression="No acute intracranial process.",
        meds=("aspirin", "atorvastatin"),
    ),
    Condition(
        key="abdominal_pain",
        name="Abdominal pain",
        weight=7,
        icd10=("R109", "R1011"),
        icd9=("78900",),
        service="MED",
        drg=("392", "ESOPHAGITIS, GASTROENT & MISC DIGEST DISORDERS W/O MCC"),
        chief_complaint="Abdominal pain",
        hpi="{age} year old {sex} who presents with {days} days of diffuse crampy abdominal pain and nausea.",
        admission_exam=GENERAL_EXAM.format(
            lungs="CTAB", abdomen="soft, mildly diffusely tender, no guarding or rebound", extremities="no edema"
        ),
        discharge_exam=GENERAL_EXAM.format(lungs="CTAB", abdomen="soft, non-tender", extremities="no edema"),
        course="Imaging was unrevealing; pain resolved with supportive care and bowel regimen.",
        exams=("ct_abd_pelvis_contrast", "kub"),
        findings="Moderate stool burden. No bowel obstruction. The appendix is normal. No free fluid.",
        impression="No acute intra-abdominal process.",
        meds=("ondansetron", "polyethylene_glycol", "ns"),
    ),
)

COMORBIDITIES: tuple[tuple[str, str, float], ...] = (
    ("I10", "4019", 0.45),
    ("E785", "2724", 0.35),
    ("E119", "25000", 0.22),
    ("Z87891", "V1582", 0.2),
    ("K219", "53081", 0.2),
    ("F329", "311", 0.15),
    ("I2510", "41401", 0.15),
    ("E039", "2449", 0.12),
    ("I4891", "42731", 0.12),
    ("D649", "2859", 0.18),
    ("N183", "5853", 0.1),
    ("Z7901", "V5861", 0.08),
    ("E871", "2761", 0.1),
    ("E876", "2768", 0.12),
    ("G4733", "32723", 0.08),
    ("J45909", "49390", 0.07),
    ("F419", "30000", 0.12),
    ("Z794", "V5867", 0.06),
    ("E6601", "27801", 0.06),
    ("E860", "27651", 0.1),
    ("K5900", "56400", 0.08),
)

BY_KEY = {c.key: c for c in CONDITIONS}


def matching(title: str) -> Condition | None:
    """The profile whose principal diagnosis titles match a diagnosis title (for notes over real data)."""
    lowered = title.lower()
    for condition in CONDITIONS:
        if condition.abdominal and condition.key in lowered:
            return condition
    return None
