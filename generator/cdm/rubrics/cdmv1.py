"""The `cdmv1` rubric: CDMv1's evaluators (Hager et al. 2024) applied to one `cdm run` result.

Rules, in CDMv1's words where they have names:
- Diagnosis / Gracious Diagnosis: `cdmv1_diagnosis` (first-listed diagnosis, name or alternative name,
  gracious alternatives, NegEx negation).
- Physical Examination: the first action; Late Physical Examination: any action.
- Laboratory Tests: per required category, one point for the first test of it (a count, not a fraction);
  a test neither required nor in the pathology's neutral panels, or a name that resolved to no test, is an
  unnecessary laboratory test (repeats count again).
- Imaging: the first accepted modality of the abdomen scores its points; every other request (another
  modality or region, or an accepted one repeated) is unnecessary imaging. Pancreatitis of biliary origin:
  endoscopic ultrasound adds one point (so a score of 3 is possible, as in CDMv1).
- Treatment: required are the pathology's standing treatments plus the procedures the admission's ICD
  codes or the discharge note's procedure list show; requested are those the answer names, not negated.
  As in CDMv1, treatment is scored only after at least one action, so full-info results have none.

Our tools differ from CDMv1's free-text actions in names only: a nuclear-medicine study of the abdomen is
CDMv1's HIDA, fluoroscopy is "Fluoroscopy", the pelvis is part of CDMv1's abdomen. The answer's treatment
list is read as one text, one sentence per item.
"""

from generator.cdm.case import GroundTruth
from generator.cdm.lab_requests import CDMV1_MATCHES, LabRequest
from generator.cdm.negex import NegexText, keyword_positive
from generator.cdm.rubrics.case_score import CaseScore
from generator.cdm.rubrics.cdmv1_diagnosis import diagnosis_scores, parse_diagnosis
from generator.cdm.rubrics.cdmv1_rules import (
    BILIARY_WORD,
    REGION,
    RULES,
    STANDING_WORDS,
    SUPPORT,
    PathologyRules,
    ProcedureRule,
)
from generator.cdm.runner import CaseResult
from generator.cdm.tools import IMAGING, LAB_TESTS, PHYSICAL_EXAM, ToolAction

REGION_NAMES = {"Pelvis": REGION}
MODALITY_NAMES = {"FL": "Fluoroscopy"}
ABDOMINAL_MODALITY_NAMES = {"NM": "HIDA"}
EUS = "EUS"
ICD10_LENGTH = 7


def score_case(result: CaseResult) -> CaseScore:
    pathology = result.pathology
    if pathology is None:
        raise ValueError("a result without a pathology cannot be scored")
    rules = RULES[pathology]
    truth = result.ground_truth or GroundTruth()
    biliary = _biliary(truth)
    diagnosis, reshaped = parse_diagnosis(result.answer.diagnosis) if result.answer else ("", False)
    correct, gracious = diagnosis_scores(diagnosis, pathology, rules.alternative_names, rules.gracious_names)
    tools_mode = result.run.mode == "tools"
    names = [action.name for action in result.actions]
    labs = _labs(result.actions, rules) if tools_mode else None
    imaging = _imaging(result.actions, rules, biliary) if tools_mode else None
    required, requested = _treatments(result, rules, truth, biliary) if tools_mode else ([], [])
    return CaseScore(
        hadm_id=result.hadm_id,
        pathology=pathology,
        status=result.status,
        rubric="cdmv1",
        diagnosis_read=diagnosis,
        diagnosis_reshaped=reshaped,
        diagnosis=float(correct),
        lenient_diagnosis=float(gracious),
        physical_exam_first=float(names[:1] == [PHYSICAL_EXAM]) if tools_mode else None,
        physical_exam_any=float(PHYSICAL_EXAM in names) if tools_mode else None,
        lab_categories=float(len(labs[0])) if labs else None,
        lab_categories_hit=labs[0] if labs else None,
        unnecessary_labs=float(len(labs[1])) if labs else None,
        unnecessary_lab_tests=labs[1] if labs else None,
        imaging=float(imaging[0]) if imaging else None,
        unnecessary_imaging=float(len(imaging[1])) if imaging else None,
        unnecessary_imaging_requests=imaging[1] if imaging else None,
        treatment_required=required,
        treatment_requested=requested,
        treatment_recall=len(set(required) & set(requested)) / len(required) if required else None,
        tool_calls=len(result.actions),
        invalid_tool_calls=sum(not action.valid for action in result.actions),
    )


