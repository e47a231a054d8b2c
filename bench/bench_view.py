"""The HTML report: how long `mimicbench view` takes to write it, and how long its pages take to load.

Usage: .venv/bin/python bench/bench_view.py --output-root DIR [--out DIR] [--repeats 3]

Writes the report of an output root (e.g. one `generate-cohort --backend template` wrote over a `synth`
warehouse) in-process and times it (wall and CPU, the worker processes included), then opens pages from disk
in headless Chromium (`bench/chromium.py`) and reads each one's Navigation Timing: the load event and the first
contentful paint, median of `--repeats` loads. Pages: the largest admission pages, the median one, the index,
the run page and the page of the patient with the most admissions. Prints Markdown tables.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

from generator.view.report import write_report

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chromium import headless_chromium  # noqa: E402

LARGEST = 3
TIMING = """
const navigation = performance.getEntriesByType('navigation')[0];
const paint = performance.getEntriesByType('paint').find(p => p.name === 'first-contentful-paint');
return [navigation.loadEventEnd, paint ? paint.startTime : null, document.querySelectorAll('*').length];
"""
SELECT = """
const turn = document.querySelector(".turn:not([data-rows=''])");
if (!turn) return null;
const started = performance.now();
turn.click();
document.body.getBoundingClientRect();
return performance.now() - started;
"""


def browser_cpu_seconds() -> float:
    """CPU time of every Chromium process so far: what loading a page costs, whatever else the machine runs."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        if "chromium" in fields[0]:
            values = fields[1].split()
            ticks += int(values[11]) + int(values[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-root", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    out = args.out or args.output_root / "report"

    load_before = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), cpu_seconds()
    summary = write_report(args.output_root, out)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    pages = sorted((out / "admissions").glob("*.html"), key=lambda p: p.stat().st_size)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(
        f"{summary.admissions} admissions of {summary.patients} patients, {os.cpu_count()} cores, load average "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after\n"
    )
    print("| admissions | wall s | CPU s | CPU ms / admission | report MB | admission page median / max KB |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {summary.admissions} | {wall:.1f} | {cpu:.1f} | {cpu / summary.admissions * 1000:.0f} | {size / 1e6:.0f} "
        f"| {pages[len(pages) // 2].stat().st_size / 1e3:.0f} / {pages[-1].stat().st_size / 1e3:.0f} |\n"
    )

    patients = [p for p in (out / "patients").glob("*.html")]
    sample = [(f"admission, largest #{i + 1}", pages[-1 - i]) for i in range(min(LARGEST, len(pages)))]
    sample += [("admission, median", pages[len(pages) // 2]), ("index", out / "index.html"), ("run", out / "run.html")]
    sample.append(("patient, largest", max(patients, key=lambda p: p.stat().st_size)))
    browser = headless_chromium()
    try:
        print("| page | KB | elements | load event ms | first paint ms | browser CPU ms | select a turn ms |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, page in sample:
            loads, paints, cpus, selects = [], [], [], []
            for _ in range(args.repeats):
                browser.get("about:blank")
                before = browser_cpu_seconds()
                browser.get(page.as_uri())
                load, paint, elements = browser.execute_script(TIMING)
                cpus.append((browser_cpu_seconds() - before) * 1000)
                loads.append(load)
                if paint is not None:
                    paints.append(paint)
                selected = browser.execute_script(SELECT)
                if selected is not None:
                    selects.append(selected)
            print(
                f"| {name} | {page.stat().st_size / 1e3:.0f} | {elements:,} | {statistics.median(loads):.0f} "
                f"| {_median(paints)} | {statistics.median(cpus):.0f} | {_median(selects)} |"
            )
    finally:
        browser.quit()


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.0f}" if values else "–"


if __name__ == "__main__":
    main()
