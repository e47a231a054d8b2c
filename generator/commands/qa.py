"""`mimicbench qa build | run | score`: long-context questions across a patient's admissions (docs/qa.md)."""

import time
from pathlib import Path

import click

from generator.artifacts import OutputNotWritable, check_writable
from generator.atomic import write_csv_atomic, write_json_atomic
from generator.cdm.intervals import RESAMPLES
from generator.commands.options import LLMOptions, db_option, llm_options, warehouse_origin
from generator.commands.waiting import WaitingNotice
from generator.context.tokens import EstimatedCounter, TokenCounter, token_counter
from generator.endpoint import REQUEST_TIMEOUT_S
from generator.locks import Busy, exclusive
from generator.origin import checked_origin
from generator.qa import QaError
from generator.qa.build import BuildConfig, build_qa
from generator.qa.contexts import BUCKETS
from generator.qa.conversations import read_conversations
from generator.qa.folder import read_folder, write_folder
from generator.qa.items import read_marts
from generator.qa.runner import read_results, run_items
from generator.qa.scoring import render_table, score_results
from generator.warehouse import Warehouse, WarehouseError

DEFAULT_QA_DIR = Path("output/qa")
qa_dir_option = click.option(
    "--qa-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_QA_DIR,
    show_default=True,
    help="The qa folder `qa build` writes.",
)


@click.group()
def qa() -> None:
    """Long-context questions across a patient's admissions: build, run, score."""


@qa.command()
@db_option
@click.option("--output-root", type=click.Path(path_type=Path), default=Path("output"), show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_QA_DIR, show_default=True)
@click.option(
    "--per-family",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Stated items kept per patient and family.",
)
@click.option(
    "--not-said-per-family",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="'Present but never said' items kept per patient and family.",
)
@click.option(
    "--bucket", "buckets", type=click.Choice(list(BUCKETS)), multiple=True, help="Context buckets (default: all)."
)
@click.option(
    "--reserve-tokens",
    type=click.IntRange(min=0),
    default=1024,
    show_default=True,
    help="Left in each bucket for instructions, question and answer.",
)
@click.option(
    "--cross-patient-per-context",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="False-premise questions about a padding patient per padded context.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Padding order and the patient's place among the padding."
)
@click.option(
    "--tokenizer-url",
    help="Count tokens with this server's tokenizer (…/v1; llama.cpp or vLLM); default: the estimate.",
)
@click.option("--model", help="The model name the tokenizer server knows (vLLM).")
@click.option(
    "--allow-remote-endpoint",
    "allow_remote",
    multiple=True,
    metavar="HOST",
    help="Allow this non-local tokenizer host for credentialed data.",
)
def build(
    db_path,
    output_root,
    out,
    per_family,
    not_said_per_family,
    buckets,
    reserve_tokens,
    cross_patient_per_context,
    seed,
    tokenizer_url,
    model,
    allow_remote,
) -> None:
    """Check the warehouse's question items against the conversations and place them in contexts."""
    started = time.monotonic()
    try:
        check_writable(out.parent)
        with Warehouse(db_path) as warehouse:
            origin = warehouse_origin(warehouse)
        candidates, admissions, synonyms = read_marts(db_path)
    except (WarehouseError, QaError, OutputNotWritable) as error:
        raise click.ClickException(str(error)) from error
    conversations = read_conversations(output_root, admissions)
    if not conversations:
        raise click.ClickException(
            f"No complete conversations under {output_root}: run `mimicbench generate-cohort` first."
        )
    counter = _counter(tokenizer_url, model, allow_remote, origin)
    config = BuildConfig(
        seed=seed,
        per_family=per_family,
        not_said_per_family=not_said_per_family,
        buckets=tuple(buckets) or tuple(BUCKETS),
        reserve_tokens=reserve_tokens,
        cross_patient_per_context=cross_patient_per_context,
    )
    result = build_qa(candidates, admissions, synonyms, conversations, counter, config)
    result.report["seconds_total"] = round(time.monotonic() - started, 2)
    write_folder(out, result, synonyms, origin)
    per_bucket = ", ".join(f"{b}: {sum(i.bucket == b for i in result.items)}" for b in config.buckets)
    click.echo(f"{len(result.items)} items ({per_bucket}) from {len(candidates)} candidates written to {out}")
    click.echo(f"Tokens counted by {counter.method}.")


