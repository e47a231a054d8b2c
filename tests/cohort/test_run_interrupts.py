"""A real `mimicbench generate-cohort` process: SIGKILL loses nothing complete; Ctrl-C finishes in-flight work;
a second Ctrl-C or a refused key ends the process cleanly, with a report that matches the disk."""

import signal
import subprocess
import sys
import time

from generator import artifacts
from tests.cohort.conftest import generate_cohort, report
from tests.openai_server import error_response
from tests.test_generate import FILES

OPTIONS = ("--limit", 4, "--max-admissions", 3, "--concurrency", 2)


def start(db, server, output_root, options=OPTIONS) -> subprocess.Popen:
    args = ["generate-cohort", "--db", db, "--base-url", server.url, "--model", "m", "--output-root", output_root]
    command = [sys.executable, "-m", "generator", *[str(a) for a in [*args, *options]]]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_as_from_a_terminal
    )


def _as_from_a_terminal() -> None:
    """Ctrl-C's default disposition: a test run started in the background inherits SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_until(condition, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def admission_folders(output_root) -> list:
    return sorted(output_root.glob("*/admissions/*"))


def complete(output_root) -> list:
    return [p for p in admission_folders(output_root) if p.name.isdigit()]


def test_sigkill_mid_run_leaves_only_complete_admissions_and_the_rerun_resumes(
    synthetic_warehouse, openai_server, answers, tmp_path
):
    answers.delay_s = 0.3
    process = start(synthetic_warehouse, openai_server, tmp_path)
    wait_until(lambda: len(complete(tmp_path)) >= 2)
    process.send_signal(signal.SIGKILL)
    process.wait()

    survivors = complete(tmp_path)
    assert survivors and all({p.name for p in folder.iterdir()} >= FILES for folder in survivors)
    assert all(p.name.startswith(".") for p in admission_folders(tmp_path) if not p.name.isdigit())
    sent_before = len(openai_server.requests)

    resumed = generate_cohort(synthetic_warehouse, openai_server, tmp_path, *OPTIONS)

    assert resumed.exit_code == 0, resumed.output
    summary = report(tmp_path)
    assert summary["admissions"]["skipped_up_to_date"] == len(survivors)
    assert len(openai_server.requests) - sent_before == summary["admissions"]["completed"]
    assert summary["admissions"]["completed"] + len(survivors) == summary["admissions"]["planned"]
    assert [p.name for p in admission_folders(tmp_path) if not p.name.isdigit()] == []
    manifest = artifacts.read_json(survivors[0].parents[1] / artifacts.PATIENT_MANIFEST)
    assert {a["status"] for a in manifest["admissions"][:3]} == {"completed"}


def test_ctrl_c_finishes_the_admissions_in_flight_then_exits_with_a_report(
    synthetic_warehouse, openai_server, answers, tmp_path
):
    answers.delay_s = 0.5
    process = start(synthetic_warehouse, openai_server, tmp_path)
    wait_until(lambda: len(openai_server.requests) >= 2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    assert "Interrupted: finishing the requests in flight" in stderr
    summary = report(tmp_path)
    assert summary["status"] == "interrupted"
    assert summary["admissions"]["completed"] == len(openai_server.requests) == len(complete(tmp_path))
    assert summary["admissions"]["not_started"] > 0


def test_a_second_ctrl_c_aborts_at_once_and_leaves_no_half_written_admission(
    synthetic_warehouse, openai_server, answers, tmp_path
):
    answers.delay_s = 3.0
    process = start(synthetic_warehouse, openai_server, tmp_path)
    wait_until(lambda: len(openai_server.requests) >= 2)
    process.send_signal(signal.SIGINT)
    time.sleep(0.3)
    aborted_at = time.monotonic()
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=60)

    assert process.returncode == 130 and time.monotonic() - aborted_at < 2.0
    summary = report(tmp_path)
    assert summary["status"] == "aborted" and summary["admissions"]["completed"] == 0
    assert complete(tmp_path) == []


def test_two_quick_ctrl_c_leave_a_report_that_counts_every_folder_on_disk_and_exit_cleanly(
    synthetic_warehouse, openai_server, answers, tmp_path
):
    answers.delay_s = 0.3
    process = start(synthetic_warehouse, openai_server, tmp_path)
    wait_until(lambda: len(complete(tmp_path)) >= 2)
    process.send_signal(signal.SIGINT)
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    assert "terminate called" not in stderr
    summary = report(tmp_path)
    assert summary["status"] == "aborted"
    assert summary["admissions"]["completed"] == len(complete(tmp_path))
    assert all(artifacts.is_whole(folder) for folder in complete(tmp_path))


def test_an_authentication_error_ends_the_process_with_exit_code_1_and_nothing_else(
    synthetic_warehouse, openai_server, tmp_path
):
    openai_server.fallback = lambda request: error_response(401, "invalid api key")
    process = start(synthetic_warehouse, openai_server, tmp_path)
    _, stderr = process.communicate(timeout=120)

    assert process.returncode == 1, stderr
    assert stderr.rstrip().endswith("fix that and rerun to resume.") and "terminate called" not in stderr
