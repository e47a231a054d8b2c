"""The warehouse does not depend on the order of the rows in the input files.

MIMIC-IV's files interleave subjects, a re-exported copy may order them otherwise, and DuckDB reads a file's rows
in parallel without keeping their order: every tie in a ranking must be broken by data, never by file position.
"""

import duckdb

from bench.bench_build import shuffled_copy
from tests.conftest import DEMO_DIR, run_cli

BUILD_STAMP = ("marts", "mart_build_info")  # the build's id and time: different by design


def relations(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str]]:
    """Every table and view the build wrote into `catalog`, as (schema, name)."""
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = $catalog"
        " union all select schema_name, view_name from duckdb_views() where database_name = $catalog and not internal"
        " order by all",
        {"catalog": catalog},
    ).fetchall()


def differing_rows(con: duckdb.DuckDBPyConnection, left: str, right: str) -> int:
    """Rows of `left` not in `right` plus rows of `right` not in `left`, duplicates counted."""
    return sum(
        con.execute(f"select count(*) from (from {a} except all from {b})").fetchone()[0]
        for a, b in ((left, right), (right, left))
    )


def test_the_demo_built_from_shuffled_files_equals_the_demo_built_from_the_release(
    demo_notes, demo_warehouse, tmp_path
):
    mimic = shuffled_copy(DEMO_DIR, tmp_path / "mimic", "2GB")
    notes = shuffled_copy(demo_notes, tmp_path / "note", "2GB")
    db = tmp_path / "shuffled.duckdb"
    run_cli("build", "--mimic-dir", mimic, "--note-dir", notes, "--db", db, "--quiet")

    con = duckdb.connect()
    con.execute(f"attach '{demo_warehouse}' as warehouse (read_only)")  # views name their file's catalog
    con.execute(f"attach '{db}' as shuffled (read_only)")
    built = relations(con, "warehouse")
    assert built == relations(con, "shuffled")
    assert len(built) > 100
    differing = {
        f"{schema}.{name}": count
        for schema, name in built
        if (schema, name) != BUILD_STAMP
        and (count := differing_rows(con, f'warehouse."{schema}"."{name}"', f'shuffled."{schema}"."{name}"'))
    }
    assert differing == {}
