"""`mimicbench generate-patient` end to end on the synthetic warehouse, with both backends."""

import json

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.sections import PACKET_SECTIONS
from generator.template_backend import template_answer
from generator.warehouse import Warehouse
from tests.conftest import run_cli
from tests.openai_server import chat_completion, error_response


@pytest.fixture(scope="module")
def patient(synthetic_warehouse):
    """The synthetic patient with the fewest (but two or more) admissions with a discharge note, and those."""
    warehouse = Warehouse(synthetic_warehouse)
    for row in reversed(warehouse.cohort()):
        refs = [r for r in warehouse.admissions(row["subject_id"]) if r.has_discharge_note]
        if len(refs) >= 2:
            return row["subject_id"], refs
    pytest.fail("the synthetic warehouse has no patient with two admissions with discharge notes")


def read(path):
    return json.loads(path.read_text())


def test_template_backend_writes_every_admission_and_patient_file(synthetic_warehouse, patient, tmp_path):
    subject_id, refs = patient
    output = run_cli(
        "generate-patient",
        "--db",
        synthetic_warehouse,
        "--subject-id",
        subject_id,
        "--backend",
        "template",
        "--output-root",
        tmp_path,
        "--row-cap-labs",
        2,
        "--row-cap-radiology-notes",
        "none",
    )
    assert f"{len(refs)} of {len(refs)} admissions written" in output
    root = tmp_path / str(subject_id)
    for ref in refs:
        summary = read(root / "admissions" / str(ref.hadm_id) / "summary.json")
        assert summary["backend"] == "template" and summary["validation"]["ok"]
        assert summary["grounding_score"] in (None, 1.0)
    manifest = read(root / "patient_manifest.json")
    assert [a["status"] for a in manifest["admissions"]] == ["completed"] * len(refs)
    assert manifest["versions"]["prompt_template"] == "conversation-prompt.v1"
    assert str(tmp_path) not in (root / "patient_manifest.json").read_text()
    details = [json.loads(line) for line in (root / "conversation_details.jsonl").read_text().splitlines()]
    assert {d["hadm_id"] for d in details} == {r.hadm_id for r in refs} and details[0]["backend"] == "template"
    assert len(read(root / "conversation_only.json")) == len(refs)
    inputs = read(root / "admissions" / str(refs[0].hadm_id) / "input_data_manifest.json")
    assert inputs["caps_requested"] == {"labs": 2, "radiology_notes": None}
    assert inputs["sections"]["labs"]["cap"] == 2 and inputs["sections"]["labs"]["rows_kept"] <= 2
    second_prompt = read(root / "admissions" / str(refs[1].hadm_id) / "prompt_record.json")
    assert second_prompt["previous_admission"]["hadm_id"] == refs[0].hadm_id


def test_openai_backend_through_the_scripted_server(synthetic_warehouse, patient, tmp_path, openai_server):
    subject_id, refs = patient
    warehouse = Warehouse(synthetic_warehouse)
    openai_server.push(*[chat_completion(template_answer(warehouse.packet(r.hadm_id)).model_dump_json()) for r in refs])
    args = [
        "generate-patient",
        "--db",
        synthetic_warehouse,
        "--subject-id",
        subject_id,
        "--model",
        "local-model",
        "--base-url",
        openai_server.url,
        "--seed",
        "7",
        "--output-root",
        tmp_path,
    ]
    run_cli(*args)
    assert [r.body["seed"] for r in openai_server.requests] == [7] * len(refs)
    assert openai_server.requests[0].body["response_format"]["type"] == "json_schema"
    root = tmp_path / str(subject_id) / "admissions"
    first = root / str(refs[0].hadm_id)
    full_run_prompt = read(root / str(refs[1].hadm_id) / "prompt_record.json")
    untouched = (first / "conversation.jsonl").stat().st_mtime_ns

    openai_server.push(chat_completion(template_answer(warehouse.packet(refs[1].hadm_id)).model_dump_json()))
    run_cli(*args, "--hadm-id", refs[1].hadm_id, "--max-admissions", 1)
    assert read(root / str(refs[1].hadm_id) / "prompt_record.json")["hashes"] == full_run_prompt["hashes"]
    assert (first / "conversation.jsonl").stat().st_mtime_ns == untouched
    record = read(root / str(refs[1].hadm_id) / "model_call_record.json")
    assert record["resume_key"]["model"] == "local-model" and record["resume_key"]["params"]["seed"] == 7


def test_a_failed_admission_does_not_stop_the_others_and_sets_the_exit_code(
    synthetic_warehouse, patient, tmp_path, openai_server
):
    subject_id, refs = patient
    warehouse = Warehouse(synthetic_warehouse)
    openai_server.push(
        error_response(400, "this prompt is longer than the model can read"),
        *[chat_completion(template_answer(warehouse.packet(r.hadm_id)).model_dump_json()) for r in refs[1:]],
    )
    result = CliRunner().invoke(
        cli,
        [
            "generate-patient",
            "--db",
            str(synthetic_warehouse),
            "--subject-id",
            str(subject_id),
            "--model",
            "m",
            "--base-url",
            openai_server.url,
            "--output-root",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1, result.output
    assert f"admission {refs[0].hadm_id}: failed (bad_request" in result.output
    manifest = read(tmp_path / str(subject_id) / "patient_manifest.json")
    assert [a["status"] for a in manifest["admissions"]] == ["failed"] + ["completed"] * (len(refs) - 1)


def test_unknown_admission_is_a_clear_error(synthetic_warehouse, patient, tmp_path):
    subject_id, _ = patient
    result = CliRunner().invoke(
        cli,
        [
            "generate-patient",
            "--db",
            str(synthetic_warehouse),
            "--subject-id",
            str(subject_id),
            "--hadm-id",
            "1",
            "--backend",
            "template",
            "--output-root",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1 and "does not belong to this patient" in result.output


def test_openai_backend_needs_a_model(synthetic_warehouse, tmp_path):
    result = CliRunner().invoke(
        cli, ["generate-patient", "--db", str(synthetic_warehouse), "--subject-id", "1", "--output-root", str(tmp_path)]
    )
    assert result.exit_code == 2 and "--model is required" in result.output


@pytest.mark.parametrize("command", ["generate-patient", "generate-cohort"])
def test_row_cap_options_are_one_per_packet_section_named_after_it(command):
    options = [opt for param in cli.commands[command].params for opt in param.opts if opt.startswith("--row-cap-")]
    assert options == [f"--row-cap-{section.name.replace('_', '-')}" for section in PACKET_SECTIONS]
    result = CliRunner().invoke(cli, [command, "--row-cap-radiology", "3"])
    assert result.exit_code == 2 and "No such option" in result.output and "--row-cap-radiology-notes" in result.output
