"""The LLM commands used carelessly or against a hostile server: proxy variables, redirects, a server that echoes
the API key, an output that cannot be written, a refused key, and a second run on the same files."""

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner, Result

from generator import artifacts
from generator.cli import cli
from generator.locks import exclusive
from generator.template_backend import template_answer
from generator.warehouse import Warehouse
from tests.cdm.cases import appendicitis_case, benchmark
from tests.openai_server import OpenAIServer, ScriptedResponse, chat_completion, error_response

KEY_ENV = "MIMICBENCH_TEST_KEY"
SECRET = "sk-live-0123456789abcdefghij"
CDM_ANSWER = json.dumps({"diagnosis": "Acute appendicitis", "treatments": ["Laparoscopic appendectomy"]})


@pytest.fixture(scope="module")
def patient(synthetic_warehouse) -> tuple[int, list[int]]:
    """A synthetic patient with two or more admissions with a discharge note, and those admissions."""
    warehouse = Warehouse(synthetic_warehouse)
    for row in warehouse.cohort():
        hadm_ids = [r.hadm_id for r in warehouse.admissions(row["subject_id"]) if r.has_discharge_note]
        if len(hadm_ids) >= 2:
            return row["subject_id"], hadm_ids
    pytest.fail("the synthetic warehouse has no patient with two admissions with discharge notes")


def invoke(*args) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def generate_patient(db, server, output_root, subject_id, *options) -> Result:
    common = ("--db", db, "--model", "m", "--base-url", server.url, "--output-root", output_root)
    return invoke("generate-patient", "--subject-id", subject_id, *common, *options)


def cdm_run(server, tmp_path, *options) -> Result:
    cases = tmp_path / "cases.json"
    cases.write_text(benchmark(appendicitis_case()).model_dump_json())
    common = ("--cases", cases, "--mode", "full-info", "--model", "m", "--base-url", server.url)
    return invoke("cdm", "run", *common, *options)


def test_proxy_variables_never_carry_a_request_for_a_local_server(
    synthetic_warehouse, patient, openai_server, proxy, tmp_path
):
    subject_id, hadm_ids = patient
    warehouse = Warehouse(synthetic_warehouse)
    openai_server.push(chat_completion(template_answer(warehouse.packet(hadm_ids[0])).model_dump_json()))
    openai_server.push(chat_completion(CDM_ANSWER))

    generated = generate_patient(synthetic_warehouse, openai_server, tmp_path, subject_id, "--max-admissions", 1)
    ran = cdm_run(openai_server, tmp_path, "--out", tmp_path / "results.jsonl")

    assert generated.exit_code == 0, generated.output
    assert ran.exit_code == 0, ran.output
    assert proxy.requests == [] and len(openai_server.requests) == 2


def test_a_redirect_is_refused_recorded_and_stops_the_run(synthetic_warehouse, patient, openai_server, tmp_path):
    subject_id, hadm_ids = patient
    with OpenAIServer() as elsewhere:
        openai_server.fallback = lambda request: ScriptedResponse(
            status=307, headers={"location": f"{elsewhere.url}/chat/completions"}
        )
        result = generate_patient(synthetic_warehouse, openai_server, tmp_path, subject_id)

        assert elsewhere.requests == []
    assert result.exit_code == 1 and "redirected the request elsewhere" in result.output
    assert len(openai_server.requests) == 1
    failed = artifacts.failed_dir(tmp_path, subject_id, hadm_ids[0])
    assert artifacts.read_json(failed / artifacts.FAILURE)["error_kind"] == "redirect"
    [attempt] = artifacts.read_json(failed / artifacts.CALL_RECORD)["rounds"][0]["attempts"]
    assert attempt["http_status"] == 307 and f"a redirect to {elsewhere.url}/chat/completions" in attempt["error"]


