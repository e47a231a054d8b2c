"""The default `mimicbench` rubric applied to one `cdm run` result (the lists are in `mimicbench_rules`).

- Diagnosis: the first-listed diagnosis only; the pathology's name (rapidfuzz ratio > 90 for misspellings)
  or a strict alternative, not negated; leniently also a near miss.
- Physical exam first / at all; lab categories as the fraction of the required ones requested; a requested
  test name none of whose tests has a seeded category is unnecessary.
- Imaging: the first request of the abdomen (or pelvis) with an accepted modality scores its points;
  other modalities or regions, and repeats, are unnecessary.
- Treatment: the standing treatments, the procedures the admission's coded procedures show, and for
  pancreatitis of biliary origin a cholecystectomy; each treatment item is read on its own, negation-aware.

A case without a final answer scores 0 on diagnosis and treatment; its process scores still count. Full-info
results have no process scores (null).
"""

import re

from rapidfuzz import fuzz

from generator.cdm.case import GroundTruth, Pathology
from generator.cdm.rubrics import mimicbench_rules as rules
from generator.cdm.rubrics.case_score import CaseScore
from generator.cdm.runner import CaseResult
from generator.cdm.tools import IMAGING, LAB_TESTS, PHYSICAL_EXAM, ToolAction

CLAUSE_BREAK = re.compile(r"[.;:\n]|\bvs\.?\b|\bversus\b|\bbut\b")


def score_case(result: CaseResult) -> CaseScore:
    pathology = result.pathology
    if pathology is None:
        raise ValueError("a result without a pathology cannot be scored")
    truth = result.ground_truth or GroundTruth()
    first, reshaped = first_listed(result.answer.diagnosis if result.answer else "")
    biliary = re.search(rules.BILIARY_ORIGIN, " ".join([*truth.primary_diagnosis, *truth.icd_diagnoses]).lower())
    required = _required_treatments(truth, pathology, bool(biliary))
    treatments = result.answer.treatments if result.answer else []
    candidates = dict.fromkeys(
        [
            *rules.ALWAYS_REQUIRED_TREATMENTS[pathology],
            *rules.CODED_TREATMENTS[pathology],
            *rules.BILIARY_REQUIRED_TREATMENTS.get(pathology, ()),
        ]
    )
    requested = [t for t in candidates if _asks(t, treatments, pathology)]
    tools_mode = result.run.mode == "tools"
    names = [action.name for action in result.actions]
    labs = _labs(result.actions, pathology) if tools_mode else None
    imaging = _imaging(result.actions, pathology, bool(biliary)) if tools_mode else None
    strict = _strict(first, pathology)
    return CaseScore(
        hadm_id=result.hadm_id,
        pathology=pathology,
        status=result.status,
        rubric="mimicbench",
        diagnosis_read=first,
        diagnosis_reshaped=reshaped,
        diagnosis=float(strict),
        lenient_diagnosis=float(strict or _names_any(first, rules.LENIENT_ALTERNATIVES[pathology])),
        physical_exam_first=float(names[:1] == [PHYSICAL_EXAM]) if tools_mode else None,
        physical_exam_any=float(PHYSICAL_EXAM in names) if tools_mode else None,
        lab_categories=labs[0] if labs else None,
        lab_categories_hit=labs[1] if labs else None,
        unnecessary_labs=float(len(labs[2])) if labs else None,
        unnecessary_lab_tests=labs[2] if labs else None,
        imaging=float(imaging[0]) if imaging else None,
        unnecessary_imaging=float(len(imaging[1])) if imaging else None,
        unnecessary_imaging_requests=imaging[1] if imaging else None,
        treatment_required=required,
        treatment_requested=requested,
        treatment_recall=len(set(required) & set(requested)) / len(required) if required else None,
        tool_calls=len(result.actions),
        invalid_tool_calls=sum(not action.valid for action in result.actions),
    )


def strict_diagnosis(text: str, pathology: Pathology) -> bool:
    """The first-listed diagnosis of `text` is the pathology (its name or a synonym), not negated."""
    return _strict(first_listed(text)[0], pathology)


def lenient_diagnosis(text: str, pathology: Pathology) -> bool:
    """Strict, or the first-listed diagnosis is a near miss of the pathology."""
    first = first_listed(text)[0]
    return _strict(first, pathology) or _names_any(first, rules.LENIENT_ALTERNATIVES[pathology])


