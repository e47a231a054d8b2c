"""dbt's `adapter` context object for sqlfluff's jinja templater (see dbt.py here): the adapter's name."""


def type():
    return "duckdb"
