import csv
import json

import pytest
from click.testing import CliRunner

from generator.cdm.rubrics.mimicbench import first_listed, lenient_diagnosis, strict_diagnosis
from generator.cdm.scoring import compare_results, score_cases, score_table
from generator.cli import cli
from tests.cdm.results import BROKEN, PE, imaging, lab, named, result, truth
from tests.conftest import run_cli

RESULTS = [
    # Everything right: exam first, inflammation labs, ultrasound of the abdomen, all 3 treatments.
    result(
        1,
        "appendicitis",
        [PE, lab(named("wbc", 51301, categories=("inflammation",))), imaging("Abdomen", "Ultrasound")],
        ("Acute appendicitis", ["Appendectomy", "IV ceftriaxone and metronidazole", "IV fluids, NPO"]),
        truth("4701", category="appendectomy"),
    ),
    # Labs first (an uncategorized test is unnecessary), CT (alternative), a synonym of the name,
    # antibiotics negated, no surgery coded.
    result(
        2,
        "appendicitis",
        [lab(named("hemoglobin", 51222, categories=("general",)), named("tsh", 50993)), PE, imaging("Abdomen", "CT")],
        ("Perforated appendix with abscess", ["no antibiotics", "pain control"]),
    ),
    # Pancreatitis: 2 of 3 lab categories, a chest film (unnecessary), the first-listed diagnosis is
    # cholangitis; ERCP coded and requested.
    result(
        3,
        "pancreatitis",
        [
            PE,
            lab(named("crp", 50889, categories=("inflammation",)), named("lipase", 50956, categories=("pancreas",))),
            imaging("Chest", "Radiograph"),
            BROKEN,
        ],
        ("Cholangitis, not pancreatitis", ["ERCP"]),
        truth("5110", category="ercp"),
    ),
    # Turn limit: no answer, but the process counts.
    result(
        4,
        "pancreatitis",
        [PE, lab(named("panel", 51301, 50956, 50893, categories=("inflammation", "pancreas", "seriousness")))],
        None,
        status="turn_limit",
    ),
]


def test_each_case_gets_the_mimicbench_scores():
    cases = {c.hadm_id: c for c in score_cases(RESULTS, "mimicbench")}

    one = cases[1]
    assert (one.diagnosis, one.lenient_diagnosis, one.physical_exam_first, one.imaging) == (1, 1, 1, 2)
    assert (one.lab_categories, one.treatment_required, one.treatment_recall) == (
        1.0,
        ["antibiotics", "support", "appendectomy"],
        1.0,
    )

    two = cases[2]
    assert (two.diagnosis, two.lenient_diagnosis, two.physical_exam_first, two.physical_exam_any) == (1, 1, 0, 1)
    assert (two.lab_categories, two.unnecessary_lab_tests, two.imaging) == (0.0, ["tsh"], 1.0)
    assert (two.treatment_requested, two.treatment_recall) == (["support"], 0.5)

    three = cases[3]
    assert (three.diagnosis_read, three.diagnosis, three.lenient_diagnosis) == ("cholangitis", 0, 0)
    assert (three.imaging, three.unnecessary_imaging_requests, three.invalid_tool_calls) == (0, ["Chest Radiograph"], 1)
    assert three.lab_categories == pytest.approx(2 / 3)
    assert (three.treatment_required, three.treatment_requested) == (["support", "ercp"], ["ercp"])

    four = cases[4]
    assert (four.diagnosis, four.lab_categories, four.treatment_recall) == (0, 1.0, 0.0)


def test_groups_average_per_pathology_and_overall_with_intervals_around_the_mean():
    report = score_table(RESULTS, resamples=500)
    appendicitis = report.per_pathology["appendicitis"]
    assert (appendicitis.n, appendicitis.completed) == (2, 2)
    assert appendicitis.metrics["imaging"].mean == 1.5
    assert appendicitis.metrics["treatment_recall"].mean == 0.75
    assert appendicitis.metrics["diagnosis"].model_dump() == {"n": 2, "mean": 1.0, "ci_low": 1.0, "ci_high": 1.0}
    recall = appendicitis.metrics["treatment_recall"]
    assert recall.ci_low == 0.5 and recall.ci_high == 1.0
    assert report.overall.n == 4 and report.overall.completed == 3
    assert report.overall.metrics["physical_exam_first"].mean == 0.75
    assert set(report.per_pathology) == {"appendicitis", "pancreatitis"}


