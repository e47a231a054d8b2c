"""`mimicbench generate-cohort` (many patients, concurrent, resumable) and `mimicbench export` (a dataset file)."""

import csv
import sys
from pathlib import Path

import click
import httpx2
import openai

from generator.cohort_run import (
    REPORT,
    AdaptiveLimit,
    AdmissionResult,
    CohortOptions,
    CohortRun,
    LimitedTransport,
    Progress,
    RunReport,
    plan_patients,
)
from generator.commands.endpoint import openai_client
from generator.commands.generate import UNCAPPED
from generator.commands.generate import generate_patient as generate_patient_command
from generator.export import ExportError, export_dataset
from generator.generate import GenerationConfig
from generator.governance import allowed_hosts, check_endpoint
from generator.llm import LLMClient, LLMSettings
from generator.warehouse import Warehouse, WarehouseError

PER_PATIENT_OPTIONS = {"subject_id", "hadm_id"}
EXIT_INTERRUPTED = 130


def _patient_options() -> list[click.Parameter]:
    """Every `generate-patient` option except those that pick one patient or admission, so the two stay alike."""
    return [p for p in generate_patient_command.params if p.name not in PER_PATIENT_OPTIONS]


@click.command("generate-cohort", params=_patient_options())
@click.option(
    "--cohort",
    "cohort_csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV with a subject_id column, e.g. top1000_by_admission_count.csv from `mimicbench cohort`.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Instead of --cohort: the warehouse's first N patients.")
@click.option(
    "--concurrency", type=click.IntRange(min=1), default=4, show_default=True, help="Model requests in flight at most."
)
@click.option("--force", is_flag=True, help="Regenerate admissions that are already complete with the same inputs.")
@click.option("--price-per-1k-input", type=click.FloatRange(min=0), help="Price of 1,000 input tokens (cost estimate).")
@click.option("--price-per-1k-output", type=click.FloatRange(min=0), help="Price of 1,000 output tokens.")
def generate_cohort(
    cohort_csv,
    limit,
    concurrency,
    force,
    price_per_1k_input,
    price_per_1k_output,
    max_admissions,
    include_admissions_without_discharge,
    retry_limit,
    max_output_tokens,
    model,
    base_url,
    api_key_env,
    seed,
    temperature,
    output_root,
    backend,
    db_path,
    allow_remote,
    **caps,
) -> None:
    """Generate conversations for a cohort's admissions, K requests at a time; rerun to resume."""
    if (cohort_csv is None) == (limit is None):
        raise click.UsageError("Give exactly one of --cohort CSV and --limit N.")
    if backend == "openai" and not model:
        raise click.UsageError("--model is required with --backend openai (or use --backend template).")
    config = GenerationConfig(
        backend=backend,
        caps={name.removeprefix("cap_"): None if c == UNCAPPED else c for name, c in caps.items() if c is not None},
        allowed_endpoints=allowed_hosts(allow_remote),
    )
    options = CohortOptions(
        concurrency=concurrency,
        max_admissions=max_admissions,
        include_without_discharge=include_admissions_without_discharge,
        force=force,
        price_per_1k_input=price_per_1k_input,
        price_per_1k_output=price_per_1k_output,
    )
    warehouse = Warehouse(db_path)
    try:
        subject_ids = _read_cohort(cohort_csv) if cohort_csv else [row["subject_id"] for row in warehouse.cohort(limit)]
        llm, adaptive = None, None
        if backend == "openai":
            origin = warehouse.origin()
            if origin.warning:
                click.echo(f"Warning: {origin.warning}", err=True)
            check_endpoint(base_url, origin.data_origin, config.allowed_endpoints)
            adaptive = AdaptiveLimit(concurrency)
            settings = LLMSettings(
                model=model,
                temperature=temperature,
                seed=seed,
                max_output_tokens=max_output_tokens,
                retry_limit=retry_limit,
            )
            llm = LLMClient(_limited_client(base_url, api_key_env, adaptive), settings)
        click.echo(f"Planning {len(subject_ids)} patients...", err=True)
        plans, skipped = plan_patients(warehouse, subject_ids, options)
        total = sum(len(plan.targets) for plan in plans)
        click.echo(f"{total} admissions of {len(plans)} patients, up to {concurrency} at a time.", err=True)
        with _Display(total) as display:
            run = CohortRun(
                warehouse,
                llm,
                config,
                output_root,
                options,
                limit=adaptive,
                on_progress=display.update,
                on_notice=display.notice,
            )
            report = run.run(plans, skipped)
    except WarehouseError as error:
        raise click.ClickException(str(error)) from error
    _print_report(report, output_root / REPORT)
    if report.status == "stopped":
        raise click.ClickException(f"The run {report.message}; fix that and rerun to resume.")
    if report.status in ("interrupted", "aborted"):
        raise SystemExit(EXIT_INTERRUPTED)
    if report.admissions["failed"]:
        raise SystemExit(1)


@click.command("export")
@click.option(
    "--output-root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Where generate-cohort or generate-patient wrote the admissions.",
)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "parquet"]), default="jsonl", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The dataset file.")
def export(output_root: Path, fmt: str, out: Path) -> None:
    """Write one record per complete admission, plus a dataset card (README.md) beside the file."""
    try:
        summary = export_dataset(output_root, out, fmt)
    except ExportError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Wrote {summary.records} admissions of {summary.patients} patients to {summary.data_path} "
        f"({summary.failed_not_exported} failed admissions left out) and the dataset card {summary.card_path}."
    )


def _read_cohort(path: Path) -> list[int]:
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    try:
        return [int(row["subject_id"]) for row in rows]
    except (KeyError, TypeError, ValueError) as error:
        raise click.ClickException(
            f"{path} needs a subject_id column of whole numbers, as `mimicbench cohort` writes."
        ) from error


def _limited_client(base_url: str, api_key_env: str, limit: AdaptiveLimit) -> openai.OpenAI:
    """The SDK client, sending every request through the adaptive in-flight limit."""
    pool = httpx2.Limits(max_connections=None, max_keepalive_connections=limit.ceiling)
    transport = LimitedTransport(httpx2.HTTPTransport(limits=pool), limit)
    return openai_client(base_url, api_key_env, openai.DefaultHttpx2Client(transport=transport))


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
