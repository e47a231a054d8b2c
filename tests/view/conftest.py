"""A scripted cohort run and a scripted CDM run on the synthetic warehouse, and their report, once per test run."""

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.openai_server import OpenAIServer
from tests.view.scripted import ScriptedRun, scripted_cdm_run, scripted_cohort_run


@pytest.fixture(scope="session")
def scripted_run(synthetic_warehouse, tmp_path_factory) -> ScriptedRun:
    """Three patients through the scripted model: one admission repaired, one failed, one with an ungrounded number."""
    output_root = tmp_path_factory.mktemp("view") / "output"
    with OpenAIServer() as server:
        return scripted_cohort_run(synthetic_warehouse, output_root, server, patients=3)


@pytest.fixture(scope="session")
def cdm_results(synthetic_warehouse, tmp_path_factory) -> Path:
    with OpenAIServer() as server:
        return scripted_cdm_run(synthetic_warehouse, tmp_path_factory.mktemp("cdm_view"), server, cases=8)


@pytest.fixture(scope="session")
def report(scripted_run, cdm_results) -> Path:
    """`mimicbench view` of the scripted run with the CDM results, written where it is by default."""
    run_cli("view", "--output-root", scripted_run.output_root, "--cdm-results", cdm_results)
    return scripted_run.output_root / "report"
