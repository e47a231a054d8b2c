"""`mimicbench build` and `mimicbench cohort`: the warehouse and the cohort ranking read from it."""

from pathlib import Path

import click
import yaml

from generator.atomic import write_csv_atomic
from generator.build import BuildError, build_warehouse, checked_vars, source_columns
from generator.commands.options import db_option
from generator.inputs import InputError, check_files, resolve_inputs
from generator.warehouse import Warehouse, WarehouseError


@click.command("build")
@click.option(
    "--mimic-dir",
    type=click.Path(path_type=Path),
    envvar="MIMIC_IV_DIR",
    help="Folder holding hosp/ and icu/ (MIMIC-IV 2.2 or 3.1 as downloaded). Default: build/synthetic.",
)
@click.option(
    "--note-dir",
    type=click.Path(path_type=Path),
    envvar="MIMIC_IV_NOTE_DIR",
    help="Folder holding the MIMIC-IV-Note files (or a note/ folder). Default: <mimic-dir>/note.",
)
@db_option
@click.option(
    "--vars",
    "vars_yaml",
    help="dbt vars as YAML, e.g. '{cap_labs: 200, link_padding_hours: 6}' (not data_origin: the build verifies it).",
)
@click.option(
    "--select",
    help="Rebuild only these dbt nodes, inside a copy of the complete warehouse already at --db (built from data "
    "of the same origin), so what is swapped in is still a whole warehouse; without one it is refused.",
)
@click.option("--quiet", is_flag=True, help="Print only the summary.")
def build(
    mimic_dir: Path | None,
    note_dir: Path | None,
    db_path: Path,
    vars_yaml: str | None,
    select: str | None,
    quiet: bool,
) -> None:
    """Run `dbt build` into a new database and swap it in only when every model and test passed."""
    try:
        extra_vars = yaml.safe_load(vars_yaml) if vars_yaml else {}
    except yaml.YAMLError as error:
        raise click.BadParameter(f"not valid YAML: {error}", param_hint="--vars") from error
    if not isinstance(extra_vars, dict):
        raise click.BadParameter("give a mapping such as '{cap_labs: 200}'.", param_hint="--vars")
    try:
        checked_vars(extra_vars)
        inputs = resolve_inputs(mimic_dir, note_dir)
        check_files(inputs, source_columns())
        if inputs.origin_warning:
            click.echo(f"Warning: {inputs.origin_warning}", err=True)
        click.echo(f"Building {db_path} from {inputs.mimic_dir} and {inputs.note_dir} ({inputs.data_origin})", err=True)
        summary = build_warehouse(
            inputs, db_path, extra_vars, select, on_progress=(lambda line: None) if quiet else _echo_err
        )
    except (InputError, BuildError) as error:
        raise click.ClickException(f"{error} The previous warehouse, if any, is untouched.") from error
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary.counts().items()))
    click.echo(f"Built {summary.db_path} in {summary.seconds:.1f}s: {counts}; data origin {summary.data_origin}.")


@click.command("cohort")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="How many patients to keep, by number of admissions.",
)
@db_option
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Where to write top{N}_by_admission_count.csv.",
)
def cohort(limit: int, db_path: Path, out_dir: Path) -> None:
    """Write the top-N patients by number of admissions (ties by subject_id) as CSV."""

    try:
        with Warehouse(db_path) as warehouse:
            rows = warehouse.cohort(limit)
    except WarehouseError as error:
        raise click.ClickException(str(error)) from error
    path = out_dir / f"top{limit}_by_admission_count.csv"
    write_csv_atomic(path, rows)
    click.echo(f"Wrote {len(rows)} patients to {path}")


def _echo_err(line: str) -> None:
    click.echo(line, err=True)
