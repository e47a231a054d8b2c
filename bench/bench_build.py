"""Warehouse build time, memory and disk at several dataset sizes, against a scan and a plain load of the same files.

Usage: .venv/bin/python bench/bench_build.py --patients 400 4000 20000 [--workdir build/bench] [--no-load] [--shuffled]

For each size it writes a synthetic dataset (once; reused when present; with --shuffled, a copy whose files have
their rows in random order, as MIMIC-IV's interleave subjects where the synthetic ones are written subject by
subject) and measures, in one run (the build first):
- scan: one `count(*)` over every input file (decompress and parse, all text);
- plain load: `create table tN as select * from read_csv(file)` for every file into a fresh DuckDB file (types
  sniffed, the same memory limit as the build): what a user pays merely to load MIMIC into DuckDB;
- sorted load: the same, each table sorted by hadm_id (else subject_id) where its file has one: one parse and one
  sorted write of everything, the floor of a build that writes each table once, in admission order;
- build: `mimicbench build` (the whole `dbt build`, models and tests) in a subprocess; its peak resident memory
  and the peak size of its spill folder (both polled every second), the warehouse's size, node time by group;
- packet reads: median and p95 of `Warehouse.packet` over 200 sampled admissions of the result.
Prints a Markdown table per size group (sizes, then where the build's time went), and the slowest nodes of the
largest size.
"""

import argparse
import gzip
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import duckdb

from generator.build import BuildError, NodeResult, build_warehouse
from generator.inputs import resolve_inputs
from generator.warehouse import Warehouse

PACKET_SAMPLES = 200
SLOWEST_NODES = 15  # also the number of highest-memory nodes printed


def synthesize(out: Path, patients: int) -> None:
    if (out / "mimicbench-synthetic.json").exists():
        return
    command = [sys.executable, "-m", "generator", "synth", "--out", str(out), "--patients", str(patients)]
    subprocess.run(command + ["--seed", "1", "--force"], check=True)


def shuffled_copy(folder: Path, copy: Path, memory_limit: str) -> Path:
    """`folder`'s csv.gz files with their rows in random order, in `copy` (written once, renamed into place when
    complete). The copy carries no synthetic marker, so it reads as credentialed data."""
    if copy.exists():
        return copy
    partial = copy.with_name(f".{copy.name}.partial")
    config = {"memory_limit": memory_limit, "temp_directory": str(partial / ".tmp")}
    with duckdb.connect(config=config) as con:
        con.execute("select setseed(0.5)")
        for path in sorted(folder.rglob("*.csv.gz")):
            target = partial / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            rows = f"select * from read_csv('{path}', header = true, all_varchar = true) order by random()"
            con.execute(f"copy ({rows}) to '{target}' (header, compression gzip)")
    shutil.rmtree(partial / ".tmp", ignore_errors=True)
    partial.rename(copy)
    return copy


def scan_seconds(folder: Path) -> float:
    """Seconds to decompress and parse every csv.gz under `folder` once."""
    started = time.monotonic()
    with duckdb.connect() as con:
        for path in sorted(folder.rglob("*.csv.gz")):
            con.execute("select count(*) from read_csv(?, header = true, all_varchar = true)", [str(path)])
            con.fetchall()
    return time.monotonic() - started


def plain_load_seconds(folder: Path, db: Path, memory_limit: str, sorted_by_admission: bool = False) -> float:
    """Seconds to load every csv.gz under `folder` into a fresh DuckDB file, one table each, types sniffed; sorted
    by hadm_id (else subject_id) where the file has one, with `sorted_by_admission`."""
    db.unlink(missing_ok=True)
    started = time.monotonic()
    with duckdb.connect(str(db), config={"memory_limit": memory_limit}) as con:
        for index, path in enumerate(sorted(folder.rglob("*.csv.gz"))):
            order = admission_order(con, path) if sorted_by_admission else ""
            con.execute(f"create table t{index} as select * from read_csv(?, header = true) {order}", [str(path)])
    seconds = time.monotonic() - started
    db.unlink()
    return seconds


