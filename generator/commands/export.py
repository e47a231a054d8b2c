"""`mimicbench export`: the admissions on disk as one dataset file, with a dataset card."""

from pathlib import Path

import click

from generator.export import ExportError, export_dataset


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
