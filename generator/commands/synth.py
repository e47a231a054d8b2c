"""Placeholder: replaced by the feature's real commands."""

import click


@click.command("synth")
def synth() -> None:
    raise click.ClickException("not implemented yet")


@click.command("synth-notes")
def synth_notes() -> None:
    raise click.ClickException("not implemented yet")
