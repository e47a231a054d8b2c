"""Synthetic only when label and content agree: synth's reserved id ranges, and the guard of every LLM command."""

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from generator import origin
from generator.cli import cli
from generator.origin import checked_origin
from generator.warehouse import Warehouse
from tests.conftest import DEMO_DIR, run_cli

REMOTE = "https://remote.invalid/v1"
# (table, column, the range synth draws from); row ids only have a lower bound
SYNTH_IDS = [
    ("admissions", "subject_id", origin.SYNTHETIC_SUBJECT_IDS),
    ("admissions", "hadm_id", origin.SYNTHETIC_HADM_IDS),
    ("icu/icustays", "stay_id", origin.SYNTHETIC_STAY_IDS),
    ("transfers", "transfer_id", origin.SYNTHETIC_TRANSFER_IDS),
    ("labevents", "labevent_id", range(origin.SYNTHETIC_ROW_ID_BASE, 2**63)),
    ("labevents", "specimen_id", range(origin.SYNTHETIC_ROW_ID_BASE, 2**63)),
    ("microbiologyevents", "micro_specimen_id", range(origin.SYNTHETIC_ROW_ID_BASE, 2**63)),
    ("microbiologyevents", "microevent_id", range(origin.SYNTHETIC_ROW_ID_BASE, 2**63)),
    ("pharmacy", "pharmacy_id", range(origin.SYNTHETIC_ROW_ID_BASE, 2**63)),
]


def id_bounds(root: Path, table: str, column: str) -> tuple[int, int]:
    path = root / (table if "/" in table else f"hosp/{table}")
    with duckdb.connect() as con:
        return con.execute(f"select min({column}), max({column}) from read_csv('{path}.csv.gz')").fetchone()


@pytest.mark.parametrize(("table", "column", "reserved"), SYNTH_IDS, ids=[c for _, c, _ in SYNTH_IDS])
def test_synth_draws_every_id_from_a_range_real_mimic_never_uses(synthetic_dataset, table, column, reserved):
    low, high = id_bounds(synthetic_dataset, table, column)
    assert low in reserved and high in reserved
    if (DEMO_DIR / "hosp").is_dir():
        real_low, real_high = id_bounds(DEMO_DIR, table, column)
        assert real_high < reserved.start or real_low >= reserved.stop


def test_a_synthetic_label_is_trusted_only_with_synthetic_ids():
    synthetic_ids = {"subject_ids": [90_000_032], "hadm_ids": [81_234_567]}
    assert checked_origin("synthetic", **synthetic_ids) == ("synthetic", None)
    assert checked_origin("credentialed", **synthetic_ids) == ("credentialed", None)
    relabelled = checked_origin("synthetic", subject_ids=[90_000_032], hadm_ids=[81_234_567, 22_595_853])
    assert relabelled.data_origin == "credentialed"
    assert "hadm_id 22595853 lies outside the range synthetic data uses (80,000,000-89,999,999)" in relabelled.warning


def test_a_synthetic_warehouse_is_synthetic_by_label_and_content(synthetic_warehouse):
    with Warehouse(synthetic_warehouse) as warehouse:
        assert warehouse.origin() == ("synthetic", None)
        subject_id = warehouse.cohort(1)[0]["subject_id"]
        assert warehouse.packet(warehouse.admissions(subject_id)[0].hadm_id).data_origin == "synthetic"


@pytest.fixture()
def relabelled_demo(demo_warehouse, tmp_path) -> Path:
    """A copy of the demo warehouse whose build record was edited to say 'synthetic'."""
    db = tmp_path / "relabelled.duckdb"
    shutil.copyfile(demo_warehouse, db)
    with duckdb.connect(str(db)) as con:
        con.execute("update marts.mart_build_info set data_origin = 'synthetic'")
    return db


def test_a_relabelled_real_warehouse_is_credentialed_for_every_packet(relabelled_demo):
    with Warehouse(relabelled_demo) as warehouse:
        assert warehouse.build_info()["data_origin"] == "synthetic"
        assert warehouse.origin().data_origin == "credentialed"
        subject_id = warehouse.cohort(1)[0]["subject_id"]
        assert warehouse.packet(warehouse.admissions(subject_id)[0].hadm_id).data_origin == "credentialed"


@pytest.mark.parametrize("command", ["generate-patient", "generate-cohort"])
def test_generation_refuses_a_remote_endpoint_for_a_relabelled_real_warehouse(relabelled_demo, tmp_path, command):
    with Warehouse(relabelled_demo) as warehouse:
        subject_id = warehouse.cohort(1)[0]["subject_id"]
    who = ["--subject-id", subject_id] if command == "generate-patient" else ["--limit", "1"]
    args = [command, *who, "--db", relabelled_demo, "--model", "m", "--base-url", REMOTE, "--output-root", tmp_path]
    result = CliRunner().invoke(cli, [str(a) for a in args])

    assert result.exit_code == 1
    assert "Warning: the data is labelled synthetic but subject_id" in result.output
    assert "Refusing to send credentialed MIMIC data to 'remote.invalid'" in result.output
    assert not list(tmp_path.glob(f"{subject_id}/**/model_call_record.json"))


def test_cdm_run_refuses_a_remote_endpoint_for_real_cases_relabelled_synthetic(demo_warehouse, tmp_path):
    cases = tmp_path / "cases.json"
    run_cli("cdm", "export", "--db", demo_warehouse, "--out", cases)
    exported = json.loads(cases.read_text())
    assert exported["data_origin"] == "credentialed" and exported["cases"]
    cases.write_text(json.dumps(exported | {"data_origin": "synthetic"}))

    args = ["cdm", "run", "--cases", cases, "--model", "m", "--base-url", REMOTE, "--out", tmp_path / "r.jsonl"]
    result = CliRunner().invoke(cli, [str(a) for a in args])

    assert result.exit_code == 1
    assert "Warning: the data is labelled synthetic but hadm_id" in result.output
    assert "Refusing to send credentialed MIMIC data" in result.output
    assert not (tmp_path / "r.jsonl").exists()
