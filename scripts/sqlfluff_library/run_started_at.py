"""dbt's `run_started_at` for sqlfluff's jinja templater (see dbt.py here): a fixed time."""

from datetime import datetime

strftime = datetime(2000, 1, 1).strftime
