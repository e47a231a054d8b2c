"""What the default `mimicbench` rubric accepts, per pathology: CDMv1's clinical rubric (Hager et al. 2024)
with its looser matching tightened and its coding slips corrected (docs/cdm.md tables every difference).

Keyword patterns are lower-case regexes; lab categories are the `category` column of the lab mapping
(seeded in `cdm_lab_tests`); treatments done are the `category` of the admission's ground-truth procedures
(seeded in `cdm_procedure_categories`).
"""

from generator.cdm.case import Pathology

# A negation cue within the last few words before a term (same comma-delimited fragment) negates it:
# "no evidence of appendicitis", "ruled out cholecystitis". Prefixes such as "non-perforated" do not.
NEGATION_BEFORE = (
    r"\b(no|not|without|negative for|rule out|ruled out|r/o|excluded?|absence of|free of|denies|"
    r"avoid|hold|withhold|defer|no need for|unnecessary)\b"
)
NEGATION_WINDOW_WORDS = 5
# A negation right after a term: "cholecystitis (was) ruled out", "appendicitis unlikely", "antibiotics
# not indicated", "antibiotics are not needed" (an auxiliary before a bare "not" is enough).
NEGATION_AFTER = (
    r"^\W*(((is|are|was|were|be|been|has been|have been)\s+not\b)|"
    r"((was|is|are|were|has been|have been|been|felt|thought|considered|deemed|to be)\s+)*"
    r"(ruled out|unlikely|less likely|excluded|unnecessary|not (likely|present|seen|confirmed|supported|"
    r"indicated|needed|required|necessary|recommended|warranted))\b)"
)

# The first-listed diagnosis: the answer is cut at these always, ...
DIAGNOSIS_LIST_BREAK = r"\n|;|\.\s|\bvs\.?(?=\s)|\bversus\b|\bor\b|\band/or\b|\bdifferential\b|\bddx\b"
# ... and at a comma or "and" once the text before it names a diagnosis (so "perforated, gangrenous
# appendicitis" stays whole while "acute cholecystitis, acute pancreatitis" is cut after the first).
DIAGNOSIS_ITEM_BREAK = r",|\band\b"
DIAGNOSIS_WORD = (
    r"\w+(itis|iasis|osis|oma)\b|abscess|perforation|obstruction|colic|ileus|hernia|cancer|infection|injury|"
    r"disease|syndrome|isch[a]?emia|volvulus|torsion|stones?\b|cyst|mass\b|bleed|h[a]?emorrhage|pregnan|sepsis|"
    r"pain\b"
)
NAME_RATIO_ABOVE = 90  # rapidfuzz ratio of a word to the pathology's name, for misspellings (as CDMv1)

# Besides the name, a location and a modifier (regexes) in the first-listed diagnosis, neither negated:
# strict, a synonym ("perforated appendix", "inflamed gallbladder"); lenient only, a near miss that starts
# the right work-up ("acute cholangitis" for cholecystitis, "sigmoid perforation" for diverticulitis).
STRICT_ALTERNATIVES: dict[Pathology, tuple[tuple[str, str], ...]] = {
    "appendicitis": ((r"appendi", r"gangren|infect|inflam|abscess|ruptur|necros|perf"),),
    "cholecystitis": ((r"gall ?bladder", r"gangren|infect|inflam|abscess|necros|perf"),),
    "diverticulitis": ((r"diverticul", r"inflam|infect|abscess|perf|ruptur"),),
    "pancreatitis": ((r"pancrea", r"gangren|infect|inflam|abscess|necros"),),
}
LENIENT_ALTERNATIVES: dict[Pathology, tuple[tuple[str, str], ...]] = {
    "appendicitis": (),
    "cholecystitis": (
        (r"cholangitis", r"cholangitis"),
        (r"acute gall ?bladder", r"disease|attack"),
        (r"acute biliary", r"colic"),
    ),
    "diverticulitis": ((r"acute colonic", r"perfor"), (r"sigmoid", r"perfor|colitis")),
    "pancreatitis": (),
}

REQUIRED_LAB_CATEGORIES: dict[Pathology, tuple[str, ...]] = {
    "appendicitis": ("inflammation",),
    "cholecystitis": ("inflammation", "liver", "gallbladder"),
    "diverticulitis": ("inflammation",),
    "pancreatitis": ("inflammation", "pancreas", "seriousness"),
}

