#!/usr/bin/env bash
# The whole test suite: lint (ruff, sqlfluff), then pytest (which builds real warehouses with `dbt build`/`dbt test`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PATH="$PWD/.venv/bin:$PATH" DO_NOT_TRACK=1
ruff check .
ruff format --check .
sqlfluff lint models macros data-tests
pytest "$@"
