"""Golden answers for `cdm score --rubric cdmv1`: scripted results, each with the scores CDMv1's evaluators
give it, worked out by hand from CDMv1's code (evaluators/*.py, utils/nlp.py, icd/procedure_mappings.py,
tools/utils.py of paulhager/MIMIC-Clinical-Decision-Making-Framework). The comment on each case says why.

Expected: (diagnosis, gracious, exam first, exam at all, lab categories, unnecessary labs, imaging,
unnecessary imaging, required treatments, requested treatments). Process scores are None in full-info mode.
"""

import itertools
import json
from dataclasses import dataclass

import pytest

from generator.cdm.runner import CaseResult
from generator.cdm.scoring import score_cases
from tests.cdm.results import BROKEN, PE, imaging, items, result, truth
from tests.conftest import run_cli

WBC, CRP, RBC = 51301, 50889, 51279
ALT, AST, ALP, BILI_DIRECT, BILI_TOTAL, PT = 50861, 50878, 50863, 50883, 50885, 51274
LIPASE, CALCIUM, SODIUM_WHOLE_BLOOD, BUN, TSH, TROPONIN = 50956, 50893, 50824, 51006, 50993, 51003


@dataclass
class Golden:
    name: str
    result: CaseResult
    expected: tuple


ADMISSION = itertools.count(1)


def _golden(name, pathology, actions, answer, ground_truth=None, expected=(), mode="tools") -> Golden:
    return Golden(name, result(next(ADMISSION), pathology, actions, answer, ground_truth, mode=mode), expected)


GOLDEN: list[Golden] = []
A, C, D, P = "appendicitis", "cholecystitis", "diverticulitis", "pancreatitis"

