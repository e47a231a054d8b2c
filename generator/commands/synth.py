"""`mimicbench synth` and `mimicbench synth-notes`: parse, call, print."""

import os
from pathlib import Path

import click

from generator.synth import SynthError
from generator.synth.dataset import write_dataset
from generator.synth.existing import write_notes_for
from generator.synth.patients import MAX_PATIENTS


@click.command("synth")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder to write hosp/, icu/ and note/ into.",
)
@click.option("--patients", type=click.IntRange(1, MAX_PATIENTS), default=100, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--force", is_flag=True, help="Replace a non-empty --out folder.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the number of CPUs",
    help="Processes that render patients (the files are the same whatever the number).",
)
def synth(out: Path, patients: int, seed: int, force: bool, jobs: int) -> None:
    """Write a synthetic MIMIC-IV (hosp, icu) + MIMIC-IV-Note dataset as csv.gz."""
    try:
        counts = write_dataset(
            out, patients, seed, force, progress=lambda n: click.echo(f"{n} patients", err=True), jobs=jobs
        )
    except SynthError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"wrote {sum(counts.values())} rows in {len(counts)} tables to {out}")


@click.command("synth-notes")
@click.option(
    "--mimic-dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder holding hosp/ (and icu/) of an existing MIMIC-IV dataset.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder to write the four note tables into.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--force", is_flag=True, help="Replace a non-empty --out folder.")
def synth_notes(mimic_dir: Path, out: Path, seed: int, force: bool) -> None:
    """Write synthetic MIMIC-IV-Note tables that agree with an existing hosp dataset."""
    try:
        counts = write_notes_for(mimic_dir, out, seed, force)
    except SynthError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"wrote {sum(counts.values())} rows in {len(counts)} note tables to {out}")
