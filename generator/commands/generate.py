"""Placeholder: replaced by the feature's real commands."""

import click


@click.command("generate-patient")
def generate_patient() -> None:
    raise click.ClickException("not implemented yet")
