"""Options shared by several commands."""

from pathlib import Path

import click

from generator.packet import SECTIONS

DEFAULT_DB = Path("build/warehouse.duckdb")

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    envvar="MIMICBENCH_DB",
    show_default=True,
    help="The DuckDB warehouse file.",
)

UNCAPPED = "none"
CAP_ALIASES = {"radiology_notes": "--row-cap-radiology", "discharge_notes": "--row-cap-discharge"}


class CapType(click.ParamType):
    """A row cap: a whole number, or `none` for no cap (kept as the string until the caps are built)."""

    name = "N|none"

    def convert(self, value, param, ctx):
        text = str(value).strip().lower()
        if text == UNCAPPED or isinstance(value, int):
            return value if isinstance(value, int) else UNCAPPED
        if text.isdigit():
            return int(text)
        self.fail(f"{value!r} is neither a whole number nor 'none'", param, ctx)


def _cap_options(command):
    for section in reversed(SECTIONS):
        names = [f"--row-cap-{section.replace('_', '-')}", *([CAP_ALIASES[section]] if section in CAP_ALIASES else [])]
        command = click.option(
            *names,
            f"cap_{section}",
            type=CapType(),
            default=None,
            help=f"Row cap for {section} ('none': uncapped; default: the warehouse build's).",
        )(command)
    return command
