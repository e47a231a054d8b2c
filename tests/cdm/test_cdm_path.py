"""The whole path on the synthetic warehouse: export -> run against a scripted server -> score."""

import csv
import json
import re
from pathlib import Path

import duckdb
import pytest

from generator.cdm.case import PATHOLOGIES, CdmBenchmark
from tests.conftest import run_cli
from tests.openai_server import RecordedRequest, ScriptedResponse, chat_completion

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "cdm"


def _leakage_pattern() -> re.Pattern:
    """Every term of the `cdm_leakage_terms` seed, as the scrubbing model matches it (whole words)."""
    with (SEEDS / "cdm_leakage_terms.csv").open(encoding="utf-8") as handle:
        terms = sorted((row["term"] for row in csv.DictReader(handle)), key=len, reverse=True)
    alternatives = "|".join(re.escape(term).replace(r"\ ", r"\s+") for term in terms)
    return re.compile(rf"\b({alternatives})\b", re.IGNORECASE)


LEAKAGE = _leakage_pattern()


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
        visible = [
            case.patient_history,
            case.physical_exam_text,
            *(text for lab in case.lab_results for text in (lab.test_name, lab.fluid, lab.value)),
            *(
                text
                for event in case.microbiology_events
                for text in (event.test_name, event.spec_type_desc, event.organism_name, event.comments)
            ),
            *(text for report in case.radiology_reports for text in (report.exam_name, report.text)),
        ]
        assert not [LEAKAGE.search(text).group() for text in visible if text and LEAKAGE.search(text)], case.hadm_id
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


def test_case_labs_include_orphans_linked_by_window_and_extended_ones_precede_the_first_procedure(
    synthetic_warehouse,
):
    with duckdb.connect(str(synthetic_warehouse), read_only=True) as con:
        methods = dict(con.sql("select link_method, count(*) from cdm.mart_cdm_labs group by 1").fetchall())
        late = con.sql(
            "select count(*) from cdm.mart_cdm_labs as labs join cdm.mart_cdm_cases as cases using (hadm_id)"
            " where labs.extended_rank is not null and labs.charttime >= cases.first_procedure_at"
        ).fetchone()[0]
    assert methods["time_window"] > 0 and methods["hadm_id"] > 0
    assert late == 0


def test_lab_test_mapping_is_written_in_cdmv1_format_beside_the_cases(cases_file, synthetic_warehouse):
    mapping = json.loads((cases_file.parent / "lab_test_mapping.json").read_text())
    assert all(set(row) == {"itemid", "label", "fluid", "category", "count", "corresponding_ids"} for row in mapping)
    by_label = {row["label"]: row for row in mapping}
    with duckdb.connect(str(synthetic_warehouse), read_only=True) as con:
        with_events = {
            i for (i,) in con.sql("select distinct itemid from staging.stg_mimic_hosp__labevents").fetchall()
        }
    assert {row["itemid"] for row in mapping if row["count"]} == with_events
    assert 51301 in by_label["CBC"]["corresponding_ids"] and 51256 in by_label["CBC"]["corresponding_ids"]
    assert by_label["TSH"]["corresponding_ids"] == [50993]
    assert by_label["Blood Culture"]["corresponding_ids"] == [90201]
    assert set(by_label["Sodium"]["corresponding_ids"]) >= {50983}
    assert not any(row["label"] == "tbili" for row in mapping), "our own synonyms stay out of CDMv1's file"


def test_cases_have_full_demographics_and_ground_truth_from_codes_and_the_note(cases_file):
    benchmark = CdmBenchmark.model_validate_json(cases_file.read_text())
    raw = json.loads(cases_file.read_text())
    assert all(case["demographics"] is None or None not in case["demographics"].values() for case in raw["cases"])
    treatments = [t for case in benchmark.cases for t in case.ground_truth.treatments]
    assert {t.source for t in treatments} == {"code", "note"}
    assert all(t.is_coded == (t.source == "code") for t in treatments)
    assert all(t.icd_code is None and t.title == t.title.lower() for t in treatments if t.source == "note")
    assert any(t.category for t in treatments if t.source == "note")
    assert all(case.ground_truth.icd_diagnoses for case in benchmark.cases)
    assert {"appendicitis", "cholecystitis", "diverticulitis", "pancreatitis"} <= {
        entry.disease for entry in benchmark.diagnostic_criteria
    }


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
            {"id": "b", "name": "laboratory_tests", "arguments": {"tests": "CBC, BMP, LFTs, lipase and TSH"}},
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
    assert table.splitlines()[1].split()[:1] == ["metric"]
    report = json.loads(scores.read_text())
    assert set(report["per_pathology"]) == set(PATHOLOGIES)
    assert report["per_pathology"]["appendicitis"]["metrics"]["diagnosis"]["mean"] == 1.0
    assert report["per_pathology"]["pancreatitis"]["metrics"]["diagnosis"]["mean"] == 0.0
    assert report["overall"]["metrics"]["physical_exam_first"]["mean"] == 1.0
    assert report["per_pathology"]["pancreatitis"]["metrics"]["lab_categories"]["mean"] == 1.0

    tool_outputs = [
        m["content"]
        for line in results.read_text().splitlines()
        for m in json.loads(line)["messages"]
        if m["role"] == "tool"
    ]
    assert all("Could not find" not in output for output in tool_outputs)
    assert any("Not available in the record: TSH" in output for output in tool_outputs)

    run_cli("cdm", "score", "--results", results, "--rubric", "cdmv1", "--json-out", scores)
    cdmv1 = json.loads(scores.read_text())
    assert cdmv1["rubric"] == "cdmv1"
    assert cdmv1["per_pathology"]["appendicitis"]["metrics"]["diagnosis"]["mean"] == 1.0
    assert cdmv1["per_pathology"]["appendicitis"]["metrics"]["imaging"]["mean"] == 2.0
    assert cdmv1["per_pathology"]["pancreatitis"]["metrics"]["lab_categories"]["mean"] == 3.0
    assert (scores.with_suffix(".csv")).exists() and (scores.with_suffix(".svg")).exists()

    again = run_cli(
        "cdm", "run", "--cases", cases_file, "--model", "m", "--base-url", openai_server.url, "--out", results
    )
    assert again.splitlines()[-1].startswith("0 cases run")


def test_shards_run_their_own_cases_into_their_own_files_and_score_together_as_one_run(
    cases_file, openai_server, tmp_path
):
    openai_server.fallback = _doctor
    whole, results = tmp_path / "whole.jsonl", tmp_path / "results.jsonl"
    common = ("--cases", cases_file, "--model", "m", "--base-url", openai_server.url, "--mode", "full-info")
    run_cli("cdm", "run", *common, "--out", whole)
    for k in (1, 2):
        run_cli("cdm", "run", *common, "--out", results, "--shard", f"{k}/2")

    shards = [tmp_path / f"results.shard-{k}-of-2.jsonl" for k in (1, 2)]
    ids = [[json.loads(line)["hadm_id"] for line in path.read_text().splitlines()] for path in shards]
    everything = [json.loads(line)["hadm_id"] for line in whole.read_text().splitlines()]
    assert ids[0] and ids[1] and not set(ids[0]) & set(ids[1])
    assert sorted(ids[0] + ids[1]) == sorted(everything) and not results.exists()
    together = run_cli("cdm", "score", "--results", shards[0], "--results", shards[1])
    assert together == run_cli("cdm", "score", "--results", whole)
