"""`mimicbench build`: atomic swaps, PhysioNet layouts, and clear errors on bad input."""

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.inputs import resolve_inputs
from tests.conftest import REPO_ROOT


@pytest.fixture()
def dataset_copy(synthetic_dataset, tmp_path) -> Path:
    """A private copy of the synthetic dataset that a test may damage."""
    copy = tmp_path / "mimic"
    shutil.copytree(synthetic_dataset, copy)
    return copy


def build(mimic_dir: Path, db: Path, *extra: str):
    args = ["build", "--mimic-dir", mimic_dir, "--note-dir", mimic_dir / "note", "--db", db, "--quiet", *extra]
    return CliRunner().invoke(cli, [str(a) for a in args])


def rewrite_gz(path: Path, edit) -> None:
    text = gzip.decompress(path.read_bytes()).decode()
    path.write_bytes(gzip.compress(edit(text).encode()))


def test_build_swaps_in_a_warehouse_with_marts_and_build_info(synthetic_warehouse):
    with duckdb.connect(str(synthetic_warehouse), read_only=True) as con:
        origin = con.execute("select data_origin from marts.mart_build_info").fetchall()
        packets = con.execute("select count(*) from marts.mart_packets").fetchone()[0]
    assert origin == [("synthetic",)]
    assert packets > 0
    assert not synthetic_warehouse.with_name(synthetic_warehouse.name + ".building").exists()


def test_resolve_inputs_accepts_physionet_download_layout(synthetic_dataset, tmp_path):
    mimic = tmp_path / "physionet.org" / "files" / "mimiciv" / "3.1"
    note = tmp_path / "physionet.org" / "files" / "mimic-iv-note" / "2.2" / "note"
    mimic.mkdir(parents=True)
    note.parent.mkdir(parents=True)
    for module in ("hosp", "icu"):
        (mimic / module).symlink_to(synthetic_dataset / module)
    note.symlink_to(synthetic_dataset / "note")

    inputs = resolve_inputs(tmp_path / "physionet.org", tmp_path / "physionet.org" / "files" / "mimic-iv-note")

    assert inputs.mimic_dir == mimic.resolve()
    assert inputs.note_dir == note.resolve()
    assert inputs.data_origin == "credentialed"  # the synthetic marker sits beside hosp/, not in 3.1/


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda d: (d / "hosp" / "services.csv.gz").unlink(), "services.csv.gz is missing"),
        (
            lambda d: rewrite_gz(d / "hosp" / "labevents.csv.gz", lambda t: t.replace("valuenum", "value_num", 1)),
            "labevents.csv.gz lacks column(s) valuenum",
        ),
        (lambda d: (d / "note" / "radiology.csv.gz").write_bytes(b"not gzip at all"), "not a readable gzip"),
        (
            lambda d: rewrite_gz(d / "hosp" / "transfers.csv.gz", lambda t: t + "10000001,oops,x,y,z,,\n"),
            "transfers.csv.gz has a malformed row",
        ),
    ],
    ids=["missing-file", "renamed-column", "corrupt-gzip", "malformed-row"],
)
def test_bad_input_fails_clearly_and_keeps_the_last_good_warehouse(dataset_copy, tmp_path, damage, expected):
    db = tmp_path / "warehouse.duckdb"
    db.write_bytes(b"the last good warehouse")
    damage(dataset_copy)

    result = build(dataset_copy, db)

    assert result.exit_code != 0
    assert expected in result.output
    assert "previous warehouse" in result.output
    assert db.read_bytes() == b"the last good warehouse"
    assert not db.with_name(db.name + ".building").exists()


def test_missing_mimic_dir_is_a_one_line_error(tmp_path):
    result = build(tmp_path / "nowhere", tmp_path / "w.duckdb")
    assert result.exit_code != 0
    assert "--mimic-dir" in result.output and "is not a folder" in result.output


def test_bad_vars_are_rejected_before_building(synthetic_dataset, tmp_path):
    result = build(synthetic_dataset, tmp_path / "w.duckdb", "--vars", "[1, 2]")
    assert result.exit_code == 2
    assert "--vars" in result.output


def test_plain_dbt_build_and_test_work_from_the_repo_root(synthetic_dataset, tmp_path):
    env = os.environ | {
        "MIMIC_IV_DIR": str(synthetic_dataset),
        "MIMIC_IV_NOTE_DIR": str(synthetic_dataset / "note"),
        "MIMICBENCH_DB": str(tmp_path / "plain.duckdb"),
        "MIMICBENCH_TMP": str(tmp_path / "tmp"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "DO_NOT_TRACK": "1",
    }
    dbt = str(Path(sys.executable).parent / "dbt")
    for command in (["build"], ["test"]):
        done = subprocess.run(
            [dbt, *command, "--no-version-check", "--quiet"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout[-3000:]
