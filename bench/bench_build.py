"""Warehouse build time and peak memory at several dataset sizes, against one DuckDB scan of the same files.

Usage: .venv/bin/python bench/bench_build.py --patients 400 4000 20000 [--workdir build/bench]

For each size it writes a synthetic dataset (once; reused when present), times `mimicbench build`
(a `dbt build` subprocess: every model and test), and times a single `count(*)` scan of every input file with
DuckDB. Peak memory is the dbt process's maximum resident set size. Prints a Markdown table.
"""

import argparse
import gzip
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from generator.build import build_warehouse
from generator.inputs import resolve_inputs


def synthesize(out: Path, patients: int) -> None:
    if (out / "mimicbench-synthetic.json").exists():
        return
    command = [sys.executable, "-m", "generator", "synth", "--out", str(out), "--patients", str(patients)]
    subprocess.run(command + ["--seed", "1", "--force"], check=True)


def scan_seconds(folder: Path) -> float:
    """Seconds to decompress and parse every csv.gz under `folder` once."""
    started = time.monotonic()
    with duckdb.connect() as con:
        for path in sorted(folder.rglob("*.csv.gz")):
            con.execute("select count(*) from read_csv(?, header = true, all_varchar = true)", [str(path)])
            con.fetchall()
    return time.monotonic() - started


def count_rows(path: Path) -> int:
    with gzip.open(path, "rt") as handle:
        return sum(1 for _ in handle) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[400, 4000, 20000])
    parser.add_argument("--workdir", type=Path, default=Path("build/bench"))
    args = parser.parse_args()

    print("| patients | admissions | labevents | input MB | scan s | build s | build/scan | peak RSS GB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for patients in args.patients:
        data = args.workdir / f"synthetic_{patients}"
        synthesize(data, patients)
        inputs = resolve_inputs(data, data / "note")
        scan = scan_seconds(data)
        summary = build_warehouse(inputs, args.workdir / f"warehouse_{patients}.duckdb")
        peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
        size_mb = sum(p.stat().st_size for p in data.rglob("*.csv.gz")) / 1024**2
        admissions = count_rows(data / "hosp" / "admissions.csv.gz")
        labs = count_rows(data / "hosp" / "labevents.csv.gz")
        print(
            f"| {patients:,} | {admissions:,} | {labs:,} | {size_mb:,.0f} | {scan:.1f} | {summary.seconds:.1f} "
            f"| {summary.seconds / scan:.1f} | {peak_gb:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
