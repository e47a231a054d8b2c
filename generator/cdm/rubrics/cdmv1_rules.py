"""What CDMv1's evaluators (Hager et al. 2024, MIMIC-Clinical-Decision-Making-Framework) accept, per pathology.

Data only; `cdmv1.py` applies it. Lab tests are MIMIC-IV itemids, imaging modalities are CDMv1's names
("Ultrasound", "HIDA", "EUS", ...), ICD-9 procedure codes are integers as CDMv1 compares them, ICD-10-PCS
codes strings; keywords are lower-case and matched as substrings, not negated (`negex.keyword_positive`).
The lists keep CDMv1's choices, also where they are clinically odd (ICD-9 45.42, an endoscopic polypectomy,
is a colectomy; cholecystostomy, ICD-9 51.02/51.03, is a cholecystectomy): docs/cdm.md tables them.
"""

from dataclasses import dataclass, field

from generator.cdm.case import Pathology


@dataclass(frozen=True)
class AlternativeName:
    """A location word and modifiers: the diagnosis names the location and one modifier."""

    location: str
    modifiers: tuple[str, ...]


@dataclass(frozen=True)
class ProcedureRule:
    """When a treatment was done (codes, or keywords in the note's procedure list) and how an answer asks
    for it (keywords, or a location and a modifier in one sentence)."""

    icd9: frozenset[int] = frozenset()
    icd10: frozenset[str] = frozenset()
    note_keywords: tuple[str, ...] = ()
    note_locations: tuple[str, ...] = ()  # when set, the note must also name one of these
    answer_keywords: tuple[str, ...] = ()
    answer_alternatives: tuple[AlternativeName, ...] = ()


@dataclass(frozen=True)
class PathologyRules:
    alternative_names: tuple[AlternativeName, ...]
    gracious_names: tuple[AlternativeName, ...]
    required_labs: dict[str, frozenset[int]]
    neutral_labs: frozenset[int]
    imaging: dict[str, int]  # accepted modality of the abdomen -> points when it is the first accepted one
    always_required: tuple[str, ...]  # treatments required whatever was done
    procedures: dict[str, ProcedureRule] = field(default_factory=dict)
    support: tuple[tuple[str, ...], ...] = (("fluid", "analgesi", "pain"),)  # a word of every group
    # Of biliary origin (the word "biliary" in the discharge diagnosis or an ICD diagnosis title):
    biliary_eus_points: int = 0  # endoscopic ultrasound adds these points
    biliary_procedures: dict[str, ProcedureRule] = field(default_factory=dict)  # required, whatever was done


REGION = "Abdomen"
INFLAMMATION = frozenset({51301, 51755, 51300, 50889, 51652})
CBC = frozenset(
    {50810, 50811, 51133, 51146, 51200, 51221, 51222, 51244, 51245, 51248, 51249, 51250, 51253, 51254}
    | {51256, 51265, 51277, 51279, 51300, 51301, 51638, 51755, 52069, 52073, 52074, 52075, 52172, 52769}
)
LIVER_PANEL = frozenset({50861, 50862, 50863, 50878, 50883, 50884, 50885, 50927, 50976, 51237, 51274, 51675})
RENAL_PANEL = frozenset(
    {50804, 50806, 50808, 50809, 50822, 50824, 50862, 50893, 50902, 50912, 50931, 50970}
    | {50971, 50983, 51006, 51624, 51739, 52024, 52535, 52546, 52569, 52610, 52623, 52647}
)
URINALYSIS = frozenset(
    {51068, 51069, 51070, 51082, 51084, 51093, 51094, 51097, 51100, 51102, 51104, 51106, 51108, 51462, 51464}
    | {51469, 51476, 51478, 51484, 51486, 51487, 51488, 51489, 51491, 51492, 51493, 51494, 51495, 51497, 51498}
    | {51501, 51503, 51505, 51506, 51507, 51508, 51510, 51512, 51514, 51516, 51517, 51518, 51966, 51981, 51984}
    | {51985, 51987, 51992, 51994, 52002, 52730}
)
ALKALINE_PHOSPHATASE = 50863

