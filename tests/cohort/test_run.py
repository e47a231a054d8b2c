"""`generate-cohort` against the scripted server: concurrency with per-patient order, resume, rate limits, stops."""

import json

import pytest
from click.testing import CliRunner

from generator import artifacts
from generator.cli import cli
from generator.warehouse import Warehouse
from tests.cohort.conftest import generate_cohort, report
from tests.openai_server import error_response


def test_admissions_run_concurrently_and_each_patients_admissions_stay_in_order(
    synthetic_warehouse, openai_server, answers, tmp_path
):
    answers.delay_s = 0.6  # longer than preparing an admission on a loaded machine, so three overlap
    prices = ("--price-per-1k-input", 0.5, "--price-per-1k-output", 2)
    result = generate_cohort(
        synthetic_warehouse, openai_server, tmp_path, "--limit", 4, "--max-admissions", 3, "--concurrency", 3, *prices
    )

    assert result.exit_code == 0, result.output
    warehouse = Warehouse(synthetic_warehouse)
    chains = [
        [ref.hadm_id for ref in warehouse.admissions(row["subject_id"]) if ref.has_discharge_note][:3]
        for row in warehouse.cohort(4)
    ]
    calls = {call.hadm_id: call for call in answers.calls}
    assert sorted(calls) == sorted(h for chain in chains for h in chain) and len(answers.calls) == len(calls)
    for chain in chains:
        for earlier, later in zip(chain, chain[1:], strict=False):
            assert calls[later].started >= calls[earlier].ended
    moments = sorted([(c.started, 1) for c in answers.calls] + [(c.ended, -1) for c in answers.calls])
    in_flight = [sum(step for _, step in moments[: i + 1]) for i in range(len(moments))]
    assert max(in_flight) == 3
    summary = report(tmp_path)
    assert summary["status"] == "finished" and summary["admissions"]["completed"] == len(calls)
    assert summary["requests"]["by_http_status"] == {"200": len(calls)}
    assert summary["tokens"] == {"input": 100 * len(calls), "output": 50 * len(calls), "total": 150 * len(calls)}
    assert summary["estimated_cost_usd"] == pytest.approx(0.15 * len(calls))


def test_rerun_sends_no_request_and_force_regenerates(synthetic_warehouse, openai_server, answers, tmp_path):
    options = ("--limit", 2, "--max-admissions", 2, "--concurrency", 2)
    assert generate_cohort(synthetic_warehouse, openai_server, tmp_path, *options).exit_code == 0
    first = len(openai_server.requests)

    rerun = generate_cohort(synthetic_warehouse, openai_server, tmp_path, *options)

    assert rerun.exit_code == 0, rerun.output
    assert len(openai_server.requests) == first
    assert report(tmp_path)["admissions"]["skipped_up_to_date"] == first
    forced = generate_cohort(synthetic_warehouse, openai_server, tmp_path, *options, "--force")
    assert forced.exit_code == 0 and len(openai_server.requests) == 2 * first


def test_repeated_429s_lower_the_in_flight_limit_and_every_admission_still_completes(
    synthetic_warehouse, openai_server, answers, tmp_path
):
    answers.delay_s = 0.05
    openai_server.push(*[error_response(429, "slow down", headers={"retry-after": "0"}) for _ in range(6)])
    result = generate_cohort(
        synthetic_warehouse, openai_server, tmp_path, "--limit", 4, "--max-admissions", 2, "--concurrency", 4
    )

    assert result.exit_code == 0, result.output
    summary = report(tmp_path)
    assert summary["requests"]["by_http_status"]["429"] == 6
    assert summary["concurrency"]["cuts"] >= 1 and summary["concurrency"]["lowest_limit"] < 4
    assert summary["admissions"]["completed"] == summary["admissions"]["planned"]


def test_an_authentication_error_stops_the_whole_run_at_once(synthetic_warehouse, openai_server, answers, tmp_path):
    openai_server.push(error_response(401, "invalid api key"))
    result = generate_cohort(synthetic_warehouse, openai_server, tmp_path, "--limit", 3, "--concurrency", 1)

    assert result.exit_code == 1
    assert "check the API key" in result.output and "rerun to resume" in result.output
    assert len(openai_server.requests) == 1
    summary = report(tmp_path)
    assert summary["status"] == "stopped" and summary["failures"]["by_kind"] == {"auth": 1}
    assert summary["admissions"]["not_started"] == summary["admissions"]["planned"] - 1


def test_a_patient_without_eligible_admissions_is_reported_not_fatal(synthetic_warehouse, tmp_path):
    warehouse = Warehouse(synthetic_warehouse)
    without = [row["subject_id"] for row in warehouse.cohort() if row["n_with_discharge_note"] == 0][:1]
    with_notes = [row["subject_id"] for row in warehouse.cohort() if row["n_with_discharge_note"] > 0][:1]
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("subject_id\n" + "".join(f"{s}\n" for s in without + with_notes))
    args = ["generate-cohort", "--cohort", cohort, "--backend", "template", "--db", synthetic_warehouse]
    result = CliRunner().invoke(
        cli, [str(a) for a in [*args, "--output-root", tmp_path / "out", "--max-admissions", 1]]
    )

    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "run_report.json").read_text())
    assert [p["subject_id"] for p in summary["patients_skipped"]] == without
    assert summary["admissions"]["completed"] == 1
    folder = artifacts.admission_dir(tmp_path / "out", with_notes[0], 0).parent
    assert len([p for p in folder.iterdir() if p.name.isdigit()]) == 1
