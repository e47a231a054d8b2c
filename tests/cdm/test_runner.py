import json

import openai
import pytest
from click.testing import CliRunner

from generator.cdm import CdmError
from generator.cdm.prompt import FINAL_REQUEST
from generator.cdm.runner import CUT_NOTE, CUT_TEXT_KEPT, TOOL_ROUND_TOKENS, read_results, run_benchmark
from generator.cli import cli
from generator.context.model import learn_context
from generator.llm import LLMClient, LLMSettings
from tests.cdm.cases import appendicitis_case, benchmark
from tests.context.fake_llamacpp import FakeLlamaCpp
from tests.openai_server import chat_completion, error_response

ANSWER = json.dumps({"diagnosis": "Acute appendicitis", "treatments": ["Laparoscopic appendectomy", "IV antibiotics"]})


def _llm(server) -> LLMClient:
    client = openai.OpenAI(base_url=server.url, api_key="test", max_retries=0, timeout=5)
    return LLMClient(client, LLMSettings(model="test-model", retry_limit=0), sleep=lambda _: None)


def _call(call_id: str, name: str, arguments) -> dict:
    return {"id": call_id, "name": name, "arguments": arguments}


def test_tool_calls_then_final_answer_are_recorded_with_the_whole_history(openai_server, tmp_path):
    openai_server.push(
        chat_completion(tool_calls=[_call("c1", "physical_examination", {})]),
        chat_completion(
            tool_calls=[
                _call("c2", "laboratory_tests", {"tests": "CBC and lipase, blood culture, unobtainium"}),
                _call("c3", "imaging", {"region": "Abdomen", "modality": "US"}),
            ]
        ),
        chat_completion(tool_calls=[_call("c4", "imaging", {"region": "Abdomen", "modality": "Ultrasound"})]),
        chat_completion("I have enough information."),
        chat_completion(ANSWER),
    )
    out = tmp_path / "results.jsonl"
    summary = run_benchmark(benchmark(appendicitis_case()), _llm(openai_server), out, mode="tools")

    assert summary.by_status == {"ok": 1}
    [result] = read_results(out)
    assert result.answer.diagnosis == "Acute appendicitis"
    assert [a.name for a in result.actions] == ["physical_examination", "laboratory_tests", "imaging", "imaging"]
    tool_outputs = {m["tool_call_id"]: m["content"] for m in result.messages if m["role"] == "tool"}
    assert tool_outputs["c1"] == "Abd: tender RLQ, positive Rovsing sign."
    assert "(Blood) White Blood Cells: 14.2 K/uL (abnormal) (ref: 4-10)" in tool_outputs["c2"]
    assert "(Microbiology) Blood Culture, Routine [BLOOD CULTURE]: No growth." in tool_outputs["c2"]
    assert "Not available in the record: cbc" not in tool_outputs["c2"]
    assert tool_outputs["c2"].endswith("Could not find: unobtainium")
    assert "Noncompressible tubular structure" in tool_outputs["c3"]
    assert tool_outputs["c4"] == "No further Ultrasound of the Abdomen is available."
    assert result.actions[2].imaging.modality == "Ultrasound"
    assert result.messages[-1] == {"role": "assistant", "content": ANSWER}
    final_request = openai_server.requests[-1].body
    assert final_request["response_format"]["type"] == "json_schema"
    assert "tools" not in final_request
    assert [c.purpose for c in result.calls] == ["tools"] * 4 + ["final"]


RAMBLE = "The patient may have appendicitis; I should order a CT of the abdomen. " * 100


