"""QA items: how many each family and bucket yields, and how long the SQL and `qa build` take.

Usage: .venv/bin/python bench/bench_qa.py [--patients 40 400] [--cohort 8 40] [--workdir build/bench-qa]

Per size: `mimicbench synth` (seed 7), `mimicbench build`, `cohort --limit C`, `generate-cohort --backend
template` over that cohort, then `qa build` (all buckets, the estimated token count). Reports the seconds dbt
spent in the qa models and their tests (dbt's run_results.json: `qa` nodes' execution times, summed), the wall
time of `qa build`, the candidates per family, and the items per family and bucket it kept. Prints the load
average and Markdown tables.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

MIMICBENCH = str(Path(sys.executable).with_name("mimicbench"))


def run(*args: object) -> float:
    started = time.monotonic()
    subprocess.run([MIMICBENCH, *map(str, args)], check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def qa_sql_seconds(db: Path) -> float:
    """dbt's execution time of every node under the qa folders, models, seeds and tests alike."""
    results = json.loads((db.parent / f".{db.name}.dbt" / "target" / "run_results.json").read_text())
    return sum(r["execution_time"] for r in results["results"] if "qa" in r["unique_id"].split(".")[2])


def measure(patients: int, cohort: int, workdir: Path) -> dict:
    root = workdir / f"p{patients}"
    data, db, output = root / "synthetic", root / "warehouse.duckdb", root / "output"
    run("synth", "--out", data, "--patients", patients, "--seed", 7, "--force")
    build_s = run("build", "--mimic-dir", data, "--note-dir", data / "note", "--db", db)
    run("cohort", "--db", db, "--limit", cohort, "--out-dir", root)
    cohort_csv = root / f"top{cohort}_by_admission_count.csv"
    run("generate-cohort", "--db", db, "--cohort", cohort_csv, "--backend", "template", "--output-root", output)
    qa_s = run("qa", "build", "--db", db, "--output-root", output, "--out", root / "qa")
    report = json.loads((root / "qa" / "build_report.json").read_text())
    return {
        "patients": patients,
        "cohort": cohort,
        "build_s": build_s,
        "qa_sql_s": qa_sql_seconds(db),
        "qa_build_s": qa_s,
        "report": report,
    }


def row(*cells: object) -> str:
    return "| " + " | ".join(map(str, cells)) + " |"


def tables(rows: list[dict]) -> str:
    header = ("patients", "cohort", "candidates", "warehouse build s", "qa SQL s (models + tests)", "`qa build` s")
    lines = [row(*header), row("---:", "---:", "---:", "---:", "---:", "---:")]
    for r in rows:
        cells = (r["patients"], r["cohort"], f"{r['report']['candidates']:,}", f"{r['build_s']:.1f}")
        lines.append(row(*cells, f"{r['qa_sql_s']:.1f}", f"{r['qa_build_s']:.1f}"))
    columns = (
        "family", "said", "not said (kept as not documented)", "dropped: not said", "dropped: no conversation",
        "patient without conversations", "8k items", "32k items", "128k items",
    )  # fmt: skip
    for r in rows:
        verdicts, buckets = r["report"]["verdicts"], r["report"]["items_per_bucket"]
        lines += ["", f"{r['patients']} patients, cohort of {r['cohort']}: candidates by verdict, items by bucket", ""]
        lines += [row(*columns), row("---", *["---:"] * (len(columns) - 1))]
        for family in sorted(set(verdicts) | {f for b in buckets.values() for f in b}):
            v = verdicts.get(family, {})
            counts = [v.get(k, 0) for k in ("record", "not_said", "dropped_not_said", "dropped_no_conversation")]
            counts.append(v.get("patient_without_conversations", 0))
            placed = [sum(buckets.get(b, {}).get(family, {}).values()) for b in ("8k", "32k", "128k")]
            lines.append(row(family, *counts, *placed))
        contexts = r["report"]["contexts"]
        described = (f"{b}: {c['count']} ({c['min_tokens']}-{c['max_tokens']} tokens)" for b, c in contexts.items())
        lines += ["", "contexts: " + "; ".join(described)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[40, 400])
    parser.add_argument("--cohort", type=int, nargs="+", default=[8, 40])
    parser.add_argument("--workdir", type=Path, default=Path("build/bench-qa"))
    args = parser.parse_args()
    rows = [measure(p, c, args.workdir) for p, c in zip(args.patients, args.cohort, strict=True)]
    print(f"load average: {os.getloadavg()}")
    print(tables(rows))


if __name__ == "__main__":
    main()
