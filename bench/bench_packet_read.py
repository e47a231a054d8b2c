"""Time `Warehouse.packet` (one read-only connection, all 18 sections) over many admissions of each warehouse.

Usage: python bench/bench_packet_read.py --db build/warehouse.duckdb [--db other.duckdb ...] [--samples 200]
Prints, per warehouse: admissions, rows in the long section marts, and the median / p95 read time with the
build's caps and with query-time caps (labs 100, emar 100).
"""

import random
import statistics
import time
from pathlib import Path

import click
import duckdb

from generator.packet import SECTIONS
from generator.warehouse import Warehouse

QUERY_CAPS = {"labs": 100, "emar": 100}


def _timings(warehouse: Warehouse, hadm_ids: list[int], caps: dict | None) -> list[float]:
    seconds = []
    for hadm_id in hadm_ids:
        started = time.perf_counter()
        warehouse.packet(hadm_id, caps=caps)
        seconds.append(time.perf_counter() - started)
    return seconds


def _p95_ms(values: list[float]) -> float:
    return 1000 * statistics.quantiles(values, n=20)[-1]


@click.command()
@click.option("--db", "dbs", multiple=True, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--samples", default=200, show_default=True, help="Admissions sampled per warehouse.")
@click.option("--seed", default=0, show_default=True)
def main(dbs: tuple[Path, ...], samples: int, seed: int) -> None:
    click.echo("| warehouse | admissions | section rows | caps | median ms | p95 ms |")
    click.echo("|---|---:|---:|---|---:|---:|")
    for db in dbs:
        with duckdb.connect(str(db), read_only=True) as con:
            every_hadm = sorted(row[0] for row in con.execute("select hadm_id from marts.mart_packets").fetchall())
            rows = sum(con.execute(f"select count(*) from marts.mart_packet_{s}").fetchone()[0] for s in SECTIONS)
        admissions = len(every_hadm)
        sample = random.Random(seed).sample(every_hadm, min(samples, admissions))
        warehouse = Warehouse(db)
        warehouse.packet(sample[0])  # warm the OS file cache once
        for label, caps in (("build", None), ("query-time", QUERY_CAPS)):
            seconds = _timings(warehouse, sample, caps)
            click.echo(
                f"| {db.name} | {admissions:,} | {rows:,} | {label} | "
                f"{1000 * statistics.median(seconds):.1f} | {_p95_ms(seconds):.1f} |"
            )


if __name__ == "__main__":
    main()
