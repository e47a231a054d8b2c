"""dbt's `var()` and `env_var()` for sqlfluff's jinja templater.

`var()` reads the project's vars from dbt_project.yml (the section registry among them), so macros that loop over
`packet_sections` render the SQL dbt runs; `env_var()` gives the default, as a plain `dbt build` would."""

from pathlib import Path

import yaml

PROJECT_VARS = yaml.safe_load((Path(__file__).resolve().parents[2] / "dbt_project.yml").read_text())["vars"]


def var(name, default=None):
    return PROJECT_VARS.get(name, default)


def env_var(name, default=""):
    """The variable's default: lint renders what a plain `dbt build` would, without the build's environment."""
    return default