def first_listed(text: str) -> tuple[str, bool]:
    """The first diagnosis of an answer that may list several, and whether there were several."""
    lowered = text.lower().strip()
    head = re.split(rules.DIAGNOSIS_LIST_BREAK, lowered, maxsplit=1)[0]
    first = ""
    for part in re.split(f"({rules.DIAGNOSIS_ITEM_BREAK})", head):
        first += part
        if re.search(rules.DIAGNOSIS_WORD, first) and re.fullmatch(rules.DIAGNOSIS_ITEM_BREAK, part) is None:
            break
    first = first.strip(" ,")
    return first, first != lowered.strip(" .")


def _strict(first: str, pathology: Pathology) -> bool:
    for clause in _clauses(first):
        for word in re.finditer(r"[a-z]+", clause):
            close = round(fuzz.ratio(word.group(), pathology)) > rules.NAME_RATIO_ABOVE
            if close and not _negated(clause, word.start(), word.end()):
                return True
    return _names_any(first, rules.STRICT_ALTERNATIVES[pathology])


def _names_any(first: str, alternatives: tuple[tuple[str, str], ...]) -> bool:
    """A location and a modifier of one alternative in one clause, neither negated."""
    for clause in _clauses(first):
        for location, modifier in alternatives:
            where = re.search(location, clause)
            what = re.search(modifier, clause)
            if where and what and not _negated(clause, *where.span()) and not _negated(clause, *what.span()):
                return True
    return False


def _required_treatments(truth: GroundTruth, pathology: Pathology, biliary: bool) -> list[str]:
    coded = {t.category for t in truth.treatments if t.category}
    done = [t for t in rules.CODED_TREATMENTS[pathology] if t in coded]
    from_origin = rules.BILIARY_REQUIRED_TREATMENTS.get(pathology, ()) if biliary else ()
    return list(dict.fromkeys([*rules.ALWAYS_REQUIRED_TREATMENTS[pathology], *done, *from_origin]))


def _asks(treatment: str, items: list[str], pathology: Pathology) -> bool:
    if treatment == "support":
        return all(any(_mentions(group, item) for item in items) for group in rules.SUPPORT_GROUPS[pathology])
    return any(_mentions(rules.TREATMENT_KEYWORDS[treatment], item) for item in items)


def _labs(actions: list[ToolAction], pathology: Pathology) -> tuple[float, list[str], list[str]]:
    """(fraction of the required categories requested, which, unnecessary test names)."""
    matched = [m for a in actions if a.name == LAB_TESTS and a.lab for m in a.lab.matched]
    requested = {category for m in matched for category in m.categories}
    required = rules.REQUIRED_LAB_CATEGORIES[pathology]
    hit = [c for c in required if c in requested]
    return len(hit) / len(required), hit, [m.name for m in matched if not m.categories]


def _imaging(actions: list[ToolAction], pathology: Pathology, biliary: bool) -> tuple[int, list[str]]:
    """(points of the first accepted request that scores, unnecessary requests as "Region Modality")."""
    points_of = dict(rules.IMAGING_POINTS[pathology])
    if biliary and "EUS" in points_of:
        points_of["EUS"] += rules.BILIARY_EUS_POINTS
    points = 0
    seen: list[str] = []
    unnecessary: list[str] = []
    for action in actions:
        if action.name != IMAGING or action.imaging is None:
            continue
        request = f"{action.imaging.region} {action.imaging.modality}"
        accepted = action.imaging.region in rules.ABDOMINAL_REGIONS and action.imaging.modality in points_of
        if accepted and points == 0:
            points = points_of[action.imaging.modality]
        if not accepted or request in seen:
            unnecessary.append(request)
        seen.append(request)
    return points, unnecessary


def _mentions(pattern: str, text: str) -> bool:
    """`pattern` occurs in a clause of `text`, not negated."""
    for clause in _clauses(text):
        for match in re.finditer(pattern, clause):
            if not _negated(clause, match.start(), match.end()):
                return True
    return False


def _clauses(text: str) -> list[str]:
    return [c for c in CLAUSE_BREAK.split(text.lower()) if c.strip()]


def _negated(clause: str, start: int, end: int) -> bool:
    """A negation cue shortly before `clause[start:end]` (same comma fragment) or right after it."""
    before = clause[:start].split(",")[-1].split()[-rules.NEGATION_WINDOW_WORDS :]
    if re.search(rules.NEGATION_BEFORE, " ".join(before)):
        return True
    after = re.sub(r"^\w+", "", clause[end:])  # the rest of a word the pattern matched only the start of
    return re.search(rules.NEGATION_AFTER, after) is not None