@pytest.mark.parametrize("command", ["generate-patient", "generate-cohort", "cdm run"])
def test_an_api_key_the_server_echoes_reaches_no_record_and_not_the_console(
    synthetic_warehouse, patient, openai_server, tmp_path, monkeypatch, command
):
    monkeypatch.setenv(KEY_ENV, SECRET)
    openai_server.fallback = lambda request: error_response(401, f"rejected {request.headers['authorization']}")
    key = ("--api-key-env", KEY_ENV)
    out = tmp_path / "out"
    if command == "generate-patient":
        result = generate_patient(synthetic_warehouse, openai_server, out, patient[0], *key)
    elif command == "generate-cohort":
        common = ("--db", synthetic_warehouse, "--model", "m", "--base-url", openai_server.url, "--output-root", out)
        result = invoke("generate-cohort", "--limit", 2, "--concurrency", 1, *common, *key)
    else:
        result = cdm_run(openai_server, tmp_path, "--out", out / "results.jsonl", *key)

    assert result.exit_code == 1, result.output
    assert openai_server.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert "Bearer [redacted]" in result.output and SECRET not in result.output
    records = {path.name: path.read_text() for path in out.rglob("*") if path.is_file()}
    expected = {
        "generate-patient": {"failure.json", "model_call_record.json", "patient_manifest.json"},
        "generate-cohort": {"failure.json", "model_call_record.json", "patient_manifest.json", "run_report.json"},
        "cdm run": set(),  # the refused key stops the run before any case is recorded
    }[command]
    assert expected <= set(records)
    assert all("Bearer [redacted]" in records[name] for name in expected)
    assert [name for name, text in records.items() if SECRET in text] == []


def test_an_authentication_error_stops_generate_patient_at_the_first_request(
    synthetic_warehouse, patient, openai_server, tmp_path
):
    subject_id, hadm_ids = patient
    openai_server.fallback = lambda request: error_response(401, "invalid api key")
    result = generate_patient(synthetic_warehouse, openai_server, tmp_path, subject_id)

    assert result.exit_code == 1
    assert len(openai_server.requests) == 1
    assert f"Stopped after admission {hadm_ids[0]}, before any later one: check the API key" in result.output


@pytest.mark.parametrize("command", ["generate-patient", "generate-cohort", "cdm run"])
def test_an_output_root_that_is_a_file_is_refused_before_any_request(
    synthetic_warehouse, patient, openai_server, tmp_path, command
):
    taken = tmp_path / "taken"
    taken.write_text("a file, not a folder")
    if command == "generate-patient":
        result = generate_patient(synthetic_warehouse, openai_server, taken, patient[0])
    elif command == "generate-cohort":
        common = ("--db", synthetic_warehouse, "--model", "m", "--base-url", openai_server.url)
        result = invoke("generate-cohort", "--limit", 1, *common, "--output-root", taken)
    else:
        result = cdm_run(openai_server, tmp_path, "--out", taken / "results.jsonl")

    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Cannot write into {taken} (") and "Traceback" not in result.output
    assert openai_server.requests == []


def test_a_read_only_output_root_is_refused_before_any_request(synthetic_warehouse, openai_server, tmp_path):
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-rm", "true"], capture_output=True).returncode != 0:
        pytest.skip("needs unshare(1) with user and mount namespaces to mount a read-only file system")
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    mount_then_run = 'mount -t tmpfs -o ro tmpfs "$0" && shift && exec "$@"'
    args = ["generate-cohort", "--db", synthetic_warehouse, "--model", "m", "--base-url", openai_server.url]
    command = [sys.executable, "-m", "generator", *map(str, args), "--limit", "1", "--output-root", str(read_only)]
    ran = subprocess.run(
        [unshare, "-rm", "sh", "-c", mount_then_run, str(read_only), "sh", *command], capture_output=True, text=True
    )

    assert ran.returncode == 1, ran.stderr
    assert f"Error: Cannot write into {read_only} (Read-only file system)" in ran.stderr
    assert "Traceback" not in ran.stderr and openai_server.requests == []


def test_a_patient_another_run_holds_is_not_touched_and_is_said_so(synthetic_warehouse, patient, tmp_path):
    subject_id, _ = patient
    with exclusive(artifacts.patient_dir(tmp_path, subject_id) / artifacts.PATIENT_LOCK, "a test"):
        args = ("--subject-id", subject_id, "--db", synthetic_warehouse, "--output-root", tmp_path)
        result = invoke("generate-patient", "--backend", "template", *args)

    assert result.exit_code == 1
    assert f"Error: Patient {subject_id} not generated: another run is working on patient {subject_id}" in result.output
    assert not (artifacts.patient_dir(tmp_path, subject_id) / "admissions").exists()


def test_a_results_file_another_cdm_run_appends_to_is_refused_before_any_request(openai_server, tmp_path):
    out = tmp_path / "results.jsonl"
    with exclusive(out.with_name(f".{out.name}.lock"), "a test"):
        result = cdm_run(openai_server, tmp_path, "--out", out)

    assert result.exit_code == 1
    assert f"another run is working on the results file {out}" in result.output
    assert openai_server.requests == []
