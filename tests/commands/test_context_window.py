"""The LLM commands against a scripted llama.cpp-like server that advertises its window, counts tokens and
answers HTTP 400 when a request overflows it (tests/context/fake_llamacpp.py): prompts are fitted, recorded and
part of the resume key; --context-window and --request-timeout; cdm run in both modes."""

import json

import pytest
from click.testing import CliRunner

from bench.delay_server import canned_answer
from generator.cdm.runner import full_info_messages
from generator.cli import cli
from generator.prompt import render_prompt
from generator.warehouse import Warehouse
from tests.cdm.cases import benchmark
from tests.cdm.test_fit import big_case
from tests.context.fake_llamacpp import FakeLlamaCpp, render_chat, token_count, user_text
from tests.openai_server import ScriptedResponse, chat_completion


def canned(body: dict) -> str:
    return json.dumps(canned_answer(user_text(body)))


@pytest.fixture(scope="module")
def largest(synthetic_warehouse):
    """(subject_id, hadm_id, unfitted prompt tokens) of the admission with the longest default-caps prompt."""
    with Warehouse(synthetic_warehouse) as warehouse:
        found = [
            (row["subject_id"], ref.hadm_id)
            for row in warehouse.cohort()
            for ref in warehouse.admissions(row["subject_id"])
            if ref.has_discharge_note
        ]
        prompts = {ids: render_prompt(warehouse.packet(ids[1]), None) for ids in found}
    subject_id, hadm_id = max(prompts, key=lambda ids: len(prompts[ids].user))
    return subject_id, hadm_id, token_count(render_chat(prompts[(subject_id, hadm_id)].messages()))


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def patient_args(db, server, out, largest):
    subject_id, hadm_id, _ = largest
    return (
        "generate-patient",
        "--db",
        db,
        "--subject-id",
        subject_id,
        "--hadm-id",
        hadm_id,
        "--model",
        "local",
        "--base-url",
        server.url,
        "--output-root",
        out,
    )


def admission_file(out, largest, name):
    subject_id, hadm_id, _ = largest
    return json.loads((out / str(subject_id) / "admissions" / str(hadm_id) / name).read_text())


def test_the_prompt_is_fitted_to_the_window_the_server_advertises(
    synthetic_warehouse, openai_server, tmp_path, largest
):
    window = largest[2] // 2
    server = FakeLlamaCpp(openai_server, window, answer=canned)
    result = invoke(*patient_args(synthetic_warehouse, openai_server, tmp_path, largest))
    assert result.exit_code == 0, result.output
    assert f"Context window {window:,} tokens (GET /props" in result.output
    context = admission_file(tmp_path, largest, "prompt_record.json")["context"]
    assert context["context_window"] == window and context["token_counter"].startswith("llama.cpp")
    assert context["prompt_tokens"] <= context["prompt_limit"] < context["unfitted_prompt_tokens_at_least"]
    assert context["rows_dropped"] and context["output_tokens"] == server.chats[0]["max_tokens"]
    assert context["output_clamped"] and context["output_tokens_requested"] == 16000
    key = admission_file(tmp_path, largest, "model_call_record.json")["resume_key"]
    assert key["context"]["caps"] == context["caps"] and key["context"]["context_window"] == window
    manifest = admission_file(tmp_path, largest, "input_data_manifest.json")
    assert all(manifest["sections"][name]["cap"] == cap for name, cap in context["caps"].items())
    sent = server.chats[0]["response_format"]["json_schema"]["schema"]
    assert sent["properties"]["conversation"]["maxItems"] >= 4
    assert "evidence ids cost 1.7" in result.output
    rounds = admission_file(tmp_path, largest, "model_call_record.json")["rounds"]
    assert rounds[0]["id_characters_per_token"] == pytest.approx(1.7, rel=0.02)


def test_a_repair_round_stays_inside_the_window(synthetic_warehouse, openai_server, tmp_path, largest):
    window = largest[2] // 2
    server = FakeLlamaCpp(openai_server, window, script=[chat_completion('{"conversation": []}')], answer=canned)
    result = invoke(*patient_args(synthetic_warehouse, openai_server, tmp_path, largest))
    assert result.exit_code == 0, result.output
    rounds = admission_file(tmp_path, largest, "model_call_record.json")["rounds"]
    limit = admission_file(tmp_path, largest, "prompt_record.json")["context"]["prompt_limit"]
    assert len(rounds) == len(server.chats) == 2 and rounds[1]["repair_message"].startswith("Your previous answer")
    assert rounds[0]["prompt_tokens"] <= limit and rounds[1]["prompt_tokens"] <= limit + window // 32
    assert rounds[1]["params_sent"]["max_tokens"] == window - window // 64 - rounds[1]["prompt_tokens"]


