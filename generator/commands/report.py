"""`mimicbench report merge`: the shards' run reports on one output root as one report."""

from pathlib import Path

import click

from generator.atomic import write_json_atomic
from generator.cohort.merge import MERGED, MergeError, merge_reports


@click.group()
def report() -> None:
    """Run reports of `generate-cohort`."""


@report.command()
@click.argument("output_root", type=click.Path(exists=True, file_okay=False, path_type=Path))
def merge(output_root: Path) -> None:
    """Join the shards' reports (run_report.shard-K-of-N.json) into OUTPUT_ROOT/run_report.merged.json: counts,
    tokens, latency and grounding per shard and overall."""
    try:
        merged = merge_reports(output_root)
    except MergeError as error:
        raise click.ClickException(str(error)) from error
    write_json_atomic(output_root / MERGED, merged.model_dump(mode="json"))
    for shard, figures in [*merged.per_shard.items(), ("all", merged.overall)]:
        a = figures["admissions"]
        median = figures["latency"]["admission_s"].get("p50")
        click.echo(
            f"{shard:>7}: {figures['status']}, {a['completed']} completed, {a['failed']} failed, "
            f"{a['skipped_up_to_date']} already complete, {a['not_started']} not started, "
            f"{figures['tokens']['total']:,} tokens, in {figures['wall_s']:.1f}s"
            + (f", median {median:.2f}s per admission" if median is not None else "")
        )
    overall = merged.overall
    if overall["shards_missing"]:
        missing = ", ".join(f"{k}/{overall['shards']}" for k in overall["shards_missing"])
        click.echo(f"No report yet from shard {missing}.")
    if overall["validation"]["grounding_rate"] is not None:
        click.echo(f"Grounding: {overall['validation']['grounding_rate']:.1%} of stated numbers found in cited rows.")
    click.echo(f"Merged report: {output_root / MERGED}")
