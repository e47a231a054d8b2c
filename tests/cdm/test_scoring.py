import json

import pytest
from click.testing import CliRunner

from generator.cdm.case import GroundTruth, Treatment
from generator.cdm.lab_requests import LabRequest
from generator.cdm.runner import CaseResult, CdmAnswer, RunConfig
from generator.cdm.scoring import lenient_diagnosis, score_results, strict_diagnosis
from generator.cdm.tools import ImagingRequest, ToolAction
from generator.cli import cli
from tests.conftest import run_cli


def _lab(*categories: str) -> ToolAction:
    request = LabRequest(request="x", matched=[], unmatched=[], categories=list(categories))
    return ToolAction(name="laboratory_tests", arguments="{}", valid=True, lab=request)


def _imaging(region: str, modality: str) -> ToolAction:
    request = ImagingRequest(region=region, modality=modality, note_id=None)
    return ToolAction(name="imaging", arguments="{}", valid=True, imaging=request)


PE = ToolAction(name="physical_examination", arguments="{}", valid=True)
BROKEN = ToolAction(name="imaging", arguments="{", valid=False, error="bad")


def _result(hadm_id, pathology, actions, answer, coded=(), status="ok", mode="tools") -> CaseResult:
    treatments = [Treatment(title=c, is_coded=True, category=c) for c in coded]
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
        ground_truth=GroundTruth(primary_diagnosis=[], treatments=treatments),
        duration_s=0.0,
    )


RESULTS = [
    # Everything right: exam first, inflammation labs, ultrasound of the abdomen, all 3 treatments.
    _result(
        1,
        "appendicitis",
        [PE, _lab("inflammation"), _imaging("Abdomen", "Ultrasound")],
        ("Acute appendicitis", ["Appendectomy", "IV ceftriaxone and metronidazole", "IV fluids, NPO"]),
        coded=["appendectomy"],
    ),
    # Labs first, CT (alternative), lenient diagnosis only, antibiotics negated, no surgery coded.
    _result(
        2,
        "appendicitis",
        [_lab("general"), PE, _imaging("Abdomen", "CT")],
        ("Perforated appendix with abscess", ["no antibiotics", "pain control"]),
    ),
    # Pancreatitis: 2 of 3 lab categories, chest film first, diagnosis negated; ERCP coded and requested.
    _result(
        3,
        "pancreatitis",
        [PE, _lab("inflammation", "pancreas"), _imaging("Chest", "Radiograph"), BROKEN],
        ("Cholangitis, not pancreatitis", ["ERCP"]),
        coded=["ercp"],
    ),
    # Turn limit: no answer, but the process counts.
    _result(4, "pancreatitis", [PE, _lab("inflammation", "pancreas", "seriousness")], None, status="turn_limit"),
]


def test_each_case_gets_the_rubric_scores():
    cases = {c.hadm_id: c for c in score_results(RESULTS).cases}

    one = cases[1]
    assert (one.diagnosis, one.lenient_diagnosis, one.physical_exam_first, one.imaging) == (1, 1, 1, 2)
    assert (one.lab_categories, one.treatment_required, one.treatment_recall) == (
        1.0,
        ["antibiotics", "appendectomy", "support"],
        1.0,
    )

    two = cases[2]
    assert (two.diagnosis, two.lenient_diagnosis, two.physical_exam_first, two.physical_exam_any) == (0, 1, 0, 1)
    assert (two.lab_categories, two.imaging, two.treatment_requested, two.treatment_recall) == (
        0.0,
        1.0,
        ["support"],
        0.5,
    )

    three = cases[3]
    assert (three.diagnosis, three.lenient_diagnosis, three.imaging, three.invalid_tool_calls) == (0, 0, 0, 1)
    assert three.lab_categories == pytest.approx(2 / 3)
    assert (three.treatment_required, three.treatment_requested) == (["ercp", "support"], ["ercp"])

    four = cases[4]
    assert (four.diagnosis, four.lab_categories, four.treatment_recall) == (0, 1.0, 0.0)


def test_groups_average_per_pathology_and_overall():
    report = score_results(RESULTS)
    appendicitis = report.per_pathology["appendicitis"]
    assert (appendicitis.n, appendicitis.completed) == (2, 2)
    assert appendicitis.means["diagnosis"] == 0.5
    assert appendicitis.means["imaging"] == 1.5
    assert appendicitis.means["treatment_recall"] == 0.75
    assert report.overall.n == 4 and report.overall.completed == 3
    assert report.overall.means["physical_exam_first"] == 0.75
    assert set(report.per_pathology) == {"appendicitis", "pancreatitis"}


