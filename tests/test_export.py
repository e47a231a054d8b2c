"""`mimicbench export`: JSON Lines and Parquet read back as the admissions on disk, with a dataset card."""

import json

import pyarrow.parquet as pq
from click.testing import CliRunner

from generator.cli import cli
from generator.export import DatasetRecord


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_export_round_trips_through_jsonl_and_parquet_with_a_dataset_card(synthetic_warehouse, tmp_path):
    out = tmp_path / "out"
    run = ["generate-cohort", "--limit", 2, "--max-admissions", 2, "--backend", "template"]
    assert invoke(*run, "--db", synthetic_warehouse, "--output-root", out).exit_code == 0

    jsonl = invoke("export", "--output-root", out, "--format", "jsonl", "--out", tmp_path / "ds" / "data.jsonl")
    parquet = invoke("export", "--output-root", out, "--format", "parquet", "--out", tmp_path / "ds" / "data.parquet")

    assert jsonl.exit_code == 0 and parquet.exit_code == 0, jsonl.output + parquet.output
    lines = (tmp_path / "ds" / "data.jsonl").read_text().splitlines()
    records = [DatasetRecord.model_validate_json(line) for line in lines]
    assert len(records) == 4 and len({r.subject_id for r in records}) == 2
    first = records[0]
    stored = [
        json.loads(t)
        for t in next(out.glob(f"{first.subject_id}/admissions/{first.hadm_id}/conversation.jsonl"))
        .read_text()
        .splitlines()
    ]
    assert [t.model_dump() for t in first.conversation] == stored
    assert first.backend == "template" and first.versions["prompt_template"] and first.data_origin == "synthetic"
    rows = pq.read_table(tmp_path / "ds" / "data.parquet").to_pylist()
    assert [DatasetRecord.model_validate(row) for row in rows] == records
    card = (tmp_path / "ds" / "README.md").read_text()
    assert "PhysioNet Credentialed Health Data Use Agreement" in card and "| admissions (records) | 4 |" in card
    assert not list((tmp_path / "ds").glob(".*"))


def test_export_of_an_empty_output_root_says_what_to_do(tmp_path):
    result = invoke("export", "--output-root", tmp_path, "--out", tmp_path / "data.jsonl")

    assert result.exit_code == 1 and "run generate-cohort or generate-patient first" in result.output


def test_export_refuses_a_damaged_admission_folder_and_names_it(synthetic_warehouse, tmp_path):
    out = tmp_path / "out"
    run = ["generate-cohort", "--limit", 1, "--max-admissions", 1, "--backend", "template"]
    assert invoke(*run, "--db", synthetic_warehouse, "--output-root", out).exit_code == 0
    [folder] = out.glob("*/admissions/*")
    (folder / "input_data_manifest.json").unlink()

    result = invoke("export", "--output-root", out, "--out", tmp_path / "data.jsonl")

    assert (
        result.exit_code == 1 and f"{folder} is damaged" in result.output and "Rerun generate-cohort" in result.output
    )
    assert not (tmp_path / "data.jsonl").exists()
