import csv
from pathlib import Path

import pytest

from generator.cdm import CdmError
from generator.cdm.case import DiagnosticCriteria
from generator.cdm.criteria import CriteriaBook
from generator.cdm.runner import read_results, run_benchmark
from tests.cdm.cases import appendicitis_case, benchmark
from tests.cdm.test_runner import ANSWER, _call, _llm
from tests.openai_server import chat_completion

SEED = Path(__file__).resolve().parents[2] / "seeds" / "cdm" / "cdm_diagnostic_criteria.csv"


def seeded_criteria() -> list[DiagnosticCriteria]:
    with SEED.open(encoding="utf-8") as handle:
        return [
            DiagnosticCriteria(
                disease=row["disease"],
                aliases=[a.strip() for a in row["aliases"].split(";") if a.strip()],
                criteria=row["criteria"],
                source=row["source"],
            )
            for row in csv.DictReader(handle)
        ]


def test_the_seed_cites_a_guideline_for_every_target_pathology_and_offers_differentials():
    criteria = {entry.disease: entry for entry in seeded_criteria()}
    assert {"appendicitis", "cholecystitis", "diverticulitis", "pancreatitis"} < set(criteria)
    assert len(criteria) > 4
    assert all("doi:10." in entry.source for entry in criteria.values())


@pytest.mark.parametrize(
    ("name", "disease"),
    [
        ("Acute Cholecystitis", "cholecystitis"),
        ("apendicitis", "appendicitis"),
        ("SBO bowel obstruction", "small bowel obstruction"),
    ],
)
def test_names_are_matched_fuzzily_to_a_disease_or_alias(name, disease):
    assert CriteriaBook(seeded_criteria()).look_up(name).disease == disease


def test_several_diseases_are_answered_and_unknown_ones_listed():
    answer = CriteriaBook(seeded_criteria()).answer("pancreatitis, cholangitis and gout")
    assert answer.startswith("pancreatitis: Revised Atlanta classification")
    assert "\n\ncholangitis: Tokyo Guidelines 2018" in answer
    assert "(Source: Kiriyama S" in answer
    assert "No diagnostic criteria for: gout. Criteria exist for: appendicitis," in answer


def test_the_tool_is_offered_only_when_asked_and_recorded_in_the_run_configuration(openai_server, tmp_path):
    openai_server.push(
        chat_completion(tool_calls=[_call("c1", "diagnostic_criteria", {"disease": "appendicitis"})]),
        chat_completion("done"),
        chat_completion(ANSWER),
    )
    cases = benchmark(appendicitis_case()).model_copy(update={"diagnostic_criteria": seeded_criteria()})
    out = tmp_path / "results.jsonl"
    run_benchmark(cases, _llm(openai_server), out, mode="tools", criteria_tool=True)

    [result] = read_results(out)
    assert result.run.criteria_tool is True
    offered = [tool["function"]["name"] for tool in openai_server.requests[0].body["tools"]]
    assert offered[-1] == "diagnostic_criteria"
    [output] = [m["content"] for m in result.messages if m["role"] == "tool"]
    assert output.startswith("appendicitis: Suspect acute appendicitis") and "WSES Jerusalem" in output
    assert [a.name for a in result.actions] == ["diagnostic_criteria"]


def test_asking_for_the_tool_without_criteria_in_the_cases_file_is_refused(openai_server, tmp_path):
    with pytest.raises(CdmError, match="no diagnostic criteria: export it again"):
        run_benchmark(
            benchmark(appendicitis_case()), _llm(openai_server), tmp_path / "r.jsonl", mode="tools", criteria_tool=True
        )
