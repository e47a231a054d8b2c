"""The generator against a real llama.cpp server (or any server a user points it at), with default caps.

Skipped unless MIMICBENCH_TEST_LLAMACPP_URL names a running server (`bash scripts/local-llm.sh` starts one on
127.0.0.1:8080 with SmolLM2-135M and an 8k window):

    MIMICBENCH_TEST_LLAMACPP_URL=http://127.0.0.1:8080/v1 .venv/bin/pytest -m llamacpp -s tests/llamacpp

What must hold: no request overflows the window, every admission and case ends (completed, or failed with a
recorded reason) within its bounds, no round is cut off at the output limit (a `cdm run` tools round may stop at
its own budget, `--tool-round-tokens`, far under it), and the fitted caps are recorded.
A 135M model rarely passes validation; each test prints what happened (passed, time, tokens per round, caps).
"""

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import artifacts
from generator.cdm.runner import TOOL_ROUND_TOKENS
from generator.cli import cli
from generator.prompt import render_prompt
from generator.warehouse import Warehouse
from tests.conftest import run_cli

URL = os.environ.get("MIMICBENCH_TEST_LLAMACPP_URL")
MODEL = os.environ.get("MIMICBENCH_TEST_LLAMACPP_MODEL", "local")
pytestmark = [
    pytest.mark.llamacpp,
    pytest.mark.skipif(not URL, reason="set MIMICBENCH_TEST_LLAMACPP_URL to a running llama.cpp server"),
]
LLM = ("--model", MODEL, "--base-url", URL, "--request-timeout", "300")


def largest_admission(db: Path) -> tuple[int, int]:
    """(subject_id, hadm_id) of the admission whose default-caps packet renders to the longest prompt."""
    with Warehouse(db) as warehouse:
        admissions = [
            (row["subject_id"], ref.hadm_id)
            for row in warehouse.cohort()
            for ref in warehouse.admissions(row["subject_id"])
            if ref.has_discharge_note
        ]
        return max(admissions, key=lambda ids: len(render_prompt(warehouse.packet(ids[1]), None).user))


def admission_records(root: Path) -> list[dict]:
    """Per admission folder under `root` (complete or failed): its call record, prompt record and failure."""
    found = []
    for record in sorted(root.rglob(artifacts.CALL_RECORD)):
        folder = record.parent
        failure = folder / artifacts.FAILURE
        found.append(
            {
                "call": json.loads(record.read_text()),
                "prompt": json.loads((folder / artifacts.PROMPT_RECORD).read_text()),
                "failure": json.loads(failure.read_text()) if failure.exists() else None,
            }
        )
    return found


def check_admission(found: dict) -> str:
    """Assert what must hold for one admission; a one-line account of it."""
    call, context = found["call"], found["prompt"]["context"]
    assert context["context_window"] and context["prompt_tokens"] <= context["prompt_limit"]
    assert context["caps"] and all(cap is None or cap >= 0 for cap in context["caps"].values())
    rounds = call["rounds"]
    for attempt in (a for r in rounds for a in r["attempts"]):
        assert attempt["error_kind"] != "context_overflow", attempt
        assert "exceeds the available context" not in (attempt.get("error") or "")
    for r in rounds:
        assert r["finish_reason"] != "length", f"round {r['round']} was cut off at the output limit"
    if call["status"] == "failed":
        assert found["failure"]["error_kind"] and found["failure"]["error"]
    tokens = [
        (a.get("input_tokens"), a.get("output_tokens"), r["params_sent"].get("max_tokens"))
        for r in rounds
        for a in r["attempts"]
        if a["status"] == "ok"
    ]
    dropped = sum(context["rows_dropped"].values())
    kind = found["failure"]["error_kind"] if found["failure"] else ""
    before = context["unfitted_prompt_tokens"] or f">={context['unfitted_prompt_tokens_at_least']} (not counted)"
    return (
        f"admission {call['hadm_id']}: {call['status']} {kind} rounds={len(rounds)} "
        f"prompt {before}->{context['prompt_tokens']} tokens "
        f"of {context['context_window']}, "
        f"rows dropped {dropped}, (input, output, max_tokens) per round {tokens}"
    )


