"""`mimicbench build`: atomic swaps, PhysioNet layouts, and clear errors on bad input."""

import gzip
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from generator.build import duckdb_memory_limit
from generator.cli import cli
from generator.inputs import resolve_inputs
from tests.conftest import REPO_ROOT

DEEP_LINE = 30_001  # far enough into the file that DuckDB's parallel reader misestimates the line (as 29,744)


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


def spoil_valuenum(text: str, line: int) -> str:
    """`text` with the valuenum of line `line` (1-based, the header is line 1) made unparseable."""
    lines = text.split("\n")
    assert len(lines) > line, "the synthetic labevents has fewer lines than the test needs"
    fields = lines[line - 1].split(",")
    fields[9] = "oops"
    lines[line - 1] = ",".join(fields)
    return "\n".join(lines)


def cut_in_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


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
        (
            lambda d: rewrite_gz(d / "hosp" / "labevents.csv.gz", lambda t: spoil_valuenum(t, DEEP_LINE)),
            f"labevents.csv.gz has a malformed row (line {DEEP_LINE}, column valuenum)",
        ),
        (lambda d: cut_in_half(d / "hosp" / "labevents.csv.gz"), "labevents.csv.gz is truncated"),
    ],
    ids=["missing-file", "renamed-column", "corrupt-gzip", "malformed-row", "malformed-row-deep", "truncated-gzip"],
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


@pytest.mark.parametrize(
    ("budget", "duckdb_limit"), [("12GB", "8400MB"), ("16GiB", "12025MB"), (" 9000mb ", "6300MB"), ("1.5GB", "1050MB")]
)
def test_duckdb_gets_its_share_of_the_builds_memory(budget, duckdb_limit):
    assert duckdb_memory_limit(budget) == duckdb_limit


