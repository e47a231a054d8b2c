"""The marts against independent counts from the raw csv.gz files, and `Warehouse` reads against the build."""

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from generator.build import PROJECT_DIR, dbt_executable
from generator.packet import SECTIONS
from generator.warehouse import Warehouse, WarehouseError
from tests.conftest import DEMO_DIR, run_cli

SMALL_CAPS = {"labs": 5, "microbiology": 2, "poe": 3, "poe_details": 4, "emar": 4, "emar_details": 3, "transfers": 1}
SMALL_CAPS_VARS = (
    "{cap_labs: 5, cap_microbiology: 2, cap_poe: 3, cap_poe_details: 4, cap_emar: 4, cap_emar_details: 3,"
    " cap_transfers: 1}"
)


@pytest.fixture(scope="module")
def capped_warehouse(synthetic_dataset, tmp_path_factory) -> Path:
    """The synthetic warehouse built again with small caps (labs 5, eMAR 4, ...)."""
    db = tmp_path_factory.mktemp("capped") / "warehouse.duckdb"
    run_cli(
        "build", "--mimic-dir", synthetic_dataset, "--note-dir", synthetic_dataset / "note", "--db", db,
        "--vars", SMALL_CAPS_VARS, "--quiet",
    )  # fmt: skip
    return db


@pytest.fixture(params=["synthetic", "demo"])
def built(request) -> tuple[Path, Path]:
    """(raw MIMIC-IV folder, warehouse built from it) for the synthetic dataset and the open demo."""
    if request.param == "synthetic":
        return request.getfixturevalue("synthetic_dataset"), request.getfixturevalue("synthetic_warehouse")
    return DEMO_DIR, request.getfixturevalue("demo_warehouse")