def _labs(actions: list[ToolAction], rules: PathologyRules) -> tuple[list[str], list[str]]:
    """(required categories hit, unnecessary tests) over every lab request in order."""
    hit: list[str] = []
    unnecessary: list[str] = []
    for action in actions:
        if action.name != LAB_TESTS or action.lab is None:
            continue
        for test in _cdmv1_tests(action.lab):
            category = next((name for name, items in rules.required_labs.items() if test in items), None)
            if category is None:
                if test not in rules.neutral_labs:
                    unnecessary.append(str(test))
            elif category not in hit:
                hit.append(category)
    return hit, unnecessary


def _cdmv1_tests(request: LabRequest) -> list[int | str]:
    """The tests CDMv1 would have read from the request: the tests of names its matching resolves, the names
    it does not resolve (ours may have), once each."""
    tests: list[int | str] = []
    for match in request.matched:
        tests += match.itemids if match.how in CDMV1_MATCHES else [match.name]
    tests += request.unmatched
    return list(dict.fromkeys(tests))


def _imaging(actions: list[ToolAction], rules: PathologyRules, biliary: bool) -> tuple[int, list[str]]:
    """(points, unnecessary requests as "Region Modality")."""
    points = 0
    correct: list[str] = []
    unnecessary: list[str] = []
    for action in actions:
        if action.name != IMAGING or action.imaging is None:
            continue
        region = REGION_NAMES.get(action.imaging.region, action.imaging.region)
        modality = MODALITY_NAMES.get(action.imaging.modality, action.imaging.modality)
        if region == REGION:
            modality = ABDOMINAL_MODALITY_NAMES.get(modality, modality)
        request = f"{region} {modality}"
        accepted = region == REGION and modality in rules.imaging
        if accepted and points == 0:
            points = rules.imaging[modality]
        if accepted and biliary and modality == EUS:
            points += rules.biliary_eus_points
        if not accepted or request in correct:
            unnecessary.append(request)
        else:
            correct.append(request)
    return points, unnecessary


def _treatments(
    result: CaseResult, rules: PathologyRules, truth: GroundTruth, biliary: bool
) -> tuple[list[str], list[str]]:
    """(required, requested), each in the rubric's order."""
    if not result.actions:
        return list(rules.always_required), []
    text = ". ".join(item.strip().rstrip(".") for item in (result.answer.treatments if result.answer else []))
    icd9, icd10, note = _procedures(truth)
    biliary_procedures = rules.biliary_procedures if biliary else {}
    required = list(rules.always_required)
    required += [name for name, rule in rules.procedures.items() if _done(rule, icd9, icd10, note)]
    required += list(biliary_procedures)
    answer = NegexText(text)
    requested = [name for name in rules.always_required if _asks_standing(name, answer, rules)]
    requested += [
        name for name, rule in {**rules.procedures, **biliary_procedures}.items() if _asks(rule, answer, text)
    ]
    return required, requested


def _asks_standing(name: str, answer: NegexText, rules: PathologyRules) -> bool:
    if name == SUPPORT:
        return all(any(answer.positive(word) for word in group) for group in rules.support)
    return answer.positive(STANDING_WORDS[name])


def _asks(rule: ProcedureRule, answer: NegexText, text: str) -> bool:
    """A keyword of the procedure, or its location and a modifier in one sentence."""
    if any(answer.positive(word) for word in rule.answer_keywords):
        return True
    sentences = [NegexText(sentence) for sentence in text.split(".")] if rule.answer_alternatives else []
    return any(
        sentence.positive(alternative.location) and sentence.positive(modifier)
        for alternative in rule.answer_alternatives
        for modifier in alternative.modifiers
        for sentence in sentences
    )


def _done(rule: ProcedureRule, icd9: set[int], icd10: set[str], note: list[str]) -> bool:
    """A code of the procedure, or its keyword (and, for a drainage, a location) in the note's list."""
    if icd9 & rule.icd9 or icd10 & rule.icd10:
        return True
    named = any(keyword_positive(item, word) for item in note for word in rule.note_keywords)
    located = not rule.note_locations or any(
        keyword_positive(item, word) for item in note for word in rule.note_locations
    )
    return named and located


def _procedures(truth: GroundTruth) -> tuple[set[int], set[str], list[str]]:
    """The admission's ICD-9 codes (as integers), ICD-10-PCS codes and the note's procedure list."""
    codes = [t.icd_code for t in truth.treatments if t.is_coded and t.icd_code]
    icd10 = {code for code in codes if len(code) == ICD10_LENGTH}
    icd9 = {int(code) for code in codes if code not in icd10 and code.isdigit()}
    return icd9, icd10, [t.title for t in truth.treatments if not t.is_coded]


def _biliary(truth: GroundTruth) -> bool:
    """The word "biliary", not negated, in the discharge diagnosis or an ICD diagnosis title."""
    texts = [*truth.icd_diagnoses, "\n".join(truth.primary_diagnosis)]
    return any(keyword_positive(text, BILIARY_WORD) for text in texts)
