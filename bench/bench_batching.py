"""Time a model the build writes one batch of admissions at a time (the admission_batched materialization),
written whole instead (one statement, no batch set) or batch by batch, on a built warehouse: wall time, peak
memory (and how much of it lies outside DuckDB's buffers) and peak spill of each, with DuckDB's share of the
build's memory budget and two threads.

Usage: python bench/bench_batching.py --db /work/big/warehouse_201000.duckdb --model mart_packet_labs \
           [--model ...] [--mode whole --mode batched] [--memory-budget 8GB] [--spill-cap 30GB]
Reads each model's SQL as the build compiled it (`.<db name>.dbt/target/compiled` beside the warehouse, which is
opened read-only) and writes its rows into a scratch database in that folder, deleted afterwards.
"""

import os
import sys
import time
from pathlib import Path

import click
import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import EverySecond, FolderPeak  # noqa: E402

from generator.build import duckdb_memory_limit  # noqa: E402


class MemoryPeak(EverySecond):
    """This process's largest resident memory while this runs, and how much of it DuckDB's buffer manager did not
    account for then (resident minus `duckdb_memory()`, read through a cursor of `con`)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        super().__init__()
        self.peak = self.outside_at_peak = 0
        self._cursor, self._page = con.cursor(), os.sysconf("SC_PAGE_SIZE")

    def sample(self) -> None:
        resident = int(Path("/proc/self/statm").read_text().split()[1]) * self._page
        tracked = self._cursor.execute("select sum(memory_usage_bytes) from duckdb_memory()").fetchone()[0]
        if resident > self.peak:
            self.peak, self.outside_at_peak = resident, resident - tracked

    def __exit__(self, *_) -> None:
        super().__exit__()
        self._cursor.close()


def compiled_sql(db: Path, model: str) -> str:
    """The model's SQL from the build's compile (not a unit test's fixture of the same name)."""
    compiled = db.with_name(f".{db.name}.dbt") / "target" / "compiled"
    found = [p for p in compiled.glob(f"*/models/**/{model}.sql") if not p.parent.name.endswith(".yml")]
    if len(found) != 1:
        raise click.ClickException(f"{model}: expected one compiled file under {compiled}, found {len(found)}")
    return found[0].read_text()


def batches(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple]:
    """The build's hadm_id ranges (int_admission_batches)."""
    query = f"select hadm_id_from, hadm_id_to from {catalog}.intermediate.int_admission_batches order by batch"
    return con.execute(query).fetchall()


def write(con: duckdb.DuckDBPyConnection, sql: str, ranges: list) -> list[float]:
    """Write the model's rows into scratch.main.rows, one statement per range (None: no batch set, every row);
    the seconds of each statement."""
    seconds = []
    for index, batch in enumerate(ranges):
        started = time.perf_counter()
        if batch is not None:
            con.execute(f"set variable admission_batch_from = {batch[0]}; set variable admission_batch_to = {batch[1]}")
        verb = (
            f"create table scratch.main.rows as {sql}"
            if index == 0
            else f"insert into scratch.main.rows by name ({sql})"
        )
        con.execute(verb)
        seconds.append(time.perf_counter() - started)
    return seconds


@click.command()
@click.option("--db", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--model", "models", multiple=True, required=True)
@click.option("--mode", "modes", multiple=True, type=click.Choice(["whole", "batched"]), default=["whole"])
@click.option("--memory-budget", default="8GB", show_default=True, help="As MIMICBENCH_MEMORY_LIMIT.")
@click.option("--spill-cap", default="30GB", show_default=True, help="DuckDB's max_temp_directory_size.")
def main(db: Path, models: tuple[str, ...], modes: tuple[str, ...], memory_budget: str, spill_cap: str) -> None:
    db = db.resolve()
    catalog = db.name.split(".")[0]
    workdir = db.with_name(f".{db.name}.dbt")
    scratch, spill = workdir / "bench_batching.duckdb", workdir / "bench_batching_spill"
    click.echo(
        "| model | mode | statements | s | slowest statement s | peak RSS GiB | of it outside DuckDB's buffers GiB "
        "| peak spill GiB | rows |"
    )
    click.echo("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for model in models:
        sql = compiled_sql(db, model)
        for mode in modes:
            scratch.unlink(missing_ok=True)
            con = duckdb.connect()
            con.execute(f"set memory_limit = '{duckdb_memory_limit(memory_budget)}'; set threads = 2")
            con.execute(f"set temp_directory = '{spill}'; set max_temp_directory_size = '{spill_cap}'")
            con.execute(f"attach '{db}' as {catalog} (read_only); attach '{scratch}' as scratch; use {catalog}.main")
            with MemoryPeak(con) as memory, FolderPeak(spill) as spilled:
                ranges = [None] if mode == "whole" else batches(con, catalog)
                seconds = write(con, sql, ranges)
            rows = con.execute("select count(*) from scratch.main.rows").fetchone()[0]
            con.close()
            scratch.unlink(missing_ok=True)
            click.echo(
                f"| {model} | {mode} | {len(seconds)} | {sum(seconds):.1f} | {max(seconds):.1f} | "
                f"{memory.peak / 2**30:.2f} | {memory.outside_at_peak / 2**30:.2f} | "
                f"{spilled.peak / 2**30:.2f} | {rows:,} |"
            )


if __name__ == "__main__":
    main()
