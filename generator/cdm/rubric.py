"""The clinical rubric of Hager et al. 2024 (as re-implemented by practical_cdm_benchmark), per pathology.

Diagnosis: the pathology's name (strict) or, leniently, an organ word with an inflammatory modifier.
Labs: required categories (the lab mapping's `category`). Imaging: preferred modality of the abdomen first
scores 2, an acceptable alternative 1. Treatments: always required ones, plus those the admission's coded
procedures show were done (the treatment mart's `category`). Keyword patterns are lower-case regexes.
"""

from generator.cdm.case import Pathology

# A negation cue within the last few words before a term (same comma-delimited fragment) negates it:
# "no evidence of appendicitis", "ruled out cholecystitis". Prefixes such as "non-perforated" do not.
NEGATION_BEFORE = (
    r"\b(no|not|without|negative for|rule out|ruled out|r/o|excluded?|absence of|free of|denies|"
    r"avoid|hold|withhold|defer)\b"
)
NEGATION_WINDOW_WORDS = 5
# A negation right after a term (auxiliaries allowed in between): "cholecystitis (was) ruled out",
# "appendicitis unlikely", "antibiotics not indicated".
NEGATION_AFTER = (
    r"^\W*((was|is|has been|been|felt|thought|considered|deemed|to be)\s+)*"
    r"(ruled out|unlikely|less likely|excluded|not (likely|present|seen|confirmed|supported|indicated|needed|"
    r"required|necessary|recommended))\b"
)

DIAGNOSIS_NAMES: dict[Pathology, str] = {
    "appendicitis": "appendicitis",
    "cholecystitis": "cholecystitis",
    "diverticulitis": "diverticulitis",
    "pancreatitis": "pancreatitis",
}
# Lenient diagnosis: an organ word and a modifier in the same clause.
DIAGNOSIS_ORGANS: dict[Pathology, str] = {
    "appendicitis": r"append(ix|iceal|icular)",
    "cholecystitis": r"gall ?bladder|cholecyst",
    "diverticulitis": r"diverticul",
    "pancreatitis": r"pancrea",
}
DIAGNOSIS_MODIFIERS = r"inflam|infect|perforat|gangren|abscess|phlegmon|ruptur|empyema|necro|edema"

REQUIRED_LAB_CATEGORIES: dict[Pathology, tuple[str, ...]] = {
    "appendicitis": ("inflammation",),
    "cholecystitis": ("inflammation", "liver", "gallbladder"),
    "diverticulitis": ("inflammation",),
    "pancreatitis": ("inflammation", "pancreas", "seriousness"),
}

PREFERRED_IMAGING: dict[Pathology, tuple[str, ...]] = {
    "appendicitis": ("Ultrasound",),
    "cholecystitis": ("Ultrasound", "NM"),
    "diverticulitis": ("CT",),
    "pancreatitis": ("Ultrasound",),
}
ALTERNATIVE_IMAGING: dict[Pathology, tuple[str, ...]] = {
    "appendicitis": ("CT", "MRI"),
    "cholecystitis": ("MRI", "MRCP"),
    "diverticulitis": ("Ultrasound", "MRI"),
    "pancreatitis": ("CT", "MRCP"),
}

ALWAYS_REQUIRED_TREATMENTS: dict[Pathology, tuple[str, ...]] = {
    "appendicitis": ("antibiotics", "support"),
    "cholecystitis": ("antibiotics", "support"),
    "diverticulitis": ("antibiotics", "support"),
    "pancreatitis": ("support",),
}
CODED_TREATMENTS: dict[Pathology, tuple[str, ...]] = {
    "appendicitis": ("appendectomy",),
    "cholecystitis": ("cholecystectomy", "drainage"),
    "diverticulitis": ("colonoscopy", "colectomy", "drainage"),
    "pancreatitis": ("cholecystectomy", "ercp", "drainage"),
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
    "support": (
        r"fluid|hydration|resuscitat|analges|pain (control|management|relief)|opioid|morphine|hydromorphone|"
        r"dilaudid|acetaminophen|paracetamol|\bnpo\b|nil by mouth|bowel rest|supportive|antiemetic|ondansetron"
    ),
}
