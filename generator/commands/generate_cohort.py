"""`mimicbench generate-cohort`: many patients, concurrent and resumable."""

import csv
import sys
from pathlib import Path

import click

from generator.answer import GenerationConfig
from generator.artifacts import OutputNotWritable, check_writable
from generator.cohort.plan import CohortOptions, plan_patients
from generator.cohort.report import AdmissionResult, Progress, RunReport, claimed_report
from generator.cohort.run import CohortRun
from generator.commands.options import (
    LLMOptions,
    generation_options,
    llm_options,
    make_backend,
    require_model,
    shard_option,
    warehouse_origin,
)
from generator.commands.waiting import WaitingNotice, in_flight_of
from generator.governance import EndpointNotAllowed
from generator.shards import Shard
from generator.warehouse import Warehouse, WarehouseError

EXIT_INTERRUPTED = 130


@click.command("generate-cohort")
@click.option(
    "--cohort",
    "cohort_csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV with a subject_id column, e.g. top1000_by_admission_count.csv from `mimicbench cohort`.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Instead of --cohort: the warehouse's first N patients.")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Model requests in flight at most, per endpoint (--base-url).",
)
@shard_option("cohort's patients")
@click.option("--force", is_flag=True, help="Regenerate admissions that are already complete with the same inputs.")
@click.option("--price-per-1k-input", type=click.FloatRange(min=0), help="Price of 1,000 input tokens (cost estimate).")
@click.option("--price-per-1k-output", type=click.FloatRange(min=0), help="Price of 1,000 output tokens.")
@generation_options
@llm_options(max_output_tokens=16000, model_required=False)
def generate_cohort(
    cohort_csv: Path | None,
    limit: int | None,
    concurrency: int,
    shard: Shard | None,
    force: bool,
    price_per_1k_input: float | None,
    price_per_1k_output: float | None,
    max_admissions: int | None,
    include_admissions_without_discharge: bool,
    caps: dict[str, int | None],
    backend: str,
    db_path: Path,
    output_root: Path,
    llm: LLMOptions,
) -> None:
    """Generate conversations for a cohort's admissions, K requests at a time per endpoint; rerun to resume.

    With --shard K/N only the patients of shard K are generated, and the report is run_report.shard-K-of-N.json;
    `mimicbench report merge` joins the shards' reports."""
    if (cohort_csv is None) == (limit is None):
        raise click.UsageError("Give exactly one of --cohort CSV and --limit N.")
    require_model(backend, llm)
    config = GenerationConfig(caps=caps, allowed_endpoints=llm.allowed_hosts)
    options = CohortOptions(
        concurrency=concurrency,
        max_admissions=max_admissions,
        include_without_discharge=include_admissions_without_discharge,
        force=force,
        price_per_1k_input=price_per_1k_input,
        price_per_1k_output=price_per_1k_output,
        shard=str(shard) if shard else None,
    )
    try:
        check_writable(output_root)
        with Warehouse(db_path) as warehouse:  # closed only once every thread reading it has ended
            subject_ids = (
                _read_cohort(cohort_csv) if cohort_csv else [row["subject_id"] for row in warehouse.cohort(limit)]
            )
            if shard:
                subject_ids = [subject_id for subject_id in subject_ids if shard.holds(subject_id)]
            pool = llm.pool(concurrency) if backend == "openai" else None
            answerer = make_backend(backend, llm, warehouse_origin(warehouse), pool=pool)
            of_shard = f" (shard {shard})" if shard else ""
            click.echo(f"Planning {len(subject_ids)} patients{of_shard}...", err=True)
            plans, skipped = plan_patients(warehouse, subject_ids, options)
            total = sum(len(plan.targets) for plan in plans)
            endpoints = f" on each of {len(pool.endpoints)} endpoints" if pool and len(pool.endpoints) > 1 else ""
            click.echo(
                f"{total} admissions of {len(plans)} patients, up to {concurrency} at a time{endpoints}.", err=True
            )
            with (
                claimed_report(output_root, shard) as report_path,
                _Display(total) as display,
                WaitingNotice(in_flight_of(answerer), display.notice),
            ):
                if pool:
                    pool.on_notice = display.notice
                run = CohortRun(
                    warehouse,
                    answerer,
                    config,
                    output_root,
                    options,
                    pool=pool,
                    report_path=report_path,
                    on_progress=display.update,
                    on_notice=display.notice,
                )
                report = run.run(plans, skipped)
    except (OutputNotWritable, WarehouseError, EndpointNotAllowed) as error:
        raise click.ClickException(str(error)) from error
    _print_report(report, report_path)
    if report.status == "stopped":
        raise click.ClickException(f"The run {report.message}; fix that and rerun to resume.")
    if report.status in ("interrupted", "aborted"):
        raise SystemExit(EXIT_INTERRUPTED)
    if report.admissions["failed"]:
        raise SystemExit(1)