SURGERY_WORDS = ("surgery", "surgical", "removal", "remove")
DRAINAGE_WORDS = ("drain", "pigtail", "catheter", "aspiration")
DRAINAGE_ICD10 = frozenset({"0W2JX0Z", "0W9G30Z", "0W9G3ZX", "0W9G3ZZ", "0W9J30Z", "0W9J3ZX", "0W9J3ZZ"})
BILIARY_DRAINAGE_ICD10 = frozenset({"0F2BX0Z", "0F9430Z", "0F998ZX", "0F998ZZ", "0F9G30Z"})
CHOLECYSTECTOMY_WORDS = (
    "cholecystectomy",
    "cholecystecotmy",
    "cholecsytectomy",
    "cholecystecomy",
    "cholecytectomy",
    "laparoscopic cholecystitis",
    "cholecyctectomy",
)
CHOLECYSTECTOMY = ProcedureRule(
    icd9=frozenset({5102, 5103, 5121, 5122, 5123, 5124}),
    icd10=frozenset({"0FB40ZZ", "0FB44ZZ"}),
    note_keywords=CHOLECYSTECTOMY_WORDS,
    answer_keywords=CHOLECYSTECTOMY_WORDS,
    answer_alternatives=(AlternativeName("gallbladder", SURGERY_WORDS),),
)
COLECTOMY_WORDS = (
    "low anterior resection",
    "colectomy",
    "colonic resection",
    "colostomy",
    "resection of rectosigmoid colon",
    "resection of sigmoid colon",
    "rectosigmoid resection",
    "resection of colon",
    "sigmoidectomy",
    "sigmoid resection",
    "small bowel resection",
)
ERCP_WORDS = (
    "biliary stent",
    "biliary cannulation",
    "ercp",
    "endoscopic retrograde cholangiography",
    "endoscopic retrograde cholangiopancreatography",
    "cholangiogram",
    "cbd stent",
    "pancreatic stent",
    "sphincterotomy",
    "sphinctertomy",
)


def _drainage(icd10: frozenset[str], locations: tuple[str, ...]) -> ProcedureRule:
    return ProcedureRule(
        icd9=frozenset({5491}),
        icd10=icd10,
        note_keywords=DRAINAGE_WORDS,
        note_locations=locations,
        answer_alternatives=tuple(AlternativeName(location, DRAINAGE_WORDS) for location in locations),
    )