def generate(db: Path, out: Path, *args: str) -> list[dict]:
    started = time.monotonic()
    result = run_cli_status("generate-patient", "--db", db, "--output-root", out, "--backend", "openai", *LLM, *args)
    found = admission_records(out)
    print(f"\n{len(found)} admissions in {time.monotonic() - started:.0f} s; exit {result}")
    for entry in found:
        print("  " + check_admission(entry))
    return found


def run_cli_status(*args) -> int:
    """`mimicbench ARGS` in-process; its exit code (1 is expected when an admission failed validation)."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code


def test_default_caps_on_the_largest_synthetic_packet(synthetic_warehouse, tmp_path):
    subject_id, hadm_id = largest_admission(synthetic_warehouse)
    found = generate(synthetic_warehouse, tmp_path, "--subject-id", str(subject_id), "--hadm-id", str(hadm_id))
    assert len(found) == 1 and found[0]["prompt"]["context"]["rows_dropped"]


def test_default_caps_on_a_demo_admission(demo_warehouse, tmp_path):
    subject_id, hadm_id = largest_admission(demo_warehouse)
    found = generate(demo_warehouse, tmp_path, "--subject-id", str(subject_id), "--hadm-id", str(hadm_id))
    assert len(found) == 1


def test_generate_cohort_on_three_patients(synthetic_warehouse, tmp_path):
    with Warehouse(synthetic_warehouse) as warehouse:
        with_notes = [row for row in warehouse.cohort() if row["n_with_discharge_note"]]
        fewest = sorted(with_notes, key=lambda row: (row["n_with_discharge_note"], row["subject_id"]))[:3]
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("subject_id\n" + "".join(f"{row['subject_id']}\n" for row in fewest))
    started = time.monotonic()
    code = run_cli_status(
        "generate-cohort",
        "--db",
        synthetic_warehouse,
        "--cohort",
        cohort,
        "--concurrency",
        "1",
        "--output-root",
        tmp_path / "out",
        *LLM,
    )
    found = admission_records(tmp_path / "out")
    print(f"\ncohort: {len(found)} admissions in {time.monotonic() - started:.0f} s; exit {code}")
    for entry in found:
        print("  " + check_admission(entry))
    report = json.loads((tmp_path / "out" / "run_report.json").read_text())
    assert report["admissions"]["completed"] + report["admissions"]["failed"] == len(found) > 0


@pytest.mark.parametrize("mode", ["full-info", "tools"])
def test_cdm_run_on_two_cases(synthetic_warehouse, tmp_path, mode):
    cases = tmp_path / "cases.json"
    run_cli("cdm", "export", "--db", synthetic_warehouse, "--out", cases)
    out = tmp_path / "results.jsonl"
    started = time.monotonic()
    run_cli("cdm", "run", "--cases", cases, "--mode", mode, "--limit", "2", "--out", out, *LLM)
    results = [json.loads(line) for line in out.read_text().splitlines()]
    print(f"\ncdm {mode}: {len(results)} cases in {time.monotonic() - started:.0f} s")
    assert len(results) == 2
    for result in results:
        assert result["status"] in {"ok", "invalid_answer", "turn_limit", "llm_error", "context_exhausted"}
        for call in result["calls"]:
            if call["purpose"] == "tools" and call["finish_reason"] == "length":
                assert call["max_tokens"] <= TOOL_ROUND_TOKENS, call  # cut at its round budget: tool calling ends
            else:
                assert call["finish_reason"] != "length", call
            for attempt in call["attempts"]:
                assert attempt["error_kind"] != "context_overflow", attempt
        tokens = [(a.get("input_tokens"), a.get("output_tokens")) for c in result["calls"] for a in c["attempts"]]
        print(
            f"  case {result['hadm_id']}: {result['status']} {result.get('error') or ''} "
            f"{result['duration_s']:.0f} s, (input, output) per call {tokens}"
        )
