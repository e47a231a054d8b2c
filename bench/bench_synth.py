"""Synthetic data: rows per second and peak memory of `mimicbench synth` at several sizes.

Usage: .venv/bin/python bench/bench_synth.py --patients 1000 10000 100000 [--workdir build/bench-synth]

Each size runs in a fresh Python process (so its peak resident set size is its own, read with
`resource.getrusage`), writes the whole dataset (hosp, icu, note) into the work folder, and reports wall time,
rows, rows/s, admissions, bytes on disk and peak RSS. The dataset is deleted afterwards. Prints a Markdown table.
"""

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path


def measure(patients: int, out: Path) -> dict:
    """Write one dataset in this process and report what it cost."""
    from generator.synth.dataset import write_dataset

    started = time.monotonic()
    counts = write_dataset(out, patients, seed=1, force=True)
    seconds = time.monotonic() - started
    rows = sum(counts.values())
    return {
        "patients": patients,
        "admissions": counts["admissions"],
        "rows": rows,
        "seconds": round(seconds, 1),
        "rows_per_s": round(rows / seconds),
        "mib_on_disk": round(sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--workdir", type=Path, default=Path("build/bench-synth"))
    parser.add_argument("--one", action="store_true", help="measure a single size in this process (internal)")
    args = parser.parse_args()
    if args.one:
        out = args.workdir / f"synth-{args.patients[0]}"
        print(json.dumps(measure(args.patients[0], out)))
        shutil.rmtree(out)
        return
    print("| patients | admissions | rows | seconds | rows/s | MiB on disk | peak RSS MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for patients in args.patients:
        command = [sys.executable, __file__, "--one", "--patients", str(patients), "--workdir", str(args.workdir)]
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        print("| " + " | ".join(f"{v:,}" if isinstance(v, int) else str(v) for v in result.values()) + " |", flush=True)


if __name__ == "__main__":
    main()