def admission_order(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """`order by hadm_id` (else subject_id) for a file that has the column, else nothing."""
    described = con.execute("describe select * from read_csv(?, header = true)", [str(path)]).fetchall()
    columns = {row[0] for row in described}
    key = next((key for key in ("hadm_id", "subject_id") if key in columns), None)
    return "" if key is None else f"order by {key}"


class EverySecond:
    """Calls `sample()` once a second, in a thread, while this runs (a `with` block)."""

    def __init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def sample(self) -> None:
        raise NotImplementedError

    def _poll(self) -> None:
        while not self._stop.wait(1.0):
            self.sample()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()


class FolderPeak(EverySecond):
    """The largest total size a folder reaches while this runs."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder, self.peak = folder, 0

    def sample(self) -> None:
        self.peak = max(self.peak, folder_bytes(self.folder))


class ChildrenPeak(EverySecond):
    """The largest resident memory this process's descendants reach together while this runs (from /proc): the
    build's dbt process, per size, unlike getrusage's maximum over all. Keeps every sample, and the time each dbt
    node finished (`node_finished`, the build's progress callback), so that `node_peaks` tells which node ran at
    each peak."""

    def __init__(self):
        super().__init__()
        self.peak = 0
        self.samples: list[tuple[float, int]] = []
        self.finished: list[tuple[float, str]] = []

    def sample(self) -> None:
        rss = descendants_rss_bytes(os.getpid())
        self.samples.append((time.monotonic(), rss))
        self.peak = max(self.peak, rss)

    def node_finished(self, progress_line: str) -> None:
        """`[12/400] SUCCESS mart_x (3.1s)` -> the time `mart_x` finished."""
        self.finished.append((time.monotonic(), progress_line.split("] ", 1)[-1].split()[1]))

    def node_peaks(self) -> dict[str, int]:
        """Each node's largest sample: the samples after the previous node finished, up to its own finish."""
        peaks: dict[str, int] = {}
        samples, index = self.samples, 0
        for finished_at, name in self.finished:
            while index < len(samples) and samples[index][0] <= finished_at:
                peaks[name] = max(peaks.get(name, 0), samples[index][1])
                index += 1
        return peaks


def descendants_rss_bytes(root: int) -> int:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    total, page = 0, os.sysconf("SC_PAGE_SIZE")
    for pid in parents:
        ancestor = parents.get(pid)
        while ancestor is not None and ancestor != root:
            ancestor = parents.get(ancestor)
        if ancestor == root:
            try:
                total += int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * page
            except (FileNotFoundError, ProcessLookupError):
                continue
    return total


def folder_bytes(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        try:
            total += path.stat().st_size if path.is_file() else 0
        except FileNotFoundError:
            continue
    return total


def node_group(node: NodeResult) -> str:
    """Where a dbt node's time is reported: by resource type, and models by layer."""
    if node.resource_type != "model":
        return {"test": "data tests", "unit_test": "unit tests", "seed": "seeds"}.get(node.resource_type, "other")
    name = node.name
    for prefix, group in (
        ("stg_", "staging"),
        ("mart_packet_", "section marts"),
        ("int_cdm__", "CDM"),
        ("mart_cdm_", "CDM"),
    ):
        if name.startswith(prefix):
            return group
    return "other models"


def packet_read_ms(db: Path) -> tuple[float, float]:
    """Median and p95 milliseconds of one packet read (build caps) over sampled admissions."""
    with duckdb.connect(str(db), read_only=True) as con:
        every_hadm = sorted(row[0] for row in con.execute("select hadm_id from marts.mart_packets").fetchall())
    sample = random.Random(0).sample(every_hadm, min(PACKET_SAMPLES, len(every_hadm)))
    with Warehouse(db) as warehouse:
        warehouse.packet(sample[0])
        seconds = []
        for hadm_id in sample:
            started = time.perf_counter()
            warehouse.packet(hadm_id)
            seconds.append(time.perf_counter() - started)
    return 1000 * statistics.median(seconds), 1000 * statistics.quantiles(seconds, n=20)[-1]


def count_rows(path: Path) -> int:
    with gzip.open(path, "rt") as handle:
        return sum(1 for _ in handle) - 1


def print_memory_peaks(label: str, memory: ChildrenPeak) -> None:
    print(f"\n| nodes with the highest memory at {label} | peak RSS GiB |\n|---|---:|")
    for name, peak in sorted(memory.node_peaks().items(), key=lambda item: -item[1])[:SLOWEST_NODES]:
        print(f"| {name} | {peak / 1024**3:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[400, 4000, 20000])
    parser.add_argument("--workdir", type=Path, default=Path("build/bench"))
    parser.add_argument(
        "--memory-limit",
        default="12GB",
        help="DuckDB's memory limit for the plain load (the build uses MIMICBENCH_MEMORY_LIMIT, 12GB by default).",
    )
    parser.add_argument("--no-load", action="store_true", help="Skip the plain-load baseline.")
    parser.add_argument(
        "--shuffled", action="store_true", help="Build on a copy of each dataset with its files' rows in random order."
    )
    args = parser.parse_args()

    sizes, breakdowns = [], []
    for patients in args.patients:
        data = args.workdir / f"synthetic_{patients}"
        synthesize(data, patients)
        if args.shuffled:
            data = shuffled_copy(data, data.with_name(f"{data.name}_shuffled"), args.memory_limit)
        inputs = resolve_inputs(data, data / "note")
        db = args.workdir / f"warehouse_{data.name.removeprefix('synthetic_')}.duckdb"
        # The build first: at a size where it fails, it fails before the baselines have cost their time.
        try:
            with FolderPeak(db.with_name(f".{db.name}.dbt") / "tmp") as spill, ChildrenPeak() as memory:
                summary = build_warehouse(inputs, db, on_progress=memory.node_finished)
        except BuildError as error:
            print(f"peak RSS {memory.peak / 1024**3:.2f} GiB, peak spill {spill.peak / 1024**3:.2f} GiB")
            print_memory_peaks(f"{patients:,} patients, until the build failed", memory)
            sys.exit(f"the build failed at {patients:,} patients: {error}")
        peak_gb = memory.peak / 1024**3
        median_ms, p95_ms = packet_read_ms(db)
        scan = scan_seconds(data)
        plain_db = args.workdir / "plain_load.duckdb"
        load = None if args.no_load else plain_load_seconds(data, plain_db, args.memory_limit)
        sorted_load = None if args.no_load else plain_load_seconds(data, plain_db, args.memory_limit, True)
        size_mb = sum(p.stat().st_size for p in data.rglob("*.csv.gz")) / 1024**2
        admissions = count_rows(data / "hosp" / "admissions.csv.gz")
        labs = count_rows(data / "hosp" / "labevents.csv.gz")
        load_cells = ("-",) * 4
        if load is not None:
            load_cells = (f"{load:.1f}", f"{summary.seconds / load:.1f}")
            load_cells += (f"{sorted_load:.1f}", f"{summary.seconds / sorted_load:.1f}")
        sizes.append(
            f"| {patients:,} | {admissions:,} | {labs:,} | {size_mb:,.0f} | {scan:.1f} | {load_cells[0]} "
            f"| {load_cells[2]} | {summary.seconds:.1f} | {summary.seconds / scan:.1f} | {load_cells[1]} "
            f"| {load_cells[3]} | {peak_gb:.2f} "
            f"| {spill.peak / 1024**3:.2f} | {db.stat().st_size / 1024**3:.2f} | {median_ms:.1f} | {p95_ms:.1f} |"
        )
        groups: dict[str, float] = defaultdict(float)
        for node in summary.nodes:
            groups[node_group(node)] += node.seconds
        breakdowns.append((patients, groups))
        print(sizes[-1], file=sys.stderr, flush=True)

    print(
        "| patients | admissions | labevents | input MB | scan s | plain load s | sorted load s | build s | build/scan "
        "| build/load | build/sorted load | peak RSS GB | peak spill GB | warehouse GB | packet median ms "
        "| packet p95 ms |"
    )
    print("|" + "---:|" * 16)
    print("\n".join(sizes))
    names = sorted({name for _, groups in breakdowns for name in groups})
    print("\n| patients | " + " | ".join(f"{name} s" for name in names) + " |")
    print("|---:|" + "---:|" * len(names))
    for patients, groups in breakdowns:
        print(f"| {patients:,} | " + " | ".join(f"{groups.get(name, 0.0):.1f}" for name in names) + " |")
    print(f"\n| slowest nodes at {args.patients[-1]:,} patients | kind | s |\n|---|---|---:|")
    for node in sorted(summary.nodes, key=lambda node: -node.seconds)[:SLOWEST_NODES]:
        print(f"| {node.name} | {node.resource_type} | {node.seconds:.1f} |")
    print_memory_peaks(f"{args.patients[-1]:,} patients", memory)


if __name__ == "__main__":
    main()
