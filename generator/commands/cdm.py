"""`mimicbench cdm export | run | score`: the clinical decision-making benchmark."""

from pathlib import Path

import click
from pydantic import ValidationError

from generator.atomic import write_json_atomic, write_text_atomic
from generator.cdm import CdmError
from generator.cdm.case import CdmBenchmark
from generator.cdm.export import read_benchmark
from generator.cdm.runner import read_results, run_benchmark
from generator.cdm.scoring import render_table, score_results
from generator.commands.endpoint import DEFAULT_BASE_URL, openai_client
from generator.governance import allowed_hosts, check_endpoint
from generator.llm import LLMClient, LLMSettings
from generator.origin import checked_origin


@click.group()
def cdm() -> None:
    """Clinical decision-making benchmark."""


@cdm.command()
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path),
    envvar="MIMICBENCH_DB",
    default=Path("build/warehouse.duckdb"),
    show_default=True,
    help="The warehouse file.",
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The cases JSON file to write.")
@click.option("--extended", is_flag=True, help="Up to 3 results per test before the first procedure.")
def export(db_path: Path, out: Path, extended: bool) -> None:
    """Write the warehouse's CDM cases as HadmCase-compatible JSON."""
    try:
        benchmark = read_benchmark(db_path, extended=extended)
    except CdmError as error:
        raise click.ClickException(str(error)) from error
    write_text_atomic(out, benchmark.model_dump_json(indent=2) + "\n")
    counts = {p: sum(c.pathology == p for c in benchmark.cases) for p in sorted({c.pathology for c in benchmark.cases})}
    click.echo(f"{len(benchmark.cases)} cases written to {out} ({', '.join(f'{p}: {n}' for p, n in counts.items())})")


@cdm.command()
@click.option("--cases", "cases_path", type=click.Path(path_type=Path), required=True, help="From `cdm export`.")
@click.option("--model", required=True, help="Model name as the endpoint knows it.")
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True, help="OpenAI-compatible endpoint (…/v1).")
@click.option(
    "--api-key-env",
    default="OPENAI_API_KEY",
    show_default=True,
    help="Environment variable holding the API key (not needed for a local server).",
)
@click.option("--mode", type=click.Choice(["tools", "full-info"]), default="tools", show_default=True)
@click.option("--concurrency", type=click.IntRange(min=1), default=1, show_default=True, help="Cases in parallel.")
@click.option("--max-turns", type=click.IntRange(min=1), default=12, show_default=True, help="Tool-calling turns.")
@click.option("--retry-limit", type=click.IntRange(min=0), default=4, show_default=True)
@click.option("--max-output-tokens", type=click.IntRange(min=1), default=4000, show_default=True)
@click.option("--temperature", type=float, default=0.0, show_default=True)
@click.option("--seed", type=int, help="Sent to servers that accept it.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N cases.")
@click.option(
    "--allow-remote-endpoint",
    "allow_remote",
    multiple=True,
    metavar="HOST",
    help="Allow this non-local host for credentialed data (repeatable; also MIMICBENCH_ALLOWED_ENDPOINTS).",
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Results JSONL (appended; resumable).")
def run(
    cases_path,
    model,
    base_url,
    api_key_env,
    mode,
    concurrency,
    max_turns,
    retry_limit,
    max_output_tokens,
    temperature,
    seed,
    limit,
    allow_remote,
    out,
) -> None:
    """Run a model on the cases; one JSON line per case with the whole message history."""
    benchmark = _load_cases(cases_path)
    if limit:
        benchmark = benchmark.model_copy(update={"cases": benchmark.cases[:limit]})
    origin = checked_origin(benchmark.data_origin, hadm_ids=[case.hadm_id for case in benchmark.cases])
    if origin.warning:
        click.echo(f"Warning: {origin.warning}", err=True)
    check_endpoint(base_url, origin.data_origin, allowed_hosts(allow_remote))
    settings = LLMSettings(
        model=model, temperature=temperature, seed=seed, max_output_tokens=max_output_tokens, retry_limit=retry_limit
    )
    llm = LLMClient(openai_client(base_url, api_key_env), settings)
    try:
        summary = run_benchmark(
            benchmark,
            llm,
            out,
            mode=mode,
            concurrency=concurrency,
            max_turns=max_turns,
            on_result=lambda r: click.echo(f"admission {r.hadm_id}: {r.status}" + (f" ({r.error})" if r.error else "")),
        )
    except CdmError as error:
        raise click.ClickException(str(error)) from error
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(summary.by_status.items())) or "none run"
    click.echo(f"{summary.written} cases run ({statuses}), {summary.skipped} already in {out} or without pathology")


@cdm.command()
@click.option("--results", "results_path", type=click.Path(path_type=Path), required=True, help="From `cdm run`.")
@click.option("--json-out", type=click.Path(path_type=Path), help="Also write the scores (with per-case detail) here.")
def score(results_path: Path, json_out: Path | None) -> None:
    """Score results with the CDM rubric: a table per pathology and overall."""
    try:
        report = score_results(read_results(results_path))
    except CdmError as error:
        raise click.ClickException(str(error)) from error
    click.echo(render_table(report))
    if json_out:
        write_json_atomic(json_out, report.model_dump(mode="json"))


def _load_cases(path: Path) -> CdmBenchmark:
    if not path.is_file():
        raise click.ClickException(f"No cases file at {path}: run `mimicbench cdm export` first.")
    try:
        return CdmBenchmark.model_validate_json(path.read_bytes())
    except ValidationError as error:
        raise click.ClickException(f"{path} is not a `mimicbench cdm export` file: export it again.") from error
