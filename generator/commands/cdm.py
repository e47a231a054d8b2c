"""`mimicbench cdm export | run | score`: the clinical decision-making benchmark."""

from pathlib import Path

import click
from pydantic import ValidationError

from generator.artifacts import OutputNotWritable, check_writable
from generator.atomic import write_csv_atomic, write_json_atomic, write_text_atomic
from generator.cdm import CdmError
from generator.cdm.case import CdmBenchmark
from generator.cdm.chart import comparison_chart, score_chart
from generator.cdm.export import LAB_TEST_MAPPING_FILE, cdmv1_lab_test_mapping, read_benchmark
from generator.cdm.intervals import RESAMPLES
from generator.cdm.rubrics import RUBRICS
from generator.cdm.runner import TOOL_ROUND_TOKENS, read_results, run_benchmark
from generator.cdm.scoring import (
    compare_results,
    comparison_rows,
    render_comparison,
    render_table,
    score_rows,
    score_table,
)
from generator.commands.options import LLMOptions, db_option, llm_options, shard_option
from generator.commands.waiting import WaitingNotice
from generator.locks import Busy, exclusive
from generator.origin import checked_origin
from generator.shards import Shard


@click.group()
def cdm() -> None:
    """Clinical decision-making benchmark."""


@cdm.command()
@db_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="The cases JSON file to write; lab_test_mapping.json (CDMv1's format) is written beside it.",
)
@click.option("--extended", is_flag=True, help="Up to 3 results per test before the first procedure.")
def export(db_path: Path, out: Path, extended: bool) -> None:
    """Write the warehouse's CDM cases as HadmCase-compatible JSON."""
    try:
        benchmark = read_benchmark(db_path, extended=extended)
    except CdmError as error:
        raise click.ClickException(str(error)) from error
    write_text_atomic(out, benchmark.model_dump_json(indent=2) + "\n")
    write_json_atomic(out.parent / LAB_TEST_MAPPING_FILE, cdmv1_lab_test_mapping(benchmark.lab_test_mapping))
    counts = {p: sum(c.pathology == p for c in benchmark.cases) for p in sorted({c.pathology for c in benchmark.cases})}
    click.echo(f"{len(benchmark.cases)} cases written to {out} ({', '.join(f'{p}: {n}' for p, n in counts.items())})")


@cdm.command()
@click.option("--cases", "cases_path", type=click.Path(path_type=Path), required=True, help="From `cdm export`.")
@click.option("--mode", type=click.Choice(["tools", "full-info"]), default="tools", show_default=True)
@click.option("--concurrency", type=click.IntRange(min=1), default=1, show_default=True, help="Cases in parallel.")
@click.option("--max-turns", type=click.IntRange(min=1), default=12, show_default=True, help="Tool-calling turns.")
@click.option(
    "--tool-round-tokens",
    type=click.IntRange(min=1),
    default=TOOL_ROUND_TOKENS,
    show_default=True,
    help="The most a tool-calling round may answer with (tools mode); a round cut there ends the tool calling.",
)
@click.option("--criteria-tool", is_flag=True, help="Also offer the diagnostic-criteria tool (tools mode).")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N cases.")
@shard_option("cases (by admission id)")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Results JSONL (appended; resumable).")
@llm_options(max_output_tokens=4000, model_required=True)
def run(
    cases_path: Path,
    mode: str,
    concurrency: int,
    max_turns: int,
    tool_round_tokens: int,
    criteria_tool: bool,
    limit: int | None,
    shard: Shard | None,
    out: Path,
    llm: LLMOptions,
) -> None:
    """Run a model on the cases; one JSON line per case with the whole message history.

    The run holds a lock beside `--out` (`.<name>.lock`): a second run on the same file refuses at once, so
    resuming (which cuts off a torn last line) never cuts a line another run is writing. With --shard K/N only
    shard K's cases run, into `<out>.shard-K-of-N.jsonl` beside --out; `cdm score --results` takes them all."""
    benchmark = _load_cases(cases_path)
    if limit:
        benchmark = benchmark.model_copy(update={"cases": benchmark.cases[:limit]})
    if shard:
        benchmark = benchmark.model_copy(update={"cases": [c for c in benchmark.cases if shard.holds(c.hadm_id)]})
        out = out.with_name(f"{out.stem}.{shard.name}{out.suffix}")
    if out.is_dir():
        raise click.ClickException(f"--out {out} is a folder: pass the results file (JSONL) to write.")
    try:
        check_writable(out.parent)
    except OutputNotWritable as error:
        raise click.ClickException(str(error)) from error
    origin = checked_origin(benchmark.data_origin, hadm_ids=[case.hadm_id for case in benchmark.cases])
    if origin.warning:
        click.echo(f"Warning: {origin.warning}", err=True)
    client = llm.client(origin.data_origin, pool=llm.pool(concurrency))
    context = llm.context(client)
    try:
        with (
            exclusive(out.with_name(f".{out.name}.lock"), f"the results file {out}"),
            WaitingNotice(client.in_flight, lambda line: click.echo(line, err=True)),
        ):
            summary = run_benchmark(
                benchmark,
                client,
                out,
                mode=mode,
                concurrency=concurrency,
                max_turns=max_turns,
                criteria_tool=criteria_tool,
                context=context,
                tool_round_tokens=tool_round_tokens,
                on_result=lambda r: click.echo(
                    f"admission {r.hadm_id}: {r.status}" + (f" ({r.error})" if r.error else "")
                ),
            )
    except (CdmError, Busy) as error:
        raise click.ClickException(str(error)) from error
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(summary.by_status.items())) or "none run"
    cut = f"; {summary.cut_rounds} tool rounds cut at --tool-round-tokens" if summary.cut_rounds else ""
    click.echo(
        f"{summary.written} cases run ({statuses}), {summary.skipped} already in {out} or without pathology{cut}"
    )


