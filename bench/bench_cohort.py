"""Cohort generation: wall time against the ideal, and the generator's own time per admission.

Usage: .venv/bin/python bench/bench_cohort.py [--db build/warehouse.duckdb] [--admissions 200] [--delay 1.0]
       [--concurrency 1 8 32]

Runs `CohortRun` (what `mimicbench generate-cohort` runs) over the first N eligible admissions of the warehouse
cohort against `bench/delay_server.py`, which answers every request after a fixed delay with a valid answer.
The ideal wall time keeps each patient's admissions in order: max(N / K, longest patient chain) x delay.
Overhead per admission is its wall time minus the time in model requests (packet read, prompt, validation,
writing), as `run_report.json` reports it. "Answer to next request" is, at the server, the time from answering
one admission of a patient to the request for the patient's next one: on a long chain it adds to the wall time
once per admission. CPU per admission is the process's CPU time (all threads, all cores) less the delay server's
request handlers (it runs in this process), divided by N. Each concurrency runs twice: against the warehouse as
built, and with the packets read into memory beforehand (what is left is the runner's own work). Last, the
warehouse reads of 20 admissions are timed one at a time. Prints the load average and Markdown tables.
"""

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from delay_server import DelayServer  # noqa: E402

from generator.answer import GenerationConfig  # noqa: E402
from generator.cohort.plan import CohortOptions, PatientPlan, plan_patients  # noqa: E402
from generator.cohort.report import percentiles  # noqa: E402
from generator.cohort.run import CohortRun  # noqa: E402
from generator.endpoint import connect  # noqa: E402
from generator.endpoints_pool import EndpointPool  # noqa: E402
from generator.llm import LLMSettings  # noqa: E402
from generator.model_backend import ModelBackend  # noqa: E402
from generator.warehouse import Warehouse  # noqa: E402


def first_admissions(plans: list[PatientPlan], count: int) -> list[PatientPlan]:
    """Whole patients in cohort order until `count` admissions (the last patient cut short if need be)."""
    chosen, left = [], count
    for plan in plans:
        if left <= 0:
            break
        chosen.append(plan.model_copy(update={"targets": plan.targets[:left]}))
        left -= len(chosen[-1].targets)
    return chosen


class PreloadedWarehouse:
    """The warehouse's answers for the planned admissions, read before timing starts."""

    def __init__(self, warehouse: Warehouse, hadm_ids: list[int]):
        self._build_info = warehouse.build_info()
        self._packets = {hadm_id: warehouse.packet(hadm_id) for hadm_id in hadm_ids}
        self._unlinked = {hadm_id: warehouse.unlinked_notes(hadm_id) for hadm_id in hadm_ids}

    def build_info(self) -> dict:
        return self._build_info

    def packet(self, hadm_id: int, caps: dict | None = None):
        return self._packets[hadm_id]

    def unlinked_notes(self, hadm_id: int) -> list[dict]:
        return self._unlinked[hadm_id]


def max_in_flight(log: list[tuple[float, float, str]]) -> int:
    events = sorted([(start, 1) for start, _, _ in log] + [(end, -1) for _, end, _ in log])
    level = peak = 0
    for _, step in events:
        level += step
        peak = max(peak, level)
    return peak


def next_request_gaps_ms(log: list[tuple[float, float, str]], plans: list[PatientPlan]) -> list[float]:
    """For each admission after a patient's first: its request's arrival less the answer to the one before."""
    at = {eid: (arrived, answered) for arrived, answered, eid in log}
    chains = [[at[f"ADM#{ref.hadm_id}"] for ref in plan.targets] for plan in plans]
    pairs = [pair for chain in chains for pair in zip(chain[:-1], chain[1:], strict=True)]
    return [(later[0] - earlier[1]) * 1000 for earlier, later in pairs]


