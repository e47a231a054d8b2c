"""Scale-out: shards on one output root against delay servers, kill -9 of a shard, two endpoints, an endpoint lost.

Every run is a real `mimicbench generate-cohort` process; every server a `bench/delay_server.py` process on
127.0.0.1 (so one can be killed with SIGKILL). Measures, in order:

1. one run against one server, then three shard processes started at once on one output root (against the same
   server, so that the endpoint the records name is the same): the same admission folders and files, and the
   same SHA-256 for every file; the records of when, how fast and by which run (`TIMING_FIELDS`) are left out
   of the comparison, and a files manifest's entry for the call record that holds them;
2. three shards again, the second killed with SIGKILL mid-run and run again once the others finished: the
   result as in 1, and nothing of the other shards' patients touched by the rerun;
3. the run of 1 against two servers at the same per-server concurrency: its wall time against half of 1's;
4. the same with the second server killed (SIGKILL) a third of the way through: every admission completes;
5. the generator's CPU time, files and bytes per admission, for the projection in docs/benchmarks.md.

Usage: .venv/bin/python bench/bench_scale.py --db build/warehouse.duckdb --patients 40 --delay 0.5 --concurrency 4
"""

import argparse
import hashlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.shards import shard_of  # noqa: E402

TIMING_FIELDS = {"generated_at_utc", "latency_ms", "this_run"}  # when, how fast, which run: differ between any runs
CALL_RECORD = "model_call_record.json"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(delay: float) -> tuple[subprocess.Popen, str]:
    port = free_port()
    script = REPO / "bench" / "delay_server.py"
    process = subprocess.Popen(
        [sys.executable, str(script), "--delay", str(delay), "--port", str(port)], stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/models", timeout=1)
            return process, url
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the delay server on port {port} did not start")


def cohort(args: argparse.Namespace, root: Path, urls: list[str], *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "generator", "generate-cohort", "--db", str(args.db), "--model", "bench-model"]
    command += ["--output-root", str(root), "--limit", str(args.patients), "--max-admissions", str(args.max_admissions)]
    command += ["--concurrency", str(args.concurrency), *[a for url in urls for a in ("--base-url", url)], *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)


def finish(process: subprocess.Popen) -> float:
    """Wait for a run; return the CPU seconds it took (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    _, stderr = process.communicate(timeout=1800)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode not in (0, -signal.SIGKILL):
        raise RuntimeError(f"generate-cohort exited {process.returncode}: {stderr[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def report(root: Path, name: str = "run_report.json") -> dict:
    return json.loads((root / name).read_text())


def admissions(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("*/admissions/*") if p.name.isdigit())


def fingerprint(root: Path, *, subjects: set[int] | None = None) -> dict[str, tuple[str, str, int]]:
    """Every file of every patient folder (all, or `subjects`'), by path: its SHA-256, the SHA-256 of its content
    without `TIMING_FIELDS`, and its modification time."""
    found = {}
    for path in sorted(root.glob("[0-9]*/**/*")):
        subject = int(path.relative_to(root).parts[0])
        if path.is_file() and not path.name.startswith(".") and (subjects is None or subject in subjects):
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            found[str(path.relative_to(root))] = (digest, _untimed_sha256(path.name, data), path.stat().st_mtime_ns)
    return found


def _untimed_sha256(name: str, data: bytes) -> str:
    if not name.endswith(".json"):
        return hashlib.sha256(data).hexdigest()

    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in TIMING_FIELDS and k != CALL_RECORD}
        return [strip(v) for v in node] if isinstance(node, list) else node

    return hashlib.sha256(json.dumps(strip(json.loads(data)), sort_keys=True).encode()).hexdigest()


def compare(one: Path, other: Path) -> dict:
    """Same admission folders and files? How many files are byte for byte the same, how many the same once the
    timing fields are left out, and the names of those that differ even then."""
    a, b = fingerprint(one), fingerprint(other)
    both = a.keys() & b.keys()
    return {
        "same_admissions": [p.relative_to(one) for p in admissions(one)]
        == [p.relative_to(other) for p in admissions(other)],
        "same_files": a.keys() == b.keys(),
        "files": len(a),
        "identical_bytes": sum(a[p][0] == b[p][0] for p in both),
        "identical_without_timing": sum(a[p][1] == b[p][1] for p in both),
        "differing_without_timing": sorted({Path(p).name for p in both if a[p][1] != b[p][1]}),
    }


def shards_at_once(args: argparse.Namespace, root: Path, url: str, *, kill: int | None = None) -> dict:
    """Three shard processes started at once on `root`; with `kill`, that shard is killed (SIGKILL) once it has
    written 3 admissions, and run again after the others finished."""
    runs = {k: cohort(args, root, [url], "--shard", f"{k}/3") for k in (1, 2, 3)}
    started, figures = time.monotonic(), {}
    if kill:

        def killed_shard_done() -> int:
            return sum(shard_of(int(p.parts[-3]), 3) == kill for p in admissions(root))

        while killed_shard_done() < 3:
            time.sleep(0.05)
        runs[kill].send_signal(signal.SIGKILL)
        figures["killed_after"] = killed_shard_done()
    for run in runs.values():
        finish(run)
    figures["wall_s"] = round(time.monotonic() - started, 2)
    if kill:
        others = {int(p.name) for p in root.glob("[0-9]*") if shard_of(int(p.name), 3) != kill}
        before = fingerprint(root, subjects=others)
        finish(cohort(args, root, [url], "--shard", f"{kill}/3"))
        figures["others_untouched_by_rerun"] = fingerprint(root, subjects=others) == before
        figures["rerun_report"] = report(root, f"run_report.shard-{kill}-of-3.json")["admissions"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("build/warehouse.duckdb"))
    parser.add_argument("--patients", type=int, default=40, help="The cohort: the warehouse's first N patients.")
    parser.add_argument("--max-admissions", type=int, default=2)
    parser.add_argument("--delay", type=float, default=0.5, help="Seconds each server takes per answer.")
    parser.add_argument("--concurrency", type=int, default=4, help="Requests in flight per server.")
    args = parser.parse_args()
    args.db = args.db.resolve()
    results: dict = {"settings": vars(args) | {"db": str(args.db)}, "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        server, url = start_server(args.delay)
        try:
            cpu = finish(cohort(args, work / "single", [url]))
            sharded = shards_at_once(args, work / "sharded", url) | compare(work / "single", work / "sharded")
            killed = shards_at_once(args, work / "killed", url, kill=2) | compare(work / "single", work / "killed")
        finally:
            server.kill()
        single = report(work / "single")
        planned = single["admissions"]["planned"]
        folders = admissions(work / "single")
        results["single"] = {"wall_s": single["wall_s"], "admissions": single["admissions"], "cpu_s": round(cpu, 2)}
        results["per_admission"] = {
            "cpu_ms": round(cpu / planned * 1000, 1),
            "overhead_s": single["latency"]["overhead_s"],
            "files": round(sum(len(list(f.iterdir())) for f in folders) / len(folders), 1),
            "kib": round(sum(p.stat().st_size for f in folders for p in f.iterdir()) / len(folders) / 1024, 1),
        }

        results["shards"], results["killed"] = sharded, killed

        servers = [start_server(args.delay) for _ in range(2)]
        try:
            finish(cohort(args, work / "two", [url for _, url in servers]))
        finally:
            for process, _ in servers:
                process.kill()
        two = report(work / "two")
        results["two_endpoints"] = {
            "wall_s": two["wall_s"],
            "half_of_one_s": round(single["wall_s"] / 2, 2),
            "ratio": round(two["wall_s"] / (single["wall_s"] / 2), 3),
            "completed": two["admissions"]["completed"],
            "requests_per_endpoint": [figures["requests"] for figures in two["endpoints"].values()],
        }

        servers = [start_server(args.delay) for _ in range(2)]
        try:
            run = cohort(args, work / "lost", [url for _, url in servers])
            while len(admissions(work / "lost")) < planned // 3:
                time.sleep(0.05)
            servers[1][0].send_signal(signal.SIGKILL)
            finish(run)
        finally:
            for process, _ in servers:
                process.kill()
        lost = report(work / "lost")
        results["endpoint_lost"] = {
            "wall_s": lost["wall_s"],
            "admissions": lost["admissions"],
            "endpoints": lost["endpoints"],
            "failures": lost["failures"]["by_kind"],
        }
    results["load_after"] = os.getloadavg()
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