def _counter(url: str | None, model: str | None, allow_remote: tuple[str, ...], origin: str) -> TokenCounter:
    if not url:
        return EstimatedCounter()
    options = LLMOptions(
        model=model or "default",
        base_urls=(url,),
        api_key_env="OPENAI_API_KEY",
        seed=None,
        temperature=0.0,
        retry_limit=0,
        max_output_tokens=1,
        context_window=None,
        request_timeout=REQUEST_TIMEOUT_S,
        allow_remote=allow_remote,
    )
    counter = token_counter(options.client(origin).sdk, options.model)
    if isinstance(counter, EstimatedCounter):
        click.echo(f"Warning: {url} offers no tokenizer; tokens are estimated.", err=True)
    return counter


@qa.command()
@qa_dir_option
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Results JSONL (appended; resumable)."
)
@click.option("--bucket", "buckets", type=click.Choice(list(BUCKETS)), multiple=True, help="Only these buckets.")
@click.option("--family", "families", multiple=True, help="Only these families.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N items (after the filters).")
@click.option("--concurrency", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--no-context", is_flag=True, help="Baseline: the question alone, without the conversations.")
@llm_options(max_output_tokens=256, model_required=True)
def run(qa_dir, out, buckets, families, limit, concurrency, no_context, llm: LLMOptions) -> None:
    """Ask a model every item of the qa folder; one JSON line per item."""
    try:
        folder = read_folder(qa_dir)
        check_writable(out.parent)
    except (QaError, OutputNotWritable) as error:
        raise click.ClickException(str(error)) from error
    items = [i for i in folder.items if (not buckets or i.bucket in buckets) and (not families or i.family in families)]
    items = items[:limit] if limit else items
    origin = checked_origin(folder.data_origin, subject_ids=[i.subject_id for i in folder.items])
    if origin.warning:
        click.echo(f"Warning: {origin.warning}", err=True)
    client = llm.client(origin.data_origin, pool=llm.pool(concurrency))
    context = llm.context(client)
    try:
        with (
            exclusive(out.with_name(f".{out.name}.lock"), f"the results file {out}"),
            WaitingNotice(client.in_flight, lambda line: click.echo(line, err=True)),
        ):
            skipped, by_status = run_items(
                folder,
                items,
                client,
                out,
                mode="no_context" if no_context else "context",
                concurrency=concurrency,
                context=context,
                on_result=lambda r: click.echo(
                    f"{r.item.item_id} [{r.item.bucket}]: {r.status}" + (f" ({r.error})" if r.error else "")
                ),
            )
    except (QaError, Busy) as error:
        raise click.ClickException(str(error)) from error
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(by_status.items())) or "none run"
    click.echo(f"{sum(by_status.values())} items run ({statuses}), {skipped} already in {out}")


@qa.command()
@qa_dir_option
@click.option(
    "--results", "results_path", type=click.Path(dir_okay=False, path_type=Path), required=True, help="From `qa run`."
)
@click.option(
    "--json-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the scores here, and a .csv table beside it.",
)
@click.option("--resamples", type=click.IntRange(min=100), default=RESAMPLES, show_default=True, help="Bootstrap.")
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed.")
def score(qa_dir, results_path, json_out, resamples, seed) -> None:
    """Score results: accuracy on answerable items, abstention and hallucination on the rest, by group."""
    try:
        synonyms = read_folder(qa_dir).synonyms
        scores = score_results(read_results(results_path), synonyms, resamples=resamples, seed=seed)
    except QaError as error:
        raise click.ClickException(str(error)) from error
    click.echo(render_table(scores))
    if json_out:
        write_json_atomic(json_out, scores.model_dump(mode="json"))
        write_csv_atomic(
            json_out.with_suffix(".csv"),
            [
                {
                    "group": g.group,
                    "n": g.n,
                    "n_answerable": g.n_answerable,
                    "n_not_documented": g.n_not_documented,
                    **g.rates,
                }
                for g in scores.groups
            ],
        )
