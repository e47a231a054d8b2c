"""The `mimicbench` command: a click group whose subcommands live in `generator/commands/`."""

import click

from generator import __version__
from generator.commands import cdm, export, generate_cohort, generate_patient, qa, report, synth, warehouse
from generator.commands.view import view


@click.group()
@click.version_option(__version__, prog_name="mimicbench")
def cli() -> None:
    """Reproducible LLM benchmarks from MIMIC-IV admissions."""


cli.add_command(synth.synth)
cli.add_command(synth.synth_notes)
cli.add_command(warehouse.build)
cli.add_command(warehouse.cohort)
cli.add_command(generate_patient.generate_patient)
cli.add_command(generate_cohort.generate_cohort)
cli.add_command(export.export)
cli.add_command(cdm.cdm)
cli.add_command(view)
cli.add_command(report.report)
cli.add_command(qa.qa)
