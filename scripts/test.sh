#!/usr/bin/env bash
# The whole test suite: lint (ruff, sqlfluff), then pytest (which builds real warehouses with `dbt build`/`dbt test`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PATH="$PWD/.venv/bin:$PATH" DO_NOT_TRACK=1
# The report's browser tests drive Debian's Chromium; install it when missing and we may (root), else they skip.
if ! command -v chromedriver >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  { apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; } ||
    echo "Could not install chromium and chromium-driver; the browser tests will be skipped." >&2
fi
ruff check .
ruff format --check .
sqlfluff lint models macros data-tests
pytest "$@"