def test_full_info_results_have_no_process_scores():
    result = _result(
        5, "diverticulitis", [], ("Sigmoid diverticulitis", ["Antibiotics", "IV fluids"]), mode="full-info"
    )
    [case] = score_results([result]).cases
    assert (case.diagnosis, case.physical_exam_first, case.imaging, case.treatment_recall) == (1, None, None, 1.0)


@pytest.mark.parametrize(
    ("text", "strict", "lenient"),
    [
        ("Acute apendicitis", True, True),
        ("Rule out appendicitis; gastroenteritis", False, False),
        ("Gastroenteritis vs appendicitis", True, True),
        ("Inflamed appendix", False, True),
        ("No evidence of perforated appendix", False, False),
    ],
)
def test_diagnosis_matching_tolerates_typos_and_respects_negation(text, strict, lenient):
    assert strict_diagnosis(text, "appendicitis") is strict
    assert lenient_diagnosis(text, "appendicitis") is lenient


def test_score_command_prints_a_table_and_writes_json(tmp_path):
    results = tmp_path / "results.jsonl"
    results.write_text("".join(r.model_dump_json() + "\n" for r in RESULTS))
    output = run_cli("cdm", "score", "--results", results, "--json-out", tmp_path / "scores.json")
    lines = output.splitlines()
    assert lines[0].split()[:4] == ["pathology", "n", "ok", "dx"]
    assert [line.split()[0] for line in lines[1:]] == ["appendicitis", "pancreatitis", "overall"]
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores["overall"]["means"]["lenient_diagnosis"] == 0.5
    assert len(scores["cases"]) == 4


@pytest.mark.parametrize(
    ("text", "pathology", "strict", "lenient"),
    [
        ("No evidence of appendicitis", "appendicitis", False, False),
        ("Ruled out cholecystitis; biliary colic", "cholecystitis", False, False),
        ("Cholecystitis was ruled out", "cholecystitis", False, False),
        ("Cholecystitis unlikely, symptomatic cholelithiasis", "cholecystitis", False, False),
        ("Acute calculous cholecystitis", "cholecystitis", True, True),
        ("Gallstone pancreatitis", "pancreatitis", True, True),
        ("Gallstone pancreatitis", "cholecystitis", False, False),
        ("Perforated appendix", "appendicitis", False, True),
        ("Non-perforated appendicitis", "appendicitis", True, True),
        ("No fever, acute appendicitis", "appendicitis", True, True),
        ("Appendicitis, perforation unlikely", "appendicitis", True, True),
        ("Gangrenous gallbladder", "cholecystitis", False, True),
        ("Pancreatic adenocarcinoma", "pancreatitis", False, False),
        ("Sigmoid diverticulosis", "diverticulitis", False, False),
        ("Ascending cholangitis", "cholecystitis", False, False),
    ],
)
def test_diagnosis_matching_on_negations_and_synonyms(text, pathology, strict, lenient):
    assert strict_diagnosis(text, pathology) is strict
    assert lenient_diagnosis(text, pathology) is lenient


def test_negated_treatments_are_not_requested_and_lap_appy_is_an_appendectomy():
    result = _result(
        6,
        "appendicitis",
        [],
        ("Acute appendicitis", ["Lap appy", "antibiotics not indicated", "IV fluids"]),
        coded=["appendectomy"],
    )
    [case] = score_results([result]).cases
    assert (case.treatment_requested, case.treatment_recall) == (["appendectomy", "support"], pytest.approx(2 / 3))


def test_imaging_scores_the_first_request_of_the_abdomen():
    chest_first = _result(
        7, "cholecystitis", [_imaging("Chest", "Radiograph"), _imaging("Abdomen", "Ultrasound")], ("x", [])
    )
    ct_first = _result(8, "cholecystitis", [_imaging("Abdomen", "CT"), _imaging("Abdomen", "Ultrasound")], ("x", []))
    mri_first = _result(9, "cholecystitis", [_imaging("Abdomen", "MRI")], ("x", []))
    scores = {c.hadm_id: c.imaging for c in score_results([chest_first, ct_first, mri_first]).cases}
    assert scores == {7: 2.0, 8: 0.0, 9: 1.0}


def test_score_command_reports_a_missing_or_foreign_results_file_in_one_line(tmp_path):
    missing = CliRunner().invoke(cli, ["cdm", "score", "--results", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 1
    assert (
        missing.output.strip()
        == f"Error: No results file at {tmp_path / 'nope.jsonl'}: run `mimicbench cdm run` first."
    )

    cases = tmp_path / "cases.json"
    cases.write_text('{\n  "data_origin": "synthetic",\n  "cases": []\n}\n')
    foreign = CliRunner().invoke(cli, ["cdm", "score", "--results", str(cases)])
    assert foreign.exit_code == 1
    assert len(foreign.output.strip().splitlines()) == 1
    assert "line 1 is not a `mimicbench cdm run` result" in foreign.output
