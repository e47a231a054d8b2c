"""Placeholder: replaced by the feature's real commands."""

import click


@click.command("build")
def build() -> None:
    raise click.ClickException("not implemented yet")


@click.command("cohort")
def cohort() -> None:
    raise click.ClickException("not implemented yet")