RULES: dict[Pathology, PathologyRules] = {
    "appendicitis": PathologyRules(
        alternative_names=(
            AlternativeName("appendi", ("gangren", "infect", "inflam", "abscess", "rupture", "necros", "perf")),
        ),
        gracious_names=(),
        required_labs={"inflammation": INFLAMMATION},
        neutral_labs=CBC | LIVER_PANEL | RENAL_PANEL | URINALYSIS,
        imaging={"Ultrasound": 2, "CT": 1, "MRI": 1},
        always_required=("antibiotics", "support"),
        procedures={
            "appendectomy": ProcedureRule(
                icd9=frozenset({4701, 4709}),
                icd10=frozenset({"0DTJ0ZZ", "0DTJ4ZZ"}),
                note_keywords=("appendectomy",),
                answer_keywords=("appendectomy",),
                answer_alternatives=(AlternativeName("appendix", SURGERY_WORDS),),
            )
        },
    ),
    "cholecystitis": PathologyRules(
        alternative_names=(
            AlternativeName("gallbladder", ("gangren", "infect", "inflam", "abscess", "necros", "perf")),
            AlternativeName("cholangitis", ("cholangitis",)),
        ),
        gracious_names=(
            AlternativeName("acute gallbladder", ("disease", "attack")),
            AlternativeName("acute biliary", ("colic",)),
        ),
        required_labs={
            "inflammation": INFLAMMATION,
            "liver": frozenset({50861, 50878}),
            "gallbladder": frozenset({50883, 50927}),
        },
        neutral_labs=CBC | RENAL_PANEL | URINALYSIS | {ALKALINE_PHOSPHATASE},
        imaging={"Ultrasound": 2, "HIDA": 2, "MRI": 1, "EUS": 1},
        always_required=("antibiotics", "support"),
        procedures={"cholecystectomy": CHOLECYSTECTOMY},
    ),
    "diverticulitis": PathologyRules(
        alternative_names=(AlternativeName("diverticul", ("inflam", "infect", "abscess", "perf", "rupture")),),
        gracious_names=(
            AlternativeName("acute colonic", ("perfor",)),
            AlternativeName("sigmoid", ("perfor",)),
            AlternativeName("sigmoid", ("colitis",)),
        ),
        required_labs={"inflammation": INFLAMMATION},
        neutral_labs=CBC | LIVER_PANEL | RENAL_PANEL | URINALYSIS,
        imaging={"CT": 2, "Ultrasound": 1, "MRI": 1},
        always_required=("colonoscopy", "antibiotics", "support"),
        procedures={
            "drainage": _drainage(
                DRAINAGE_ICD10,
                ("abscess", "abdom", "pelvic", "peritoneal", "pericolonic", "sigmoid", "diverticular", "pararectal"),
            ),
            "colectomy": ProcedureRule(
                icd9=frozenset(
                    {1732, 1733, 1734, 1736, 1739, 4530, 4531, 4533, 4541, 4542, 4562}
                    | {4572, 4573, 4574, 4575, 4576, 4579, 4863, 5451, 5459, 9624}
                ),
                icd10=frozenset(
                    {"0DB80ZZ", "0DB84ZZ", "0DB90ZZ", "0DB94ZZ", "0DB98ZZ", "0DBA0ZZ", "0DBA4ZZ", "0DBA8ZZ"}
                    | {"0DBB0ZZ", "0DBB3ZZ", "0DBB4ZZ", "0DBE0ZZ", "0DBE4ZZ", "0DBG0ZZ", "0DBG4ZZ", "0DBH0ZZ"}
                    | {"0DBH4ZZ", "0DBH8ZZ", "0DBM0ZZ", "0DBM4ZZ", "0DBM8ZZ", "0DBN0ZZ", "0DBN4ZZ", "0DN90ZZ"}
                    | {"0DN94ZZ", "0DNA0ZZ", "0DNA4ZZ", "0DNB0ZZ", "0DNB4ZZ", "0DNB7ZZ", "0DNE0ZZ", "0DNE4ZZ"}
                    | {"0DNL0ZZ", "0DNL4ZZ", "0DNN0ZZ", "0DNN4ZZ", "0DT80ZZ", "0DTF0ZZ", "0DTF4ZZ", "0DTH0ZZ"}
                    | {"0DTH4ZZ", "0DTH8ZZ", "0DTK0ZZ", "0DTK4ZZ", "0DTL0ZZ", "0DTL4ZZ", "0DTM0ZZ", "0DTM4ZZ"}
                    | {"0DTN0ZZ", "0DTN4ZZ", "0DTN7ZZ", "0DTNFZZ"}
                ),
                note_keywords=COLECTOMY_WORDS,
                answer_keywords=COLECTOMY_WORDS,
                answer_alternatives=(AlternativeName("colon", SURGERY_WORDS),),
            ),
        },
    ),
    "pancreatitis": PathologyRules(
        alternative_names=(AlternativeName("pancrea", ("gangren", "infect", "inflam", "abscess", "necros")),),
        gracious_names=(),
        required_labs={
            "inflammation": INFLAMMATION,
            "pancreas": frozenset({50867, 50956}),
            "seriousness": frozenset(
                {51480, 50810, 51221, 51638, 51006, 52647, 51000, 50893, 50824, 52623, 50983, 52610, 50971, 50822}
            ),
        },
        neutral_labs=CBC | LIVER_PANEL | RENAL_PANEL | URINALYSIS,
        imaging={"Ultrasound": 2, "CT": 1, "EUS": 0},
        always_required=("support",),
        procedures={
            "drainage": _drainage(
                DRAINAGE_ICD10 | BILIARY_DRAINAGE_ICD10,
                ("abscess", "abdom", "pelvic", "peritoneal", "pancrea", "gallbladder", "biliary", "bile duct")
                + ("perirectal",),
            ),
            "ercp": ProcedureRule(
                icd9=frozenset({5110, 5114, 5181, 5184, 5185, 5187, 5188, 5221, 5293, 8754, 8766, 9705}),
                icd10=frozenset(
                    {"0F798DZ", "0F798ZZ", "0F7D8DZ", "0FB98ZX", "0FBD8ZX", "0FC98ZZ", "0FD98ZX", "0FDG8ZX"}
                    | {"0FJB8ZZ", "0FJD8ZZ", "BF101ZZ", "BF10YZZ", "BF11YZZ", "BF141ZZ", "BF14YZZ"}
                ),
                note_keywords=ERCP_WORDS,
                answer_keywords=ERCP_WORDS,
            ),
        },
        support=(("fluid",), ("analgesi", "pain"), ("monitor",)),
        biliary_eus_points=1,
        biliary_procedures={"cholecystectomy": CHOLECYSTECTOMY},
    ),
}

BILIARY_WORD = "biliary"
# The standing treatments other than supportive care: requested when the answer names this word.
STANDING_WORDS = {"antibiotics": "antibiotic", "colonoscopy": "colonoscopy"}
SUPPORT = "support"