def test_a_tools_round_cut_at_its_budget_ends_the_tool_calling_and_the_case_still_answers(openai_server, tmp_path):
    openai_server.push(
        chat_completion(tool_calls=[_call("c1", "physical_examination", {})]),
        chat_completion(
            RAMBLE,
            tool_calls=[_call("c2", "imaging", {"region": "Abdomen", "modality": "CT"})],
            finish_reason="length",
            completion_tokens=TOOL_ROUND_TOKENS,
        ),
        chat_completion(ANSWER),
    )
    out = tmp_path / "results.jsonl"
    summary = run_benchmark(benchmark(appendicitis_case()), _llm(openai_server), out, mode="tools")

    assert (summary.by_status, summary.cut_rounds) == ({"ok": 1}, 1)
    [result] = read_results(out)
    assert result.answer.diagnosis == "Acute appendicitis"
    assert [a.name for a in result.actions] == ["physical_examination"]
    assert [r.body["max_tokens"] for r in openai_server.requests] == [TOOL_ROUND_TOKENS, TOOL_ROUND_TOKENS, 16000]
    assert [c.max_tokens for c in result.calls] == [TOOL_ROUND_TOKENS, TOOL_ROUND_TOKENS, None]
    assert [c.cut_at_round_limit for c in result.calls] == [False, True, False]
    assert result.calls[1].finish_reason == "length" and result.calls[1].attempts[-1].raw_text == RAMBLE
    cut, final = openai_server.requests[-1].body["messages"][-2:]
    assert cut == {"role": "assistant", "content": RAMBLE[:CUT_TEXT_KEPT] + CUT_NOTE.format(max_tokens=512)}
    assert final == {"role": "user", "content": FINAL_REQUEST}


def test_a_tools_round_gets_less_than_its_budget_when_the_window_leaves_less(openai_server, tmp_path):
    FakeLlamaCpp(openai_server, 1560, script=[chat_completion("I have enough information.")], answer=lambda b: ANSWER)
    llm = _llm(openai_server)
    context = learn_context(llm.sdk, "test-model", None)
    out = tmp_path / "results.jsonl"
    summary = run_benchmark(benchmark(appendicitis_case()), llm, out, mode="tools", context=context)

    assert summary.by_status == {"ok": 1}
    [result] = read_results(out)
    tools_round, final = result.calls
    assert tools_round.max_tokens == 1560 - 1560 // 64 - tools_round.prompt_tokens < TOOL_ROUND_TOKENS
    assert final.max_tokens > TOOL_ROUND_TOKENS
    assert [r.body["max_tokens"] for r in openai_server.requests] == [c.max_tokens for c in result.calls]


def test_malformed_tool_arguments_are_answered_with_an_error_and_counted(openai_server, tmp_path):
    openai_server.push(
        chat_completion(tool_calls=[_call("c1", "laboratory_tests", "{not json")]),
        chat_completion(tool_calls=[_call("c2", "imaging", {"region": "Abdomen"})]),
        chat_completion(tool_calls=[_call("c3", "order_surgery", {})]),
        chat_completion("done"),
        chat_completion(ANSWER),
    )
    out = tmp_path / "results.jsonl"
    run_benchmark(benchmark(appendicitis_case()), _llm(openai_server), out, mode="tools")

    [result] = read_results(out)
    assert result.status == "ok"
    assert [a.valid for a in result.actions] == [False, False, False]
    errors = [m["content"] for m in result.messages if m["role"] == "tool"]
    assert errors[0].startswith("Error: arguments are not valid JSON")
    assert "modality: Field required" in errors[1]
    assert "unknown tool 'order_surgery'" in errors[2]


def test_a_model_that_never_stops_calling_tools_ends_at_the_turn_limit(openai_server, tmp_path):
    openai_server.push(*[chat_completion(tool_calls=[_call(f"c{i}", "physical_examination", {})]) for i in range(3)])
    out = tmp_path / "results.jsonl"
    summary = run_benchmark(benchmark(appendicitis_case()), _llm(openai_server), out, mode="tools", max_turns=3)

    assert summary.by_status == {"turn_limit": 1}
    [result] = read_results(out)
    assert result.answer is None
    assert len(result.actions) == 3
    assert openai_server.pending == 0


