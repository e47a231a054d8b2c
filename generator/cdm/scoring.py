"""`mimicbench cdm score`: the rubric applied to each result line, then averaged per pathology and overall.

A case without a final answer scores 0 on diagnosis and treatment; its process scores (exam, labs, imaging)
still count from the tool calls it made. Full-info results have no process scores (null). Imaging scores the
first request of the abdomen: a chest film ordered before it neither earns nor costs imaging points.
"""

import difflib
import re

from pydantic import BaseModel

from generator.cdm import rubric
from generator.cdm.case import PATHOLOGIES, Pathology
from generator.cdm.runner import CaseResult
from generator.cdm.tools import IMAGING, LAB_TESTS, PHYSICAL_EXAM

STRICT_FUZZY_RATIO = 0.9
CLAUSE_BREAK = re.compile(r"[.;:\n]|\bvs\.?\b|\bversus\b|\bbut\b")
METRICS = (
    "diagnosis",
    "lenient_diagnosis",
    "physical_exam_first",
    "physical_exam_any",
    "lab_categories",
    "imaging",
    "treatment_recall",
)


class CaseScore(BaseModel):
    hadm_id: int
    pathology: Pathology
    status: str
    diagnosis: float
    lenient_diagnosis: float
    physical_exam_first: float | None
    physical_exam_any: float | None
    lab_categories: float | None
    lab_categories_hit: list[str] | None
    imaging: float | None
    treatment_required: list[str]
    treatment_requested: list[str]
    treatment_recall: float | None
    tool_calls: int
    invalid_tool_calls: int


class GroupScore(BaseModel):
    """Means over a group of cases (null when no case has the metric)."""

    n: int
    completed: int
    means: dict[str, float | None]


class ScoreReport(BaseModel):
    per_pathology: dict[str, GroupScore]
    overall: GroupScore
    cases: list[CaseScore]


def score_results(results: list[CaseResult]) -> ScoreReport:
    cases = [score_case(result, result.pathology) for result in results if result.pathology]
    per_pathology = {p: _group([c for c in cases if c.pathology == p]) for p in PATHOLOGIES}
    return ScoreReport(
        per_pathology={p: g for p, g in per_pathology.items() if g.n}, overall=_group(cases), cases=cases
    )


def score_case(result: CaseResult, pathology: Pathology) -> CaseScore:
    answer = result.answer
    diagnosis_text = answer.diagnosis if answer else ""
    required = _required_treatments(result, pathology)
    requested = sorted(
        t for t in required if answer and any(_mentions(rubric.TREATMENT_KEYWORDS[t], x) for x in answer.treatments)
    )
    tools_mode = result.run.mode == "tools"
    names = [action.name for action in result.actions]
    lab_fraction, lab_hit = _lab_score(result, pathology) if tools_mode else (None, None)
    return CaseScore(
        hadm_id=result.hadm_id,
        pathology=pathology,
        status=result.status,
        diagnosis=float(strict_diagnosis(diagnosis_text, pathology)),
        lenient_diagnosis=float(lenient_diagnosis(diagnosis_text, pathology)),
        physical_exam_first=float(names[:1] == [PHYSICAL_EXAM]) if tools_mode else None,
        physical_exam_any=float(PHYSICAL_EXAM in names) if tools_mode else None,
        lab_categories=lab_fraction,
        lab_categories_hit=lab_hit,
        imaging=_imaging_score(result, pathology) if tools_mode else None,
        treatment_required=required,
        treatment_requested=requested,
        treatment_recall=len(requested) / len(required) if required else None,
        tool_calls=len(result.actions),
        invalid_tool_calls=sum(not action.valid for action in result.actions),
    )


def strict_diagnosis(text: str, pathology: Pathology) -> bool:
    """The pathology's name (misspellings within ratio 0.9 allowed), not negated."""
    name = rubric.DIAGNOSIS_NAMES[pathology]
    for clause in _clauses(text):
        for word in re.finditer(r"[a-z]+", clause):
            close = difflib.SequenceMatcher(None, word.group(), name).ratio() >= STRICT_FUZZY_RATIO
            if close and not _negated(clause, word.start(), word.end()):
                return True
    return False


def lenient_diagnosis(text: str, pathology: Pathology) -> bool:
    """Strict, or an organ word and an inflammatory modifier in the same clause, not negated."""
    if strict_diagnosis(text, pathology):
        return True
    for clause in _clauses(text):
        organ = re.search(rubric.DIAGNOSIS_ORGANS[pathology], clause)
        modifier = re.search(rubric.DIAGNOSIS_MODIFIERS, clause)
        if organ and modifier:
            start, end = min(organ.start(), modifier.start()), max(organ.end(), modifier.end())
            if not _negated(clause, start, end):
                return True
    return False


def _required_treatments(result: CaseResult, pathology: Pathology) -> list[str]:
    coded = {t.category for t in (result.ground_truth.treatments if result.ground_truth else []) if t.category}
    done = [t for t in rubric.CODED_TREATMENTS[pathology] if t in coded]
    return sorted({*rubric.ALWAYS_REQUIRED_TREATMENTS[pathology], *done})


def _lab_score(result: CaseResult, pathology: Pathology) -> tuple[float, list[str]]:
    """Fraction of the required categories requested in any lab call, and which."""
    requested = {c for a in result.actions if a.name == LAB_TESTS and a.lab for c in a.lab.categories}
    required = rubric.REQUIRED_LAB_CATEGORIES[pathology]
    hit = sorted(c for c in required if c in requested)
    return len(hit) / len(required), hit


def _imaging_score(result: CaseResult, pathology: Pathology) -> float:
    """2 when the first imaging request of the abdomen is the preferred modality, 1 for an alternative."""
    abdominal = (a.imaging for a in result.actions if a.name == IMAGING and a.imaging and a.imaging.region == "Abdomen")
    first = next(abdominal, None)
    if first is None:
        return 0.0
    if first.modality in rubric.PREFERRED_IMAGING[pathology]:
        return 2.0
    return 1.0 if first.modality in rubric.ALTERNATIVE_IMAGING[pathology] else 0.0


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
    before = clause[:start].split(",")[-1].split()[-rubric.NEGATION_WINDOW_WORDS :]
    if re.search(rubric.NEGATION_BEFORE, " ".join(before)):
        return True
    after = re.sub(r"^\w+", "", clause[end:])  # the rest of a word the pattern matched only the start of
    return re.search(rubric.NEGATION_AFTER, after) is not None


def _group(cases: list[CaseScore]) -> GroupScore:
    means: dict[str, float | None] = {}
    for metric in METRICS:
        values = [getattr(c, metric) for c in cases if getattr(c, metric) is not None]
        means[metric] = round(sum(values) / len(values), 4) if values else None
    return GroupScore(n=len(cases), completed=sum(c.status == "ok" for c in cases), means=means)


def render_table(report: ScoreReport) -> str:
    """A fixed-width table: one row per pathology, then overall."""
    headers = ["pathology", "n", "ok", "dx", "dx_lenient", "pe_first", "pe_any", "labs", "imaging", "tx_recall"]
    rows = [[name, group] for name, group in report.per_pathology.items()] + [["overall", report.overall]]
    lines = [headers]
    for name, group in rows:
        lines.append([name, str(group.n), str(group.completed), *(_cell(group.means[m]) for m in METRICS)])
    widths = [max(len(line[i]) for line in lines) for i in range(len(headers))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in lines)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
