"""`qa build`: tokens counted by the server's tokenizer when one is named, bucket budgets, report counts."""

import json

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