def test_an_answer_that_breaks_the_schema_is_recorded_as_invalid(openai_server, tmp_path):
    openai_server.push(chat_completion(json.dumps({"diagnosis": "Appendicitis", "treatments": [], "extra": 1})))
    out = tmp_path / "results.jsonl"
    run_benchmark(benchmark(appendicitis_case()), _llm(openai_server), out, mode="full-info")

    [result] = read_results(out)
    assert result.status == "invalid_answer"
    assert "@@@ IMAGING @@@" in result.messages[1]["content"]


def test_a_rerun_skips_finished_cases_and_drops_a_torn_last_line(openai_server, tmp_path):
    out = tmp_path / "results.jsonl"
    openai_server.push(chat_completion(ANSWER))
    run_benchmark(benchmark(appendicitis_case(80_000_101)), _llm(openai_server), out, mode="full-info")
    with out.open("a") as handle:
        handle.write('{"hadm_id": 80000102, "truncat')

    openai_server.push(chat_completion(ANSWER))
    summary = run_benchmark(
        benchmark(appendicitis_case(80_000_101), appendicitis_case(80_000_102)),
        _llm(openai_server),
        out,
        mode="full-info",
    )

    assert (summary.skipped, summary.written) == (1, 1)
    assert [r.hadm_id for r in read_results(out)] == [80_000_101, 80_000_102]


def test_run_refuses_a_remote_endpoint_for_credentialed_cases(tmp_path):
    cases = tmp_path / "cases.json"
    cases.write_text(benchmark(appendicitis_case(), data_origin="credentialed").model_dump_json())
    result = CliRunner().invoke(
        cli,
        [
            "cdm",
            "run",
            "--cases",
            cases,
            "--model",
            "m",
            "--base-url",
            "https://api.example.com/v1",
            "--out",
            tmp_path / "r.jsonl",
        ],
    )
    assert result.exit_code == 1
    assert "Refusing to send credentialed MIMIC data" in result.output