def test_intervals_are_deterministic_for_a_seed_and_move_with_another():
    many = [result(i, "appendicitis", [PE], ("Appendicitis" if i % 3 else "Colitis", [])) for i in range(60)]
    first = score_table(many, resamples=300, seed=1).overall.metrics["diagnosis"]
    again = score_table(many, resamples=300, seed=1).overall.metrics["diagnosis"]
    other = score_table(many, resamples=300, seed=2).overall.metrics["diagnosis"]
    assert first == again
    assert first.ci_low < first.mean < first.ci_high
    assert (other.ci_low, other.ci_high) != (first.ci_low, first.ci_high)


def test_compare_gives_paired_differences_over_shared_admissions():
    before = [result(i, "cholecystitis", [PE], ("Biliary colic", [])) for i in range(10)]
    after = [result(i, "cholecystitis", [PE], ("Acute cholecystitis", [])) for i in range(1, 12)]
    report = compare_results(before, after, resamples=300)
    diagnosis = report.groups["cholecystitis"]["diagnosis"]
    assert (diagnosis.n_pairs, diagnosis.mean_a, diagnosis.mean_b, diagnosis.difference) == (9, 0.0, 1.0, 1.0)
    assert (diagnosis.ci_low, diagnosis.ci_high) == (1.0, 1.0)
    assert report.groups["overall"]["physical_exam_first"].difference == 0.0


def test_full_info_results_have_no_process_scores():
    full_info = result(
        5, "diverticulitis", [], ("Sigmoid diverticulitis", ["Antibiotics", "IV fluids"]), mode="full-info"
    )
    [case] = score_cases([full_info], "mimicbench")
    assert (case.diagnosis, case.physical_exam_first, case.imaging) == (1, None, None)
    assert (case.treatment_required, case.treatment_recall) == (["colonoscopy", "antibiotics", "support"], 2 / 3)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Acute cholecystitis vs acute pancreatitis", "acute cholecystitis"),
        ("Acute cholecystitis, acute pancreatitis", "acute cholecystitis"),
        ("Perforated, gangrenous appendicitis", "perforated, gangrenous appendicitis"),
        ("Appendicitis with abscess and peritonitis", "appendicitis with abscess"),
        ("Acute appendicitis; rule out perforation", "acute appendicitis"),
        ("Gallstone pancreatitis or cholangitis", "gallstone pancreatitis"),
        ("Acute appendicitis.", "acute appendicitis."),
    ],
)
def test_only_the_first_listed_diagnosis_is_read(text, first):
    assert first_listed(text)[0] == first


@pytest.mark.parametrize(
    ("text", "pathology", "strict", "lenient"),
    [
        ("Acute apendicitis", "appendicitis", True, True),
        ("No evidence of appendicitis", "appendicitis", False, False),
        ("Rule out appendicitis; gastroenteritis", "appendicitis", False, False),
        ("Gastroenteritis vs appendicitis", "appendicitis", False, False),
        ("Ruled out cholecystitis; biliary colic", "cholecystitis", False, False),
        ("Cholecystitis was ruled out", "cholecystitis", False, False),
        ("Cholecystitis is not likely", "cholecystitis", False, False),
        ("Cholecystitis unlikely, symptomatic cholelithiasis", "cholecystitis", False, False),
        ("Acute calculous cholecystitis", "cholecystitis", True, True),
        ("Gallstone pancreatitis", "pancreatitis", True, True),
        ("Gallstone pancreatitis", "cholecystitis", False, False),
        ("Perforated appendix", "appendicitis", True, True),
        ("No evidence of perforated appendix", "appendicitis", False, False),
        ("Non-perforated appendicitis", "appendicitis", True, True),
        ("Appendicitis, perforation unlikely", "appendicitis", True, True),
        ("Gangrenous gallbladder", "cholecystitis", True, True),
        ("Gallbladder empyema", "cholecystitis", False, False),
        ("Edematous pancreas", "pancreatitis", False, False),
        ("Pancreatic necrosis", "pancreatitis", True, True),
        ("Pancreatic adenocarcinoma", "pancreatitis", False, False),
        ("Sigmoid diverticulosis", "diverticulitis", False, False),
        ("Sigmoid perforation", "diverticulitis", False, True),
        ("Ascending cholangitis", "cholecystitis", False, True),
        ("Acute biliary colic", "cholecystitis", False, True),
        ("Acute cholecystitis vs acute pancreatitis", "pancreatitis", False, False),
    ],
)
def test_diagnosis_matching_on_lists_negations_and_synonyms(text, pathology, strict, lenient):
    assert strict_diagnosis(text, pathology) is strict
    assert lenient_diagnosis(text, pathology) is lenient


