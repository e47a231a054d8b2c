"""The options every LLM command shares, and the one helper that builds their client: same options, same errors."""

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.cdm.cases import appendicitis_case, benchmark

LLM_COMMANDS = [["generate-patient"], ["generate-cohort"], ["cdm", "run"]]
LLM_OPTIONS = (
    "--model",
    "--base-url",
    "--api-key-env",
    "--seed",
    "--temperature",
    "--retry-limit",
    "--max-output-tokens",
    "--allow-remote-endpoint",
)
KEY_ENV = "MIMICBENCH_TEST_API_KEY"
REMOTE = "https://api.example.com/v1"


@pytest.mark.parametrize("command", LLM_COMMANDS, ids=" ".join)
def test_every_llm_command_takes_the_same_llm_options(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert [option for option in LLM_OPTIONS if f"  {option} " not in result.output] == []


@pytest.mark.parametrize("command", LLM_COMMANDS, ids=" ".join)
def test_every_llm_command_asks_for_a_remote_endpoints_key_in_one_line(
    command, synthetic_warehouse, tmp_path, monkeypatch
):
    monkeypatch.delenv(KEY_ENV, raising=False)
    cases = tmp_path / "cases.json"
    cases.write_text(benchmark(appendicitis_case()).model_dump_json())
    own = {
        "generate-patient": ["--db", synthetic_warehouse, "--subject-id", 1, "--output-root", tmp_path],
        "generate-cohort": ["--db", synthetic_warehouse, "--limit", 1, "--output-root", tmp_path],
        "cdm": ["--cases", cases, "--out", tmp_path / "results.jsonl"],
    }[command[0]]
    llm = ["--model", "m", "--base-url", REMOTE, "--api-key-env", KEY_ENV]

    result = CliRunner().invoke(cli, [str(a) for a in [*command, *own, *llm]])

    assert result.exit_code == 1
    assert result.output == f"Error: Set the environment variable {KEY_ENV} to the API key for {REMOTE}.\n"
