"""Fitting prompts into context windows: tokens before and after, rows dropped, and the time fitting adds.

Usage: .venv/bin/python bench/bench_fit.py --db build/warehouse.duckdb [--db build/demo.duckdb ...]
           [--base-url http://127.0.0.1:8080/v1] [--windows 8192,16384,32768,131072] [--max-output-tokens 16000]

For every admission of each warehouse and each window, fits the admission's prompt (default caps, no previous
summary) with `generator.context.fit.fit_admission`, counting tokens with the server's tokenizer when
`--base-url` names a server that has one (llama.cpp, vLLM), else with the byte estimate; tighter caps come from
`Warehouse.recapped`, as in `mimicbench generate-*`. Reports per warehouse and window: how many prompts fit as
read, were fitted, or cannot fit; prompt tokens before and after (median, max; a prompt that fitting did not count
because its characters alone put it over is counted here, outside the timings); how many such first counts were
skipped; rows dropped per section (summed); token counts per admission; and the time fitting adds per admission
(everything `fit_admission` does beyond the first packet read and render, which every admission costs anyway),
median and p95, with the median time of its token counts and of its packet re-reads, and the median CPU time it
adds in this process (the server's tokenizing not included). Prints Markdown tables.
"""

import argparse
import statistics
import time
from collections import Counter
from pathlib import Path

import openai

from generator.context.fit import ContextOverflow, fit_admission
from generator.context.tokens import EstimatedCounter, token_counter
from generator.context.window import ContextWindow
from generator.prompt import render_prompt
from generator.warehouse import Warehouse


class Timed:
    """Wraps a function; keeps the duration (wall and CPU) of its first call apart from the rest."""

    def __init__(self, function):
        self.function = function
        self.first_s: float | None = None
        self.first_cpu_s = 0.0
        self.total_s = 0.0

    def __call__(self, *args):
        started, cpu = time.perf_counter(), time.process_time()
        try:
            return self.function(*args)
        finally:
            elapsed = time.perf_counter() - started
            self.total_s += elapsed
            if self.first_s is None:
                self.first_s, self.first_cpu_s = elapsed, time.process_time() - cpu


class TimedCounter:
    """A token counter that adds up the time its counts take."""

    def __init__(self, counter):
        self.counter = counter
        self.method = counter.method
        self.count_s = 0.0

    def count(self, messages, tools=None):
        started = time.perf_counter()
        try:
            return self.counter.count(messages, tools)
        finally:
            self.count_s += time.perf_counter() - started


def percentile(values: list[float], point: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(point / 100 * (len(ordered) - 1)))]


def bench(warehouse: Warehouse, hadm_ids: list[int], window: int, counter, max_output: int) -> dict:
    fit, fitted, overflow, skipped = 0, 0, 0, 0
    before, after, added_ms, cpu_ms, reread_ms, count_ms, counts = [], [], [], [], [], [], []
    dropped: Counter[str] = Counter()
    for hadm_id in hadm_ids:
        packet = warehouse.packet(hadm_id)
        read = Timed(lambda caps, first=packet: warehouse.recapped(first, caps) if caps else first)
        render = Timed(lambda packet, rendered: render_prompt(packet, None, rendered))
        counting = TimedCounter(counter)
        started, cpu = time.perf_counter(), time.process_time()
        try:
            result = fit_admission(
                read,
                render,
                caps={},
                window=ContextWindow(tokens=window, source="bench"),
                counter=counting,
                max_output_tokens=max_output,
            )
        except ContextOverflow:
            overflow += 1
            continue
        finally:
            total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
            added_ms.append((total - read.first_s - render.first_s) * 1000)
            cpu_ms.append((total_cpu - read.first_cpu_s - render.first_cpu_s) * 1000)
            reread_ms.append((read.total_s - read.first_s) * 1000)
            count_ms.append(counting.count_s * 1000)
        record = result.record
        if record.unfitted_prompt_tokens is None:
            skipped += 1
            before.append(counter.count(render_prompt(packet, None).messages()))
        else:
            before.append(record.unfitted_prompt_tokens)
        after.append(record.prompt_tokens)
        counts.append(record.token_counts)
        dropped.update(record.rows_dropped)
        if record.rows_dropped:
            fitted += 1
        else:
            fit += 1
    return {
        "fit": fit,
        "fitted": fitted,
        "overflow": overflow,
        "skipped": skipped,
        "before": before,
        "after": after,
        "added_ms": added_ms,
        "cpu_ms": cpu_ms,
        "reread_ms": reread_ms,
        "count_ms": count_ms,
        "counts": counts,
        "dropped": dropped,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, action="append", required=True)
    parser.add_argument("--base-url", help="A server whose tokenizer counts (else: the byte estimate).")
    parser.add_argument("--model", default="local")
    parser.add_argument("--windows", default="8192,16384,32768,131072")
    parser.add_argument("--max-output-tokens", type=int, default=16000)
    args = parser.parse_args()

    counter = EstimatedCounter()
    if args.base_url:
        counter = token_counter(openai.OpenAI(base_url=args.base_url, api_key="none", max_retries=0), args.model)
    windows = [int(w) for w in args.windows.split(",")]
    print(f"token counter: {counter.method}; max output tokens {args.max_output_tokens}\n")
    print(
        "| warehouse | window | admissions | fit as read | fitted | cannot fit | prompt tokens before p50 / max "
        "| first count skipped | after p50 / max | counts / admission | fitting adds p50 / p95 ms "
        "| of which counting p50 | re-reading p50 | CPU here p50 ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    drops = {}
    for db in args.db:
        with Warehouse(db) as warehouse:
            hadm_ids = [r.hadm_id for row in warehouse.cohort() for r in warehouse.admissions(row["subject_id"])]
            for window in windows:
                r = bench(warehouse, hadm_ids, window, counter, args.max_output_tokens)
                drops[(db.name, window)] = r["dropped"]
                before = f"{statistics.median(r['before']):,.0f} / {max(r['before']):,}" if r["before"] else "-"
                after = f"{statistics.median(r['after']):,.0f} / {max(r['after']):,}" if r["after"] else "-"
                counts = f"{statistics.mean(r['counts']):.2f}" if r["counts"] else "-"
                print(
                    f"| {db.name} | {window:,} | {len(hadm_ids)} | {r['fit']} | {r['fitted']} | {r['overflow']} "
                    f"| {before} | {r['skipped']} | {after} | {counts} "
                    f"| {statistics.median(r['added_ms']):.1f} / {percentile(r['added_ms'], 95):.1f} "
                    f"| {statistics.median(r['count_ms']):.1f} | {statistics.median(r['reread_ms']):.1f} "
                    f"| {statistics.median(r['cpu_ms']):.1f} |"
                )
    print("\nRows dropped per section (summed over the admissions that fit):\n")
    for (name, window), dropped in drops.items():
        listed = ", ".join(f"{section} {rows:,}" for section, rows in dropped.most_common()) or "none"
        print(f"- {name}, {window:,}: {listed}")


if __name__ == "__main__":
    main()
