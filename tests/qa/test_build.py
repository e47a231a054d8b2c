"""`qa build`: tokens counted by the server's tokenizer when one is named, bucket budgets, report counts."""

import json
import shutil

from click.testing import CliRunner

from generator.cli import cli
from generator.qa.folder import read_folder
from tests.conftest import run_cli
from tests.openai_server import OpenAIServer, ScriptedResponse


def test_contexts_are_counted_by_the_servers_tokenizer_and_fill_their_bucket(
    synthetic_warehouse, template_output, tmp_path
):
    with OpenAIServer() as server:
        server.route(
            "POST", "/apply-template", lambda r: ScriptedResponse(body={"prompt": r.body["messages"][0]["content"]})
        )
        server.route(
            "POST", "/tokenize", lambda r: ScriptedResponse(body={"tokens": [0] * (len(r.body["content"]) // 4)})
        )
        output = run_cli(
            "qa", "build", "--db", synthetic_warehouse, "--output-root", template_output, "--out", tmp_path / "qa",
            "--bucket", "8k", "--reserve-tokens", 512, "--tokenizer-url", server.url,
        )  # fmt: skip
    assert "Tokens counted by llama.cpp /apply-template + /tokenize." in output
    folder = read_folder(tmp_path / "qa")
    report = json.loads((tmp_path / "qa" / "build_report.json").read_text())
    assert report["token_count_method"] == "llama.cpp /apply-template + /tokenize"
    assert {i.bucket for i in folder.items} == {"8k"}
    for context in folder.contexts.values():
        text_tokens = sum(len(folder.blocks[b].text) // 4 for b in context.block_ids)
        assert context.tokens == text_tokens <= 8192 - 512
        assert context.tokens > 8192 - 512 - 1000  # padded up to the budget (a block is under 1000 tokens here)


def test_build_without_conversations_says_to_generate_them_first(synthetic_warehouse, tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "qa",
            "build",
            "--db",
            str(synthetic_warehouse),
            "--output-root",
            str(tmp_path / "none"),
            "--out",
            str(tmp_path / "qa"),
        ],
    )
    assert result.exit_code == 1 and "run `mimicbench generate-cohort` first" in result.output
    assert not (tmp_path / "qa").exists()


def test_run_refuses_a_remote_endpoint_for_a_credentialed_qa_folder(qa_dir, tmp_path):
    credentialed = tmp_path / "qa"
    shutil.copytree(qa_dir, credentialed)
    report = json.loads((credentialed / "build_report.json").read_text())
    (credentialed / "build_report.json").write_text(json.dumps(report | {"data_origin": "credentialed"}))
    result = CliRunner().invoke(
        cli,
        ["qa", "run", "--qa-dir", str(credentialed), "--out", str(tmp_path / "r.jsonl"), "--model", "m",
         "--base-url", "https://api.example.com/v1"],
        env={"OPENAI_API_KEY": "k"},
    )  # fmt: skip
    assert result.exit_code == 1 and "--allow-remote-endpoint api.example.com" in result.output
    assert not (tmp_path / "r.jsonl").exists()