# Modality of the abdomen (or pelvis) -> points when it is the first accepted request scoring any.
IMAGING_POINTS: dict[Pathology, dict[str, int]] = {
    "appendicitis": {"Ultrasound": 2, "CT": 1, "MRI": 1},
    "cholecystitis": {"Ultrasound": 2, "NM": 2, "MRI": 1, "EUS": 1},
    "diverticulitis": {"CT": 2, "Ultrasound": 1, "MRI": 1},
    "pancreatitis": {"Ultrasound": 2, "CT": 1, "EUS": 0},
}
ABDOMINAL_REGIONS = ("Abdomen", "Pelvis")
BILIARY_EUS_POINTS = 1  # endoscopic ultrasound in pancreatitis of biliary origin
BILIARY_ORIGIN = r"biliary|gall ?stone"

ALWAYS_REQUIRED_TREATMENTS: dict[Pathology, tuple[str, ...]] = {
    "appendicitis": ("antibiotics", "support"),
    "cholecystitis": ("antibiotics", "support"),
    "diverticulitis": ("colonoscopy", "antibiotics", "support"),
    "pancreatitis": ("support",),
}
CODED_TREATMENTS: dict[Pathology, tuple[str, ...]] = {
    "appendicitis": ("appendectomy",),
    "cholecystitis": ("cholecystectomy", "drainage"),
    "diverticulitis": ("colectomy", "drainage"),
    "pancreatitis": ("cholecystectomy", "ercp", "drainage"),
}
BILIARY_REQUIRED_TREATMENTS: dict[Pathology, tuple[str, ...]] = {"pancreatitis": ("cholecystectomy",)}

FLUIDS = r"(?<!oral )fluid|(iv|intravenous) (re)?hydration|resuscitat|lactated ringer|normal saline|crystalloid"
ANALGESIA = (
    r"analges|pain (control|management|relief)|opioid|morphine|hydromorphone|dilaudid|fentanyl|acetaminophen|"
    r"paracetamol|ketorolac|nsaid"
)
MONITORING = r"monitor|\bicu\b|intensive care|vital signs|urine output|serial (labs|exam)|step-?down|telemetry"
# Supportive care: a match of every group (pancreatitis: fluids, analgesia and monitoring, as in CDMv1).
SUPPORT_GROUPS: dict[Pathology, tuple[str, ...]] = {
    "appendicitis": (rf"{FLUIDS}|{ANALGESIA}|\bnpo\b|nil by mouth|bowel rest|antiemetic|ondansetron",),
    "cholecystitis": (rf"{FLUIDS}|{ANALGESIA}|\bnpo\b|nil by mouth|bowel rest|antiemetic|ondansetron",),
    "diverticulitis": (rf"{FLUIDS}|{ANALGESIA}|\bnpo\b|nil by mouth|bowel rest|antiemetic|ondansetron",),
    "pancreatitis": (FLUIDS, ANALGESIA, MONITORING),
}
TREATMENT_KEYWORDS: dict[str, str] = {
    "appendectomy": r"append(ic)?ectomy|\bappy\b|appendix (removal|resection)|remov\w* (of )?(the )?appendix",
    "cholecystectomy": r"cholecystectomy|lap(aroscopic)? chole\b|gall ?bladder (removal|resection)",
    "colectomy": r"colectomy|sigmoidectomy|hartmann|(bowel|colon|colonic|sigmoid) resection",
    "drainage": r"drain|percutaneous|cholecystostomy|aspiration",
    "ercp": r"\bercp\b|endoscopic retrograde|sphincterotomy",
    "colonoscopy": r"colonoscop",
    "antibiotics": (
        r"antibiotic|\babx\b|ceftriaxone|metronidazole|flagyl|piperacillin|tazobactam|zosyn|ciprofloxacin|"
        r"\bcipro\b|levofloxacin|ertapenem|meropenem|imipenem|cefoxitin|cefazolin|cefepime|ceftazidime|"
        r"amoxicillin|augmentin|ampicillin|sulbactam|unasyn|vancomycin|gentamicin|moxifloxacin"
    ),
}