def test_a_changed_window_redoes_an_admission_the_same_window_resumes(
    synthetic_warehouse, openai_server, tmp_path, largest
):
    subject_id, hadm_id, unfitted = largest
    server = FakeLlamaCpp(openai_server, unfitted // 2, answer=canned)
    cohort = tmp_path / "cohort.csv"
    cohort.write_text(f"subject_id\n{subject_id}\n")
    args = (
        "generate-cohort",
        "--db",
        synthetic_warehouse,
        "--cohort",
        cohort,
        "--model",
        "local",
        "--base-url",
        openai_server.url,
        "--output-root",
        tmp_path / "out",
        "--max-admissions",
        1,
    )
    assert invoke(*args).exit_code == 0
    sent = len(server.chats)
    assert invoke(*args).exit_code == 0 and len(server.chats) == sent
    assert invoke(*args, "--context-window", unfitted // 3).exit_code == 0 and len(server.chats) == sent + 1


def test_context_window_option_wins_over_the_server(synthetic_warehouse, openai_server, tmp_path, largest):
    FakeLlamaCpp(openai_server, 10**6, answer=canned)
    window = largest[2] // 3
    result = invoke(*patient_args(synthetic_warehouse, openai_server, tmp_path, largest), "--context-window", window)
    assert result.exit_code == 0, result.output
    context = admission_file(tmp_path, largest, "prompt_record.json")["context"]
    assert (context["context_window"], context["window_source"]) == (window, "--context-window")


def test_an_unknown_window_is_said_once_and_prompts_go_unfitted(synthetic_warehouse, openai_server, tmp_path, largest):
    FakeLlamaCpp(openai_server, None, answer=canned)
    result = invoke(*patient_args(synthetic_warehouse, openai_server, tmp_path, largest))
    assert result.exit_code == 0, result.output
    assert result.output.count("Context window unknown") == 1 and "--context-window N" in result.output
    context = admission_file(tmp_path, largest, "prompt_record.json")["context"]
    assert context["context_window"] is None and context["rows_dropped"] == {}


def test_an_admission_that_cannot_fit_fails_with_its_own_kind_and_fix(
    synthetic_warehouse, openai_server, tmp_path, largest
):
    server = FakeLlamaCpp(openai_server, 1000, answer=canned)
    result = invoke(*patient_args(synthetic_warehouse, openai_server, tmp_path, largest))
    assert result.exit_code == 1 and "context_overflow" in result.output
    subject_id, hadm_id, _ = largest
    failure = json.loads(next((tmp_path / str(subject_id)).rglob("failure.json")).read_text())
    assert failure["error_kind"] == "context_overflow" and "--context-window" in failure["error"]
    assert server.chats == []


def test_a_silent_server_fails_the_admission_naming_the_request_timeout(
    synthetic_warehouse, openai_server, tmp_path, largest
):
    FakeLlamaCpp(openai_server, 10**6, script=[ScriptedResponse(body=chat_completion("{}").body, delay_s=3)])
    result = invoke(
        *patient_args(synthetic_warehouse, openai_server, tmp_path, largest),
        "--request-timeout",
        1,
        "--retry-limit",
        0,
    )
    assert result.exit_code == 1
    subject_id, _, _ = largest
    failure = json.loads(next((tmp_path / str(subject_id)).rglob("failure.json")).read_text())
    assert failure["error_kind"] == "timeout" and "nothing for 1.0 s (--request-timeout" in failure["error"]


def cdm_run(tmp_path, server, mode, *options):
    cases = tmp_path / "cases.json"
    cases.write_text(benchmark(big_case()).model_dump_json())
    out = tmp_path / f"{mode}.jsonl"
    result = invoke(
        "cdm",
        "run",
        "--cases",
        cases,
        "--model",
        "local",
        "--base-url",
        server.url,
        "--mode",
        mode,
        "--out",
        out,
        "--max-output-tokens",
        400,
        *options,
    )
    assert result.exit_code == 0, result.output
    [line] = out.read_text().splitlines()
    return json.loads(line)


ANSWER = json.dumps({"diagnosis": "Acute appendicitis", "treatments": ["Appendectomy"]})


def test_cdm_full_info_prompt_is_fitted_and_its_answer_schema_bounded(openai_server, tmp_path):
    full = token_count(render_chat(full_info_messages(big_case())))
    server = FakeLlamaCpp(openai_server, 3000, answer=lambda body: ANSWER)
    result = cdm_run(tmp_path, openai_server, "full-info")
    assert result["status"] == "ok" and result["run"]["context_window"] == 3000 < full
    assert (
        result["fit"]["dropped"]["lab_results"] > 0 and result["fit"]["prompt_tokens"] <= result["fit"]["prompt_limit"]
    )
    schema = server.chats[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["treatments"]["maxItems"] >= 3 and schema["properties"]["diagnosis"]["maxLength"]
    assert server.chats[0]["max_tokens"] == result["calls"][0]["max_tokens"] <= 400


def test_cdm_tools_history_shortens_long_tool_results_to_stay_in_the_window(openai_server, tmp_path):
    script = [
        chat_completion(
            None, tool_calls=[{"id": "c1", "name": "imaging", "arguments": {"region": "Abdomen", "modality": "CT"}}]
        ),
        chat_completion("I have enough information."),
    ]
    server = FakeLlamaCpp(openai_server, 2200, script=script, answer=lambda body: ANSWER)
    result = cdm_run(tmp_path, openai_server, "tools")
    assert result["status"] == "ok", result["error"]
    shortened = [s for call in result["calls"] for s in call["shortened"]]
    assert shortened and shortened[0]["characters"] > shortened[0]["kept"]
    tool = next(m for m in result["messages"] if m["role"] == "tool")
    assert "shortened to fit the context window" in tool["content"]
    assert all(call["prompt_tokens"] <= 2200 for call in result["calls"]) and len(server.chats) == 3


def test_cdm_case_that_cannot_fit_ends_context_exhausted(openai_server, tmp_path):
    server = FakeLlamaCpp(openai_server, 300, answer=lambda body: ANSWER)
    result = cdm_run(tmp_path, openai_server, "tools")
    assert result["status"] == "context_exhausted" and "--context-window" in result["error"]
    assert server.chats == []