def test_treatments_need_the_named_care_and_respect_negation():
    appendicitis = result(
        6,
        "appendicitis",
        [PE],
        ("Acute appendicitis", ["Lap appy", "antibiotics are not indicated", "oral rehydration"]),
        truth("4701", category="appendectomy"),
    )
    pancreatitis = result(7, "pancreatitis", [PE], ("Acute pancreatitis", ["IV fluids"]))
    pancreatitis_full = result(
        8, "pancreatitis", [PE], ("Acute pancreatitis", ["IV fluids", "hydromorphone for pain", "monitor urine output"])
    )
    biliary = result(
        9,
        "pancreatitis",
        [PE],
        ("Gallstone pancreatitis", ["Cholecystectomy before discharge"]),
        truth(diagnoses=("Gallstone pancreatitis",)),
    )
    diverticulitis = result(10, "diverticulitis", [PE], ("Diverticulitis", ["Antibiotics", "IV fluids"]))
    cases = {
        c.hadm_id: c
        for c in score_cases([appendicitis, pancreatitis, pancreatitis_full, biliary, diverticulitis], "mimicbench")
    }
    assert cases[6].treatment_requested == ["appendectomy"]
    assert cases[7].treatment_requested == []
    assert cases[8].treatment_requested == ["support"]
    assert (cases[9].treatment_required, cases[9].treatment_requested) == (
        ["support", "cholecystectomy"],
        ["cholecystectomy"],
    )
    assert cases[10].treatment_required == ["colonoscopy", "antibiotics", "support"]


def test_imaging_scores_the_first_accepted_modality_and_records_the_rest():
    chest_first = result(
        7, "cholecystitis", [imaging("Chest", "Radiograph"), imaging("Abdomen", "Ultrasound")], ("x", [])
    )
    film_first = result(
        8, "appendicitis", [imaging("Abdomen", "Radiograph"), imaging("Abdomen", "Ultrasound")], ("x", [])
    )
    ct_first = result(9, "cholecystitis", [imaging("Abdomen", "CT"), imaging("Abdomen", "Ultrasound")], ("x", []))
    mrcp = result(
        10, "pancreatitis", [imaging("Abdomen", "MRCP"), imaging("Abdomen", "CT"), imaging("Abdomen", "CT")], ("x", [])
    )
    eus = result(
        11,
        "pancreatitis",
        [imaging("Abdomen", "EUS")],
        ("x", []),
        truth(icd=("Biliary acute pancreatitis without necrosis or infection",)),
    )
    scores = {c.hadm_id: c for c in score_cases([chest_first, film_first, ct_first, mrcp, eus], "mimicbench")}
    assert {h: c.imaging for h, c in scores.items()} == {7: 2.0, 8: 2.0, 9: 2.0, 10: 1.0, 11: 1.0}
    assert scores[10].unnecessary_imaging_requests == ["Abdomen MRCP", "Abdomen CT"]


def test_score_command_prints_intervals_and_writes_json_csv_and_svg(tmp_path):
    results = tmp_path / "results.jsonl"
    results.write_text("".join(r.model_dump_json() + "\n" for r in RESULTS))
    output = run_cli("cdm", "score", "--results", results, "--json-out", tmp_path / "scores.json", "--resamples", "200")
    lines = output.splitlines()
    assert lines[0].startswith("rubric mimicbench")
    assert lines[1].split()[0] == "metric" and "overall" in lines[1]
    assert [line.split()[0] for line in lines[3:]] == list(score_table(RESULTS).overall.metrics)
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores["overall"]["metrics"]["lenient_diagnosis"]["mean"] == 0.5
    assert len(scores["cases"]) == 4
    with (tmp_path / "scores.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {row["group"] for row in rows} == {"appendicitis", "pancreatitis", "overall"}
    assert set(rows[0]) == {"rubric", "group", "metric", "n", "mean", "ci_low", "ci_high"}
    svg = (tmp_path / "scores.svg").read_text()
    assert svg.startswith("<svg") and svg.count("<rect") > 10 and "treatment_recall" in svg


def test_score_command_compares_two_runs(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("".join(r.model_dump_json() + "\n" for r in RESULTS))
    better = [r.model_copy(update={"actions": [PE, *r.actions]}) for r in RESULTS]
    b.write_text("".join(r.model_dump_json() + "\n" for r in better))
    output = run_cli("cdm", "score", "--compare", a, b, "--rubric", "cdmv1", "--json-out", tmp_path / "cmp.json")
    assert output.startswith("rubric cdmv1: B - A")
    report = json.loads((tmp_path / "cmp.json").read_text())
    assert report["groups"]["overall"]["physical_exam_first"]["difference"] == 0.25
    assert (tmp_path / "cmp.csv").exists() and (tmp_path / "cmp.svg").read_text().startswith("<svg")


def test_score_command_needs_exactly_one_of_results_and_compare(tmp_path):
    neither = CliRunner().invoke(cli, ["cdm", "score"])
    assert neither.exit_code == 2 and "Pass either --results FILE or --compare A B." in neither.output


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
