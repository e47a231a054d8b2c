"""Template conversations of the synthetic warehouse's top 8 patients, and the qa folder built from them."""

import pytest

from tests.conftest import run_cli


@pytest.fixture(scope="session")
def template_output(synthetic_warehouse, tmp_path_factory):
    root = tmp_path_factory.mktemp("qa_output")
    run_cli("cohort", "--db", synthetic_warehouse, "--limit", 8, "--out-dir", root)
    run_cli(
        "generate-cohort", "--db", synthetic_warehouse, "--cohort", root / "top8_by_admission_count.csv",
        "--backend", "template", "--output-root", root / "output",
    )  # fmt: skip
    return root / "output"


@pytest.fixture(scope="session")
def qa_dir(synthetic_warehouse, template_output, tmp_path_factory):
    out = tmp_path_factory.mktemp("qa") / "qa"
    run_cli("qa", "build", "--db", synthetic_warehouse, "--output-root", template_output, "--out", out)
    return out
