"""The packet section marts written one batch of admissions at a time (admission_batched): the same rows, in the
same order, as one batch, and each batch's query reads only its own admissions' rows."""

import json
from pathlib import Path

import duckdb
import pytest

from generator.sections import PACKET_SECTIONS
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def many_batches_warehouse(synthetic_dataset, tmp_path_factory) -> Path:
    """The synthetic warehouse built again in batches of 7 admissions."""
    db = tmp_path_factory.mktemp("batched") / "warehouse.duckdb"
    run_cli(
        "build", "--mimic-dir", synthetic_dataset, "--note-dir", synthetic_dataset / "note", "--db", db,
        "--vars", "{admissions_per_batch: 7}", "--quiet",
    )  # fmt: skip
    return db


def test_batches_cover_every_admission_once_in_hadm_id_order(many_batches_warehouse):
    with duckdb.connect(str(many_batches_warehouse), read_only=True) as con:
        batches = con.execute(
            "select batch, hadm_id_from, hadm_id_to, admissions from intermediate.int_admission_batches order by batch"
        ).fetchall()
        admissions = con.execute("select count(*) from marts.mart_admissions").fetchone()[0]
    assert len(batches) > 5
    assert [b[0] for b in batches] == list(range(1, len(batches) + 1))
    assert all(b[3] == 7 for b in batches[:-1]) and sum(b[3] for b in batches) == admissions
    assert all(earlier[2] < later[1] for earlier, later in zip(batches, batches[1:], strict=False))


@pytest.mark.parametrize("section", [s.name for s in PACKET_SECTIONS])
def test_a_mart_built_in_batches_equals_one_built_at_once_and_is_stored_sorted(
    section, many_batches_warehouse, synthetic_warehouse
):
    table = f"marts.mart_packet_{section}"
    with duckdb.connect(str(many_batches_warehouse), read_only=True) as con:
        con.execute(f"attach '{synthetic_warehouse}' as once (read_only)")
        rows = con.execute(f"select count(*) from {table}").fetchone()[0]
        only_batched = con.execute(f"select count(*) from (from {table} except all from once.{table})").fetchone()[0]
        only_once = con.execute(f"select count(*) from (from once.{table} except all from {table})").fetchone()[0]
        out_of_order = con.execute(
            f"select count(*) from (select hadm_id, seq, lag(hadm_id) over (order by rowid) as previous_hadm_id,"
            f" lag(seq) over (order by rowid) as previous_seq from {table})"
            " where previous_hadm_id > hadm_id or (previous_hadm_id = hadm_id and previous_seq >= seq)"
        ).fetchone()[0]
    assert rows > 0 or section in {"icustays"}
    assert (only_batched, only_once, out_of_order) == (0, 0, 0)


@pytest.mark.parametrize("table", ["qa.int_qa__first_lab_results", "qa.int_qa__first_flagged_results"])
def test_the_qa_first_results_built_in_batches_equal_those_built_at_once(
    table, many_batches_warehouse, synthetic_warehouse
):
    with duckdb.connect(str(many_batches_warehouse), read_only=True) as con:
        con.execute(f"attach '{synthetic_warehouse}' as once (read_only)")
        rows = con.execute(f"select count(*) from {table}").fetchone()[0]
        only_batched = con.execute(f"select count(*) from (from {table} except all from once.{table})").fetchone()[0]
        only_once = con.execute(f"select count(*) from (from once.{table} except all from {table})").fetchone()[0]
    assert rows > 0
    assert (only_batched, only_once) == (0, 0)


def plan_operators(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple[str, dict]]:
    """(operator name, extra info) of every node of DuckDB's plan for `query`."""
    plan = json.loads(con.execute("explain (format json) " + query).fetchall()[0][1])
    operators, pending = [], list(plan)
    while pending:
        node = pending.pop()
        operators.append((node["name"], node.get("extra_info", {})))
        pending.extend(node.get("children", []))
    return operators


# What each admission_batched model reads, filtered to the batch: the section ranking views, and the QA labs view.
BATCH_INPUTS = [f"intermediate.{section.model}" for section in PACKET_SECTIONS] + ["qa.int_qa__lab_results"]


@pytest.mark.parametrize("view", BATCH_INPUTS)
def test_a_batch_reads_only_its_admissions_rows(view, synthetic_warehouse):
    """With a batch set as admission_batched sets it, every scan of a table of events keyed by admission reads
    only that batch's hadm_id range (none is read whole, or held whole in a materialized step), so what a batch
    holds does not grow with the input. The admissions themselves (one row each) may be read whole."""
    with duckdb.connect(str(synthetic_warehouse), read_only=True) as con:
        keyed_by_admission = {
            f"{catalog}.{schema}.{table}"
            for catalog, schema, table in con.execute(
                "select table_catalog, table_schema, table_name from information_schema.columns"
                " where column_name = 'hadm_id' and table_name not in ('int_admissions__enriched', 'mart_admissions')"
            ).fetchall()
        }
        con.execute("set variable admission_batch_from = 1")
        con.execute("set variable admission_batch_to = 2")
        operators = plan_operators(
            con,
            f"select * from {view} where hadm_id"
            " between getvariable('admission_batch_from') and getvariable('admission_batch_to')",
        )
    scans = [info["Table"] for name, info in operators if name == "SEQ_SCAN" and not info.get("Filters")]
    assert [table for table in scans if table in keyed_by_admission] == []