@cdm.command()
@click.option(
    "--results",
    "results_paths",
    type=click.Path(path_type=Path),
    multiple=True,
    help="From `cdm run` (repeat it for the shards' files: their cases are scored together).",
)
@click.option(
    "--compare",
    type=click.Path(path_type=Path),
    nargs=2,
    metavar="A B",
    help="Two results files of the same cases: paired differences B - A instead of one run's scores.",
)
@click.option(
    "--rubric",
    type=click.Choice(list(RUBRICS)),
    default="mimicbench",
    show_default=True,
    help="mimicbench (default) or cdmv1 (CDMv1's evaluators, rule by rule); docs/cdm.md tables the differences.",
)
@click.option(
    "--json-out",
    type=click.Path(path_type=Path),
    help="Also write the scores here (with per-case detail), and a .csv table and .svg chart beside it.",
)
@click.option("--resamples", type=click.IntRange(min=100), default=RESAMPLES, show_default=True, help="Bootstrap.")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Bootstrap seed (the same seed, the same intervals)."
)
def score(results_paths, compare, rubric, json_out, resamples, seed) -> None:
    """Score results with a CDM rubric: means and bootstrap intervals per pathology and overall."""
    if bool(results_paths) == bool(compare):
        raise click.UsageError("Pass either --results FILE or --compare A B.")
    try:
        if compare:
            comparison = compare_results(
                read_results(compare[0]), read_results(compare[1]), rubric, resamples=resamples, seed=seed
            )
            click.echo(render_comparison(comparison))
            outputs = (comparison.model_dump(mode="json"), comparison_rows(comparison), comparison_chart(comparison))
        else:
            results = [result for path in results_paths for result in read_results(path)]
            report = score_table(results, rubric, resamples=resamples, seed=seed)
            click.echo(render_table(report))
            outputs = (report.model_dump(mode="json"), score_rows(report), score_chart(report))
    except CdmError as error:
        raise click.ClickException(str(error)) from error
    if json_out:
        document, rows, chart = outputs
        write_json_atomic(json_out, document)
        write_csv_atomic(json_out.with_suffix(".csv"), rows)
        write_text_atomic(json_out.with_suffix(".svg"), chart)


def _load_cases(path: Path) -> CdmBenchmark:
    if not path.is_file():
        raise click.ClickException(f"No cases file at {path}: run `mimicbench cdm export` first.")
    try:
        return CdmBenchmark.model_validate_json(path.read_bytes())
    except ValidationError as error:
        raise click.ClickException(f"{path} is not a `mimicbench cdm export` file: export it again.") from error