def test_a_memory_budget_that_is_not_a_size_is_refused_before_building(synthetic_dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("MIMICBENCH_MEMORY_LIMIT", "12 gigs")
    result = build(synthetic_dataset, tmp_path / "w.duckdb")
    assert result.exit_code != 0
    assert "MIMICBENCH_MEMORY_LIMIT='12 gigs' is not a memory size" in result.output
    assert not list(tmp_path.iterdir())


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


def test_data_origin_cannot_be_set_with_vars(synthetic_dataset, tmp_path):
    result = build(synthetic_dataset, tmp_path / "w.duckdb", "--vars", "{data_origin: synthetic}")
    assert result.exit_code == 1
    assert "data_origin cannot be set with --vars" in result.output
    assert not (tmp_path / "w.duckdb").exists()


def test_mimic_iii_and_upper_case_file_names_are_recognised(synthetic_dataset, tmp_path):
    flat = tmp_path / "mimic-iii" / "1.4"
    flat.mkdir(parents=True)
    for name in ("ADMISSIONS.csv.gz", "NOTEEVENTS.csv.gz", "PATIENTS.csv.gz"):
        shutil.copyfile(synthetic_dataset / "hosp" / "admissions.csv.gz", flat / name)
    upper = tmp_path / "upper"
    for module in ("hosp", "icu"):
        (upper / module).mkdir(parents=True)
        for path in (synthetic_dataset / module).iterdir():
            shutil.copyfile(path, upper / module / path.name.upper().replace(".CSV.GZ", ".csv.gz"))

    mimic_iii = build(tmp_path / "mimic-iii", tmp_path / "w.duckdb")
    upper_case = build(upper, tmp_path / "w.duckdb")

    assert mimic_iii.exit_code == 1 and "holds MIMIC-III" in mimic_iii.output
    assert "download MIMIC-IV 2.2 or 3.1" in mimic_iii.output
    assert upper_case.exit_code == 1 and "MIMIC-IV names its files in lower case" in upper_case.output
    assert "hosp/ADMISSIONS.csv.gz" in upper_case.output


def mimicbench(*args: object) -> subprocess.Popen:
    """`mimicbench ARGS` as a real process of its own."""
    command = [sys.executable, "-m", "generator", *map(str, args)]
    return subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_a_second_build_of_the_same_db_is_refused_at_once_and_the_first_finishes(synthetic_dataset, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    first = mimicbench("build", "--mimic-dir", synthetic_dataset, "--db", db, "--quiet")
    building = db.with_name(db.name + ".building")
    deadline = time.monotonic() + 300
    while not building.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert building.exists(), "the first build never started writing"

    started = time.monotonic()
    second = mimicbench("build", "--mimic-dir", synthetic_dataset, "--db", db, "--quiet")
    second_output, _ = second.communicate(timeout=120)
    refused_after = time.monotonic() - started
    first_output, _ = first.communicate(timeout=900)

    assert second.returncode == 1 and refused_after < 30
    assert f"Another `mimicbench build` is writing {db}" in second_output
    assert first.returncode == 0, first_output
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select data_origin from marts.mart_build_info").fetchall() == [("synthetic",)]


@pytest.fixture()
def warehouse_copy(synthetic_warehouse, tmp_path) -> Path:
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(synthetic_warehouse, db)
    return db


def test_select_rebuilds_its_nodes_inside_a_copy_of_the_complete_warehouse(synthetic_dataset, warehouse_copy):
    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        before = con.execute("select invocation_id from marts.mart_build_info").fetchone()[0]

    result = build(synthetic_dataset, warehouse_copy, "--select", "mart_build_info")

    assert result.exit_code == 0, result.output
    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        assert con.execute("select invocation_id from marts.mart_build_info").fetchone()[0] != before
        assert con.execute("select count(*) from marts.mart_packets").fetchone()[0] > 0


def test_a_uniqueness_test_checked_in_passes_finds_a_doubled_key(synthetic_dataset, warehouse_copy):
    """With passes of 2,000 rows the lab mart's eid test reads the mart in several hash partitions of its keys:
    it passes on the built warehouse and fails once one row is doubled."""
    test, passes = "unique_mart_packet_labs_eid", ("--vars", "{uniqueness_rows_per_pass: 2000}")

    clean = build(synthetic_dataset, warehouse_copy, "--select", test, *passes)
    compiled = next(warehouse_copy.with_name(f".{warehouse_copy.name}.dbt").rglob(f"compiled/**/{test}.sql"))
    with duckdb.connect(str(warehouse_copy)) as con:
        rows = con.execute("select count(*) from marts.mart_packet_labs").fetchone()[0]
        con.execute("insert into marts.mart_packet_labs from marts.mart_packet_labs order by eid desc limit 1")
    doubled = build(synthetic_dataset, warehouse_copy, "--select", test, *passes)

    assert clean.exit_code == 0, clean.output
    assert compiled.read_text().count("group by") == -(-rows // 2000) > 1
    assert doubled.exit_code == 1 and test in doubled.output


@pytest.mark.parametrize(
    "damage",
    [
        "insert into marts.mart_packet_labs from marts.mart_packet_labs order by eid desc limit 1",  # a row copied
        # an admission numbered twice: its later half renumbered from 1, as two batches would have numbered it
        """update marts.mart_packet_labs set seq = seq - 3
           where hadm_id = (select hadm_id from marts.mart_packet_labs group by all having count(*) > 6 limit 1)
             and seq > 3""",
        # two numbers repeated and two missing, the count, the ends and the sum kept (2 -> 3, 5 -> 4)
        """update marts.mart_packet_labs set keep_priority = case keep_priority when 2 then 3 else 4 end
           where hadm_id = (select hadm_id from marts.mart_packet_labs group by all having count(*) > 6 limit 1)
             and keep_priority in (2, 5)""",
    ],
    ids=["row copied", "numbered twice", "duplicate and gap"],
)
def test_the_numbering_test_finds_an_admission_numbered_twice_or_a_copied_row(
    synthetic_dataset, warehouse_copy, damage
):
    test = "test_name:numbered_within,mart_packet_labs"

    clean = build(synthetic_dataset, warehouse_copy, "--select", test)
    with duckdb.connect(str(warehouse_copy)) as con:
        assert con.execute(damage).fetchone()[0] > 0  # rows changed
    damaged = build(synthetic_dataset, warehouse_copy, "--select", test)

    assert clean.exit_code == 0, clean.output
    assert damaged.exit_code == 1 and "numbered_within_mart_packet_labs" in damaged.output


def test_select_is_refused_without_a_complete_warehouse_of_the_same_origin(
    synthetic_dataset, dataset_copy, warehouse_copy, tmp_path
):
    missing = build(synthetic_dataset, tmp_path / "none.duckdb", "--select", "mart_build_info")
    with duckdb.connect(str(tmp_path / "partial.duckdb")) as con:
        con.execute("create schema marts; create table marts.mart_build_info as select 'synthetic' as data_origin")
    partial = build(synthetic_dataset, tmp_path / "partial.duckdb", "--select", "mart_build_info")
    (dataset_copy / "mimicbench-synthetic.json").unlink()
    mixed = build(dataset_copy, warehouse_copy, "--select", "mart_build_info")

    assert missing.exit_code == 1 and "there is none yet: build the whole warehouse first" in missing.output
    assert not (tmp_path / "none.duckdb").exists()
    assert partial.exit_code == 1 and "is not a complete warehouse" in partial.output
    assert mixed.exit_code == 1 and "was built from synthetic data and the inputs are credentialed" in mixed.output
