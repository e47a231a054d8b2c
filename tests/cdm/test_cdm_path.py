"""The whole path on the synthetic warehouse: export -> run against a scripted server -> score."""

import json
import re

import pytest

from generator.cdm.case import PATHOLOGIES, CdmBenchmark
from tests.conftest import run_cli
from tests.openai_server import RecordedRequest, ScriptedResponse, chat_completion

LEAKAGE = re.compile(r"\b(appendicitis|appendectomy|cholecystitis|cholecystectomy|diverticulitis|pancreatitis)\b", re.I)


@pytest.fixture(scope="module")
def cases_file(synthetic_warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("cdm") / "cases.json"
    run_cli("cdm", "export", "--db", synthetic_warehouse, "--out", out)
    return out


def test_export_has_every_pathology_with_clean_model_visible_text(cases_file):
    benchmark = CdmBenchmark.model_validate_json(cases_file.read_text())
    assert benchmark.data_origin == "synthetic"
    assert {case.pathology for case in benchmark.cases} == set(PATHOLOGIES)
    for case in benchmark.cases:
        visible = [case.patient_history, case.physical_exam_text, *(r.text for r in case.radiology_reports)]
        assert not any(LEAKAGE.search(text or "") for text in visible), case.hadm_id
        assert "discharge" not in case.physical_exam_text.lower()
        assert len(case.physical_exam_text) >= 40
        assert "IMPRESSION" not in "".join(r.text for r in case.radiology_reports)
        assert any(r.region == "Abdomen" for r in case.radiology_reports)
        assert all(lab.sequence_num == 1 for lab in case.lab_results)
        assert len({lab.itemid for lab in case.lab_results}) == len(case.lab_results)
        assert case.ground_truth.primary_diagnosis
    assert any(t.category for case in benchmark.cases for t in case.ground_truth.treatments)


def test_extended_export_keeps_up_to_three_results_per_test(synthetic_warehouse, tmp_path):
    out = tmp_path / "extended.json"
    run_cli("cdm", "export", "--db", synthetic_warehouse, "--out", out, "--extended")
    benchmark = CdmBenchmark.model_validate_json(out.read_text())
    assert benchmark.extended
    ranks = [lab.sequence_num for case in benchmark.cases for lab in case.lab_results]
    assert max(ranks) <= 3 and min(ranks) == 1


def _doctor(request: RecordedRequest) -> ScriptedResponse:
    """Examine, order labs and an ultrasound, then answer appendicitis."""
    body = request.body
    if "response_format" in body:
        answer = {"diagnosis": "Acute appendicitis", "treatments": ["appendectomy", "antibiotics", "IV fluids"]}
        return chat_completion(json.dumps(answer))
    if any(message["role"] == "tool" for message in body["messages"]):
        return chat_completion("Enough information.")
    return chat_completion(
        tool_calls=[
            {"id": "a", "name": "physical_examination", "arguments": {}},
            {"id": "b", "name": "laboratory_tests", "arguments": {"tests": "CBC, BMP, LFTs and lipase"}},
            {"id": "c", "name": "imaging", "arguments": {"region": "Abdomen", "modality": "Ultrasound"}},
        ]
    )


def test_run_then_score_the_synthetic_cases(cases_file, openai_server, tmp_path):
    openai_server.fallback = _doctor
    results, scores = tmp_path / "results.jsonl", tmp_path / "scores.json"
    output = run_cli(
        "cdm",
        "run",
        "--cases",
        cases_file,
        "--model",
        "m",
        "--base-url",
        openai_server.url,
        "--concurrency",
        "4",
        "--out",
        results,
    )
    assert "0 already in" in output

    table = run_cli("cdm", "score", "--results", results, "--json-out", scores)
    assert [line.split()[0] for line in table.splitlines()[1:]] == [*PATHOLOGIES, "overall"]
    report = json.loads(scores.read_text())
    assert report["per_pathology"]["appendicitis"]["means"]["diagnosis"] == 1.0
    assert report["per_pathology"]["pancreatitis"]["means"]["diagnosis"] == 0.0
    assert report["overall"]["means"]["physical_exam_first"] == 1.0
    assert report["per_pathology"]["pancreatitis"]["means"]["lab_categories"] == 1.0

    again = run_cli(
        "cdm", "run", "--cases", cases_file, "--model", "m", "--base-url", openai_server.url, "--out", results
    )
    assert again.startswith("0 cases run")