GOLDEN += [
    # Everything by the book: WBC is an inflammation test, ultrasound is appendicitis' preferred imaging,
    # 47.01 makes the appendectomy required, and each treatment item names its keyword.
    _golden(
        "appendicitis_by_the_book",
        A,
        [PE, items(WBC), imaging("Abdomen", "Ultrasound")],
        ("Acute appendicitis", ["Laparoscopic appendectomy", "IV antibiotics", "IV fluids and analgesia"]),
        truth("4701"),
        (
            1,
            1,
            1,
            1,
            1,
            0,
            2,
            0,
            {"appendectomy", "antibiotics", "support"},
            {"appendectomy", "antibiotics", "support"},
        ),
    ),
]
GOLDEN += [
    # "appendix" + "perf" is an alternative name (strict). Exam second. A red-cell count is in the CBC panel
    # (neutral). CT first scores 1 and stays 1 after the ultrasound. No procedure coded.
    _golden(
        "appendicitis_alternative_name_ct_first",
        A,
        [items(RBC), PE, imaging("Abdomen", "CT"), imaging("Abdomen", "Ultrasound")],
        ("Perforated appendix", ["Antibiotics"]),
        truth(),
        (1, 1, 0, 1, 0, 0, 1, 0, {"antibiotics", "support"}, {"antibiotics"}),
    ),
    # A hedged answer: only the first-listed diagnosis ("Acute cholecystitis") counts. ICD-10 0DTJ4ZZ.
    _golden(
        "appendicitis_hedged_list_scores_the_first",
        A,
        [PE],
        ("Acute cholecystitis vs acute appendicitis", ["Appendectomy"]),
        truth("0DTJ4ZZ"),
        (0, 0, 1, 1, 0, 0, 0, 0, {"appendectomy", "antibiotics", "support"}, {"appendectomy"}),
    ),
    # "no evidence of" precedes appendicitis in its sentence: negated (";" does not end a sentence).
    _golden(
        "appendicitis_negated",
        A,
        [PE],
        ("No evidence of appendicitis; likely mesenteric adenitis", ["Antibiotics"]),
        truth(),
        (0, 0, 1, 1, 0, 0, 0, 0, {"antibiotics", "support"}, {"antibiotics"}),
    ),
    # NegEx has no following trigger "are not" (only "was not"/"were not"), so CDMv1 counts "Antibiotics are
    # not indicated" as antibiotics requested. CRP is inflammation; MRI of the abdomen scores 1.
    _golden(
        "appendicitis_are_not_is_not_a_negation_in_cdmv1",
        A,
        [PE, items(CRP), imaging("Abdomen", "MRI")],
        ("Acute appendicitis", ["Appendectomy", "Antibiotics are not indicated", "Pain control"]),
        truth("4701"),
        (
            1,
            1,
            1,
            1,
            1,
            0,
            1,
            0,
            {"appendectomy", "antibiotics", "support"},
            {"appendectomy", "antibiotics", "support"},
        ),
    ),
    # Lipase (not in CBC/LFP/RFP/urinalysis) and an unresolved name are unnecessary labs. A chest film, an
    # abdominal film and a repeated ultrasound are unnecessary imaging; the first ultrasound scores 2.
    _golden(
        "appendicitis_unnecessary_labs_and_imaging",
        A,
        [
            PE,
            items(WBC, LIPASE, unmatched=("procalcitonin",)),
            imaging("Chest", "Radiograph"),
            imaging("Abdomen", "Radiograph"),
            imaging("Abdomen", "Ultrasound"),
            imaging("Abdomen", "Ultrasound"),
        ],
        ("Appendicitis", ["Appendectomy"]),
        truth(),
        (1, 1, 1, 1, 1, 2, 2, 3, {"antibiotics", "support"}, {"appendectomy"}),
    ),
    # A misspelling within fuzz ratio 96 (> 90) is the name. No action at all: CDMv1 scores treatment only
    # after an action, so only its standing requirements remain and nothing counts as requested.
    _golden(
        "appendicitis_typo_and_no_actions",
        A,
        [],
        ("Acute apendicitis", ["Appendectomy", "antibiotics"]),
        truth("4701"),
        (1, 1, 0, 0, 0, 0, 0, 0, {"antibiotics", "support"}, set()),
    ),
    # The appendectomy is required from the note's procedure list; "surgical" + "appendix" in one sentence
    # asks for it; "fluids" is support.
    _golden(
        "appendicitis_note_procedure_and_alternative_request",
        A,
        [PE],
        ("Appendicitis", ["Surgical removal of the appendix", "fluids"]),
        truth(note=("Laparoscopic appendectomy",)),
        (1, 1, 1, 1, 0, 0, 0, 0, {"appendectomy", "antibiotics", "support"}, {"appendectomy", "support"}),
    ),
    # Full information: diagnosis only; CDMv1 scores treatment only after tool actions.
    _golden(
        "appendicitis_full_info",
        A,
        [],
        ("Acute appendicitis", ["Appendectomy"]),
        truth("4701"),
        (1, 1, None, None, None, None, None, None, set(), set()),
        mode="full-info",
    ),
    # An invalid action first: the exam is late. "appendi" + "abscess" is an alternative name.
    _golden(
        "appendicitis_invalid_action_then_exam",
        A,
        [BROKEN, PE],
        ("Appendiceal abscess", ["Antibiotics", "Percutaneous drainage"]),
        truth(),
        (1, 1, 0, 1, 0, 0, 0, 0, {"antibiotics", "support"}, {"antibiotics"}),
    ),
    # A different pathology is wrong on both tiers.
    _golden(
        "appendicitis_wrong_pathology",
        A,
        [PE],
        ("Sigmoid diverticulitis", ["Antibiotics", "IV fluids"]),
        truth(),
        (0, 0, 1, 1, 0, 0, 0, 0, {"antibiotics", "support"}, {"antibiotics", "support"}),
    ),
    # "the most likely diagnosis is X." is reduced to X.
    _golden(
        "appendicitis_diagnosis_in_a_sentence",
        A,
        [PE],
        ("The most likely diagnosis is acute appendicitis. It explains the RLQ pain.", ["Appendectomy"]),
        truth("4709"),
        (1, 1, 1, 1, 0, 0, 0, 0, {"appendectomy", "antibiotics", "support"}, {"appendectomy"}),
    ),
]
GOLDEN += [
    # Inflammation (WBC), liver (ALT) and gallbladder (direct bilirubin): 3 categories. 51.23 coded.
    _golden(
        "cholecystitis_by_the_book",
        C,
        [PE, items(WBC, ALT, BILI_DIRECT), imaging("Abdomen", "Ultrasound")],
        ("Acute calculous cholecystitis", ["Laparoscopic cholecystectomy", "IV antibiotics", "IV fluids"]),
        truth("5123"),
        (
            1,
            1,
            1,
            1,
            3,
            0,
            2,
            0,
            {"cholecystectomy", "antibiotics", "support"},
            {"cholecystectomy", "antibiotics", "support"},
        ),
    ),
    # Cholangitis is CDMv1's alternative name for cholecystitis (strict). ICD-10 0FT44ZZ (resection of the
    # gallbladder) is not in CDMv1's cholecystectomy codes, so no cholecystectomy is required.
    _golden(
        "cholecystitis_cholangitis_counts_and_0FT44ZZ_does_not",
        C,
        [PE, items(AST)],
        ("Acute cholangitis", ["ERCP", "antibiotics"]),
        truth("0FT44ZZ"),
        (1, 1, 1, 1, 1, 0, 0, 0, {"antibiotics", "support"}, {"antibiotics"}),
    ),
    # "acute biliary" + "colic": gracious only.
    _golden(
        "cholecystitis_biliary_colic_is_gracious",
        C,
        [PE],
        ("Acute biliary colic", ["Pain control"]),
        truth(),
        (0, 1, 1, 1, 0, 0, 0, 0, {"antibiotics", "support"}, {"support"}),
    ),
    # "acute gallbladder" + "attack": gracious only.
    _golden(
        "cholecystitis_gallbladder_attack_is_gracious",
        C,
        [PE],
        ("Acute gallbladder attack", ["Fluids"]),
        truth(),
        (0, 1, 1, 1, 0, 0, 0, 0, {"antibiotics", "support"}, {"support"}),
    ),
    # Cholelithiasis is neither the name nor an alternative.
    _golden(
        "cholecystitis_cholelithiasis_is_wrong",
        C,
        [PE],
        ("Symptomatic cholelithiasis", ["Cholecystectomy"]),
        truth("5123"),
        (0, 0, 1, 1, 0, 0, 0, 0, {"cholecystectomy", "antibiotics", "support"}, {"cholecystectomy"}),
    ),
    # MRCP is not an accepted modality (unnecessary); the ultrasound after it is the first accepted: 2.
    _golden(
        "cholecystitis_mrcp_then_ultrasound",
        C,
        [PE, imaging("Abdomen", "MRCP"), imaging("Abdomen", "Ultrasound")],
        ("Cholecystitis", ["Antibiotics"]),
        truth(),
        (1, 1, 1, 1, 0, 0, 2, 1, {"antibiotics", "support"}, {"antibiotics"}),
    ),
    # CT is not accepted for cholecystitis; a nuclear-medicine study of the abdomen is CDMv1's HIDA: 2.
    _golden(
        "cholecystitis_ct_then_hida",
        C,
        [PE, imaging("Abdomen", "CT"), imaging("Abdomen", "NM")],
        ("Cholecystitis", ["Antibiotics"]),
        truth(),
        (1, 1, 1, 1, 0, 0, 2, 1, {"antibiotics", "support"}, {"antibiotics"}),
    ),
    # 51.02 (trocar cholecystostomy) is in CDMv1's cholecystectomy codes; "cholecystostomy" does not ask
    # for a cholecystectomy.
    _golden(
        "cholecystitis_cholecystostomy_code_requires_cholecystectomy",
        C,
        [PE],
        ("Acute cholecystitis", ["Percutaneous cholecystostomy tube", "antibiotics"]),
        truth("5102"),
        (1, 1, 1, 1, 0, 0, 0, 0, {"cholecystectomy", "antibiotics", "support"}, {"antibiotics"}),
    ),
    # ALT (liver) counts; AST too (same category); ALP is neutral; total bilirubin and PT are neither
    # required nor neutral for cholecystitis (only direct bilirubin and GGT are "gallbladder").
    _golden(
        "cholecystitis_liver_panel_items",
        C,
        [PE, items(ALT, AST, ALP, BILI_TOTAL, PT)],
        ("Acute cholecystitis", ["Antibiotics"]),
        truth(),
        (1, 1, 1, 1, 1, 2, 0, 0, {"antibiotics", "support"}, {"antibiotics"}),
    ),
    # "No cholecystectomy" is negated; the other items each stand in their own sentence.
    _golden(
        "cholecystitis_negated_cholecystectomy",
        C,
        [PE],
        ("Acute cholecystitis", ["No cholecystectomy", "antibiotics", "fluids"]),
        truth("5123"),
        (1, 1, 1, 1, 0, 0, 0, 0, {"cholecystectomy", "antibiotics", "support"}, {"antibiotics", "support"}),
    ),
    # Empyema is not one of the gallbladder modifiers.
    _golden(
        "cholecystitis_gallbladder_empyema_is_wrong",
        C,
        [PE],
        ("Gallbladder empyema", ["Antibiotics"]),
        truth(),
        (0, 0, 1, 1, 0, 0, 0, 0, {"antibiotics", "support"}, {"antibiotics"}),
    ),
    # "gallbladder" + "inflam": an alternative name.
    _golden(
        "cholecystitis_inflamed_gallbladder",
        C,
        [PE],
        ("Inflamed gallbladder", ["Remove the gallbladder surgically", "analgesia"]),
        truth("5122"),
        (1, 1, 1, 1, 0, 0, 0, 0, {"cholecystectomy", "antibiotics", "support"}, {"cholecystectomy", "support"}),
    ),
]
GOLDEN += [
    # Diverticulitis always requires colonoscopy, antibiotics and support; CT is preferred.
    _golden(
        "diverticulitis_by_the_book",
        D,
        [PE, items(WBC), imaging("Abdomen", "CT")],
        ("Acute sigmoid diverticulitis", ["IV antibiotics", "IV fluids", "Colonoscopy in 6 weeks"]),
        truth(),
        (1, 1, 1, 1, 1, 0, 2, 0, {"colonoscopy", "antibiotics", "support"}, {"colonoscopy", "antibiotics", "support"}),
    ),
    # Without colonoscopy: 2 of 3. "analgesia" is support, "bowel rest" is not needed for it.
    _golden(
        "diverticulitis_without_colonoscopy",
        D,
        [PE],
        ("Diverticulitis", ["Antibiotics", "bowel rest", "analgesia"]),
        truth(),
        (1, 1, 1, 1, 0, 0, 0, 0, {"colonoscopy", "antibiotics", "support"}, {"antibiotics", "support"}),
    ),
    # ICD-9 45.42 (endoscopic polypectomy) is a colectomy code in CDMv1.
    _golden(
        "diverticulitis_4542_is_a_colectomy",
        D,
        [PE],
        ("Diverticulitis", ["Sigmoid colectomy", "antibiotics", "fluids", "colonoscopy"]),
        truth("4542"),
        (
            1,
            1,
            1,
            1,
            0,
            0,
            0,
            0,
            {"colonoscopy", "antibiotics", "support", "colectomy"},
            {"colonoscopy", "antibiotics", "support", "colectomy"},
        ),
    ),
    # 54.91 requires drainage; "pelvic" + "drain" in one sentence asks for it.
    _golden(
        "diverticulitis_coded_drainage",
        D,
        [PE],
        ("Perforated diverticulitis", ["Drain the pelvic abscess", "antibiotics"]),
        truth("5491"),
        (1, 1, 1, 1, 0, 0, 0, 0, {"colonoscopy", "antibiotics", "support", "drainage"}, {"antibiotics", "drainage"}),
    ),
    # The note's "drainage of pelvic abscess" requires drainage; "Percutaneous drainage" names no location,
    # so it does not ask for it.
    _golden(
        "diverticulitis_note_drainage_needs_a_location",
        D,
        [PE],
        ("Diverticular abscess", ["Percutaneous drainage", "antibiotics"]),
        truth(note=("CT-guided drainage of pelvic abscess",)),
        (1, 1, 1, 1, 0, 0, 0, 0, {"colonoscopy", "antibiotics", "support", "drainage"}, {"antibiotics"}),
    ),
    # "sigmoid" + "perfor": gracious only.
    _golden(
        "diverticulitis_sigmoid_perforation_is_gracious",
        D,
        [PE],
        ("Sigmoid perforation", ["Sigmoid resection"]),
        truth(),
        (0, 1, 1, 1, 0, 0, 0, 0, {"colonoscopy", "antibiotics", "support"}, {"colectomy"}),
    ),
    # "sigmoid" + "colitis": gracious only.
    _golden(
        "diverticulitis_sigmoid_colitis_is_gracious",
        D,
        [PE],
        ("Sigmoid colitis", ["Antibiotics"]),
        truth(),
        (0, 1, 1, 1, 0, 0, 0, 0, {"colonoscopy", "antibiotics", "support"}, {"antibiotics"}),
    ),
    # Diverticulosis is within fuzz ratio 86 of the name: not above 90.
    _golden(
        "diverticulitis_diverticulosis_is_wrong",
        D,
        [PE],
        ("Diverticulosis", ["Colonoscopy"]),
        truth(),
        (0, 0, 1, 1, 0, 0, 0, 0, {"colonoscopy", "antibiotics", "support"}, {"colonoscopy"}),
    ),
    # Ultrasound first scores 1 for diverticulitis; the pelvis is CDMv1's abdomen, so the CT after it is
    # accepted (not unnecessary) but scores nothing more.
    _golden(
        "diverticulitis_ultrasound_then_pelvic_ct",
        D,
        [PE, imaging("Abdomen", "Ultrasound"), imaging("Pelvis", "CT")],
        ("Diverticulitis", ["Antibiotics"]),
        truth(),
        (1, 1, 1, 1, 0, 0, 1, 0, {"colonoscopy", "antibiotics", "support"}, {"antibiotics"}),
    ),
    # "avoid" is no NegEx trigger: "Avoid colonoscopy during the acute episode" asks for a colonoscopy.
    _golden(
        "diverticulitis_avoid_is_not_a_negation_in_cdmv1",
        D,
        [PE],
        ("Diverticulitis", ["Avoid colonoscopy during the acute episode", "antibiotics", "fluids"]),
        truth(),
        (1, 1, 1, 1, 0, 0, 0, 0, {"colonoscopy", "antibiotics", "support"}, {"colonoscopy", "antibiotics", "support"}),
    ),
    # Split at the comma and "and": the first diagnosis is "Perforated diverticulitis with abscess".
    _golden(
        "diverticulitis_first_of_a_list",
        D,
        [PE],
        ("Perforated diverticulitis with abscess, and peritonitis", ["Antibiotics"]),
        truth(),
        (1, 1, 1, 1, 0, 0, 0, 0, {"colonoscopy", "antibiotics", "support"}, {"antibiotics"}),
    ),
]
GOLDEN += [
    # WBC (inflammation), lipase (pancreas), calcium (seriousness): 3. Support needs fluids, analgesia and
    # monitoring together.
    _golden(
        "pancreatitis_by_the_book",
        P,
        [PE, items(WBC, LIPASE, CALCIUM), imaging("Abdomen", "Ultrasound")],
        ("Acute pancreatitis", ["IV fluids", "analgesia", "close monitoring"]),
        truth(diagnoses=("Acute pancreatitis",)),
        (1, 1, 1, 1, 3, 0, 2, 0, {"support"}, {"support"}),
    ),
    # IV fluids alone are not pancreatitis support.
    _golden(
        "pancreatitis_fluids_alone_are_not_support",
        P,
        [PE],
        ("Acute pancreatitis", ["IV fluids"]),
        truth(diagnoses=("Acute pancreatitis",)),
        (1, 1, 1, 1, 0, 0, 0, 0, {"support"}, set()),
    ),
    # "Biliary" in an ICD title: cholecystectomy required; EUS after the ultrasound adds 1 (3 in all).
    _golden(
        "pancreatitis_biliary_eus_and_cholecystectomy",
        P,
        [PE, imaging("Abdomen", "Ultrasound"), imaging("Abdomen", "EUS")],
        (
            "Gallstone pancreatitis",
            ["Aggressive IV fluids", "pain control", "monitor vitals", "Cholecystectomy before discharge"],
        ),
        truth(
            diagnoses=("Gallstone pancreatitis",),
            icd=("Biliary acute pancreatitis without necrosis or infection",),
        ),
        (1, 1, 1, 1, 0, 0, 3, 0, {"support", "cholecystectomy"}, {"support", "cholecystectomy"}),
    ),
    # "Gallstone" is not "biliary": no biliary origin for CDMv1. EUS first is accepted but scores nothing,
    # so the ultrasound after it still scores 2; no cholecystectomy required or looked for.
    _golden(
        "pancreatitis_gallstone_without_biliary_word",
        P,
        [PE, imaging("Abdomen", "EUS"), imaging("Abdomen", "Ultrasound")],
        ("Acute pancreatitis", ["Cholecystectomy", "fluids", "analgesia", "monitoring"]),
        truth(diagnoses=("Gallstone pancreatitis",), icd=("Acute pancreatitis without necrosis or infection",)),
        (1, 1, 1, 1, 0, 0, 2, 0, {"support"}, {"support"}),
    ),
    # MRCP and MRI are not accepted for pancreatitis (unnecessary); CT is: 1.
    _golden(
        "pancreatitis_mrcp_and_mri_are_unnecessary",
        P,
        [PE, imaging("Abdomen", "MRCP"), imaging("Abdomen", "MRI"), imaging("Abdomen", "CT")],
        ("Acute pancreatitis", ["Supportive care"]),
        truth(),
        (1, 1, 1, 1, 0, 0, 1, 2, {"support"}, set()),
    ),
    # A hedged answer: only "Acute cholecystitis" counts.
    _golden(
        "pancreatitis_hedged_list_scores_the_first",
        P,
        [PE],
        ("Acute cholecystitis vs acute pancreatitis", ["IV fluids", "pain control", "monitoring"]),
        truth(),
        (0, 0, 1, 1, 0, 0, 0, 0, {"support"}, {"support"}),
    ),
    # "Edematous" is not a pancreas modifier.
    _golden(
        "pancreatitis_edematous_pancreas_is_wrong",
        P,
        [PE],
        ("Edematous pancreas", ["IV fluids"]),
        truth(),
        (0, 0, 1, 1, 0, 0, 0, 0, {"support"}, set()),
    ),
    # "pancrea" + "necros": an alternative name.
    _golden(
        "pancreatitis_pancreatic_necrosis",
        P,
        [PE],
        ("Pancreatic necrosis", ["IV fluids", "analgesics", "ICU monitoring"]),
        truth(),
        (1, 1, 1, 1, 0, 0, 0, 0, {"support"}, {"support"}),
    ),
    # 51.10 (ERCP) coded: ERCP required and asked for.
    _golden(
        "pancreatitis_coded_ercp",
        P,
        [PE],
        ("Acute pancreatitis", ["ERCP with sphincterotomy", "IV fluids", "analgesia", "monitoring"]),
        truth("5110"),
        (1, 1, 1, 1, 0, 0, 0, 0, {"support", "ercp"}, {"support", "ercp"}),
    ),
    # 0F9430Z (gallbladder drainage) is one of CDMv1's pancreatitis drainage codes; "pancrea" + "drain".
    _golden(
        "pancreatitis_coded_drainage",
        P,
        [PE],
        ("Necrotizing pancreatitis", ["Percutaneous drain of the pancreatic collection"]),
        truth("0F9430Z"),
        (1, 1, 1, 1, 0, 0, 0, 0, {"support", "drainage"}, {"drainage"}),
    ),
    # Whole-blood sodium is a seriousness test; TSH and troponin are unnecessary.
    _golden(
        "pancreatitis_seriousness_and_unnecessary_labs",
        P,
        [PE, items(SODIUM_WHOLE_BLOOD, BUN, TSH, TROPONIN)],
        ("Acute pancreatitis", ["IV fluids"]),
        truth(),
        (1, 1, 1, 1, 1, 2, 0, 0, {"support"}, set()),
    ),
    # "unlikely" after the name negates it.
    _golden(
        "pancreatitis_unlikely",
        P,
        [PE],
        ("Pancreatitis unlikely", ["IV fluids"]),
        truth(),
        (0, 0, 1, 1, 0, 0, 0, 0, {"support"}, set()),
    ),
]


