"""Shared fixtures: real synthetic datasets and real warehouses built by `dbt build`, once per run."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO_ROOT.parent / "shared" / "mimic-iv-demo"

pytest_plugins = ["tests.openai_server"]


def run_cli(*args: str) -> str:
    """Run `mimicbench ARGS` in-process and return its output; fail the test on a non-zero exit."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session")
def synthetic_dataset(tmp_path_factory) -> Path:
    """A small synthetic MIMIC-IV + MIMIC-IV-Note dataset (hosp/, icu/, note/)."""
    out = tmp_path_factory.mktemp("synthetic") / "mimic"
    run_cli("synth", "--out", out, "--patients", "40", "--seed", "7")
    return out


@pytest.fixture(scope="session")
def synthetic_warehouse(synthetic_dataset, tmp_path_factory) -> Path:
    """The warehouse built by `mimicbench build` over the synthetic dataset."""
    db = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    run_cli("build", "--mimic-dir", synthetic_dataset, "--note-dir", synthetic_dataset / "note", "--db", db)
    return db


@pytest.fixture(scope="session")
def demo_notes(tmp_path_factory) -> Path:
    """Synthesized MIMIC-IV-Note tables for the open MIMIC-IV demo (skips when ../shared is absent)."""
    if not (DEMO_DIR / "hosp" / "admissions.csv.gz").exists():
        pytest.skip("the MIMIC-IV demo is not present at ../shared/mimic-iv-demo")
    out = tmp_path_factory.mktemp("demo") / "note"
    run_cli("synth-notes", "--mimic-dir", DEMO_DIR, "--out", out)
    return out


@pytest.fixture(scope="session")
def demo_warehouse(demo_notes, tmp_path_factory) -> Path:
    """The warehouse built over the open demo (hosp/icu) plus its synthesized notes."""
    db = tmp_path_factory.mktemp("demo_warehouse") / "warehouse.duckdb"
    run_cli("build", "--mimic-dir", DEMO_DIR, "--note-dir", demo_notes, "--db", db)
    return db
