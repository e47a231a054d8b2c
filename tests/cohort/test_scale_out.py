"""Scale-out: shard processes on one output root write what one run writes, each its own report, merged by
`report merge`; a run over several endpoints completes every admission when one goes down mid-run."""

import json
import subprocess
import sys

from click.testing import CliRunner

from generator import artifacts
from generator.cli import cli
from generator.locks import exclusive
from tests.cohort.conftest import Answerer, generate_cohort, report
from tests.cohort.test_run_interrupts import complete, wait_until
from tests.openai_server import OpenAIServer

OPTIONS = ("--limit", 6, "--max-admissions", 2, "--concurrency", 2)
SAME_IN_EVERY_RUN = (artifacts.PACKET, artifacts.PROMPT_RECORD, artifacts.CONVERSATION, artifacts.SUMMARY)


def shard(db, server, output_root, k: int, n: int) -> subprocess.Popen:
    args = ["generate-cohort", "--db", db, "--base-url", server.url, "--model", "m", "--output-root", output_root]
    command = [sys.executable, "-m", "generator", *[str(a) for a in [*args, *OPTIONS, "--shard", f"{k}/{n}"]]]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def contents(output_root) -> dict[str, str]:
    """Each complete admission's files that do not depend on timing, by path, as SHA-256."""
    return {
        f"{folder.relative_to(output_root)}/{name}": artifacts.read_json(folder / artifacts.FILES_MANIFEST)["files"][
            name
        ]["sha256"]
        for folder in complete(output_root)
        for name in SAME_IN_EVERY_RUN
    }


def test_three_shards_at_once_on_one_root_write_what_one_run_writes_and_merge_into_one_report(
    synthetic_warehouse, openai_server, answers, tmp_path
):
    answers.delay_s = 0.1
    single = generate_cohort(synthetic_warehouse, openai_server, tmp_path / "single", *OPTIONS)
    assert single.exit_code == 0, single.output
    sharded = tmp_path / "sharded"
    processes = [shard(synthetic_warehouse, openai_server, sharded, k, 3) for k in (1, 2, 3)]
    outputs = [process.communicate(timeout=180) for process in processes]

    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    assert contents(sharded) == contents(tmp_path / "single")
    assert sorted(p.name for p in sharded.glob("run_report*.json")) == [
        f"run_report.shard-{k}-of-3.json" for k in (1, 2, 3)
    ]
    merged = CliRunner().invoke(cli, ["report", "merge", str(sharded)])
    assert merged.exit_code == 0, merged.output
    overall = json.loads((sharded / "run_report.merged.json").read_text())["overall"]
    one = report(tmp_path / "single")
    assert overall["status"] == "finished" and overall["shards_missing"] == []
    assert overall["admissions"] == one["admissions"] and overall["tokens"] == one["tokens"]
    assert overall["validation"]["answers_checked"] == one["validation"]["answers_checked"]
    assert sorted(overall["latency"]["request_ms"]) == sorted(one["latency"]["request_ms"])
    assert "    all: finished" in merged.output
    viewed = CliRunner().invoke(cli, ["view", "--output-root", str(sharded)])
    assert viewed.exit_code == 0, viewed.output
    run_page = (sharded / "report" / "run.html").read_text()
    assert "3 shards&#x27; reports merged" in run_page or "3 shards' reports merged" in run_page


def test_merge_names_the_shards_that_have_not_reported(synthetic_warehouse, openai_server, answers, tmp_path):
    process = shard(synthetic_warehouse, openai_server, tmp_path, 2, 3)
    assert process.wait(timeout=180) == 0

    merged = CliRunner().invoke(cli, ["report", "merge", str(tmp_path)])

    assert merged.exit_code == 0, merged.output
    assert "No report yet from shard 1/3, 3/3." in merged.output
    assert json.loads((tmp_path / "run_report.merged.json").read_text())["overall"]["status"] == "incomplete"
    refused = CliRunner().invoke(cli, ["report", "merge", str(tmp_path / "2")])
    assert refused.exit_code != 0


def test_a_run_whose_report_name_another_live_run_holds_writes_its_own_report_beside_it(
    synthetic_warehouse, openai_server, answers, tmp_path
):
    with exclusive(tmp_path / ".run_report.json.lock", "the other run's report"):
        result = generate_cohort(synthetic_warehouse, openai_server, tmp_path, "--limit", 1, "--max-admissions", 1)

    assert result.exit_code == 0, result.output
    written = [p.name for p in tmp_path.glob("run_report*.json")]
    assert len(written) == 1 and written[0].startswith("run_report.run-") and f"Report: {tmp_path}" in result.output


def test_with_two_endpoints_and_one_going_down_mid_run_every_admission_completes(synthetic_warehouse, tmp_path):
    first, second = Answerer(), Answerer()
    first.delay_s = second.delay_s = 0.2
    with OpenAIServer(fallback=first) as staying, OpenAIServer(fallback=second) as leaving:
        args = ["generate-cohort", "--db", synthetic_warehouse, "--model", "m", "--output-root", tmp_path]
        args += ["--base-url", staying.url, "--base-url", leaving.url, *OPTIONS]
        runner = subprocess.Popen(
            [sys.executable, "-m", "generator", *[str(a) for a in args]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_until(lambda: len(leaving.requests) >= 2)
        leaving.__exit__(None, None, None)  # it stops listening; its requests in flight get no answer
        stdout, stderr = runner.communicate(timeout=180)

    assert runner.returncode == 0, stderr
    assert f"Endpoint {leaving.url}: " in stderr and "while the others carry on" in stderr
    summary = report(tmp_path)
    assert summary["admissions"]["completed"] == summary["admissions"]["planned"] == len(complete(tmp_path))
    assert set(summary["endpoints"]) == {staying.url, leaving.url}
    assert summary["endpoints"][leaving.url]["times_drained"] >= 1
    answered_by = set()
    for folder in complete(tmp_path):
        attempts = artifacts.read_json(folder / artifacts.CALL_RECORD)["rounds"][0]["attempts"]
        answered_by.add(attempts[-1]["endpoint"])
    assert answered_by == {staying.url, leaving.url}
