"""Time a model the build writes one batch of admissions at a time (the admission_batched materialization),
written whole instead (one statement, no batch set) or batch by batch, on a built warehouse: wall time, peak
memory and peak spill of each, with DuckDB's share of the build's memory budget and two threads.

Usage: python bench/bench_batching.py --db /work/big/warehouse_201000.duckdb --model mart_packet_labs \
           [--model ...] [--mode whole --mode batched] [--admissions-per-batch N] [--memory-budget 8GB]
Reads each model's SQL as the build compiled it (`.<db name>.dbt/target/compiled` beside the warehouse, which is
opened read-only) and writes its rows into a scratch database in that folder, deleted afterwards.
"""

import os
import sys
import threading
import time
from pathlib import Path

import click
import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import FolderPeak  # noqa: E402

from generator.build import duckdb_memory_limit  # noqa: E402


class OwnPeak:
    """The largest resident memory of this process while this runs (polled once a second, in a thread)."""

    def __init__(self):
        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.wait(1.0):
            self.peak = max(self.peak, int(Path("/proc/self/statm").read_text().split()[1]) * page)

    def __enter__(self) -> "OwnPeak":
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()


def compiled_sql(db: Path, model: str) -> str:
    """The model's SQL from the build's compile (not a unit test's fixture of the same name)."""
    compiled = db.with_name(f".{db.name}.dbt") / "target" / "compiled"
    found = [p for p in compiled.rglob(f"{model}.sql") if not p.parent.name.endswith(".yml")]
    if len(found) != 1:
        raise click.ClickException(f"{model}: expected one compiled file under {compiled}, found {len(found)}")
    return found[0].read_text()


def batches(con: duckdb.DuckDBPyConnection, catalog: str, admissions_per_batch: int | None) -> list[tuple]:
    """The build's hadm_id ranges (int_admission_batches), or ranges of `admissions_per_batch` admissions."""
    if admissions_per_batch is None:
        query = f"select hadm_id_from, hadm_id_to from {catalog}.intermediate.int_admission_batches order by batch"
    else:
        query = f"""
            select min(hadm_id), max(hadm_id)
            from (
                select hadm_id, (row_number() over (order by hadm_id) - 1) // {admissions_per_batch} as batch
                from {catalog}.intermediate.int_admissions__enriched
            )
            group by batch
            order by batch"""
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
@click.option("--admissions-per-batch", type=int, help="Batch size of the batched mode (default: the build's).")
@click.option("--memory-budget", default="8GB", show_default=True, help="As MIMICBENCH_MEMORY_LIMIT.")
def main(
    db: Path, models: tuple[str, ...], modes: tuple[str, ...], admissions_per_batch: int | None, memory_budget: str
) -> None:
    db = db.resolve()
    catalog = db.name.split(".")[0]
    workdir = db.with_name(f".{db.name}.dbt")
    scratch, spill = workdir / "bench_batching.duckdb", workdir / "bench_batching_spill"
    click.echo("| model | mode | statements | s | slowest statement s | peak RSS GiB | peak spill GiB | rows |")
    click.echo("|---|---|---:|---:|---:|---:|---:|---:|")
    for model in models:
        sql = compiled_sql(db, model)
        for mode in modes:
            scratch.unlink(missing_ok=True)
            con = duckdb.connect()
            con.execute(f"set memory_limit = '{duckdb_memory_limit(memory_budget)}'; set threads = 2")
            con.execute(f"set temp_directory = '{spill}'")
            con.execute(f"attach '{db}' as {catalog} (read_only); attach '{scratch}' as scratch; use {catalog}.main")
            with OwnPeak() as memory, FolderPeak(spill) as spilled:
                ranges = [None] if mode == "whole" else batches(con, catalog, admissions_per_batch)
                seconds = write(con, sql, ranges)
            rows = con.execute("select count(*) from scratch.main.rows").fetchone()[0]
            con.close()
            scratch.unlink(missing_ok=True)
            click.echo(
                f"| {model} | {mode} | {len(seconds)} | {sum(seconds):.1f} | {max(seconds):.1f} | "
                f"{memory.peak / 2**30:.2f} | {spilled.peak / 2**30:.2f} | {rows:,} |"
            )


if __name__ == "__main__":
    main()