def raw_and_marts(raw_dir: Path, db: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with the warehouse attached read-only as `wh`, for raw-vs-mart checks."""
    con = duckdb.connect()
    con.execute(f"attach '{db}' as wh (read_only)")
    con.execute(f"create view raw_admissions as select * from read_csv('{raw_dir}/hosp/admissions.csv.gz')")
    con.execute(f"create view raw_labevents as select * from read_csv('{raw_dir}/hosp/labevents.csv.gz')")
    return con


def test_one_packet_per_admission_of_admissions_csv(built):
    raw_dir, db = built
    with raw_and_marts(raw_dir, db) as con:
        raw = con.execute("select count(*), count(distinct hadm_id) from raw_admissions").fetchone()
        packets = con.execute("select count(*), count(distinct hadm_id) from wh.marts.mart_admissions").fetchone()
        unmatched = con.execute(
            "select count(*) from raw_admissions full join wh.marts.mart_admissions using (hadm_id)"
            " where raw_admissions.subject_id is null or mart_admissions.subject_id is null"
        ).fetchone()[0]
    assert raw[0] == raw[1] == packets[0] == packets[1]
    assert unmatched == 0


def test_every_labevent_with_an_admissions_hadm_id_is_in_its_packet_unless_capped(built):
    raw_dir, db = built
    with raw_and_marts(raw_dir, db) as con:
        raw_counts = dict(
            con.execute(
                "select l.hadm_id, count(*) from raw_labevents as l"
                " join raw_admissions as a on l.hadm_id = a.hadm_id and l.subject_id = a.subject_id group by 1"
            ).fetchall()
        )
        missing = con.execute(
            "select count(*) from raw_labevents as l"
            " join raw_admissions as a on l.hadm_id = a.hadm_id and l.subject_id = a.subject_id"
            " left join wh.marts.mart_packet_labs as p on p.eid = 'LAB#' || l.labevent_id and p.hadm_id = l.hadm_id"
            " where p.eid is null"
        ).fetchone()[0]
        dropped = con.execute(
            "select count(*) from raw_labevents as l"
            " join wh.marts.mart_packet_labs as p on p.eid = 'LAB#' || l.labevent_id and p.hadm_id = l.hadm_id"
            " where not p.is_kept and (select count(*) from wh.marts.mart_packet_labs as k"
            "  where k.hadm_id = l.hadm_id and k.is_kept) < 800"
        ).fetchone()[0]
    assert raw_counts, "the dataset should hold labs with a hadm_id"
    assert missing == 0
    assert dropped == 0, "a lab may only be left out of a packet whose labs section is full"
    warehouse = Warehouse(db)
    for hadm_id, n_raw in list(raw_counts.items())[:5]:
        packet = warehouse.packet(hadm_id, caps={"labs": None})
        direct = [row for row in packet.sections["labs"].rows if row["link_method"] == "hadm_id"]
        assert len(direct) == n_raw


def test_packet_rows_equal_the_nested_mart_packets(synthetic_warehouse):
    warehouse = Warehouse(synthetic_warehouse)
    with duckdb.connect(str(synthetic_warehouse), read_only=True) as con:
        nested = con.execute(f"select hadm_id, {', '.join(SECTIONS)} from marts.mart_packets").fetchall()
    for hadm_id, *sections in nested:
        packet = warehouse.packet(hadm_id)
        assert [packet.sections[name].rows for name in SECTIONS] == sections


def test_query_time_caps_equal_build_time_caps(synthetic_warehouse, capped_warehouse):
    default, capped = Warehouse(synthetic_warehouse), Warehouse(capped_warehouse)
    default_caps = default.build_info()["caps"]
    assert capped.build_info()["caps"] == {**default_caps, **SMALL_CAPS}
    truncated = 0
    for row in default.cohort():
        for ref in default.admissions(row["subject_id"]):
            built_small = capped.packet(ref.hadm_id)
            assert default.packet(ref.hadm_id, caps=SMALL_CAPS) == built_small
            assert capped.packet(ref.hadm_id, caps=default_caps) == default.packet(ref.hadm_id)
            truncated += built_small.sections["labs"].truncated
    assert truncated > 0, "the small caps should truncate some packets"


def test_a_packet_recapped_with_tighter_caps_equals_the_packet_read_with_them(synthetic_warehouse):
    warehouse = Warehouse(synthetic_warehouse)
    tighter = {"labs": 3, "poe": 1, "emar": 0, "radiology_notes": 1}  # a parent tighter, its details with it
    recapped = 0
    for row in warehouse.cohort(10):
        for ref in warehouse.admissions(row["subject_id"]):
            packet = warehouse.packet(ref.hadm_id)
            again = warehouse.recapped(packet, tighter)
            assert again == warehouse.packet(ref.hadm_id, caps=tighter)
            assert again.sections["diagnoses"] is packet.sections["diagnoses"]  # untouched: not read again
            recapped += again.sections["poe_details"].rows_kept < packet.sections["poe_details"].rows_kept
    assert recapped > 0, "tightening poe should drop some poe_details rows"
    assert warehouse.recapped(packet, {}) is packet


def test_recapping_with_caps_that_keep_rows_the_packet_lacks_says_to_read_it_again(synthetic_warehouse):
    warehouse = Warehouse(synthetic_warehouse)
    hadm_id = warehouse.admissions(warehouse.cohort(1)[0]["subject_id"])[0].hadm_id
    packet = warehouse.packet(hadm_id, caps={"labs": 0})
    with pytest.raises(WarehouseError, match=r"read it with `packet\(hadm_id, caps\)`"):
        warehouse.recapped(packet, {"labs": None})


def test_evidence_ids_are_stable_when_caps_change(synthetic_warehouse):
    warehouse = Warehouse(synthetic_warehouse)
    for row in warehouse.cohort(10):
        for ref in warehouse.admissions(row["subject_id"]):
            full = warehouse.packet(ref.hadm_id, caps=dict.fromkeys(SECTIONS))
            small = warehouse.packet(ref.hadm_id, caps=SMALL_CAPS)
            for name in SECTIONS:
                by_eid = {r["eid"]: r for r in full.sections[name].rows}
                assert all(by_eid[r["eid"]] == r for r in small.sections[name].rows)


def test_cap_keeps_each_analytes_first_and_last_result_and_drops_children_of_dropped_parents(
    synthetic_warehouse,
):
    warehouse = Warehouse(synthetic_warehouse)
    checked = 0
    for row in warehouse.cohort():
        for ref in warehouse.admissions(row["subject_id"]):
            every_lab = warehouse.packet(ref.hadm_id, caps={"labs": None}).sections["labs"].rows
            first, last = {}, {}
            for lab in every_lab:
                first.setdefault(lab["itemid"], lab["eid"])
                last[lab["itemid"]] = lab["eid"]
            ends = set(first.values()) | set(last.values())
            small = warehouse.packet(ref.hadm_id, caps={"labs": len(ends), "emar": 2})
            labs = small.sections["labs"]
            if labs.truncated:
                assert {r["eid"] for r in labs.rows} == ends
                checked += 1
            kept_emar = {r["eid"] for r in small.sections["emar"].rows}
            assert all(r["parent_eid"] in kept_emar for r in small.sections["emar_details"].rows)
            assert [r["seq"] for r in labs.rows] == sorted(r["seq"] for r in labs.rows)
    assert checked > 0


def test_unlinked_notes_are_attached_to_one_admission_not_copied(synthetic_warehouse):
    warehouse = Warehouse(synthetic_warehouse)
    seen: dict[str, int] = {}
    for row in warehouse.cohort():
        for ref in warehouse.admissions(row["subject_id"]):
            for note in warehouse.unlinked_notes(ref.hadm_id):
                assert note["hadm_id"] == ref.hadm_id and note["source_hadm_id"] is None
                assert note["note_id"] not in seen
                seen[note["note_id"]] = ref.hadm_id
    assert seen, "the synthetic notes should include radiology notes without hadm_id inside a stay"


def test_packet_is_the_generator_contract(synthetic_warehouse):
    warehouse = Warehouse(synthetic_warehouse)
    info = warehouse.build_info()
    assert warehouse.data_origin() == "synthetic"
    assert list(info["caps"]) == list(SECTIONS)
    subject = warehouse.cohort(1)[0]
    refs = warehouse.admissions(subject["subject_id"])
    assert refs == sorted(refs, key=lambda r: (r.admittime, r.hadm_id))
    packet = warehouse.packet(refs[0].hadm_id)
    assert tuple(packet.sections) == SECTIONS
    assert packet.patient["eid"] == f"PT#{packet.subject_id}"
    assert packet.admission["eid"] == f"ADM#{packet.hadm_id}"
    assert all(isinstance(r["t_rel_min"], int | None) for s in packet.sections.values() for r in s.rows)


def test_warehouse_errors_say_what_to_do(synthetic_warehouse, tmp_path):
    with pytest.raises(WarehouseError, match="mimicbench build"):
        Warehouse(tmp_path / "none.duckdb").cohort()
    warehouse = Warehouse(synthetic_warehouse)
    with pytest.raises(WarehouseError, match="hadm_id 1 is not in"):
        warehouse.packet(1)
    with pytest.raises(WarehouseError, match="unknown packet section"):
        warehouse.packet(warehouse.cohort(1)[0]["subject_id"], caps={"lab": 3})
    hadm_id = warehouse.admissions(warehouse.cohort(1)[0]["subject_id"])[0].hadm_id
    with pytest.raises(WarehouseError, match=">= 0"):
        warehouse.packet(hadm_id, caps={"labs": -1})
    with pytest.raises(WarehouseError, match="no admission"):
        warehouse.admissions(1)


def test_plain_dbt_reads_notes_in_physionets_nested_layout(synthetic_dataset, tmp_path):
    """MIMIC_IV_NOTE_DIR may point at `mimic-iv-note/2.2` (files in its note/ folder) or at the files' folder."""
    nested = tmp_path / "mimic-iv-note" / "2.2" / "note"
    shutil.copytree(synthetic_dataset / "note", nested)
    env = os.environ | {
        "MIMIC_IV_DIR": str(synthetic_dataset),
        "MIMIC_IV_NOTE_DIR": str(nested.parent),
        "MIMICBENCH_DB": str(tmp_path / "notes.duckdb"),
        "MIMICBENCH_TMP": str(tmp_path / "tmp"),
        "DO_NOT_TRACK": "1",
    }
    target = ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    subprocess.run(
        [dbt_executable(), "run", "--select", "stg_mimic_note__radiology", *target, "--no-version-check"],
        cwd=PROJECT_DIR, env=env, check=True, capture_output=True,
    )  # fmt: skip
    with duckdb.connect(str(tmp_path / "notes.duckdb"), read_only=True) as con:
        staged = con.execute("select count(*) from staging.stg_mimic_note__radiology").fetchone()[0]
        raw = con.execute(f"select count(*) from read_csv('{nested}/radiology.csv.gz')").fetchone()[0]
    assert staged == raw > 0


def test_mart_views_work_when_the_file_is_renamed(synthetic_warehouse, tmp_path):
    renamed = tmp_path / "renamed.duckdb"
    shutil.copy(synthetic_warehouse, renamed)
    with duckdb.connect(str(renamed), read_only=True) as con:
        packets = con.execute("select count(*), sum(labs_rows_kept) from marts.mart_packets").fetchone()
        labs = con.execute("select count(*) from marts.mart_labs").fetchone()[0]
    assert packets[0] > 0 and packets[1] == labs
