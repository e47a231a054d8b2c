"""Scripted `cdm run` results for scoring tests: the actions a model took, its answer, and the ground truth."""

from generator.cdm.case import GroundTruth, Pathology, Treatment
from generator.cdm.lab_requests import LabRequest, MatchedName
from generator.cdm.runner import CaseResult, CdmAnswer, RunConfig
from generator.cdm.tools import ImagingRequest, ToolAction

PE = ToolAction(name="physical_examination", arguments="{}", valid=True)
BROKEN = ToolAction(name="imaging", arguments="{", valid=False, error="bad")


def named(name: str, *itemids: int, categories: tuple[str, ...] = ()) -> MatchedName:
    return MatchedName(name=name, term=name, how="full", itemids=list(itemids), categories=list(categories))


def lab(*matched: MatchedName, unmatched: tuple[str, ...] = ()) -> ToolAction:
    request = LabRequest(
        request="scripted",
        matched=list(matched),
        unmatched=list(unmatched),
        categories=sorted({c for m in matched for c in m.categories}),
    )
    return ToolAction(name="laboratory_tests", arguments="{}", valid=True, lab=request)


def items(*itemids: int, unmatched: tuple[str, ...] = ()) -> ToolAction:
    """A lab request that resolved to these itemids (one name each)."""
    return lab(*(named(str(i), i) for i in itemids), unmatched=unmatched)


def imaging(region: str, modality: str) -> ToolAction:
    request = ImagingRequest(region=region, modality=modality, note_id=None)
    return ToolAction(name="imaging", arguments="{}", valid=True, imaging=request)


def truth(
    *codes: str, diagnoses: tuple[str, ...] = (), note: tuple[str, ...] = (), icd: tuple[str, ...] = (), category=None
) -> GroundTruth:
    """Coded procedures (ICD-9 digits or 7-character ICD-10-PCS), the note's procedures, the diagnoses."""
    treatments = [Treatment(title=f"code {c}", icd_code=c, is_coded=True, category=category) for c in codes]
    treatments += [Treatment(title=title, is_coded=False) for title in note]
    return GroundTruth(primary_diagnosis=list(diagnoses), treatments=treatments, icd_diagnoses=list(icd))


def result(
    hadm_id: int,
    pathology: Pathology,
    actions: list[ToolAction],
    answer: tuple[str, list[str]] | None,
    ground_truth: GroundTruth | None = None,
    *,
    status: str = "ok",
    mode: str = "tools",
) -> CaseResult:
    return CaseResult(
        hadm_id=hadm_id,
        pathology=pathology,
        run=RunConfig(model="m", mode=mode, temperature=0.0, seed=None, max_output_tokens=100, max_turns=12),
        endpoint="http://127.0.0.1:8000/v1",
        mimicbench_version="0",
        case_sha256="0" * 64,
        status=status,
        answer=CdmAnswer(diagnosis=answer[0], treatments=answer[1]) if answer else None,
        actions=actions,
        messages=[],
        calls=[],
        ground_truth=ground_truth or GroundTruth(),
        duration_s=0.0,
    )