def _observed(score) -> tuple:
    return (
        score.diagnosis,
        score.lenient_diagnosis,
        score.physical_exam_first,
        score.physical_exam_any,
        score.lab_categories,
        score.unnecessary_labs,
        score.imaging,
        score.unnecessary_imaging,
        set(score.treatment_required),
        set(score.treatment_requested),
    )


def test_golden_set_covers_every_pathology_with_at_least_forty_answers():
    assert len(GOLDEN) >= 40
    assert {g.result.pathology for g in GOLDEN} == {A, C, D, P}


@pytest.mark.parametrize("golden", GOLDEN, ids=[g.name for g in GOLDEN])
def test_cdmv1_rubric_gives_the_golden_scores(golden):
    [score] = score_cases([golden.result], "cdmv1")
    assert _observed(score) == golden.expected


def test_score_command_with_the_cdmv1_rubric_writes_the_golden_scores(tmp_path):
    results = tmp_path / "results.jsonl"
    results.write_text("".join(g.result.model_dump_json() + "\n" for g in GOLDEN))
    output = run_cli("cdm", "score", "--results", results, "--rubric", "cdmv1", "--json-out", tmp_path / "s.json")
    assert output.startswith("rubric cdmv1")
    cases = {case["hadm_id"]: case for case in json.loads((tmp_path / "s.json").read_text())["cases"]}
    for golden in GOLDEN:
        case = cases[golden.result.hadm_id]
        assert (case["diagnosis"], case["lenient_diagnosis"], case["imaging"]) == (
            golden.expected[0],
            golden.expected[1],
            golden.expected[6],
        ), golden.name