def run_once(
    warehouse: Warehouse | PreloadedWarehouse, plans: list[PatientPlan], concurrency: int, delay: float
) -> dict:
    with DelayServer(delay) as server, tempfile.TemporaryDirectory() as output_root:
        pool = EndpointPool([server.url], concurrency)
        origin = warehouse.build_info()["data_origin"]
        llm = connect(
            pool,
            "OPENAI_API_KEY",
            LLMSettings(model="bench-model"),
            data_origin=origin,
            allowed_hosts=(),
        )
        options = CohortOptions(concurrency=concurrency)
        run = CohortRun(warehouse, ModelBackend(llm), GenerationConfig(), Path(output_root), options, pool=pool)
        started, cpu_started = time.monotonic(), time.process_time()
        report = run.run(plans, [])
        wall, cpu = time.monotonic() - started, time.process_time() - cpu_started - server.cpu_s
        peak = max_in_flight(server.log)
        gaps = next_request_gaps_ms(server.log, plans)
    total = sum(len(plan.targets) for plan in plans)
    longest = max(len(plan.targets) for plan in plans)
    ideal = max(math.ceil(total / concurrency), longest) * delay
    assert report.admissions["completed"] == total, report.admissions
    return {
        "concurrency": concurrency,
        "wall": wall,
        "ideal": ideal,
        "peak": peak,
        "overhead": report.latency["overhead_s"],
        "gaps": percentiles(gaps, (50, 95)),
        "cpu_ms": cpu / total * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("build/warehouse.duckdb"))
    parser.add_argument("--admissions", type=int, default=200)
    parser.add_argument("--delay", type=float, default=1.0, help="Seconds the server takes per answer.")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    args = parser.parse_args()

    warehouse = Warehouse(args.db)
    subject_ids = [row["subject_id"] for row in warehouse.cohort()]
    all_plans, _ = plan_patients(warehouse, subject_ids, CohortOptions())
    order = {subject_id: rank for rank, subject_id in enumerate(subject_ids)}
    plans = first_admissions(sorted(all_plans, key=lambda p: order[p.subject_id]), args.admissions)
    total = sum(len(plan.targets) for plan in plans)
    longest = max(len(plan.targets) for plan in plans)
    print(
        f"{total} admissions of {len(plans)} patients (longest chain {longest}) from {args.db}, delay {args.delay}s; "
        f"load average {load_average()}\n"
    )

    hadm_ids = [ref.hadm_id for plan in plans for ref in plan.targets]
    preloaded = PreloadedWarehouse(warehouse, hadm_ids)
    print(
        "| warehouse reads | concurrency | wall s | ideal s | wall / ideal | peak in flight | overhead p50 / p95 s "
        "| answer to next request p50 / p95 ms | CPU ms / admission |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, source in (("as built", warehouse), ("preloaded", preloaded)):
        for concurrency in args.concurrency:
            row = run_once(source, plans, concurrency, args.delay)
            print(
                f"| {label} | {concurrency} | {row['wall']:.1f} | {row['ideal']:.1f} | "
                f"{row['wall'] / row['ideal']:.2f} | {row['peak']} | "
                f"{row['overhead']['p50']:.3f} / {row['overhead']['p95']:.3f} | "
                f"{row['gaps']['p50']:.0f} / {row['gaps']['p95']:.0f} | {row['cpu_ms']:.0f} |",
                flush=True,
            )

    print("\n| warehouse read (20 admissions, one at a time) | median s |")
    print("|---|---:|")
    for name in ("packet", "unlinked_notes"):
        print(f"| `Warehouse.{name}` | {statistics.median(read_times(getattr(warehouse, name), hadm_ids[:20])):.3f} |")
    print(f"\nload average {load_average()}")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (other work on the machine shares its cores)."""
    return " / ".join(f"{load:.2f}" for load in os.getloadavg())


def read_times(read, hadm_ids: list[int]) -> list[float]:
    times = []
    for hadm_id in hadm_ids:
        started = time.perf_counter()
        read(hadm_id)
        times.append(time.perf_counter() - started)
    return times


if __name__ == "__main__":
    main()