@pytest.mark.parametrize("mode", ["tools", "full-info"])
def test_run_command_writes_results_against_a_local_server(openai_server, tmp_path, mode):
    cases = tmp_path / "cases.json"
    cases.write_text(benchmark(appendicitis_case()).model_dump_json())
    if mode == "tools":
        openai_server.push(chat_completion("no tools needed"))
    openai_server.push(chat_completion(ANSWER))
    result = CliRunner().invoke(
        cli,
        [
            "cdm",
            "run",
            "--cases",
            cases,
            "--model",
            "m",
            "--base-url",
            openai_server.url,
            "--mode",
            mode,
            "--out",
            tmp_path / "r.jsonl",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "admission 80000101: ok" in result.output


def test_a_rerun_with_another_configuration_or_changed_cases_is_refused(openai_server, tmp_path):
    out = tmp_path / "results.jsonl"
    openai_server.push(chat_completion(ANSWER))
    run_benchmark(benchmark(appendicitis_case(80_000_101)), _llm(openai_server), out, mode="full-info")

    with pytest.raises(CdmError, match="another run configuration \\(mode 'full-info' there, 'tools' now"):
        run_benchmark(benchmark(appendicitis_case(80_000_101)), _llm(openai_server), out, mode="tools")
    changed = appendicitis_case(80_000_101).model_copy(update={"physical_exam_text": "Abd: soft."})
    with pytest.raises(CdmError, match="admission 80000101 from different case content"):
        run_benchmark(benchmark(changed), _llm(openai_server), out, mode="full-info")
    [result] = read_results(out)
    assert (result.run.model, result.run.mode, result.run.max_turns) == ("test-model", "full-info", None)
    assert result.endpoint.rstrip("/") == openai_server.url.rstrip("/")


def test_tool_round_tokens_sets_every_rounds_budget_and_a_resume_must_match_it(openai_server, tmp_path):
    cases = tmp_path / "cases.json"
    cases.write_text(benchmark(appendicitis_case()).model_dump_json())
    out = tmp_path / "r.jsonl"
    run = ["cdm", "run", "--cases", cases, "--model", "m", "--base-url", openai_server.url, "--out", out]
    openai_server.push(chat_completion(RAMBLE, finish_reason="length"), chat_completion(ANSWER))

    code, output = _cli(*run, "--tool-round-tokens", 200)
    assert code == 0, output
    assert output.endswith("without pathology; 1 tool rounds cut at --tool-round-tokens")
    assert openai_server.requests[0].body["max_tokens"] == 200
    [result] = read_results(out)
    assert (result.status, result.run.tool_round_tokens) == ("ok", 200)
    assert result.calls[0].cut_at_round_limit and "limit of 200 output tokens" in result.messages[2]["content"]

    code, output = _cli(*run, "--tool-round-tokens", 300)
    assert code == 1 and "tool_round_tokens 200 there, 300 now" in output
    assert len(openai_server.requests) == 2


def test_concurrent_cases_each_get_one_whole_line(openai_server, tmp_path):
    openai_server.fallback = lambda request: chat_completion(ANSWER, delay_s=0.05)
    out = tmp_path / "results.jsonl"
    cases = [appendicitis_case(hadm_id) for hadm_id in range(80_000_200, 80_000_208)]
    summary = run_benchmark(benchmark(*cases), _llm(openai_server), out, mode="full-info", concurrency=4)

    assert summary.by_status == {"ok": 8}
    assert sorted(r.hadm_id for r in read_results(out)) == list(range(80_000_200, 80_000_208))


def test_a_refused_key_stops_the_run_and_records_nothing_more(openai_server, tmp_path):
    out = tmp_path / "results.jsonl"
    openai_server.push(chat_completion(ANSWER), error_response(401, "Incorrect API key provided"))
    cases = [appendicitis_case(hadm_id) for hadm_id in range(80_000_300, 80_000_304)]

    with pytest.raises(CdmError, match="check the API key .*rerunning the same command with a working key"):
        run_benchmark(benchmark(*cases), _llm(openai_server), out, mode="full-info")

    assert [r.hadm_id for r in read_results(out)] == [80_000_300]
    assert len(openai_server.requests) == 2
    openai_server.fallback = lambda request: chat_completion(ANSWER)
    summary = run_benchmark(benchmark(*cases), _llm(openai_server), out, mode="full-info")
    assert (summary.skipped, summary.by_status) == (1, {"ok": 3})


def _cli(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output.strip()


def test_bad_inputs_are_one_line_errors(tmp_path):
    cases = tmp_path / "cases.json"
    run = ["cdm", "run", "--model", "m", "--out", tmp_path / "r.jsonl", "--cases", cases]
    assert _cli(*run) == (1, f"Error: No cases file at {cases}: run `mimicbench cdm export` first.")
    cases.write_text('{"cases": [')
    assert _cli(*run) == (1, f"Error: {cases} is not a `mimicbench cdm export` file: export it again.")

    cases.write_text(benchmark(appendicitis_case()).model_dump_json())
    code, output = _cli(*run, "--mode", "oracle")
    assert code == 2 and "'oracle' is not one of 'tools', 'full-info'" in output

    (tmp_path / "r.jsonl").write_text('{"something": "else"}\n')
    code, output = _cli(*run, "--base-url", "http://127.0.0.1:9/v1")
    assert code == 1 and output.endswith(
        "is not a `mimicbench cdm run` result: move the file away or pass another --out."
    )

    db = tmp_path / "warehouse.duckdb"
    export = ["cdm", "export", "--db", db, "--out", tmp_path / "out.json"]
    assert _cli(*export) == (1, f"Error: No warehouse at {db}: run `mimicbench build` first or pass --db.")
    db.write_text("not a database")
    code, output = _cli(*export)
    assert code == 1 and output.startswith(f"Error: Cannot read {db} (") and len(output.splitlines()) == 1
    assert not (tmp_path / "out.json").exists()