def _read_cohort(path: Path) -> list[int]:
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    try:
        return [int(row["subject_id"]) for row in rows]
    except (KeyError, TypeError, ValueError) as error:
        raise click.ClickException(
            f"{path} needs a subject_id column of whole numbers, as `mimicbench cohort` writes."
        ) from error


class _Display:
    """A progress bar on a terminal, one log line per admission otherwise (both on stderr)."""

    def __init__(self, total: int):
        self.total = total
        self.bar = click.progressbar(length=total, label="admissions", show_eta=True, show_pos=True, file=sys.stderr)
        self.tty = sys.stderr.isatty()

    def __enter__(self) -> "_Display":
        if self.tty:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.tty:
            self.bar.__exit__(*exc_info)

    def update(self, result: AdmissionResult, progress: Progress) -> None:
        rate = progress.done / progress.elapsed_s * 60 if progress.elapsed_s else 0.0
        tokens = progress.input_tokens + progress.output_tokens
        counts = f"done {progress.completed}, failed {progress.failed}, skipped {progress.skipped}"
        if progress.locked:
            counts += f", locked by another run {progress.locked}"
        if self.tty:
            self.bar.label = f"{counts}, {tokens:,} tokens, {rate:.1f}/min"
            self.bar.update(1)
            return
        outcome = result.outcome
        detail = f" ({outcome.error_kind}: {outcome.error})" if outcome.error else ""
        click.echo(
            f"[{progress.done}/{self.total}] {outcome.subject_id}/{outcome.hadm_id} {outcome.status}{detail} "
            f"in {result.wall_s:.1f}s | {counts}, {tokens:,} tokens, {rate:.1f}/min",
            err=True,
        )

    def notice(self, message: str) -> None:
        click.echo(("\n" if self.tty else "") + message, err=True)


def _print_report(report: RunReport, path: Path) -> None:
    a, latency = report.admissions, report.latency["admission_s"]
    click.echo(
        f"{report.status}: {a['completed']} completed, {a['failed']} failed, {a['skipped_up_to_date']} already "
        f"complete, {a['not_started']} not started, in {report.wall_s:.1f}s ({report.message})."
    )
    if a["locked_by_another_run"]:
        click.echo(
            f"{a['locked_by_another_run']} admissions of {report.patients['locked_by_another_run']} patients were "
            "skipped because another run is generating them; rerun once it has finished to check."
        )
    click.echo(f"Tokens: {report.tokens['input']:,} in, {report.tokens['output']:,} out.")
    if latency:
        click.echo(f"Admission time: median {latency['p50']:.2f}s, p95 {latency['p95']:.2f}s.")
    if report.failures["by_kind"]:
        click.echo("Failures: " + ", ".join(f"{kind} {n}" for kind, n in report.failures["by_kind"].items()) + ".")
    if report.validation["grounding_rate"] is not None:
        click.echo(f"Grounding: {report.validation['grounding_rate']:.1%} of stated numbers found in cited rows.")
    if report.estimated_cost_usd is not None:
        click.echo(f"Estimated cost: {report.estimated_cost_usd:.2f}.")
    click.echo(f"Report: {path}")
