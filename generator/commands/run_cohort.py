"""Placeholder: replaced by the feature's real commands."""

import click


@click.command("generate-cohort")
def generate_cohort() -> None:
    raise click.ClickException("not implemented yet")


@click.command("export")
def export() -> None:
    raise click.ClickException("not implemented yet")
