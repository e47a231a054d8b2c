"""`mimicbench view`: write the static HTML report of an output root (and of CDM results)."""

from pathlib import Path

import click

from generator.view import ViewError
from generator.view.report import write_report


@click.command()
@click.option(
    "--output-root",
    type=click.Path(path_type=Path),
    default=Path("output"),
    show_default=True,
    help="What generate-patient / generate-cohort wrote.",
)
@click.option("--out", type=click.Path(path_type=Path), help="The report folder.  [default: OUTPUT_ROOT/report]")
@click.option("--cdm-results", type=click.Path(path_type=Path), help="A `cdm run` results file: adds the CDM pages.")
@click.option(
    "--qa-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="A `qa build` folder: shows each question beside the turn that states it.",
)
def view(output_root: Path, out: Path | None, cdm_results: Path | None, qa_dir: Path | None) -> None:
    """Write a static HTML report (opens from disk; nothing is served): admissions, patients, run, CDM results."""
    out = out or output_root / "report"
    try:
        summary = write_report(output_root, out, cdm_results=cdm_results, qa_dir=qa_dir)
    except ViewError as error:
        raise click.ClickException(str(error)) from error
    cases = f", {summary.cdm_cases} CDM cases" if cdm_results else ""
    click.echo(
        f"Report of {summary.admissions} admissions ({summary.failed} failed) of {summary.patients} patients{cases}: "
        f"open {out / 'index.html'} in a browser. It holds the output's rows: keep it local, never publish it."
    )
