"""Placeholder: replaced by the feature's real commands."""

import click


@click.group()
def cdm() -> None:
    """Clinical decision-making benchmark."""
